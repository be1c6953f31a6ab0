//! The delivery service's storage on every backend: gap-free ordering, one commit per epoch
//! (also under concurrency), key packages handed out once, welcomes routed by key package,
//! per-device read windows, blobs and retention.

use crate::conformance::{account, admin, ev, invitation};
use alcove_audit::EventKind;
use alcove_store::*;
use alcove_types::delivery::MessageKind;
use alcove_types::{BlobId, ConversationId, DeviceId, InvitationKind, Role, UserId};

crate::conformance!(
    one_commit_per_epoch_in_gap_free_order,
    concurrent_commits_have_one_winner,
    key_packages_are_served_once_and_last_resort_repeatedly,
    welcomes_route_by_key_package_and_windows_bound_reads,
    blobs_need_membership,
    retention_deletes_only_what_every_device_acknowledged,
);

pub(crate) struct Pair {
    pub(crate) client: UserId,
    pub(crate) clinician_device: DeviceId,
    pub(crate) client_device: DeviceId,
    pub(crate) conversation: ConversationId,
}

async fn device(store: &Store, n: u8, user: &UserId) -> DeviceId {
    let id = DeviceId::from_random([n; 16]);
    let row = store
        .register_device(
            &NewDevice {
                id: id.clone(),
                user_id: user.clone(),
                signature_key: vec![n; 32],
                label: format!("Device {n}"),
                created_at: 10,
            },
            &ev(EventKind::DeviceAdded),
        )
        .await
        .expect("register device");
    assert!(
        row.log_index > 0,
        "the registration is a leaf after the account events"
    );
    id
}

/// A clinician and their client, a device each, and a conversation holding the clinician's.
pub(crate) async fn pair(store: &Store) -> Pair {
    let now = 1_000;
    let admin = admin(store, now).await;
    let inv = invitation(
        2,
        InvitationKind::Invitation,
        Role::Clinician,
        Some(&admin),
        now,
    );
    store
        .create_invitation(&inv, &ev(EventKind::InvitationCreated))
        .await
        .expect("invite");
    let clinician = account(2, &inv.id, Role::Clinician, None, now);
    store
        .redeem_for_new_account(&clinician, &ev(EventKind::InvitationRedeemed))
        .await
        .expect("clinician");
    let inv = invitation(
        3,
        InvitationKind::Invitation,
        Role::Client,
        Some(&clinician.user.id),
        now,
    );
    store
        .create_invitation(&inv, &ev(EventKind::InvitationCreated))
        .await
        .expect("invite");
    let client = account(3, &inv.id, Role::Client, Some(&clinician.user.id), now);
    store
        .redeem_for_new_account(&client, &ev(EventKind::InvitationRedeemed))
        .await
        .expect("client");
    let clinician_device = device(store, 20, &clinician.user.id).await;
    let client_device = device(store, 30, &client.user.id).await;
    let conversation = ConversationId::parse("01aa").expect("id");
    store
        .create_conversation(
            &conversation,
            &clinician_device,
            &[clinician.user.id.clone(), client.user.id.clone()],
            now,
            &ev(EventKind::ConversationCreated),
        )
        .await
        .expect("conversation");
    Pair {
        client: client.user.id,
        clinician_device,
        client_device,
        conversation,
    }
}

pub(crate) fn message(
    p: &Pair,
    from: &DeviceId,
    kind: MessageKind,
    epoch: u64,
    data: &[u8],
) -> NewMessage {
    NewMessage {
        conversation_id: p.conversation.clone(),
        sender_device: from.clone(),
        kind,
        epoch,
        data: data.to_vec(),
        welcome: None,
        removed_devices: Vec::new(),
        created_at: 2_000,
    }
}

pub(crate) async fn publish(store: &Store, device: &DeviceId, refs: &[(u8, bool)]) {
    let packages: Vec<NewKeyPackage> = refs
        .iter()
        .map(|&(n, last_resort)| NewKeyPackage {
            key_package_ref: vec![n; 16],
            data: vec![n; 64],
            last_resort,
        })
        .collect();
    store
        .publish_key_packages(
            device,
            &packages,
            1_500,
            &ev(EventKind::KeyPackagePublished),
        )
        .await
        .expect("publish");
}

async fn add_client_device(store: &Store, p: &Pair, epoch: u64) -> PostedRow {
    publish(store, &p.client_device, &[(30, false)]).await;
    let claimed = store
        .claim_key_packages(std::slice::from_ref(&p.client), 1_600)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    let mut commit = message(p, &p.clinician_device, MessageKind::Commit, epoch, b"add");
    commit.welcome = Some((b"welcome".to_vec(), vec![vec![30; 16]]));
    store
        .post_message(&commit, &ev(EventKind::MembershipChanged))
        .await
        .expect("add the client's device")
}

async fn one_commit_per_epoch_in_gap_free_order(store: &Store) {
    let p = pair(store).await;
    let a = store
        .post_message(
            &message(&p, &p.clinician_device, MessageKind::Application, 0, b"m1"),
            &[],
        )
        .await
        .expect("application");
    assert_eq!((a.seq, a.epoch), (1, 0));
    let added = add_client_device(store, &p, 0).await;
    assert_eq!((added.seq, added.epoch), (2, 1));
    assert_eq!(added.added, vec![p.client_device.clone()]);
    let err = store
        .post_message(
            &message(&p, &p.clinician_device, MessageKind::Commit, 0, b"late"),
            &[],
        )
        .await
        .expect_err("a second commit for epoch 0");
    assert_eq!(err.kind(), ErrorKind::EpochConflict);
    let err = store
        .post_message(
            &message(
                &p,
                &p.clinician_device,
                MessageKind::Application,
                9,
                b"future",
            ),
            &[],
        )
        .await
        .expect_err("a future epoch");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let b = store
        .post_message(
            &message(&p, &p.client_device, MessageKind::Application, 1, b"m2"),
            &[],
        )
        .await
        .expect("the added device posts");
    assert_eq!(b.seq, 3);
    let stranger = DeviceId::from_random([99; 16]);
    let err = store
        .post_message(
            &message(&p, &stranger, MessageKind::Application, 1, b"x"),
            &[],
        )
        .await
        .expect_err("not a member");
    assert_eq!(err.kind(), ErrorKind::NotMember);
    // Refused posts left nothing behind: the log is 1, 2, 3.
    let all = store
        .messages_after(&p.conversation, &p.clinician_device, 0, 100)
        .await
        .expect("read");
    let seqs: Vec<u64> = all.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(all[1].kind, MessageKind::Commit);
    let conv = store
        .conversation(&p.conversation)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!((conv.epoch, conv.last_seq), (1, 3));
}

async fn concurrent_commits_have_one_winner(store: &Store) {
    let p = pair(store).await;
    let mut tasks = Vec::new();
    for n in 0..8u8 {
        let store = store.clone();
        let msg = message(&p, &p.clinician_device, MessageKind::Commit, 0, &[n]);
        tasks.push(tokio::spawn(
            async move { store.post_message(&msg, &[]).await },
        ));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(posted) => {
                won += 1;
                assert_eq!((posted.seq, posted.epoch), (1, 1));
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::EpochConflict),
        }
    }
    assert_eq!(won, 1);
}

async fn key_packages_are_served_once_and_last_resort_repeatedly(store: &Store) {
    let p = pair(store).await;
    publish(
        store,
        &p.client_device,
        &[(1, false), (2, false), (3, true)],
    )
    .await;
    assert_eq!(
        store
            .key_package_count(&p.client_device)
            .await
            .expect("count"),
        (2, true)
    );
    let mut served = Vec::new();
    for _ in 0..4 {
        let claimed = store
            .claim_key_packages(std::slice::from_ref(&p.client), 1_600)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].device_id, p.client_device);
        served.push(claimed[0].data[0]);
    }
    assert_eq!(served, [1, 2, 3, 3]);
    // A new last-resort key package replaces the old one; a duplicate is refused.
    publish(store, &p.client_device, &[(4, true)]).await;
    let claimed = store
        .claim_key_packages(std::slice::from_ref(&p.client), 1_700)
        .await
        .expect("claim");
    assert_eq!(claimed[0].data[0], 4);
    let err = store
        .publish_key_packages(
            &p.client_device,
            &[NewKeyPackage {
                key_package_ref: vec![1; 16],
                data: vec![1; 64],
                last_resort: false,
            }],
            1_800,
            &[],
        )
        .await
        .expect_err("published before");
    assert_eq!(err.kind(), ErrorKind::Duplicate);
}

async fn welcomes_route_by_key_package_and_windows_bound_reads(store: &Store) {
    let p = pair(store).await;
    store
        .post_message(
            &message(
                &p,
                &p.clinician_device,
                MessageKind::Application,
                0,
                b"before",
            ),
            &[],
        )
        .await
        .expect("post");
    let added = add_client_device(store, &p, 0).await;
    assert_eq!(added.welcomes.len(), 1);
    let welcomes = store
        .welcomes_for(&p.client_device)
        .await
        .expect("welcomes");
    assert_eq!(welcomes.len(), 1);
    assert_eq!(
        (welcomes[0].seq, welcomes[0].data.as_slice()),
        (2, &b"welcome"[..])
    );
    store
        .ack_welcome(&p.client_device, welcomes[0].id)
        .await
        .expect("ack");
    assert!(store
        .welcomes_for(&p.client_device)
        .await
        .expect("welcomes")
        .is_empty());
    store
        .post_message(
            &message(
                &p,
                &p.clinician_device,
                MessageKind::Application,
                1,
                b"after",
            ),
            &[],
        )
        .await
        .expect("post");
    // The client's device reads from the commit that added it on.
    let read = store
        .messages_after(&p.conversation, &p.client_device, 0, 100)
        .await
        .expect("read");
    assert_eq!(read.iter().map(|m| m.seq).collect::<Vec<_>>(), [3]);
    // A welcome to a key package nobody published is refused, and leaves nothing behind.
    let mut bogus = message(&p, &p.clinician_device, MessageKind::Commit, 1, b"add");
    bogus.welcome = Some((b"w".to_vec(), vec![vec![77; 16]]));
    let err = store
        .post_message(&bogus, &[])
        .await
        .expect_err("unknown addressee");
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let conv = store
        .conversation(&p.conversation)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!((conv.epoch, conv.last_seq), (1, 3));
    // Removing the client's device: it reads up to the removing commit, nothing after.
    let mut remove = message(&p, &p.clinician_device, MessageKind::Commit, 1, b"remove");
    remove.removed_devices = vec![p.client_device.clone()];
    let removed = store.post_message(&remove, &[]).await.expect("remove");
    assert!(
        removed.recipients.contains(&p.client_device),
        "it learns of its removal"
    );
    store
        .post_message(
            &message(
                &p,
                &p.clinician_device,
                MessageKind::Application,
                2,
                b"later",
            ),
            &[],
        )
        .await
        .expect("post");
    let read = store
        .messages_after(&p.conversation, &p.client_device, 3, 100)
        .await
        .expect("read");
    assert_eq!(read.iter().map(|m| m.seq).collect::<Vec<_>>(), [4]);
    let err = store
        .post_message(
            &message(&p, &p.client_device, MessageKind::Application, 2, b"x"),
            &[],
        )
        .await
        .expect_err("removed");
    assert_eq!(err.kind(), ErrorKind::NotMember);
}

async fn blobs_need_membership(store: &Store) {
    let p = pair(store).await;
    let blob = NewBlob {
        id: BlobId::from_random([5; 16]),
        conversation_id: p.conversation.clone(),
        uploader_device: p.client_device.clone(),
        sha256: "00".repeat(32),
        data: vec![1, 2, 3],
        created_at: 1,
    };
    let err = store.put_blob(&blob).await.expect_err("not yet a member");
    assert_eq!(err.kind(), ErrorKind::NotMember);
    let blob = NewBlob {
        uploader_device: p.clinician_device.clone(),
        ..blob
    };
    store.put_blob(&blob).await.expect("member uploads");
    let got = store
        .blob_for(&blob.id, &p.clinician_device)
        .await
        .expect("read");
    assert_eq!((got.size, got.data), (3, vec![1, 2, 3]));
    let err = store
        .blob_for(&blob.id, &p.client_device)
        .await
        .expect_err("not a member");
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

async fn retention_deletes_only_what_every_device_acknowledged(store: &Store) {
    let p = pair(store).await;
    add_client_device(store, &p, 0).await;
    for text in [b"a", b"b", b"c"] {
        store
            .post_message(
                &message(&p, &p.clinician_device, MessageKind::Application, 1, text),
                &[],
            )
            .await
            .expect("post");
    }
    store
        .ack_messages(&p.conversation, &p.clinician_device, 4)
        .await
        .expect("ack");
    store
        .ack_messages(&p.conversation, &p.client_device, 3)
        .await
        .expect("ack");
    // Acknowledgements never move back.
    store
        .ack_messages(&p.conversation, &p.client_device, 1)
        .await
        .expect("ack");
    let deleted = store.purge_delivered(1_000_000).await.expect("purge");
    assert_eq!(deleted, 3, "seq 1..=3 are acknowledged by both devices");
    let left = store
        .messages_after(&p.conversation, &p.clinician_device, 0, 100)
        .await
        .expect("read");
    assert_eq!(left.iter().map(|m| m.seq).collect::<Vec<_>>(), [4]);
    // Too recent to delete, however acknowledged.
    store
        .ack_messages(&p.conversation, &p.client_device, 4)
        .await
        .expect("ack");
    assert_eq!(store.purge_delivered(0).await.expect("purge"), 0);
}
