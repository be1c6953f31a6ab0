//! How the crypto crate's values look in JavaScript: payloads, processed
//! messages, commits, members and safety numbers as plain objects (see the
//! TypeScript declarations in `lib.rs`), and payload objects read back.

use alcove_crypto::{
    AttachmentKey, AttachmentRef, DeviceIdentity, Incoming, MemberDevice, OutgoingCommit, Payload,
    PayloadKind, SafetyNumber,
};

use crate::error::{Error, Result};
use crate::value::{from_u64, to_u64, In, Out};

/// `{ userId, deviceId }`.
pub fn identity<O: Out>(id: &DeviceIdentity) -> O {
    O::object()
        .with("userId", O::string(id.user.as_str()))
        .with("deviceId", O::string(id.device.as_str()))
}

/// `{ userId, deviceId, signatureKey }`.
pub fn member<O: Out>(m: &MemberDevice) -> O {
    identity::<O>(&m.identity).with("signatureKey", O::bytes(&m.signature_key))
}

/// `{ commit, welcome (or null), epoch }`.
pub fn outgoing_commit<O: Out>(c: &OutgoingCommit) -> O {
    O::object()
        .with("commit", O::bytes(&c.message))
        .with(
            "welcome",
            c.welcome.as_deref().map_or_else(O::null, O::bytes),
        )
        .with("epoch", O::number(from_u64(c.epoch)))
}

/// `{ digits, display, qr }`.
pub fn safety_number<O: Out>(s: &SafetyNumber) -> O {
    O::object()
        .with("digits", O::string(s.digits()))
        .with("display", O::string(&s.display()))
        .with("qr", O::bytes(s.qr_payload()))
}

/// A payload as `{ kind, ... }` (see `Payload` in the TypeScript declarations).
pub fn payload<O: Out>(p: &Payload) -> O {
    let o = O::object();
    match &p.kind {
        PayloadKind::Text(text) => o
            .with("kind", O::string("text"))
            .with("text", O::string(text)),
        PayloadKind::AttachmentRef(a) => o
            .with("kind", O::string("attachment"))
            .with("blobId", O::string(&a.blob_id))
            .with("key", O::bytes(a.key.as_bytes()))
            .with("sha256", O::bytes(&a.sha256))
            .with("size", O::number(from_u64(a.size)))
            .with("name", O::string(&a.name))
            .with("mime", O::string(&a.mime)),
        PayloadKind::ReadReceipt { up_to } => o
            .with("kind", O::string("readReceipt"))
            .with("upTo", O::number(from_u64(*up_to))),
        PayloadKind::Typing { active } => o
            .with("kind", O::string("typing"))
            .with("active", O::boolean(*active)),
        PayloadKind::LiveSessionStart { session_id } => o
            .with("kind", O::string("liveSessionStart"))
            .with("sessionId", O::string(session_id)),
        PayloadKind::LiveSessionEnd { session_id } => o
            .with("kind", O::string("liveSessionEnd"))
            .with("sessionId", O::string(session_id)),
        PayloadKind::Unknown { kind, body } => o
            .with("kind", O::string("unknown"))
            .with("code", O::number(f64::from(*kind)))
            .with("body", O::bytes(body)),
        // A kind the crypto crate learned before this facade did.
        _ => o.with("kind", O::string("unknown")),
    }
}

fn string_field<V: In>(v: &V, key: &'static str) -> Result<String> {
    v.field(key)
        .and_then(|f| f.as_string())
        .ok_or(Error::invalid(key))
}

fn u64_field<V: In>(v: &V, key: &'static str) -> Result<u64> {
    v.field(key)
        .and_then(|f| f.as_number())
        .and_then(to_u64)
        .ok_or(Error::invalid(key))
}

fn array32_field<V: In>(v: &V, key: &'static str) -> Result<[u8; 32]> {
    v.field(key)
        .and_then(|f| f.as_bytes())
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or(Error::invalid(key))
}

/// Reads a payload object written by JavaScript (the same shape that
/// [`payload`] produces, `unknown` excepted: a client sends only kinds it
/// knows).
pub fn payload_from<V: In>(v: &V) -> Result<Payload> {
    let kind = string_field(v, "kind")?;
    let kind = match kind.as_str() {
        "text" => PayloadKind::Text(string_field(v, "text")?),
        "attachment" => PayloadKind::AttachmentRef(AttachmentRef {
            blob_id: string_field(v, "blobId")?,
            key: AttachmentKey::from_bytes(array32_field(v, "key")?),
            sha256: array32_field(v, "sha256")?,
            size: u64_field(v, "size")?,
            name: string_field(v, "name")?,
            mime: string_field(v, "mime")?,
        }),
        "readReceipt" => PayloadKind::ReadReceipt {
            up_to: u64_field(v, "upTo")?,
        },
        "typing" => PayloadKind::Typing {
            active: v
                .field("active")
                .and_then(|f| f.as_boolean())
                .ok_or(Error::invalid("active"))?,
        },
        "liveSessionStart" => PayloadKind::LiveSessionStart {
            session_id: string_field(v, "sessionId")?,
        },
        "liveSessionEnd" => PayloadKind::LiveSessionEnd {
            session_id: string_field(v, "sessionId")?,
        },
        _ => return Err(Error::invalid("kind")),
    };
    Ok(Payload::new(kind))
}

/// A processed message as `{ type, ... }` (see `Incoming` in the TypeScript
/// declarations).
pub fn incoming<O: Out>(i: &Incoming) -> O {
    let o = O::object();
    match i {
        Incoming::Application {
            payload: p,
            sender,
            epoch,
        } => o
            .with("type", O::string("application"))
            .with("epoch", O::number(from_u64(*epoch)))
            .with("sender", identity(sender))
            .with("payload", payload(p)),
        Incoming::Commit {
            epoch,
            sender,
            added,
            removed,
            removed_self,
            discarded_own_commit,
        } => o
            .with("type", O::string("commit"))
            .with("epoch", O::number(from_u64(*epoch)))
            .with("sender", identity(sender))
            .with("added", O::array(added.iter().map(identity).collect()))
            .with("removed", O::array(removed.iter().map(identity).collect()))
            .with("removedSelf", O::boolean(*removed_self))
            .with("discardedOwnCommit", O::boolean(*discarded_own_commit)),
        Incoming::OwnCommitMerged { epoch } => o
            .with("type", O::string("ownCommitMerged"))
            .with("epoch", O::number(from_u64(*epoch))),
        Incoming::OwnMessage => o.with("type", O::string("ownMessage")),
        Incoming::IgnoredProposal => o.with("type", O::string("ignored")),
        // A variant the crypto crate learned before this facade did.
        _ => o.with("type", O::string("ignored")),
    }
}

/// `{ userId, deviceId, signatureKey, lastResort }` of a key package.
pub fn key_package_info<O: Out>(info: &alcove_crypto::KeyPackageInfo) -> O {
    identity::<O>(&info.identity)
        .with("signatureKey", O::bytes(&info.signature_key))
        .with("lastResort", O::boolean(info.last_resort))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::json::J;
    use serde_json::json;

    fn roundtrip(p: Payload) {
        let out: J = payload(&p);
        assert_eq!(payload_from(&out), Ok(p));
    }

    #[test]
    fn payloads_round_trip_through_objects() {
        roundtrip(Payload::text("héllo 👋"));
        roundtrip(Payload::new(PayloadKind::AttachmentRef(AttachmentRef {
            blob_id: "blob-1".into(),
            key: AttachmentKey::from_bytes([7; 32]),
            sha256: [9; 32],
            size: 1 << 40,
            name: "notes.pdf".into(),
            mime: "application/pdf".into(),
        })));
        roundtrip(Payload::new(PayloadKind::ReadReceipt { up_to: 12 }));
        roundtrip(Payload::new(PayloadKind::Typing { active: false }));
        roundtrip(Payload::new(PayloadKind::LiveSessionStart {
            session_id: "s1".into(),
        }));
        roundtrip(Payload::new(PayloadKind::LiveSessionEnd {
            session_id: "s1".into(),
        }));
    }

    #[test]
    fn payload_shapes() {
        let out: J = payload(&Payload::text("hi"));
        assert_eq!(out.0, json!({"kind": "text", "text": "hi"}));
        let out: J = payload(&Payload::new(PayloadKind::Unknown {
            kind: 900,
            body: vec![1, 2],
        }));
        assert_eq!(
            out.0,
            json!({"kind": "unknown", "code": 900.0, "body": [1, 2]})
        );
    }

    #[test]
    fn bad_payload_objects_are_invalid_input() {
        let cases = [
            (json!({}), "kind"),
            (json!({"kind": "shout", "text": "x"}), "kind"),
            (json!({"kind": "text"}), "text"),
            (json!({"kind": "text", "text": 5}), "text"),
            (json!({"kind": "readReceipt", "upTo": -1}), "upTo"),
            (json!({"kind": "readReceipt", "upTo": 1.5}), "upTo"),
            (json!({"kind": "typing", "active": "yes"}), "active"),
            (json!({"kind": "unknown", "code": 9}), "kind"),
            (
                json!({"kind": "attachment", "blobId": "b", "key": [1, 2, 3],
                       "sha256": vec![0; 32], "size": 1, "name": "n", "mime": "m"}),
                "key",
            ),
        ];
        for (obj, field) in cases {
            let e = payload_from(&J(obj.clone())).expect_err("must be refused");
            assert_eq!(e.code, "invalid_input", "{obj}");
            assert!(e.message.contains(field), "{obj}: {}", e.message);
        }
    }
}
