//! The client's checkpoint memory: trust on first use, consistent growth,
//! and forks refused as hard errors.

use alcove_audit::{
    consistency_proof, inclusion_proof, CheckpointMemory, Hash, MemoryLog, NoteError, Update,
    VerifyError, WitnessError,
};

use crate::support::{checkpoint_note, encode, event, leaves, log_of, other_signer, signer};

fn proof(log: &MemoryLog, size1: u64, size2: u64) -> Vec<Hash> {
    consistency_proof(log.store(), size1, size2).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn follows_a_growing_log() {
    let l = leaves(100);
    let log = log_of(&l);
    let s = signer();
    let mut memory = CheckpointMemory::new(s.verifier());
    assert_eq!(
        memory.update(&checkpoint_note(&s, &l, 10), &[]),
        Ok(Update::First { size: 10 })
    );
    assert_eq!(
        memory.update(&checkpoint_note(&s, &l, 37), &proof(&log, 10, 37)),
        Ok(Update::Advanced { from: 10, to: 37 })
    );
    assert_eq!(
        memory.update(&checkpoint_note(&s, &l, 37), &[]),
        Ok(Update::Unchanged)
    );
    assert_eq!(
        memory.update(&checkpoint_note(&s, &l, 12), &[]),
        Err(WitnessError::Stale {
            known: 37,
            offered: 12
        })
    );
    assert_eq!(memory.latest().map(|c| c.size), Some(37));

    // Saved and restored, as the client does between runs.
    let saved = memory
        .latest_note()
        .unwrap_or_else(|| panic!("nothing saved"))
        .to_owned();
    let mut restored =
        CheckpointMemory::restore(s.verifier(), &saved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        restored.update(&checkpoint_note(&s, &l, 100), &proof(&log, 37, 100)),
        Ok(Update::Advanced { from: 37, to: 100 })
    );

    // Key transparency: a leaf is checked against the held checkpoint.
    let p = inclusion_proof(log.store(), 42, 100).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(restored.verify_inclusion(&l[42], 42, &p), Ok(()));
    assert!(matches!(
        restored.verify_inclusion(&l[43], 42, &p),
        Err(WitnessError::Inclusion(VerifyError::RootMismatch))
    ));
    assert_eq!(
        CheckpointMemory::new(s.verifier()).verify_inclusion(&l[0], 0, &[]),
        Err(WitnessError::NoCheckpoint)
    );
}

#[test]
fn growth_from_the_empty_tree_needs_no_proof() {
    let l = leaves(5);
    let s = signer();
    let mut memory = CheckpointMemory::new(s.verifier());
    assert_eq!(
        memory.update(&checkpoint_note(&s, &l, 0), &[]),
        Ok(Update::First { size: 0 })
    );
    assert_eq!(
        memory.update(&checkpoint_note(&s, &l, 5), &[]),
        Ok(Update::Advanced { from: 0, to: 5 })
    );
}

#[test]
fn a_forked_history_is_refused() {
    let s = signer();
    let honest = leaves(60);
    // The server rewrites leaf 3 and re-signs with the real key.
    let mut forked = honest.clone();
    forked[3] = encode(&event(999));
    let forked_log = log_of(&forked);

    let mut memory = CheckpointMemory::new(s.verifier());
    assert!(memory
        .update(&checkpoint_note(&s, &honest, 20), &[])
        .is_ok());

    // A later checkpoint of the forked history, with the forked log's proof.
    let err = memory.update(
        &checkpoint_note(&s, &forked, 40),
        &proof(&forked_log, 20, 40),
    );
    assert!(matches!(&err, Err(e) if e.is_fork()), "{err:?}");
    // The same size with another root is a fork too.
    let err = memory.update(&checkpoint_note(&s, &forked, 20), &[]);
    assert_eq!(
        err,
        Err(WitnessError::Fork {
            known_size: 20,
            offered_size: 20,
            reason: VerifyError::SecondRootMismatch
        })
    );
    // A missing or truncated proof is refused, not trusted.
    let honest_log = log_of(&honest);
    let mut short = proof(&honest_log, 20, 40);
    short.pop();
    assert!(memory
        .update(&checkpoint_note(&s, &honest, 40), &short)
        .is_err());
    assert!(memory
        .update(&checkpoint_note(&s, &honest, 40), &[])
        .is_err());
    // The memory still holds the honest checkpoint and accepts honest growth.
    assert_eq!(memory.latest().map(|c| c.size), Some(20));
    assert_eq!(
        memory.update(
            &checkpoint_note(&s, &honest, 40),
            &proof(&honest_log, 20, 40)
        ),
        Ok(Update::Advanced { from: 20, to: 40 })
    );
}

#[test]
fn checkpoints_not_signed_by_the_log_are_refused() {
    let l = leaves(10);
    let mut memory = CheckpointMemory::new(signer().verifier());
    assert_eq!(
        memory.update(&checkpoint_note(&other_signer(), &l, 10), &[]),
        Err(WitnessError::Note(NoteError::NoTrustedSignature))
    );
    assert_eq!(memory.latest(), None);
}
