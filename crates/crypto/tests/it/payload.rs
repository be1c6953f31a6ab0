//! Payload encoding: round trips, unknown kinds, hostile bytes.

use alcove_crypto::{AttachmentKey, AttachmentRef, Payload, PayloadKind};

fn roundtrip(kind: PayloadKind) {
    let p = Payload::new(kind);
    let bytes = p.encode();
    assert_eq!(Payload::decode(&bytes).as_ref(), Ok(&p));
    // Deterministic: encoding twice gives the same bytes.
    assert_eq!(p.encode(), bytes);
    // Every strict prefix is rejected without a panic.
    for cut in 0..bytes.len() {
        assert!(Payload::decode(&bytes[..cut]).is_err(), "prefix {cut}");
    }
}

#[test]
fn every_kind_round_trips() {
    roundtrip(PayloadKind::Text(String::new()));
    roundtrip(PayloadKind::Text("Grüße, wie geht's? 🙂".into()));
    roundtrip(PayloadKind::AttachmentRef(AttachmentRef {
        blob_id: "blob-1".into(),
        key: AttachmentKey::from_bytes([7; 32]),
        sha256: [9; 32],
        size: 10 * 1024 * 1024,
        name: "notes.pdf".into(),
        mime: "application/pdf".into(),
    }));
    roundtrip(PayloadKind::ReadReceipt { up_to: u64::MAX });
    roundtrip(PayloadKind::Typing { active: false });
    roundtrip(PayloadKind::LiveSessionStart {
        session_id: "s1".into(),
    });
    roundtrip(PayloadKind::LiveSessionEnd {
        session_id: "s1".into(),
    });
    roundtrip(PayloadKind::Unknown {
        kind: 0x7777,
        body: vec![1, 2, 3],
    });
}

#[test]
fn newer_sender_survives() {
    // A newer client appends a field to Text and invents kind 42.
    let mut bytes = vec![
        1, 0, 1, 0, 0, 0, 9, 0, 0, 0, 2, b'h', b'i', 0xAA, 0xBB, 0xCC,
    ];
    assert_eq!(
        Payload::decode(&bytes).map(|p| p.kind),
        Ok(PayloadKind::Text("hi".into()))
    );
    bytes = vec![1, 0, 42, 0, 0, 0, 2, 5, 6];
    assert_eq!(
        Payload::decode(&bytes).map(|p| p.kind),
        Ok(PayloadKind::Unknown {
            kind: 42,
            body: vec![5, 6]
        })
    );
}

#[test]
fn random_bytes_never_panic() {
    // A small xorshift generator keeps the test deterministic.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut decoded = 0;
    for _ in 0..20_000 {
        let len = (next() % 64) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Bias towards plausible headers so the body parsers are reached.
        if bytes.len() > 7 {
            bytes[0] = 1;
            bytes[1] = 0;
            bytes[2] = (next() % 8) as u8;
            let body = (bytes.len() - 7) as u32;
            bytes[3..7].copy_from_slice(&body.to_be_bytes());
        }
        if Payload::decode(&bytes).is_ok() {
            decoded += 1;
        }
    }
    assert!(decoded > 0, "the biased inputs should sometimes decode");
}
