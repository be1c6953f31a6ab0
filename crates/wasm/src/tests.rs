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
