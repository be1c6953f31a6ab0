//! Fuzzes MLS message handling: `inspect_message`, `inspect_key_package`,
//! `Device::join` and `Device::process` on a live two-member conversation.
#![no_main]

use alcove_crypto::{
    inspect_key_package, inspect_message, ConversationKind, Device, DeviceId, DeviceIdentity,
    UserId,
};
use libfuzzer_sys::fuzz_target;

fn device(user: &str) -> Device {
    let id = DeviceIdentity::new(
        UserId::new(user).expect("user"),
        DeviceId::new("d1").expect("device"),
    );
    Device::new(id).expect("device")
}

fuzz_target!(|data: &[u8]| {
    let _ = inspect_message(data);
    let _ = inspect_key_package(data);
    let mut alice = device("alice");
    let mut bob = device("bob");
    let conv = alice
        .create_conversation(ConversationKind::CareRelationship)
        .expect("create");
    let commit = alice
        .add_devices(&conv, &[bob.key_package().expect("kp")])
        .expect("add");
    alice.merge_pending_commit(&conv).expect("merge");
    bob.join(&commit.welcome.expect("welcome")).expect("join");
    let _ = bob.join(data);
    let _ = bob.process(&conv, data);
    let _ = alice.add_devices(&conv, &[data.to_vec()]);
});
