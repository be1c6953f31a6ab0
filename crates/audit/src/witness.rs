//! A client's memory of the log: the last verified checkpoint, advanced only
//! along consistency proofs.
//!
//! The key-transparency client keeps one [`CheckpointMemory`] per server,
//! persists [`CheckpointMemory::latest_note`], and on every connection asks
//! for the newest checkpoint plus a consistency proof from the size it
//! remembers. A proof that fails, or a different root at the same size, is
//! a fork: the server showed two histories, and the client must stop and
//! say so.

use crate::checkpoint::Checkpoint;
use crate::hash::{empty_root, leaf_hash, Hash};
use crate::note::{NoteError, NoteVerifier};
use crate::proof::{verify_consistency, verify_inclusion, VerifyError};

/// What [`CheckpointMemory::update`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Update {
    /// There was no checkpoint yet; this one is now trusted on first use.
    First {
        /// Its size.
        size: u64,
    },
    /// The offered checkpoint is the one already held.
    Unchanged,
    /// The log grew consistently.
    Advanced {
        /// The previous size.
        from: u64,
        /// The new size.
        to: u64,
    },
}

/// Why a checkpoint or proof was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessError {
    /// The offered note is not a valid checkpoint signed by the log key.
    #[error("the checkpoint is not valid: {0}")]
    Note(#[from] NoteError),
    /// A signed checkpoint of the empty tree with a non-empty root.
    #[error("a checkpoint of the empty tree has a non-empty root")]
    BadEmptyRoot,
    /// The offered checkpoint is older than the one held; the newer one is
    /// kept. Not proof of misbehaviour on its own (a lagging replica).
    #[error("the offered checkpoint (size {offered}) is older than the one held (size {known})")]
    Stale {
        /// Size held.
        known: u64,
        /// Size offered.
        offered: u64,
    },
    /// The offered checkpoint contradicts the one held: the server has shown
    /// two different histories. A hard, visible error.
    #[error("the log forked: size {offered_size} is not an extension of size {known_size}")]
    Fork {
        /// Size held.
        known_size: u64,
        /// Size offered.
        offered_size: u64,
        /// What the consistency check found.
        reason: VerifyError,
    },
    /// No checkpoint is held yet, so nothing can be checked against it.
    #[error("no checkpoint has been verified yet")]
    NoCheckpoint,
    /// An inclusion proof against the held checkpoint failed.
    #[error("inclusion proof failed: {0}")]
    Inclusion(VerifyError),
}

impl WitnessError {
    /// Whether this is evidence of a forked log (as opposed to a bad or
    /// stale message that a retry may fix).
    pub fn is_fork(&self) -> bool {
        matches!(self, WitnessError::Fork { .. })
    }
}

/// The last verified checkpoint of one log.
#[derive(Debug, Clone)]
pub struct CheckpointMemory {
    verifier: NoteVerifier,
    latest: Option<(Checkpoint, String)>,
}

impl CheckpointMemory {
    /// A memory that has seen nothing yet; the first checkpoint will be
    /// trusted on first use.
    pub fn new(verifier: NoteVerifier) -> Self {
        CheckpointMemory {
            verifier,
            latest: None,
        }
    }

    /// A memory restored from a previously saved [`latest_note`](Self::latest_note).
    pub fn restore(verifier: NoteVerifier, note: &str) -> Result<Self, WitnessError> {
        let mut memory = Self::new(verifier);
        memory.update(note, &[])?;
        Ok(memory)
    }

    /// The checkpoint held.
    pub fn latest(&self) -> Option<&Checkpoint> {
        self.latest.as_ref().map(|(cp, _)| cp)
    }

    /// The signed note of the checkpoint held, to persist.
    pub fn latest_note(&self) -> Option<&str> {
        self.latest.as_ref().map(|(_, note)| note.as_str())
    }

    /// Offers a newer checkpoint with the consistency proof from the held
    /// size to its size (empty when nothing is held or sizes are equal).
    pub fn update(
        &mut self,
        note: &str,
        consistency_proof: &[Hash],
    ) -> Result<Update, WitnessError> {
        let offered = self.verifier.verify_checkpoint(note)?;
        if offered.size == 0 && offered.root != empty_root() {
            return Err(WitnessError::BadEmptyRoot);
        }
        let Some((known, _)) = &self.latest else {
            let size = offered.size;
            self.latest = Some((offered, note.to_owned()));
            return Ok(Update::First { size });
        };
        let fork = |reason| WitnessError::Fork {
            known_size: known.size,
            offered_size: offered.size,
            reason,
        };
        if offered.size < known.size {
            return Err(WitnessError::Stale {
                known: known.size,
                offered: offered.size,
            });
        }
        if offered.size == known.size {
            return if offered.root == known.root {
                Ok(Update::Unchanged)
            } else {
                Err(fork(VerifyError::SecondRootMismatch))
            };
        }
        // The empty tree is a prefix of every tree: nothing to prove.
        if known.size != 0 {
            verify_consistency(
                known.size,
                offered.size,
                consistency_proof,
                &known.root,
                &offered.root,
            )
            .map_err(fork)?;
        }
        let from = known.size;
        let to = offered.size;
        self.latest = Some((offered, note.to_owned()));
        Ok(Update::Advanced { from, to })
    }

    /// Verifies that `leaf_data` is leaf `index` of the held checkpoint's
    /// tree (the proof must be for that tree size).
    pub fn verify_inclusion(
        &self,
        leaf_data: &[u8],
        index: u64,
        proof: &[Hash],
    ) -> Result<(), WitnessError> {
        let (cp, _) = self.latest.as_ref().ok_or(WitnessError::NoCheckpoint)?;
        verify_inclusion(&leaf_hash(leaf_data), index, cp.size, proof, &cp.root)
            .map_err(WitnessError::Inclusion)
    }
}
