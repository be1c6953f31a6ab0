//! MLS conversations: a clinician and a client with two devices.

use alcove_crypto::{
    inspect_key_package, inspect_message, ConversationId, ConversationKind, Device, DeviceIdentity,
    ErrorKind, Incoming, MessageType, Payload, PayloadKind,
};

use crate::{device, identity};

/// Clinician `c1`; client devices `a1` and `a2` of one user.
struct Care {
    conv: ConversationId,
    c1: Device,
    a1: Device,
    a2: Device,
}

fn setup() -> Care {
    let mut c1 = device("clinician", "c1");
    let mut a1 = device("client", "a1");
    let mut a2 = device("client", "a2");
    let conv = c1
        .create_conversation(ConversationKind::CareRelationship)
        .expect("create");
    assert_eq!(conv.kind(), ConversationKind::CareRelationship);
    assert_eq!(c1.epoch(&conv), Ok(0));
    let kps = vec![a1.key_package().expect("kp"), a2.key_package().expect("kp")];
    let commit = c1.add_devices(&conv, &kps).expect("add");
    assert_eq!(commit.epoch, 0);
    assert_eq!(c1.merge_pending_commit(&conv), Ok(1));
    let welcome = commit.welcome.expect("welcome");
    assert_eq!(a1.join(&welcome).as_ref(), Ok(&conv));
    assert_eq!(a2.join(&welcome).as_ref(), Ok(&conv));
    Care { conv, c1, a1, a2 }
}

fn send(from: &mut Device, conv: &ConversationId, text: &str) -> Vec<u8> {
    from.encrypt(conv, &Payload::text(text)).expect("encrypt")
}

fn expect_text(
    to: &mut Device,
    conv: &ConversationId,
    msg: &[u8],
    text: &str,
    sender: &DeviceIdentity,
) {
    match to.process(conv, msg).expect("process") {
        Incoming::Application {
            payload, sender: s, ..
        } => {
            assert_eq!(payload.kind, PayloadKind::Text(text.into()));
            assert_eq!(&s, sender);
        }
        other => panic!("expected an application message, got {other:?}"),
    }
}

fn expect_commit(to: &mut Device, conv: &ConversationId, msg: &[u8]) -> Incoming {
    let incoming = to.process(conv, msg).expect("process commit");
    assert!(matches!(incoming, Incoming::Commit { .. }), "{incoming:?}");
    incoming
}

fn kind(r: alcove_crypto::Result<Incoming>) -> ErrorKind {
    match r {
        Ok(i) => panic!("expected an error, got {i:?}"),
        Err(e) => e.kind(),
    }
}

#[test]
fn messages_flow_both_ways_on_all_devices() {
    let Care {
        conv,
        mut c1,
        mut a1,
        mut a2,
    } = setup();
    let members = c1.members(&conv).expect("members");
    let ids: Vec<_> = members.iter().map(|m| m.identity.clone()).collect();
    assert_eq!(
        ids,
        vec![
            identity("clinician", "c1"),
            identity("client", "a1"),
            identity("client", "a2")
        ]
    );
    assert_eq!(members[1].signature_key, a1.signature_public_key());
    assert_eq!(a2.members(&conv).expect("members"), members);
    assert_eq!(c1.epoch_authenticator(&conv), a1.epoch_authenticator(&conv));

    let m = send(&mut c1, &conv, "hello from the clinician");
    expect_text(
        &mut a1,
        &conv,
        &m,
        "hello from the clinician",
        &identity("clinician", "c1"),
    );
    expect_text(
        &mut a2,
        &conv,
        &m,
        "hello from the clinician",
        &identity("clinician", "c1"),
    );
    assert!(matches!(c1.process(&conv, &m), Ok(Incoming::OwnMessage)));

    let m = send(&mut a2, &conv, "reply from the phone");
    expect_text(
        &mut c1,
        &conv,
        &m,
        "reply from the phone",
        &identity("client", "a2"),
    );
    expect_text(
        &mut a1,
        &conv,
        &m,
        "reply from the phone",
        &identity("client", "a2"),
    );

    let info = inspect_message(&m).expect("inspect");
    assert_eq!(info.conversation.as_ref(), Some(&conv));
    assert_eq!(info.epoch, Some(1));
    assert_eq!(info.message_type, MessageType::Application);
}

#[test]
fn removed_device_cannot_read_later_messages() {
    let Care {
        conv,
        mut c1,
        mut a1,
        mut a2,
    } = setup();
    // A copy of a2 that never processes its removal (a stolen device).
    let key = alcove_crypto::StateKey::generate();
    let mut stolen =
        Device::restore_state(&a2.export_state(&key).expect("export"), &key).expect("restore");

    let commit = c1
        .remove_devices(&conv, &[identity("client", "a2")])
        .expect("remove");
    assert!(commit.welcome.is_none());
    c1.merge_pending_commit(&conv).expect("merge");
    match expect_commit(&mut a1, &conv, &commit.message) {
        Incoming::Commit {
            removed,
            removed_self,
            ..
        } => {
            assert_eq!(removed, vec![identity("client", "a2")]);
            assert!(!removed_self);
        }
        _ => unreachable!(),
    }
    match expect_commit(&mut a2, &conv, &commit.message) {
        Incoming::Commit { removed_self, .. } => assert!(removed_self),
        _ => unreachable!(),
    }
    assert!(!a2.is_member(&conv));
    assert_eq!(c1.members(&conv).expect("members").len(), 2);

    let secret = send(&mut c1, &conv, "after the removal");
    expect_text(
        &mut a1,
        &conv,
        &secret,
        "after the removal",
        &identity("clinician", "c1"),
    );
    assert_eq!(kind(a2.process(&conv, &secret)), ErrorKind::NotAMember);
    assert_eq!(kind(stolen.process(&conv, &secret)), ErrorKind::FutureEpoch);
    assert_eq!(
        a2.encrypt(&conv, &Payload::text("x")).map_err(|e| e.kind()),
        Err(ErrorKind::NotAMember)
    );
    // The stolen copy may still send in the old epoch; nobody accepts it.
    let old = send(&mut stolen, &conv, "from the stolen device");
    assert_eq!(kind(c1.process(&conv, &old)), ErrorKind::StaleEpoch);
}

#[test]
fn remove_user_removes_all_their_devices() {
    let Care { conv, mut c1, .. } = setup();
    let user = identity("client", "a1").user;
    let commit = c1.remove_user(&conv, &user).expect("remove user");
    c1.merge_pending_commit(&conv).expect("merge");
    assert!(commit.welcome.is_none());
    assert_eq!(c1.members(&conv).expect("members").len(), 1);
    assert_eq!(
        c1.remove_devices(&conv, &[identity("client", "a1")])
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(ErrorKind::InvalidInput)
    );
}

#[test]
fn self_update_advances_the_epoch_for_everyone() {
    let Care {
        conv,
        mut c1,
        mut a1,
        mut a2,
    } = setup();
    let before = a1.epoch_authenticator(&conv).expect("auth");
    let commit = a1.self_update(&conv).expect("update");
    assert_eq!(commit.epoch, 1);
    // While the commit is pending, a1 can neither send nor commit again.
    assert_eq!(
        a1.encrypt(&conv, &Payload::text("x")).map_err(|e| e.kind()),
        Err(ErrorKind::PendingCommit)
    );
    assert_eq!(
        a1.self_update(&conv).map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::PendingCommit)
    );
    // The delivery service echoes it back: that confirms it.
    assert!(matches!(
        a1.process(&conv, &commit.message),
        Ok(Incoming::OwnCommitMerged { epoch: 2 })
    ));
    match expect_commit(&mut c1, &conv, &commit.message) {
        Incoming::Commit {
            sender,
            epoch,
            added,
            removed,
            ..
        } => {
            assert_eq!(sender, identity("client", "a1"));
            assert_eq!(epoch, 2);
            assert!(added.is_empty() && removed.is_empty());
        }
        _ => unreachable!(),
    }
    expect_commit(&mut a2, &conv, &commit.message);
    let after = a1.epoch_authenticator(&conv).expect("auth");
    assert_ne!(before, after);
    assert_eq!(c1.epoch_authenticator(&conv).expect("auth"), after);
    let m = send(&mut a1, &conv, "fresh keys");
    expect_text(&mut c1, &conv, &m, "fresh keys", &identity("client", "a1"));
}

#[test]
fn concurrent_commits_one_wins_the_other_rebases() {
    let Care {
        conv,
        mut c1,
        mut a1,
        mut a2,
    } = setup();
    let winner = c1.self_update(&conv).expect("c1 update");
    let loser = a1.self_update(&conv).expect("a1 update");
    assert_eq!(winner.epoch, loser.epoch);
    assert_eq!(
        inspect_message(&winner.message)
            .expect("inspect")
            .message_type,
        MessageType::Commit
    );

    // The delivery service accepts c1's commit and refuses a1's.
    c1.merge_pending_commit(&conv).expect("merge");
    match a1
        .process(&conv, &winner.message)
        .expect("a1 processes the winner")
    {
        Incoming::Commit {
            discarded_own_commit,
            ..
        } => assert!(discarded_own_commit),
        other => panic!("{other:?}"),
    }
    assert!(!a1.has_pending_commit(&conv));
    expect_commit(&mut a2, &conv, &winner.message);
    assert_eq!(
        kind(a2.process(&conv, &loser.message)),
        ErrorKind::StaleEpoch
    );
    assert_eq!(
        kind(c1.process(&conv, &loser.message)),
        ErrorKind::StaleEpoch
    );

    // a1 rebases: the same operation again in the new epoch.
    let retry = a1.self_update(&conv).expect("retry");
    assert_eq!(retry.epoch, 2);
    a1.merge_pending_commit(&conv).expect("merge");
    expect_commit(&mut c1, &conv, &retry.message);
    expect_commit(&mut a2, &conv, &retry.message);
    assert_eq!(c1.epoch(&conv), Ok(3));
    assert_eq!(a2.epoch_authenticator(&conv), a1.epoch_authenticator(&conv));

    // A refused commit can also be dropped explicitly.
    let refused = a2.self_update(&conv).expect("update");
    a2.discard_pending_commit(&conv).expect("discard");
    assert_eq!(a2.epoch(&conv), Ok(3));
    assert_eq!(refused.epoch, 3);
    let m = send(&mut a2, &conv, "still here");
    expect_text(&mut c1, &conv, &m, "still here", &identity("client", "a2"));
}

#[test]
fn messages_sent_before_a_commit_still_decrypt_after_it() {
    let Care {
        conv,
        mut c1,
        mut a1,
        ..
    } = setup();
    let early = send(&mut a1, &conv, "sent in epoch 1");
    let commit = c1.self_update(&conv).expect("update");
    c1.merge_pending_commit(&conv).expect("merge");
    expect_commit(&mut a1, &conv, &commit.message);
    expect_text(
        &mut c1,
        &conv,
        &early,
        "sent in epoch 1",
        &identity("client", "a1"),
    );
}

#[test]
fn tampered_replayed_and_injected_messages_are_rejected() {
    let Care {
        conv,
        mut c1,
        mut a1,
        ..
    } = setup();
    let m = send(&mut c1, &conv, "original");

    // Flipped bits in the framing and in the ciphertext; never a panic, and
    // the conversation still works afterwards.
    for pos in (0..m.len()).step_by(7).chain([m.len() - 1]) {
        let mut bad = m.clone();
        bad[pos] ^= 0x01;
        assert!(a1.process(&conv, &bad).is_err(), "flip at {pos}");
    }
    let mut bad = m.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x80;
    assert_eq!(kind(a1.process(&conv, &bad)), ErrorKind::Tampered);
    for cut in [0, 1, 10, m.len() / 2, m.len() - 1] {
        assert_eq!(
            kind(a1.process(&conv, &m[..cut])),
            ErrorKind::Malformed,
            "cut {cut}"
        );
    }
    expect_text(&mut a1, &conv, &m, "original", &identity("clinician", "c1"));

    // Replayed.
    assert_eq!(kind(a1.process(&conv, &m)), ErrorKind::Replayed);

    // Injected: a device outside the conversation builds a group of its own
    // in the same epoch and relabels its message with this conversation's id.
    let mut mallory = device("server-admin", "m1");
    let mut helper = device("server-admin-2", "m2");
    let foreign = mallory
        .create_conversation(ConversationKind::CareRelationship)
        .expect("create");
    mallory
        .add_devices(&foreign, &[helper.key_package().expect("kp")])
        .expect("add");
    mallory.merge_pending_commit(&foreign).expect("merge");
    assert_eq!(mallory.epoch(&foreign), c1.epoch(&conv));
    let injected = relabel(&send(&mut mallory, &foreign, "injected"), &foreign, &conv);
    assert_eq!(
        inspect_message(&injected)
            .expect("inspect")
            .conversation
            .as_ref(),
        Some(&conv)
    );
    assert_eq!(kind(a1.process(&conv, &injected)), ErrorKind::Tampered);
    // Unlabelled, it belongs to another conversation.
    let other = send(&mut mallory, &foreign, "x");
    assert_eq!(kind(a1.process(&conv, &other)), ErrorKind::Tampered);
    let commit = mallory.self_update(&foreign).expect("commit");
    let injected = relabel(&commit.message, &foreign, &conv);
    assert_eq!(kind(a1.process(&conv, &injected)), ErrorKind::Tampered);

    // Garbage and unknown conversations.
    assert_eq!(kind(a1.process(&conv, b"")), ErrorKind::Malformed);
    assert_eq!(
        kind(a1.process(&conv, b"\x00\x01garbage")),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(a1.process(&foreign, &relabel(&m, &conv, &foreign))),
        ErrorKind::UnknownConversation
    );

    // The conversation still works.
    let m = send(&mut a1, &conv, "still fine");
    expect_text(&mut c1, &conv, &m, "still fine", &identity("client", "a1"));
}

/// Replaces the group id inside a serialised message (same length).
fn relabel(msg: &[u8], from: &ConversationId, to: &ConversationId) -> Vec<u8> {
    let pos = msg
        .windows(from.as_bytes().len())
        .position(|w| w == from.as_bytes())
        .expect("group id in message");
    let mut out = msg.to_vec();
    out[pos..pos + to.as_bytes().len()].copy_from_slice(to.as_bytes());
    out
}

#[test]
fn welcomes_and_key_packages() {
    let Care { mut c1, mut a1, .. } = setup();
    let mut b1 = device("supervisor", "b1");
    let batch = b1.key_packages(3).expect("batch");
    assert_eq!(batch.len(), 3);
    let infos: Vec<_> = batch
        .iter()
        .map(|kp| inspect_key_package(kp).expect("inspect"))
        .collect();
    assert!(infos
        .iter()
        .all(|i| i.identity == identity("supervisor", "b1") && !i.last_resort));
    assert!(infos
        .iter()
        .all(|i| i.signature_key == b1.signature_public_key()));
    assert_ne!(infos[0].key_package_ref, infos[1].key_package_ref);

    // A welcome names the key packages it is for.
    let conv = c1
        .create_conversation(ConversationKind::Consultation)
        .expect("create");
    assert_eq!(conv.kind(), ConversationKind::Consultation);
    let commit = c1.add_devices(&conv, &batch[..1]).expect("add");
    c1.merge_pending_commit(&conv).expect("merge");
    let welcome = commit.welcome.expect("welcome");
    match inspect_message(&welcome).expect("inspect").message_type {
        MessageType::Welcome { key_package_refs } => {
            assert_eq!(key_package_refs, vec![infos[0].key_package_ref.clone()]);
        }
        other => panic!("{other:?}"),
    }
    // Not addressed to a1.
    assert_eq!(
        a1.join(&welcome).map_err(|e| e.kind()),
        Err(ErrorKind::NotAMember)
    );
    assert_eq!(b1.join(&welcome).as_ref(), Ok(&conv));
    // A regular key package works once.
    assert_eq!(
        b1.join(&welcome).map_err(|e| e.kind()),
        Err(ErrorKind::NotAMember)
    );
    let conv2 = c1
        .create_conversation(ConversationKind::Consultation)
        .expect("create");
    let commit = c1.add_devices(&conv2, &batch[..1]).expect("add again");
    assert_eq!(
        b1.join(&commit.welcome.expect("welcome"))
            .map_err(|e| e.kind()),
        Err(ErrorKind::NotAMember)
    );
    c1.discard_pending_commit(&conv2).expect("discard");

    // The last-resort key package serves several welcomes.
    let last = b1.last_resort_key_package().expect("last resort");
    assert!(inspect_key_package(&last).expect("inspect").last_resort);
    for _ in 0..2 {
        let conv = c1
            .create_conversation(ConversationKind::Consultation)
            .expect("create");
        let commit = c1
            .add_devices(&conv, std::slice::from_ref(&last))
            .expect("add");
        c1.merge_pending_commit(&conv).expect("merge");
        assert_eq!(
            b1.join(&commit.welcome.expect("welcome")).as_ref(),
            Ok(&conv)
        );
    }

    // Rotation retires every earlier key package.
    let rotated = b1.rotate_key_packages(2).expect("rotate");
    assert_eq!(rotated.regular.len(), 2);
    for old in [&batch[2], &last] {
        let conv = c1
            .create_conversation(ConversationKind::Consultation)
            .expect("create");
        let commit = c1
            .add_devices(&conv, std::slice::from_ref(old))
            .expect("add");
        assert_eq!(
            b1.join(&commit.welcome.expect("welcome"))
                .map_err(|e| e.kind()),
            Err(ErrorKind::NotAMember)
        );
    }
    let conv = c1
        .create_conversation(ConversationKind::Consultation)
        .expect("create");
    let commit = c1
        .add_devices(&conv, std::slice::from_ref(&rotated.last_resort))
        .expect("add");
    c1.merge_pending_commit(&conv).expect("merge");
    assert_eq!(
        b1.join(&commit.welcome.expect("welcome")).as_ref(),
        Ok(&conv)
    );

    // Hostile key packages.
    let mut bad = rotated.regular[0].clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 1;
    let conv = c1
        .create_conversation(ConversationKind::Consultation)
        .expect("create");
    assert!(c1.add_devices(&conv, &[bad]).is_err());
    assert_eq!(
        c1.add_devices(&conv, &[b"junk".to_vec()])
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(ErrorKind::Malformed)
    );
    assert_eq!(
        inspect_key_package(b"junk").map_err(|e| e.kind()),
        Err(ErrorKind::Malformed)
    );
    // The same device twice.
    let twice = vec![rotated.regular[0].clone(), rotated.regular[1].clone()];
    assert_eq!(
        c1.add_devices(&conv, &twice)
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(ErrorKind::InvalidInput)
    );
}

#[test]
fn a_second_device_joins_later_and_reads_new_messages_only() {
    let Care {
        conv,
        mut c1,
        mut a1,
        mut a2,
    } = setup();
    let before = send(&mut c1, &conv, "before the new device");
    expect_text(
        &mut a1,
        &conv,
        &before,
        "before the new device",
        &identity("clinician", "c1"),
    );
    let mut a3 = device("client", "a3");
    // The client's own device adds their new device.
    let commit = a1
        .add_devices(&conv, &[a3.key_package().expect("kp")])
        .expect("add");
    a1.merge_pending_commit(&conv).expect("merge");
    match expect_commit(&mut c1, &conv, &commit.message) {
        Incoming::Commit { added, sender, .. } => {
            assert_eq!(added, vec![identity("client", "a3")]);
            assert_eq!(sender, identity("client", "a1"));
        }
        _ => unreachable!(),
    }
    expect_commit(&mut a2, &conv, &commit.message);
    a3.join(&commit.welcome.expect("welcome")).expect("join");
    assert!(a3.process(&conv, &before).is_err());
    let after = send(&mut c1, &conv, "after");
    expect_text(
        &mut a3,
        &conv,
        &after,
        "after",
        &identity("clinician", "c1"),
    );
}

#[test]
fn devices_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    fn assert_sync<T: Sync>() {}
    assert_send::<Device>();
    assert_sync::<Device>();
    // And a device really works after a move.
    let Care {
        conv,
        mut c1,
        mut a1,
        ..
    } = setup();
    let handle = std::thread::spawn(move || {
        let m = send(&mut a1, &conv, "from another thread");
        (m, conv)
    });
    let (m, conv) = handle.join().expect("thread");
    expect_text(
        &mut c1,
        &conv,
        &m,
        "from another thread",
        &identity("client", "a1"),
    );
}
