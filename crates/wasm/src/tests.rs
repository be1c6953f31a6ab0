//! Host tests of the facade's logic with two devices: everything but the
//! `JsValue` plumbing, which the Node tests in `tests-node/` cover.

use serde_json::json;

use crate::device::{conversation, Device};
use crate::value::json::J;
use crate::views;

fn process(device: &mut Device, conv: &str, bytes: &[u8]) -> Result<J, crate::Error> {
    let conv = conversation(conv)?;
    let incoming = device.inner_mut().process(&conv, bytes)?;
    Ok(views::incoming(&incoming))
}

/// A clinician's device and a client's device in one care conversation.
fn pair() -> (Device, Device, String) {
    let mut clinician = Device::create("clin-1", "laptop").expect("clinician device");
    let mut client = Device::create("client-7", "phone").expect("client device");
    let conv = clinician
        .create_conversation("care")
        .expect("create conversation");
    let kp = client.inner_mut().key_packages(1).expect("key package");
    let commit = clinician
        .inner_mut()
        .add_devices(&conversation(&conv).expect("id"), &kp)
        .expect("add");
    assert_eq!(commit.epoch, 0);
    assert_eq!(clinician.merge_pending_commit(&conv).expect("merge"), 1.0);
    let welcome = commit.welcome.expect("a welcome for the new device");
    assert_eq!(client.join(&welcome).expect("join"), conv);
    (clinician, client, conv)
}

#[test]
fn messages_flow_both_ways_and_look_right_in_javascript() {
    let (mut clinician, mut client, conv) = pair();
    let m = clinician
        .encrypt_text(&conv, "How was your week?")
        .expect("encrypt");
    assert_eq!(
        process(&mut client, &conv, &m).expect("process").0,
        json!({
            "type": "application",
            "epoch": 1.0,
            "sender": {"userId": "clin-1", "deviceId": "laptop"},
            "payload": {"kind": "text", "text": "How was your week?"},
        })
    );
    let reply = client.encrypt_text(&conv, "Better 🙂").expect("encrypt");
    let got = process(&mut clinician, &conv, &reply).expect("process");
    assert_eq!(got.0["payload"]["text"], "Better 🙂");
    assert_eq!(got.0["sender"]["userId"], "client-7");

    // The same bytes again are a replay; a flipped bit is tampering.
    let again = process(&mut clinician, &conv, &reply).expect_err("replay");
    assert_eq!(again.code, "replayed");
    let mut bad = client.encrypt_text(&conv, "x").expect("encrypt");
    let n = bad.len();
    bad[n - 5] ^= 0x40;
    let e = process(&mut clinician, &conv, &bad).expect_err("tampered");
    assert_eq!(e.code, "tampered");
    assert_eq!(
        process(&mut clinician, &conv, b"garbage")
            .expect_err("malformed")
            .code,
        "malformed"
    );
}

#[test]
fn self_update_is_a_commit_for_the_peer() {
    let (mut clinician, mut client, conv) = pair();
    let c = client
        .inner_mut()
        .self_update(&conversation(&conv).expect("id"))
        .expect("self update");
    let out: J = views::outgoing_commit(&c);
    assert_eq!(out.0["welcome"], serde_json::Value::Null);
    assert_eq!(out.0["epoch"], 1.0);
    let got = process(&mut clinician, &conv, &c.message).expect("commit");
    assert_eq!(got.0["type"], "commit");
    assert_eq!(got.0["epoch"], 2.0);
    assert_eq!(got.0["added"], json!([]));
    assert_eq!(got.0["removedSelf"], false);
    assert_eq!(
        process(&mut client, &conv, &c.message).expect("echo").0,
        json!({"type": "ownCommitMerged", "epoch": 2.0})
    );
    assert_eq!(client.epoch(&conv).expect("epoch"), 2.0);
    let m = clinician
        .encrypt_text(&conv, "after update")
        .expect("encrypt");
    let got = process(&mut client, &conv, &m).expect("process");
    assert_eq!(got.0["payload"]["text"], "after update");
}

#[test]
fn safety_numbers_agree_and_state_survives_a_restore() {
    let (clinician, client, conv) = pair();
    let a = clinician
        .safety_number_plain(&conv, "client-7")
        .expect("safety number");
    let b = client
        .safety_number_plain(&conv, "clin-1")
        .expect("safety number");
    assert_eq!(a, b);
    assert_eq!(a.digits().len(), 60);
    assert_eq!(
        clinician
            .safety_number_plain(&conv, "nobody")
            .expect_err("no devices")
            .code,
        "invalid_input"
    );

    let key = crate::device::generate_state_key();
    assert_eq!(key.len(), 32);
    let state = client.export_state(&key).expect("export");
    let mut restored = Device::restore(&state, &key).expect("restore");
    assert_eq!(restored.user_id(), "client-7");
    assert_eq!(restored.device_id(), "phone");
    assert_eq!(restored.signature_key(), client.signature_key());
    let mut clinician = clinician;
    let m = clinician
        .encrypt_text(&conv, "still there?")
        .expect("encrypt");
    let got = process(&mut restored, &conv, &m).expect("process after restore");
    assert_eq!(got.0["payload"]["text"], "still there?");

    let mut wrong = key.clone();
    wrong[0] ^= 1;
    assert_eq!(
        Device::restore(&state, &wrong).err().map(|e| e.code),
        Some("wrong_key")
    );
    assert_eq!(
        Device::restore(&state, &key[..16]).err().map(|e| e.code),
        Some("invalid_input")
    );
}

#[test]
fn arguments_are_checked() {
    assert_eq!(
        Device::create("bad id", "d").err().map(|e| e.code),
        Some("invalid_input")
    );
    let mut d = Device::create("u", "d").expect("device");
    assert_eq!(
        d.create_conversation("group").err().map(|e| e.code),
        Some("invalid_input")
    );
    assert_eq!(
        d.encrypt_text("00", "x").err().map(|e| e.code),
        Some("invalid_input")
    );
    let unknown = format!("01{}", "ab".repeat(16));
    assert_eq!(
        d.encrypt_text(&unknown, "x").err().map(|e| e.code),
        Some("unknown_conversation")
    );
    let conv = d.create_conversation("consultation").expect("create");
    assert_eq!(
        Device::conversation_kind(&conv).expect("kind"),
        "consultation"
    );
    assert_eq!(d.is_member(&conv), Ok(true));
    assert_eq!(
        d.join(b"not a welcome").err().map(|e| e.code),
        Some("malformed")
    );
}

mod key_log {
    use crate::pin;
    use crate::transparency::KeyLog;
    use alcove_audit::{
        consistency_proof, device_key_fingerprint, inclusion_proof, AuditEvent, Checkpoint,
        EventKind, LogSigner, MemoryLog, ObjectId, ObjectKind, SubjectId,
    };

    const KEY: [u8; 32] = [7; 32];

    fn registration(user: &str, device: &str, key: &[u8]) -> Vec<u8> {
        AuditEvent::new(EventKind::DeviceAdded, 1_700_000_000_000)
            .with_subject(SubjectId::new(user).expect("subject"))
            .with_object(ObjectKind::Device, ObjectId::new(device).expect("device"))
            .with_object(
                ObjectKind::DeviceKey,
                ObjectId::new(device_key_fingerprint(key)).expect("fingerprint"),
            )
            .encode()
            .expect("encode")
    }

    fn note(signer: &LogSigner, log: &MemoryLog) -> String {
        let cp = Checkpoint::new(signer.name(), log.size(), log.root()).expect("checkpoint");
        signer.sign_checkpoint(&cp).expect("sign")
    }

    fn b64(hashes: &[alcove_audit::Hash]) -> Vec<String> {
        hashes.iter().map(|h| h.to_base64()).collect()
    }

    /// A log of three filler events, then the registration of `dev_a` at index 3.
    fn log_with_device(signer_seed: u8) -> (LogSigner, MemoryLog, Vec<u8>) {
        let signer = LogSigner::from_seed("alcove.test", &[signer_seed; 32]).expect("signer");
        let mut log = MemoryLog::new();
        for i in 0..3u8 {
            log.push(&[i]).expect("push");
        }
        let leaf = registration("client-1", "dev_a", &KEY);
        log.push(&leaf).expect("push");
        (signer, log, leaf)
    }

    #[test]
    fn a_logged_device_verifies_and_a_swapped_key_does_not() {
        let (signer, log, leaf) = log_with_device(1);
        let vkey = signer.verifier().to_string();
        let mut kl = KeyLog::open(&vkey, None).expect("open");
        assert_eq!(kl.offer(&note(&signer, &log), &[]).expect("first"), 4);
        let proof = b64(&inclusion_proof(log.store(), 3, 4).expect("proof"));
        kl.check_registration(&leaf, 3, &proof, "client-1", "dev_a", &KEY)
            .expect("the registration is in the log");

        let swapped = kl
            .check_registration(&leaf, 3, &proof, "client-1", "dev_a", &[8; 32])
            .expect_err("another key");
        assert_eq!(swapped.code, "log_registration");
        let other_user = kl
            .check_registration(&leaf, 3, &proof, "client-2", "dev_a", &KEY)
            .expect_err("another user");
        assert_eq!(other_user.code, "log_registration");
        let wrong_index = kl
            .check_registration(&leaf, 2, &proof, "client-1", "dev_a", &KEY)
            .expect_err("another index");
        assert_eq!(wrong_index.code, "log_inclusion");
        // A registration that was never appended: its proof cannot reach the signed root.
        let unlogged = registration("client-1", "dev_b", &KEY);
        let err = kl
            .check_registration(&unlogged, 3, &proof, "client-1", "dev_b", &KEY)
            .expect_err("not in the log");
        assert_eq!(err.code, "log_inclusion");
    }

    #[test]
    fn growth_needs_a_consistency_proof_and_a_fork_is_refused() {
        let (signer, mut log, _) = log_with_device(2);
        let vkey = signer.verifier().to_string();
        let first = note(&signer, &log);
        let mut kl = KeyLog::open(&vkey, None).expect("open");
        kl.offer(&first, &[]).expect("first");
        log.push(b"later").expect("push");
        let grown = note(&signer, &log);
        let proof = b64(&consistency_proof(log.store(), 4, 5).expect("proof"));
        assert_eq!(kl.offer(&grown, &proof).expect("grows"), 5);

        // Remembered across a reload, the memory refuses a history that rewrote entry 4.
        let remembered = kl.note().expect("note");
        let mut forked = MemoryLog::new();
        for i in 0..3u8 {
            forked.push(&[i]).expect("push");
        }
        forked.push(b"rewritten").expect("push");
        forked.push(b"later").expect("push");
        forked.push(b"more").expect("push");
        let mut reloaded = KeyLog::open(&vkey, Some(&remembered)).expect("restore");
        assert_eq!(reloaded.held_size(), 5);
        let fork_proof = b64(&consistency_proof(forked.store(), 5, 6).expect("proof"));
        let err = reloaded
            .offer(&note(&signer, &forked), &fork_proof)
            .expect_err("fork");
        assert_eq!(err.code, "log_fork");
        assert_eq!(
            reloaded.held_size(),
            5,
            "a refused checkpoint changes nothing"
        );
    }

    #[test]
    fn a_checkpoint_signed_by_another_key_is_refused() {
        let (signer, log, _) = log_with_device(3);
        let (impostor, _, _) = log_with_device(4);
        let mut kl = KeyLog::open(&signer.verifier().to_string(), None).expect("open");
        let err = kl.offer(&note(&impostor, &log), &[]).expect_err("foreign");
        assert_eq!(err.code, "log_signature");
        assert_eq!(kl.held_size(), 0);
        assert!(KeyLog::open("not a key", None).is_err());
    }

    #[test]
    fn pin_keys_depend_on_pin_and_salt_and_refuse_short_pins() {
        // Small parameters keep the host test quick; the browser uses the defaults.
        let salt = [9u8; 16];
        let a = pin::derive("correct horse", &salt, 64, 1).expect("derive");
        assert_eq!(
            a,
            pin::derive("correct horse", &salt, 64, 1).expect("again")
        );
        assert_ne!(
            a,
            pin::derive("correct house", &salt, 64, 1).expect("other pin")
        );
        assert_ne!(
            a,
            pin::derive("correct horse", &[8u8; 16], 64, 1).expect("other salt")
        );
        assert_eq!(
            pin::derive("12345", &salt, 64, 1).expect_err("short").code,
            "invalid_input"
        );
        assert!(pin::derive("123456", &[1u8; 8], 64, 1).is_err());
    }
}

#[test]
fn safety_number_qr_codes_are_square_and_depend_on_the_payload() {
    let (size, modules) = crate::safety::qr_matrix(b"alcove safety number payload").expect("qr");
    assert!(size >= 21, "a QR code is at least 21 modules wide");
    assert_eq!(modules.len(), size * size);
    assert!(modules.iter().all(|m| *m <= 1));
    // The finder pattern's corner is dark.
    assert_eq!(modules[0], 1);
    let (_, other) = crate::safety::qr_matrix(b"alcove safety number payloae").expect("qr");
    assert_ne!(modules, other);
}
