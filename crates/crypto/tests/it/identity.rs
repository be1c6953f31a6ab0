//! Credential encoding of device identities.

use alcove_crypto::{DeviceIdentity, ErrorKind};

fn check(credential: &str, expected: Option<(&str, &str)>) {
    let parsed = DeviceIdentity::from_credential_bytes(credential.as_bytes());
    match expected {
        Some((user, device)) => {
            let id = parsed.expect("valid credential");
            assert_eq!(id.user.as_str(), user);
            assert_eq!(id.device.as_str(), device);
            assert_eq!(id.to_credential_bytes(), credential.as_bytes());
        }
        None => assert_eq!(parsed.map_err(|e| e.kind()), Err(ErrorKind::InvalidInput)),
    }
}

#[test]
fn credential_encoding() {
    check("alcove:v1:u1:d1", Some(("u1", "d1")));
    check(
        "alcove:v1:0b7e8d6a-3f1c-4c1e-9a55-6f0f2d1c9e11:laptop.2",
        Some(("0b7e8d6a-3f1c-4c1e-9a55-6f0f2d1c9e11", "laptop.2")),
    );
    check("alcove:v1:u1", None);
    check("alcove:v1:u1:", None);
    check("alcove:v1::d1", None);
    check("alcove:v1:u1:d1:extra", None);
    check("alcove:v2:u1:d1", None);
    check("Alice", None);
    check("alcove:v1:u 1:d1", None);
    check(&format!("alcove:v1:{}:d1", "u".repeat(65)), None);
}

#[test]
fn debug_output_hides_identifiers() {
    let id = crate::identity("secret-user", "secret-device");
    let shown = format!("{id:?}");
    assert!(!shown.contains("secret"), "{shown}");
}
