//! The audit log's tables: events commit with their change, the stored tree proves what the
//! in-memory reference computes, readers see their scope, and the verifier catches each kind of
//! tampering with the stored rows (altered, deleted, reordered, truncated leaves, rebuilt nodes,
//! forged checkpoints).

use alcove_audit::{
    consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes, root,
    root_nodes, verify_consistency, verify_inclusion, ActorId, AuditEvent, Checkpoint, Divergence,
    EventKind, LogSigner, MemoryLog, NodeId, NoteVerifier, ObjectId, ObjectKind, SubjectId,
};
use alcove_store::*;
use alcove_types::{InvitationId, InvitationKind, Role, UserId};
use sqlx::any::AnyPoolOptions;
use sqlx::Row;

crate::conformance_with_url!(
    events_commit_with_their_change,
    stored_tree_matches_reference_and_proves,
    scopes_select_subjects_and_actors,
    concurrent_appends_are_serialised,
    untouched_log_verifies,
    altered_leaf_is_detected,
    altered_leaf_with_rebuilt_nodes_is_detected,
    deleted_leaf_is_detected,
    reordered_leaves_are_detected,
    truncated_log_is_detected,
    forged_checkpoint_is_detected,
    tampering_past_the_first_page_is_detected,
);

const ORIGIN: &str = "alcove.test/audit";

fn user(n: u8) -> UserId {
    UserId::from_random([n; 16])
}

/// Event number `n`: a record view by user `n % 3` of user `n % 5`'s record.
fn event(n: u64) -> AuditEvent {
    let actor = user((n % 3) as u8);
    let subject = user(10 + (n % 5) as u8);
    AuditEvent::new(EventKind::RecordViewed, 1_000 + n as i64)
        .with_actor(ActorId::new(actor.as_str()).expect("actor id"))
        .with_subject(SubjectId::new(subject.as_str()).expect("subject id"))
        .with_object(
            ObjectKind::User,
            ObjectId::new(subject.as_str()).expect("object id"),
        )
}

fn events(range: std::ops::Range<u64>) -> Vec<AuditEvent> {
    range.map(event).collect()
}

fn invitation(n: u8) -> NewInvitation {
    NewInvitation {
        id: InvitationId::from_random([n; 16]),
        token_hash: format!("hash-{n}"),
        kind: InvitationKind::Invitation,
        role: Role::Clinician,
        inviter_id: None,
        recovery_user_id: None,
        label: None,
        created_at: 1,
        expires_at: 3_600_000,
    }
}

async fn kinds(store: &Store) -> Vec<EventKind> {
    let leaves = store.audit_leaves(0, 100).await.expect("leaves");
    leaves
        .iter()
        .map(|l| AuditEvent::decode(&l.data).expect("decodes").kind)
        .collect()
}

async fn events_commit_with_their_change(store: &Store, _url: &str) {
    let inv = invitation(1);
    let created = [AuditEvent::new(EventKind::InvitationCreated, 1)];
    store
        .create_invitation(&inv, &created)
        .await
        .expect("create");
    let revoked = [AuditEvent::new(EventKind::InvitationRevoked, 2)];
    store
        .revoke_invitation(&inv.id, 2, &revoked)
        .await
        .expect("revoke");
    // A change that fails leaves no event behind.
    let err = store
        .revoke_invitation(&inv.id, 3, &revoked)
        .await
        .expect_err("twice");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    // The same invitation id again: the insert fails, and its event goes with it.
    assert!(store.create_invitation(&inv, &created).await.is_err());
    assert_eq!(store.audit_size().await.expect("size"), 2);
    assert_eq!(
        kinds(store).await,
        vec![EventKind::InvitationCreated, EventKind::InvitationRevoked]
    );
    // An event that does not encode refuses its change too.
    let mut too_many = AuditEvent::new(EventKind::InvitationCreated, 4);
    for i in 0..=alcove_audit::MAX_OBJECTS {
        too_many = too_many.with_object(
            ObjectKind::Message,
            ObjectId::new(format!("m{i}")).expect("id"),
        );
    }
    let err = store
        .create_invitation(&invitation(2), &[too_many])
        .await
        .expect_err("bad event");
    assert_eq!(err.kind(), ErrorKind::InvalidEvent);
    assert!(store
        .invitation(&invitation(2).id)
        .await
        .expect("read")
        .is_none());
    assert_eq!(store.audit_size().await.expect("size"), 2);
}

async fn stored_tree_matches_reference_and_proves(store: &Store, _url: &str) {
    let mut reference = MemoryLog::new();
    let mut next = 0u64;
    // Batches of 1, 2, …, 8 events: 36 leaves, crossing several perfect-subtree boundaries; then
    // one of 700, more rows than one multi-row insert of leaves (256) or of nodes (512) takes.
    for batch in (1..=8u64).chain([700]) {
        let first = store
            .log_events(&events(next..next + batch))
            .await
            .expect("append");
        assert_eq!(first, next);
        for n in next..next + batch {
            reference
                .push(&event(n).encode().expect("encode"))
                .expect("push");
        }
        next += batch;
        let nodes = store.audit_nodes(&root_nodes(next)).await.expect("nodes");
        assert_eq!(
            root(&nodes, next).expect("root"),
            reference.root(),
            "root at size {next}"
        );
    }
    let size = next;
    let root_hash = reference.root();
    for index in [0, 1, 7, 20, 35] {
        let nodes = store
            .audit_nodes(&inclusion_proof_nodes(index, size).expect("ids"))
            .await
            .expect("nodes");
        let proof = inclusion_proof(&nodes, index, size).expect("proof");
        let leaf = alcove_audit::leaf_hash(&event(index).encode().expect("encode"));
        verify_inclusion(&leaf, index, size, &proof, &root_hash).expect("inclusion verifies");
    }
    for old in [1, 3, 13, 21, 36] {
        let nodes = store
            .audit_nodes(&consistency_proof_nodes(old, size).expect("ids"))
            .await
            .expect("nodes");
        let proof = consistency_proof(&nodes, old, size).expect("proof");
        let old_nodes = store.audit_nodes(&root_nodes(old)).await.expect("nodes");
        let old_root = root(&old_nodes, old).expect("old root");
        verify_consistency(old, size, &proof, &old_root, &root_hash).expect("consistency verifies");
    }
}

async fn scopes_select_subjects_and_actors(store: &Store, _url: &str) {
    store.log_events(&events(0..30)).await.expect("append");
    let indexes = |rows: Vec<AuditLeafRow>| rows.into_iter().map(|r| r.index).collect::<Vec<_>>();
    let all = store
        .audit_events(&AuditScope::All, 0, 100)
        .await
        .expect("all");
    assert_eq!(indexes(all), (0..30).collect::<Vec<_>>());
    // Subject user(12) is on events with n % 5 == 2.
    let mine = store
        .audit_events(&AuditScope::Subject(user(12)), 0, 100)
        .await
        .expect("subject");
    assert_eq!(indexes(mine), vec![2, 7, 12, 17, 22, 27]);
    let page = store
        .audit_events(&AuditScope::Subject(user(12)), 8, 2)
        .await
        .expect("page");
    assert_eq!(indexes(page), vec![12, 17]);
    // Actor user(1) (n % 3 == 1) or subject user(10) (n % 5 == 0).
    let scope = AuditScope::Involving {
        actors: vec![user(1)],
        subjects: vec![user(10)],
    };
    let involved = store.audit_events(&scope, 0, 100).await.expect("involving");
    let expected: Vec<u64> = (0..30).filter(|n| n % 3 == 1 || n % 5 == 0).collect();
    assert_eq!(indexes(involved), expected);
    let nobody = AuditScope::Involving {
        actors: vec![],
        subjects: vec![],
    };
    assert!(store
        .audit_events(&nobody, 0, 100)
        .await
        .expect("nobody")
        .is_empty());
    let stranger = store
        .audit_events(&AuditScope::Subject(user(99)), 0, 100)
        .await
        .expect("stranger");
    assert!(stranger.is_empty());
}

async fn concurrent_appends_are_serialised(store: &Store, _url: &str) {
    let mut tasks = Vec::new();
    for t in 0..6u64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for b in 0..4u64 {
                let n = t * 100 + b * 10;
                store.log_events(&events(n..n + 3)).await.expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(store.audit_size().await.expect("size"), 72);
    let signer = sign_latest(store).await;
    let report = store
        .verify_audit_log(&signer.verifier())
        .await
        .expect("verify");
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.report.checkpoints_verified, 1);
}

// ---- tampering ------------------------------------------------------------------------------

fn signer() -> LogSigner {
    LogSigner::from_seed(ORIGIN, &[7; 32]).expect("signer")
}

/// Signs and stores a checkpoint for the current size, as the server does.
async fn sign_latest(store: &Store) -> LogSigner {
    let signer = signer();
    let size = store.audit_size().await.expect("size");
    let nodes = store.audit_nodes(&root_nodes(size)).await.expect("nodes");
    let checkpoint =
        Checkpoint::new(ORIGIN, size, root(&nodes, size).expect("root")).expect("checkpoint");
    let note = signer.sign_checkpoint(&checkpoint).expect("sign");
    store
        .insert_checkpoint(size, &note, 5)
        .await
        .expect("store checkpoint");
    signer
}

/// 16 signed leaves, then 4 unsigned ones; returns the verifier.
async fn signed_log(store: &Store) -> NoteVerifier {
    store.log_events(&events(0..10)).await.expect("append");
    sign_latest(store).await;
    store.log_events(&events(10..16)).await.expect("append");
    let signer = sign_latest(store).await;
    store.log_events(&events(16..20)).await.expect("append");
    signer.verifier()
}

/// `$n` placeholders for PostgreSQL, `?n` for SQLite.
pub(crate) fn sql(url: &str, q: &str) -> String {
    if url.starts_with("sqlite:") {
        q.replace('$', "?")
    } else {
        q.to_owned()
    }
}

pub(crate) async fn raw(url: &str) -> sqlx::AnyPool {
    AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("raw connection")
}

async fn tamper(url: &str, statements: &[&str]) {
    let pool = raw(url).await;
    for s in statements {
        sqlx::query(&sql(url, s))
            .execute(&pool)
            .await
            .expect("tamper");
    }
    pool.close().await;
}

async fn untouched_log_verifies(store: &Store, _url: &str) {
    let verifier = signed_log(store).await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.report.checkpoints_verified, 2);
    assert_eq!(report.report.latest_verified_size, Some(16));
    assert_eq!(report.report.unsigned_leaves(), 4);
    // Another log key does not vouch for these checkpoints.
    let other = LogSigner::from_seed(ORIGIN, &[8; 32])
        .expect("signer")
        .verifier();
    let report = store.verify_audit_log(&other).await.expect("verify");
    assert!(matches!(
        report.report.divergence,
        Some(Divergence::CheckpointInvalid { .. })
    ));
}

/// The verifier reads the log a page (4,096 leaves) at a time with the nodes each page
/// completes, a full page in one row per level: a log of several pages verifies, and a node
/// altered or deleted inside a full page, or altered in the last (partial) page, is found.
async fn tampering_past_the_first_page_is_detected(store: &Store, url: &str) {
    for start in (0..10_000u64).step_by(2_500) {
        store
            .log_events(&events(start..start + 2_500))
            .await
            .expect("append");
    }
    let verifier = sign_latest(store).await.verifier();
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.report.leaves, 10_000);

    let pool = raw(url).await;
    let hash_of = |level: u8, idx: u64| {
        let q = sql(
            url,
            "SELECT hash FROM audit_nodes WHERE level = $1 AND idx = $2",
        );
        let pool = pool.clone();
        async move {
            let row = sqlx::query(&q)
                .bind(i64::from(level))
                .bind(idx as i64)
                .fetch_one(&pool)
                .await
                .expect("node");
            row.try_get::<Vec<u8>, _>(0).expect("hash")
        }
    };
    let set = |level: u8, idx: u64, hash: Vec<u8>| {
        let q = sql(
            url,
            "UPDATE audit_nodes SET hash = $1 WHERE level = $2 AND idx = $3",
        );
        let pool = pool.clone();
        async move {
            sqlx::query(&q)
                .bind(hash)
                .bind(i64::from(level))
                .bind(idx as i64)
                .execute(&pool)
                .await
                .expect("update");
        }
    };
    let mismatch = |level: u8, idx: u64| {
        Some(Divergence::StoredNodeMismatch {
            node: NodeId::new(level, idx),
            first_leaf: idx << level,
        })
    };

    // Inside the second (full) page: the subtree over leaves 4,800..4,807.
    let original = hash_of(3, 600).await;
    set(3, 600, hash_of(3, 0).await).await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert_eq!(report.report.divergence, mismatch(3, 600));
    set(3, 600, original).await;
    assert!(store
        .verify_audit_log(&verifier)
        .await
        .expect("verify")
        .is_intact());

    // Deleted inside a full page: that level's row comes up short and is read row by row.
    let original = hash_of(1, 3_000).await;
    tamper(
        url,
        &["DELETE FROM audit_nodes WHERE level = 1 AND idx = 3000"],
    )
    .await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert_eq!(report.report.divergence, mismatch(1, 3_000));
    let q = sql(
        url,
        "INSERT INTO audit_nodes (level, idx, hash) VALUES (1, 3000, $1)",
    );
    sqlx::query(&q)
        .bind(original)
        .execute(&pool)
        .await
        .expect("restore");

    // In the last page (8,192..10,000), which is read row by row.
    set(3, 1_024, hash_of(3, 0).await).await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert_eq!(report.report.divergence, mismatch(3, 1_024));
    pool.close().await;
}

async fn altered_leaf_is_detected(store: &Store, url: &str) {
    let verifier = signed_log(store).await;
    // Leaf 5 gets leaf 6's (well-formed) event.
    tamper(url, &["UPDATE audit_leaves SET data = (SELECT data FROM audit_leaves WHERE idx = 6) WHERE idx = 5"]).await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(!report.is_intact());
    assert_eq!(
        report.report.divergence,
        Some(Divergence::StoredNodeMismatch {
            node: NodeId::leaf(5),
            first_leaf: 5
        })
    );
}

async fn altered_leaf_with_rebuilt_nodes_is_detected(store: &Store, url: &str) {
    let verifier = signed_log(store).await;
    tamper(url, &["UPDATE audit_leaves SET data = (SELECT data FROM audit_leaves WHERE idx = 6) WHERE idx = 5"]).await;
    // A careful attacker recomputes every stored subtree hash from the altered leaves.
    let mut rebuilt = MemoryLog::new();
    for leaf in store.audit_leaves(0, 100).await.expect("leaves") {
        rebuilt.push(&leaf.data).expect("push");
    }
    let pool = raw(url).await;
    sqlx::query("DELETE FROM audit_nodes")
        .execute(&pool)
        .await
        .expect("delete nodes");
    let size = rebuilt.size();
    for level in 0..8u8 {
        for index in 0..size {
            let id = NodeId::new(level, index);
            if let Some(hash) = alcove_audit::HashStore::node(rebuilt.store(), id) {
                sqlx::query(&sql(
                    url,
                    "INSERT INTO audit_nodes (level, idx, hash) VALUES ($1, $2, $3)",
                ))
                .bind(i64::from(level))
                .bind(index as i64)
                .bind(hash.as_bytes().to_vec())
                .execute(&pool)
                .await
                .expect("insert node");
            }
        }
    }
    pool.close().await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(!report.is_intact());
    // The first checkpoint (size 10) covers leaf 5 and no longer matches.
    assert_eq!(
        report.report.divergence,
        Some(Divergence::CheckpointRootMismatch {
            checkpoint: 0,
            size: 10,
            first_suspect_leaf: 0
        })
    );
}

async fn deleted_leaf_is_detected(store: &Store, url: &str) {
    let verifier = signed_log(store).await;
    tamper(url, &["DELETE FROM audit_leaves WHERE idx = 12"]).await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(!report.is_intact());
    assert_eq!(report.index_gap, Some(12));
    // Renumbering the later leaves to close the gap moves leaf 13 into 12's place.
    tamper(
        url,
        &["UPDATE audit_leaves SET idx = idx - 1 WHERE idx > 12"],
    )
    .await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(!report.is_intact());
    assert_eq!(report.index_gap, None);
    assert_eq!(
        report.report.divergence,
        Some(Divergence::StoredNodeMismatch {
            node: NodeId::leaf(12),
            first_leaf: 12
        })
    );
}

async fn reordered_leaves_are_detected(store: &Store, url: &str) {
    let verifier = signed_log(store).await;
    tamper(
        url,
        &[
            "UPDATE audit_leaves SET idx = 1000 WHERE idx = 3",
            "UPDATE audit_leaves SET idx = 3 WHERE idx = 4",
            "UPDATE audit_leaves SET idx = 4 WHERE idx = 1000",
        ],
    )
    .await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(!report.is_intact());
    assert_eq!(
        report.report.divergence,
        Some(Divergence::StoredNodeMismatch {
            node: NodeId::leaf(3),
            first_leaf: 3
        })
    );
}

async fn truncated_log_is_detected(store: &Store, url: &str) {
    let verifier = signed_log(store).await;
    // Dropping only the unsigned tail is caught by the head's count.
    tamper(url, &["DELETE FROM audit_leaves WHERE idx >= 18"]).await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(!report.is_intact());
    assert_eq!((report.report.leaves, report.head_size), (18, 20));
    // Dropping more and resetting the head still contradicts the checkpoint at 16.
    tamper(
        url,
        &[
            "DELETE FROM audit_leaves WHERE idx >= 14",
            "UPDATE audit_head SET size = 14 WHERE id = 1",
        ],
    )
    .await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(!report.is_intact());
    assert_eq!(
        report.report.divergence,
        Some(Divergence::MissingLeaves {
            checkpoint: 1,
            size: 16,
            leaves: 14
        })
    );
}

async fn forged_checkpoint_is_detected(store: &Store, url: &str) {
    let verifier = signed_log(store).await;
    let pool = raw(url).await;
    let row = sqlx::query("SELECT note FROM audit_checkpoints WHERE size = 16")
        .fetch_one(&pool)
        .await
        .expect("checkpoint");
    let note: String = row.try_get(0).expect("note");
    let forged = note.replacen("16\n", "15\n", 1);
    sqlx::query(&sql(
        url,
        "UPDATE audit_checkpoints SET note = $1 WHERE size = 16",
    ))
    .bind(forged)
    .execute(&pool)
    .await
    .expect("forge");
    pool.close().await;
    let report = store.verify_audit_log(&verifier).await.expect("verify");
    assert!(!report.is_intact());
    assert!(matches!(
        report.report.divergence,
        Some(Divergence::CheckpointInvalid { checkpoint: 1, .. })
    ));
}
