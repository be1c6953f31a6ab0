//! The canonical event encoding: a byte-exact layout, round trips, and
//! strict rejection of everything else.

use alcove_audit::{
    ActorId, AuditEvent, EventError, EventKind, ObjectId, ObjectKind, SubjectId, MAX_OBJECTS,
};

use crate::support::{encode, event};

fn actor(s: &str) -> ActorId {
    ActorId::new(s).unwrap_or_else(|e| panic!("valid id refused: {e}"))
}

fn object(s: &str) -> ObjectId {
    ObjectId::new(s).unwrap_or_else(|e| panic!("valid id refused: {e}"))
}

#[test]
fn layout_is_byte_exact() {
    let e = AuditEvent::new(EventKind::SignIn, 1_700_000_000_000)
        .with_actor(actor("u1"))
        .with_object(ObjectKind::Session, object("s-9"));
    let want: &[u8] = &[
        0x01, // version
        0x00, 0x05, // sign_in
        0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, // at_ms
        0x01, 0x02, b'u', b'1', // actor
        0x00, // no subject
        0x01, // one object
        0x00, 0x05, 0x03, b's', b'-', b'9', // session s-9
    ];
    assert_eq!(encode(&e), want);
    assert_eq!(AuditEvent::decode(want), Ok(e));

    let minimal = AuditEvent::new(EventKind::SetupCompleted, -1);
    assert_eq!(
        encode(&minimal),
        [1, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0]
    );
}

#[test]
fn every_kind_round_trips_with_a_stable_code_and_name() {
    assert_eq!(EventKind::ALL.len(), 19);
    for (i, kind) in EventKind::ALL.iter().enumerate() {
        assert_eq!(kind.code() as usize, i + 1);
        assert_eq!(EventKind::from_code(kind.code()), Some(*kind));
        assert_eq!(EventKind::from_name(kind.as_str()), Some(*kind));
        let e = AuditEvent::new(*kind, i as i64)
            .with_subject(SubjectId::new("c").unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(AuditEvent::decode(&encode(&e)), Ok(e));
    }
    for kind in ObjectKind::ALL {
        assert_eq!(ObjectKind::from_code(kind.code()), Some(*kind));
        assert_eq!(ObjectKind::from_name(kind.as_str()), Some(*kind));
    }
    assert_eq!(EventKind::SignOutEverywhere.as_str(), "sign_out_everywhere");
    assert_eq!(EventKind::from_name("sign-in"), None);
}

#[test]
fn sample_events_round_trip() {
    for i in 0..200 {
        let e = event(i);
        let bytes = encode(&e);
        assert_eq!(AuditEvent::decode(&bytes), Ok(e));
    }
}

fn check_decode(bytes: &[u8], expected: EventError) {
    assert_eq!(
        AuditEvent::validate(bytes),
        Err(expected.clone()),
        "{bytes:02x?}"
    );
    assert_eq!(AuditEvent::decode(bytes), Err(expected), "{bytes:02x?}");
}

#[test]
fn fail_strict_decoding() {
    let good = encode(&event(3));
    let mut trailing = good.clone();
    trailing.push(0);
    check_decode(&trailing, EventError::TrailingBytes);
    for len in 0..good.len() {
        check_decode(&good[..len], EventError::Truncated);
    }
    let mut version = good.clone();
    version[0] = 2;
    check_decode(&version, EventError::UnknownVersion(2));
    version[0] = 0;
    check_decode(&version, EventError::UnknownVersion(0));
    let mut kind = good.clone();
    kind[1..3].copy_from_slice(&999u16.to_be_bytes());
    check_decode(&kind, EventError::UnknownKind(999));
    kind[1..3].copy_from_slice(&0u16.to_be_bytes());
    check_decode(&kind, EventError::UnknownKind(0));
    let mut flag = good.clone();
    flag[11] = 2;
    check_decode(&flag, EventError::InvalidFlag);

    // Hand-built events with bad ids and objects.
    let head = [1u8, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
    let with_actor = |id: &[u8]| {
        let mut b = head.to_vec();
        b.push(1);
        b.push(id.len() as u8);
        b.extend_from_slice(id);
        b.extend_from_slice(&[0, 0]);
        b
    };
    assert!(AuditEvent::decode(&with_actor(b"ok-id_1")).is_ok());
    for bad in [
        &b""[..],
        b"a b",
        b"a.b",
        b"a/b",
        b"\xc3\xa9",
        b"a\n",
        b"name@example.com",
    ] {
        check_decode(&with_actor(bad), EventError::InvalidId);
    }
    let mut objects = head.to_vec();
    objects.extend_from_slice(&[0, 0, 1, 0, 99, 1, b'x']);
    check_decode(&objects, EventError::UnknownObjectKind(99));
    let mut many = head.to_vec();
    many.extend_from_slice(&[0, 0, (MAX_OBJECTS + 1) as u8]);
    check_decode(&many, EventError::TooManyObjects);
}

#[test]
fn fail_invalid_ids_at_construction() {
    for bad in [
        "",
        "has space",
        "dot.ted",
        "ünïcode",
        "semi;colon",
        &"a".repeat(129),
    ] {
        assert_eq!(
            ActorId::new(bad).map(|_| ()),
            Err(EventError::InvalidId),
            "{bad:?}"
        );
        assert_eq!(
            ObjectId::new(bad).map(|_| ()),
            Err(EventError::InvalidId),
            "{bad:?}"
        );
    }
    assert!(ActorId::new("a".repeat(128)).is_ok());
    assert!(ObjectId::new("0f8fad5b-d9cb-469f-a165-70867728950e").is_ok());
    let mut e = AuditEvent::new(EventKind::Export, 0);
    for i in 0..=MAX_OBJECTS {
        e = e.with_object(ObjectKind::Message, object(&format!("m{i}")));
    }
    assert_eq!(e.encode(), Err(EventError::TooManyObjects));
}

#[test]
fn ids_do_not_leak_through_debug() {
    let e = event(1);
    let shown = format!("{e:?}");
    assert!(!shown.contains("user-1"), "{shown}");
    assert!(!shown.contains("conv-1"), "{shown}");
}

#[test]
fn every_accepted_mutation_reencodes_identically() {
    // Flip each bit of a few encodings: whatever still decodes must encode
    // back to exactly the same bytes (one encoding per event).
    let mut accepted = 0usize;
    for i in 0..8 {
        let good = encode(&event(i));
        for byte in 0..good.len() {
            for bit in 0..8 {
                let mut b = good.clone();
                b[byte] ^= 1 << bit;
                assert_eq!(AuditEvent::validate(&b), AuditEvent::decode(&b).map(|_| ()));
                if let Ok(e) = AuditEvent::decode(&b) {
                    assert_eq!(encode(&e), b);
                    accepted += 1;
                }
            }
        }
    }
    assert!(accepted > 0);
}
