//! Group commit: a batch of posts in one transaction, where each post lands completely or not
//! at all and a refused one does not affect the others; posts racing commits under
//! concurrency; and the notifications other server nodes hear on PostgreSQL.

use crate::conformance::ev;
use crate::delivery::{message, pair, publish};
use alcove_audit::{AuditEvent, EventKind};
use alcove_store::*;
use alcove_types::delivery::MessageKind;
use alcove_types::DeviceId;

crate::conformance_with_url!(
    a_refused_post_leaves_the_rest_of_its_batch_alone,
    concurrent_posts_and_commits_get_gap_free_seqs_and_one_commit_per_epoch,
    other_nodes_hear_of_posts_by_id,
);

fn kinds(results: &[Result<PostedRow, Error>]) -> Vec<Result<u64, ErrorKind>> {
    results
        .iter()
        .map(|r| r.as_ref().map(|p| p.seq).map_err(Error::kind))
        .collect()
}

async fn a_refused_post_leaves_the_rest_of_its_batch_alone(store: &Store, _url: &str) {
    let p = pair(store).await;
    publish(store, &p.client_device, &[(30, false)]).await;
    let stranger = DeviceId::from_random([99; 16]);
    let membership: Vec<AuditEvent> = ev(EventKind::MembershipChanged).to_vec();
    let mut add = message(&p, &p.clinician_device, MessageKind::Commit, 0, b"add");
    add.welcome = Some((b"welcome".to_vec(), vec![vec![30; 16]]));
    // A commit that is accepted for its epoch but then fails (a welcome to a key package
    // nobody published): its savepoint must undo the epoch, the row and its audit event.
    let mut bogus = message(&p, &p.clinician_device, MessageKind::Commit, 1, b"bogus");
    bogus.welcome = Some((b"w".to_vec(), vec![vec![77; 16]]));
    let audit_before = store.audit_size().await.expect("audit size");
    let batch = vec![
        (
            message(&p, &p.clinician_device, MessageKind::Application, 0, b"m1"),
            vec![],
        ),
        (
            message(&p, &stranger, MessageKind::Application, 0, b"x"),
            vec![],
        ),
        (add, membership.clone()),
        (
            message(&p, &p.clinician_device, MessageKind::Commit, 0, b"late"),
            vec![],
        ),
        (bogus, membership.clone()),
        // The device the commit above added posts in the same batch.
        (
            message(&p, &p.client_device, MessageKind::Application, 1, b"m2"),
            vec![],
        ),
        (
            message(&p, &p.client_device, MessageKind::Application, 7, b"future"),
            vec![],
        ),
    ];
    let results = store
        .post_messages(&batch)
        .await
        .expect("the batch commits");
    assert_eq!(
        kinds(&results),
        [
            Ok(1),
            Err(ErrorKind::NotMember),
            Ok(2),
            Err(ErrorKind::EpochConflict),
            Err(ErrorKind::Invalid),
            Ok(3),
            Err(ErrorKind::Invalid),
        ]
    );
    let ok = |i: usize| results[i].as_ref().expect("accepted");
    assert_eq!(ok(0).recipients, std::slice::from_ref(&p.clinician_device));
    assert_eq!(ok(2).epoch, 1);
    assert_eq!(ok(2).added, std::slice::from_ref(&p.client_device));
    assert_eq!(
        ok(2).recipients,
        std::slice::from_ref(&p.clinician_device),
        "a device reads from after the commit that added it"
    );
    let mut both = vec![p.clinician_device.clone(), p.client_device.clone()];
    both.sort();
    let mut got = ok(5).recipients.clone();
    got.sort();
    assert_eq!(got, both);
    // Only what was accepted is stored: three messages, epoch 1, one audit event.
    let log = store
        .messages_after(&p.conversation, &p.clinician_device, 0, 100)
        .await
        .expect("read");
    assert_eq!(
        log.iter()
            .map(|m| (m.seq, m.data.as_slice()))
            .collect::<Vec<_>>(),
        [(1, &b"m1"[..]), (2, &b"add"[..]), (3, &b"m2"[..])]
    );
    let conv = store
        .conversation(&p.conversation)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!((conv.epoch, conv.last_seq), (1, 3));
    assert_eq!(
        store.audit_size().await.expect("audit size"),
        audit_before + 1
    );
    assert_eq!(
        store
            .welcomes_for(&p.client_device)
            .await
            .expect("welcomes")
            .len(),
        1
    );
}

async fn concurrent_posts_and_commits_get_gap_free_seqs_and_one_commit_per_epoch(
    store: &Store,
    _url: &str,
) {
    let p = pair(store).await;
    let mut tasks = Vec::new();
    for n in 0..64u8 {
        let store = store.clone();
        // Every eighth post is a commit of epoch 0: exactly one of them may win.
        let kind = if n % 8 == 0 {
            MessageKind::Commit
        } else {
            MessageKind::Application
        };
        let msg = message(&p, &p.clinician_device, kind, 0, &[n]);
        tasks.push(tokio::spawn(async move {
            (kind, store.post_message(&msg, &[]).await)
        }));
    }
    let mut seqs = Vec::new();
    let mut commits_won = 0;
    for task in tasks {
        match task.await.expect("task") {
            (MessageKind::Commit, Ok(posted)) => {
                commits_won += 1;
                seqs.push(posted.seq);
            }
            (MessageKind::Commit, Err(e)) => assert_eq!(e.kind(), ErrorKind::EpochConflict),
            (MessageKind::Application, result) => seqs.push(
                result
                    .expect("an application message of a past epoch lands")
                    .seq,
            ),
        }
    }
    assert_eq!(commits_won, 1);
    seqs.sort_unstable();
    let expected: Vec<u64> = (1..=57).collect();
    assert_eq!(seqs, expected, "gap-free and unique");
    let log = store
        .messages_after(&p.conversation, &p.clinician_device, 0, 1000)
        .await
        .expect("read");
    assert_eq!(log.iter().map(|m| m.seq).collect::<Vec<_>>(), expected);
    assert_eq!(
        log.iter().filter(|m| m.kind == MessageKind::Commit).count(),
        1
    );
    let conv = store
        .conversation(&p.conversation)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!((conv.epoch, conv.last_seq), (1, 57));
}

async fn other_nodes_hear_of_posts_by_id(store: &Store, url: &str) {
    let p = pair(store).await;
    let other = Store::open(url).await.expect("a second node's store");
    let Some(mut listener) = other.listen().await.expect("listen") else {
        assert_eq!(
            store.backend(),
            Backend::Sqlite,
            "only SQLite has no listener"
        );
        other.close().await;
        return;
    };
    // The listening node's own post is not announced back to it.
    other
        .post_message(
            &message(&p, &p.clinician_device, MessageKind::Application, 0, b"own"),
            &[],
        )
        .await
        .expect("post through the listening node");
    // A refused post announces nothing.
    store
        .post_message(
            &message(&p, &p.clinician_device, MessageKind::Commit, 5, b"no"),
            &[],
        )
        .await
        .expect_err("a future epoch");
    let posted = store
        .post_message(
            &message(&p, &p.clinician_device, MessageKind::Application, 0, b"hi"),
            &[],
        )
        .await
        .expect("post through the first node");
    assert_eq!(posted.seq, 2);
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), listener.next())
        .await
        .expect("a notification within 10 s")
        .expect("notification");
    assert_eq!(
        heard,
        Notification::Message {
            conversation: p.conversation.clone(),
            seq: 2
        }
    );
    let delivery = other
        .delivery(&p.conversation, 2)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(delivery.message.data, b"hi");
    assert_eq!(
        delivery.recipients,
        std::slice::from_ref(&p.clinician_device)
    );
    store
        .notify_device_changed(&p.client, &p.client_device, true)
        .await
        .expect("notify");
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), listener.next())
        .await
        .expect("a notification within 10 s")
        .expect("notification");
    assert_eq!(
        heard,
        Notification::DeviceChanged {
            user: p.client.clone(),
            device: p.client_device.clone(),
            removed: true
        }
    );
    other.close().await;
}
