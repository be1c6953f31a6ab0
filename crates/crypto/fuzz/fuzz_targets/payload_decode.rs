//! Fuzzes `Payload::decode`: never panics, and what decodes re-encodes to
//! something that decodes to the same payload.
#![no_main]

use alcove_crypto::Payload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Payload::decode(data) {
        assert_eq!(Payload::decode(&p.encode()).ok(), Some(p));
    }
});
