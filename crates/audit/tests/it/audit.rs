//! Tamper detection by the full verifier: altered, deleted, reordered,
//! inserted and truncated leaves, forged checkpoints, damaged node cache.

use alcove_audit::{
    leaf_hash, verify_log, verify_log_with_store, AuditConfig, AuditReport, Checkpoint, Divergence,
    LogAuditor, NodeId, NoteError,
};

use crate::support::{
    checkpoint_note, encode, event, leaves, log_of, other_signer, signer, ORIGIN,
};

const SIZES: [usize; 4] = [50, 100, 150, 200];

fn checkpoints(leaves: &[Vec<u8>]) -> Vec<String> {
    let s = signer();
    SIZES
        .iter()
        .map(|&n| checkpoint_note(&s, leaves, n))
        .collect()
}

fn verify(leaves: &[Vec<u8>], checkpoints: &[String]) -> AuditReport {
    verify_log(
        &signer().verifier(),
        leaves,
        checkpoints,
        AuditConfig::default(),
    )
}

fn check(tampered: &[Vec<u8>], expected: Divergence) {
    let original = leaves(200);
    let report = verify(tampered, &checkpoints(&original));
    assert_eq!(report.divergence, Some(expected));
    assert!(!report.is_intact());
}

#[test]
fn intact_log_verifies() {
    let l = leaves(210);
    let cps = checkpoints(&l);
    let report = verify(&l, &cps);
    assert_eq!(report.divergence, None);
    assert_eq!(report.leaves, 210);
    assert_eq!(report.checkpoints_verified, 4);
    assert_eq!(report.latest_verified_size, Some(200));
    assert_eq!(report.unsigned_leaves(), 10);
    assert_eq!(report.root, log_of(&l).root());
    // Checkpoint order in storage does not matter; an empty-tree one is fine.
    let mut shuffled: Vec<String> = cps.iter().rev().cloned().collect();
    shuffled.push(checkpoint_note(&signer(), &l, 0));
    let report = verify(&l, &shuffled);
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.checkpoints_verified, 5);
}

#[test]
fn altered_leaf_is_detected() {
    let mut l = leaves(200);
    l[120] = encode(&event(9999));
    check(
        &l,
        Divergence::CheckpointRootMismatch {
            checkpoint: 2,
            size: 150,
            first_suspect_leaf: 100,
        },
    );
}

#[test]
fn deleted_leaf_is_detected() {
    let mut l = leaves(200);
    l.remove(120);
    check(
        &l,
        Divergence::CheckpointRootMismatch {
            checkpoint: 2,
            size: 150,
            first_suspect_leaf: 100,
        },
    );
    // Deleting the last leaves is truncation.
    let mut l = leaves(200);
    l.pop();
    check(
        &l,
        Divergence::MissingLeaves {
            checkpoint: 3,
            size: 200,
            leaves: 199,
        },
    );
}

#[test]
fn reordered_leaves_are_detected() {
    let mut l = leaves(200);
    l.swap(10, 11);
    check(
        &l,
        Divergence::CheckpointRootMismatch {
            checkpoint: 0,
            size: 50,
            first_suspect_leaf: 0,
        },
    );
}

#[test]
fn inserted_leaf_is_detected() {
    let mut l = leaves(200);
    l.insert(60, encode(&event(5000)));
    check(
        &l,
        Divergence::CheckpointRootMismatch {
            checkpoint: 1,
            size: 100,
            first_suspect_leaf: 50,
        },
    );
}

#[test]
fn truncated_log_is_detected() {
    let l = leaves(200);
    check(
        &l[..170],
        Divergence::MissingLeaves {
            checkpoint: 3,
            size: 200,
            leaves: 170,
        },
    );
    check(
        &[],
        Divergence::MissingLeaves {
            checkpoint: 0,
            size: 50,
            leaves: 0,
        },
    );
}

#[test]
fn malformed_leaf_is_detected() {
    let mut l = leaves(200);
    l[7].push(0);
    let report = verify(&l, &checkpoints(&leaves(200)));
    assert!(
        matches!(
            report.divergence,
            Some(Divergence::MalformedLeaf { index: 7, .. })
        ),
        "{report:?}"
    );
    // Without the encoding check it is caught by the checkpoint instead.
    let report = verify_log(
        &signer().verifier(),
        &l,
        checkpoints(&leaves(200)),
        AuditConfig {
            check_event_encoding: false,
        },
    );
    assert_eq!(
        report.divergence,
        Some(Divergence::CheckpointRootMismatch {
            checkpoint: 0,
            size: 50,
            first_suspect_leaf: 0
        })
    );
}

#[test]
fn forged_checkpoints_are_detected() {
    let l = leaves(200);
    // Signed by a key that is not the log's.
    let mut cps = checkpoints(&l);
    let cp = Checkpoint {
        origin: ORIGIN.to_owned(),
        size: 200,
        root: leaf_hash(b"forged"),
    };
    cps[3] = other_signer()
        .sign_checkpoint(&cp)
        .unwrap_or_else(|e| panic!("{e}"));
    let report = verify(&l, &cps);
    assert_eq!(
        report.divergence,
        Some(Divergence::CheckpointInvalid {
            checkpoint: 3,
            error: NoteError::NoTrustedSignature
        })
    );
    // The log's signature moved onto another root.
    let mut cps = checkpoints(&l);
    let real_root = log_of(&l[..100]).root().to_base64();
    cps[1] = cps[1].replace(&real_root, &leaf_hash(b"forged").to_base64());
    assert_eq!(
        verify(&l, &cps).divergence,
        Some(Divergence::CheckpointInvalid {
            checkpoint: 1,
            error: NoteError::BadSignature
        })
    );
    // Log and checkpoints rewritten together, but only a forger's key was at hand.
    let mut rewritten = l.clone();
    rewritten[3] = encode(&event(777));
    let forged: Vec<String> = SIZES
        .iter()
        .map(|&n| checkpoint_note(&other_signer(), &rewritten, n))
        .collect();
    assert!(matches!(
        verify(&rewritten, &forged).divergence,
        Some(Divergence::CheckpointInvalid { checkpoint: 0, .. })
    ));
}

#[test]
fn damaged_node_cache_is_detected_at_the_exact_node() {
    let l = leaves(200);
    let cps = checkpoints(&l);
    let verifier = signer().verifier();
    let mut log = log_of(&l);
    let report = verify_log_with_store(&verifier, &l, &cps, log.store(), AuditConfig::default());
    assert!(report.is_intact(), "{report:?}");

    // A leaf whose data was edited but whose stored hash was not.
    let mut edited = l.clone();
    edited[130] = encode(&event(4242));
    let report = verify_log_with_store(
        &verifier,
        &edited,
        &cps,
        log.store(),
        AuditConfig::default(),
    );
    assert_eq!(
        report.divergence,
        Some(Divergence::StoredNodeMismatch {
            node: NodeId::leaf(130),
            first_leaf: 130
        })
    );

    // An interior node overwritten in the cache: proofs would lie.
    let node = NodeId::new(3, 5);
    log.store_mut().insert(node, leaf_hash(b"bogus"));
    let report = verify_log_with_store(&verifier, &l, &cps, log.store(), AuditConfig::default());
    assert_eq!(
        report.divergence,
        Some(Divergence::StoredNodeMismatch {
            node,
            first_leaf: 40
        })
    );
}

#[test]
fn streaming_auditor_stops_at_the_first_divergence() {
    let l = leaves(200);
    let verifier = signer().verifier();
    let mut auditor = LogAuditor::new(&verifier, checkpoints(&l), AuditConfig::default());
    let mut tampered = l.clone();
    tampered[20] = encode(&event(31337));
    let mut first_error_at = None;
    for (i, leaf) in tampered.iter().enumerate() {
        if auditor.push_leaf(leaf).is_err() && first_error_at.is_none() {
            first_error_at = Some(i);
        }
    }
    // Found when the tree reaches the first checkpoint, at leaf 49.
    assert_eq!(first_error_at, Some(49));
    let report = auditor.finish();
    assert_eq!(report.leaves, 50);
    assert_eq!(report.checkpoints_verified, 0);
}
