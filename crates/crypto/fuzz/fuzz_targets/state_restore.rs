//! Fuzzes restoring sealed device state: never panics.
#![no_main]

use alcove_crypto::{Device, StateKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Device::restore_state(data, &StateKey::from_bytes([1; 32]));
});
