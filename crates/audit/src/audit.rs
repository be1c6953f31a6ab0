//! The full log verifier behind `alcove audit verify`.
//!
//! It recomputes the tree from the stored leaves, in order, checks every
//! stored checkpoint's signature and, when the tree reaches that
//! checkpoint's size, its root; optionally it checks each stored subtree
//! hash and that each leaf is a well-formed event. It stops at the first
//! divergence and says where it is.

use crate::checkpoint::Checkpoint;
use crate::event::{AuditEvent, EventError};
use crate::hash::{empty_root, leaf_hash, Hash};
use crate::note::{NoteError, NoteVerifier};
use crate::tree::{Frontier, HashStore, NodeId};

/// What the verifier checks besides checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditConfig {
    /// Decode every leaf as an [`AuditEvent`] and report one that is not.
    pub check_event_encoding: bool,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            check_event_encoding: true,
        }
    }
}

/// The first thing found wrong with a stored log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Divergence {
    /// Stored checkpoint number `checkpoint` (position in the list given)
    /// is malformed, not signed by the log key, or for another log.
    CheckpointInvalid {
        /// Position in the checkpoint list.
        checkpoint: usize,
        /// Why it was refused.
        error: NoteError,
    },
    /// The stored leaves do not produce the root that checkpoint
    /// `checkpoint` signed: a leaf in `first_suspect_leaf..size` was
    /// altered, removed, inserted or moved (the leaves before
    /// `first_suspect_leaf` match an earlier checkpoint).
    CheckpointRootMismatch {
        /// Position in the checkpoint list.
        checkpoint: usize,
        /// The checkpoint's tree size.
        size: u64,
        /// The first leaf not covered by an earlier matching checkpoint.
        first_suspect_leaf: u64,
    },
    /// Checkpoint `checkpoint` signed more leaves than are stored: the log
    /// was truncated or leaves were deleted.
    MissingLeaves {
        /// Position in the checkpoint list.
        checkpoint: usize,
        /// The checkpoint's tree size.
        size: u64,
        /// Number of stored leaves.
        leaves: u64,
    },
    /// Leaf `index` is not a well-formed event.
    MalformedLeaf {
        /// The leaf index.
        index: u64,
        /// Why it does not decode.
        error: EventError,
    },
    /// A stored subtree hash differs from the one recomputed from the
    /// leaves (or is missing); for a level-0 node this is the exact leaf.
    StoredNodeMismatch {
        /// The node.
        node: NodeId,
        /// The first leaf that node covers.
        first_leaf: u64,
    },
}

/// The outcome of a full verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Leaves read (up to and including a divergent one).
    pub leaves: u64,
    /// Checkpoints whose signature and root were both confirmed.
    pub checkpoints_verified: usize,
    /// Largest confirmed checkpoint size, if any.
    pub latest_verified_size: Option<u64>,
    /// Root of the leaves read.
    pub root: Hash,
    /// The first problem, or `None` when the log is intact.
    pub divergence: Option<Divergence>,
}

impl AuditReport {
    /// Whether no divergence was found.
    pub fn is_intact(&self) -> bool {
        self.divergence.is_none()
    }

    /// Leaves after the last confirmed checkpoint: intact as far as the
    /// stored data goes, but not yet protected by a signature.
    pub fn unsigned_leaves(&self) -> u64 {
        self.leaves
            .saturating_sub(self.latest_verified_size.unwrap_or(0))
    }
}

/// A streaming verifier: feed it the stored leaves in order, then
/// [`LogAuditor::finish`].
#[derive(Debug)]
pub struct LogAuditor {
    config: AuditConfig,
    frontier: Frontier,
    /// Valid checkpoints sorted by size: (position in input, checkpoint).
    pending: Vec<(usize, Checkpoint)>,
    next: usize,
    verified: usize,
    latest_verified_size: Option<u64>,
    divergence: Option<Divergence>,
}

impl LogAuditor {
    /// Starts a verification against `checkpoints` (note texts, in any
    /// order) signed by `verifier`. Checkpoints are checked as the tree
    /// reaches their size; one that fails its signature is reported first.
    pub fn new<I, S>(verifier: &NoteVerifier, checkpoints: I, config: AuditConfig) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut pending = Vec::new();
        let mut divergence = None;
        for (position, note) in checkpoints.into_iter().enumerate() {
            match verifier.verify_checkpoint(note.as_ref()) {
                Ok(cp) => pending.push((position, cp)),
                Err(error) => {
                    divergence.get_or_insert(Divergence::CheckpointInvalid {
                        checkpoint: position,
                        error,
                    });
                }
            }
        }
        pending.sort_by_key(|(position, cp)| (cp.size, *position));
        let mut auditor = LogAuditor {
            config,
            frontier: Frontier::new(),
            pending,
            next: 0,
            verified: 0,
            latest_verified_size: None,
            divergence,
        };
        if auditor.divergence.is_none() {
            auditor.check_checkpoints();
        }
        auditor
    }

    /// Number of leaves read so far.
    pub fn leaves(&self) -> u64 {
        self.frontier.size()
    }

    /// The first divergence found so far.
    pub fn divergence(&self) -> Option<&Divergence> {
        self.divergence.as_ref()
    }

    /// Reads the next leaf. After a divergence, does nothing and returns it.
    pub fn push_leaf(&mut self, data: &[u8]) -> Result<(), Divergence> {
        self.push(data, |_, _| None)
    }

    /// Reads the next leaf and compares every subtree hash it completes
    /// with the copy in `stored` (which must hold at least those nodes).
    pub fn push_leaf_checked<S: HashStore + ?Sized>(
        &mut self,
        data: &[u8],
        stored: &S,
    ) -> Result<(), Divergence> {
        self.push(data, |id, hash| {
            (stored.node(id) != Some(hash)).then(|| Divergence::StoredNodeMismatch {
                node: id,
                first_leaf: id.first_leaf(),
            })
        })
    }

    fn push(
        &mut self,
        data: &[u8],
        mut check_node: impl FnMut(NodeId, Hash) -> Option<Divergence>,
    ) -> Result<(), Divergence> {
        if let Some(d) = &self.divergence {
            return Err(d.clone());
        }
        let index = self.frontier.size();
        if self.config.check_event_encoding {
            if let Err(error) = AuditEvent::validate(data) {
                return Err(self.fail(Divergence::MalformedLeaf { index, error }));
            }
        }
        let mut node_problem = None;
        let appended = self.frontier.append_with(leaf_hash(data), |id, hash| {
            if node_problem.is_none() {
                node_problem = check_node(id, hash);
            }
        });
        if appended.is_err() {
            // A log of 2^64 - 1 leaves cannot be read in practice; treat a
            // further leaf as data no checkpoint can cover.
            return Err(self.fail(Divergence::StoredNodeMismatch {
                node: NodeId::leaf(index),
                first_leaf: index,
            }));
        }
        if let Some(d) = node_problem {
            return Err(self.fail(d));
        }
        self.check_checkpoints();
        match &self.divergence {
            Some(d) => Err(d.clone()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, d: Divergence) -> Divergence {
        self.divergence.get_or_insert(d).clone()
    }

    /// Checks the checkpoints whose size the tree has just reached.
    fn check_checkpoints(&mut self) {
        let size = self.frontier.size();
        let mut root = None;
        while let Some((position, cp)) = self.pending.get(self.next) {
            if cp.size != size {
                break;
            }
            let root = *root.get_or_insert_with(|| {
                if size == 0 {
                    empty_root()
                } else {
                    self.frontier.root()
                }
            });
            if cp.root != root {
                let first_suspect_leaf = self.latest_verified_size.unwrap_or(0);
                self.divergence
                    .get_or_insert(Divergence::CheckpointRootMismatch {
                        checkpoint: *position,
                        size,
                        first_suspect_leaf,
                    });
                return;
            }
            self.verified += 1;
            self.latest_verified_size = Some(size);
            self.next += 1;
        }
    }

    /// Ends the verification: checkpoints beyond the last leaf mean leaves
    /// are missing.
    pub fn finish(mut self) -> AuditReport {
        let leaves = self.frontier.size();
        if self.divergence.is_none() {
            if let Some((position, cp)) = self.pending.get(self.next) {
                self.divergence = Some(Divergence::MissingLeaves {
                    checkpoint: *position,
                    size: cp.size,
                    leaves,
                });
            }
        }
        AuditReport {
            leaves,
            checkpoints_verified: self.verified,
            latest_verified_size: self.latest_verified_size,
            root: self.frontier.root(),
            divergence: self.divergence,
        }
    }
}

/// Verifies a whole stored log in one call: `leaves` in index order,
/// `checkpoints` as note texts.
pub fn verify_log<L, B, C, S>(
    verifier: &NoteVerifier,
    leaves: L,
    checkpoints: C,
    config: AuditConfig,
) -> AuditReport
where
    L: IntoIterator<Item = B>,
    B: AsRef<[u8]>,
    C: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut auditor = LogAuditor::new(verifier, checkpoints, config);
    for leaf in leaves {
        if auditor.push_leaf(leaf.as_ref()).is_err() {
            break;
        }
    }
    auditor.finish()
}

/// [`verify_log`] that also compares every stored subtree hash with the
/// recomputed one.
pub fn verify_log_with_store<L, B, C, S, H>(
    verifier: &NoteVerifier,
    leaves: L,
    checkpoints: C,
    stored: &H,
    config: AuditConfig,
) -> AuditReport
where
    L: IntoIterator<Item = B>,
    B: AsRef<[u8]>,
    C: IntoIterator<Item = S>,
    S: AsRef<str>,
    H: HashStore + ?Sized,
{
    let mut auditor = LogAuditor::new(verifier, checkpoints, config);
    for leaf in leaves {
        if auditor.push_leaf_checked(leaf.as_ref(), stored).is_err() {
            break;
        }
    }
    auditor.finish()
}
