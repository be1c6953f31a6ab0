//! Integration tests of `alcove-crypto`, built into one binary.

mod attachment;
mod identity;
mod mls;
mod payload;
mod safety;
mod state;

use alcove_crypto::{Device, DeviceId, DeviceIdentity, UserId};

/// A device of `user` named `device`.
pub fn device(user: &str, device: &str) -> Device {
    Device::new(identity(user, device)).expect("new device")
}

/// The identity of `user`'s `device`.
pub fn identity(user: &str, device: &str) -> DeviceIdentity {
    DeviceIdentity::new(
        UserId::new(user).expect("user id"),
        DeviceId::new(device).expect("device id"),
    )
}
