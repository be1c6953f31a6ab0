//! Safety numbers: properties and the shipped test vectors.

use alcove_crypto::{safety_number, DeviceId, DeviceKey, ErrorKind, PersonKeys, UserId};

pub fn person(user: &str, devices: &[(&str, [u8; 32])]) -> PersonKeys {
    PersonKeys {
        user: UserId::new(user).expect("user"),
        devices: devices
            .iter()
            .map(|(d, k)| DeviceKey {
                device: DeviceId::new(*d).expect("device"),
                signature_key: k.to_vec(),
            })
            .collect(),
    }
}

#[test]
fn symmetric_formatted_and_sensitive() {
    let alice = person("alice", &[("a1", [1; 32]), ("a2", [2; 32])]);
    let bob = person("bob", &[("b1", [3; 32])]);
    let ab = safety_number(&alice, &bob).expect("number");
    let ba = safety_number(&bob, &alice).expect("number");
    assert_eq!(ab, ba);
    assert_eq!(ab.digits().len(), 60);
    assert!(ab.digits().bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(ab.groups().len(), 12);
    assert_eq!(ab.display().len(), 71);
    assert_eq!(ab.qr_payload().len(), 61);
    assert_eq!(ab.qr_payload()[0], 1);
    assert!(ba.matches_qr(ab.qr_payload()));

    // Device order does not matter.
    let alice_rev = person("alice", &[("a2", [2; 32]), ("a1", [1; 32])]);
    assert_eq!(safety_number(&alice_rev, &bob).expect("number"), ab);

    // Any change of a device changes the number.
    for changed in [
        person("alice", &[("a1", [1; 32]), ("a2", [4; 32])]),
        person("alice", &[("a1", [1; 32])]),
        person(
            "alice",
            &[("a1", [1; 32]), ("a2", [2; 32]), ("a3", [5; 32])],
        ),
        person("alice", &[("a1", [1; 32]), ("a9", [2; 32])]),
    ] {
        let n = safety_number(&changed, &bob).expect("number");
        assert_ne!(n, ab);
        assert!(!n.matches_qr(ab.qr_payload()));
    }
}

#[test]
fn shipped_vectors() {
    let text = include_str!("../../testdata/safety_numbers.json");
    let vectors: serde_json::Value = serde_json::from_str(text).expect("json");
    let cases = vectors["cases"].as_array().expect("cases");
    assert!(cases.len() >= 6, "vectors missing");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let parse = |p: &serde_json::Value| -> Option<PersonKeys> {
            Some(PersonKeys {
                user: UserId::new(p["user"].as_str()?).ok()?,
                devices: p["devices"]
                    .as_array()?
                    .iter()
                    .map(|d| {
                        Some(DeviceKey {
                            device: DeviceId::new(d["device"].as_str()?).ok()?,
                            signature_key: hex(d["key"].as_str()?),
                        })
                    })
                    .collect::<Option<_>>()?,
            })
        };
        let a = parse(&case["a"]).expect("person a");
        let b = parse(&case["b"]).expect("person b");
        let got = safety_number(&a, &b);
        if name.starts_with("fail_") {
            assert_eq!(
                got.map_err(|e| e.kind()),
                Err(ErrorKind::InvalidInput),
                "{name}"
            );
        } else {
            let n = got.expect(name);
            assert_eq!(
                n.display(),
                case["display"].as_str().expect("display"),
                "{name}"
            );
            assert_eq!(
                n.qr_payload(),
                hex(case["qr"].as_str().expect("qr")).as_slice(),
                "{name}"
            );
            assert_eq!(safety_number(&b, &a).expect(name), n, "{name} swapped");
        }
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}
