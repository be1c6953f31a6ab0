//! What a device's registration leaf must say before anyone encrypts to that device: the
//! key-transparency check shared by the native client and the browser.

use crate::event::{AuditEvent, EventKind, ObjectKind};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The fingerprint of a device's signature key as the log records it: base64url (no padding)
/// of its SHA-256.
pub fn device_key_fingerprint(signature_key: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(signature_key))
}

/// Whether `event` registers `device` of `user` with exactly `signature_key`: a
/// `device_added` event whose subject is the user and whose objects name the device and the
/// key's fingerprint.
pub fn registers_device(
    event: &AuditEvent,
    user: &str,
    device: &str,
    signature_key: &[u8],
) -> bool {
    let fingerprint = device_key_fingerprint(signature_key);
    let names = |kind: ObjectKind, value: &str| {
        event
            .objects
            .iter()
            .any(|(k, id)| *k == kind && id.as_str() == value)
    };
    event.kind == EventKind::DeviceAdded
        && event.subject.as_ref().is_some_and(|s| s.as_str() == user)
        && names(ObjectKind::Device, device)
        && names(ObjectKind::DeviceKey, &fingerprint)
}
