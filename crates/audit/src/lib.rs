//! Alcove's tamper-evident audit log: an append-only RFC 9162 Merkle tree of
//! security events with signed checkpoints. Pure computation, no I/O; it
//! builds for wasm32 so the browser client can verify proofs too.
//!
//! The main types, from the bottom up:
//!
//! - [`Hash`], [`leaf_hash`] and [`node_hash`]: RFC 9162 tree hashing
//!   (`SHA-256(0x00 ‖ data)` for leaves, `SHA-256(0x01 ‖ left ‖ right)` for
//!   interior nodes).
//! - [`AuditEvent`]: one security event (an [`EventKind`], an optional
//!   [`ActorId`] and [`SubjectId`], a time, and typed [`ObjectId`]s; ids only,
//!   never names or text) with a canonical, versioned binary encoding. The
//!   encoding is the leaf data.
//! - [`HashStore`] and [`NodeId`]: the stored hashes of complete perfect
//!   subtrees, which the database implements. [`Frontier`] appends leaves
//!   and yields the nodes to persist (two per leaf on average); [`root`],
//!   [`inclusion_proof`] and [`consistency_proof`] read O(log n) nodes,
//!   listed beforehand by [`root_nodes`], [`inclusion_proof_nodes`] and
//!   [`consistency_proof_nodes`] so a database can fetch them in one query
//!   into a [`NodeMap`]. [`MemoryStore`] and [`MemoryLog`] keep it all in
//!   memory.
//! - [`verify_inclusion`] and [`verify_consistency`]: proof checks with
//!   precise [`VerifyError`]s that never panic on hostile input.
//! - [`Checkpoint`], [`LogSigner`] and [`NoteVerifier`]: signed tree heads in
//!   the C2SP `tlog-checkpoint` / `signed-note` format with Ed25519 keys.
//! - [`LogAuditor`] and [`verify_log`]: recompute a stored log, check every
//!   checkpoint, and report the first [`Divergence`] (`alcove audit verify`).
//! - [`CheckpointMemory`]: the client's last verified checkpoint, advanced
//!   only along consistency proofs; a fork is a hard error.
//!
//! Architecture invariant: this crate knows nothing about SQL, HTTP, files
//! or clocks; callers pass bytes, times and random seeds in.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod audit;
mod checkpoint;
mod event;
mod hash;
mod note;
mod proof;
mod registration;
pub mod sample;
mod tree;
mod witness;

pub use audit::{
    verify_log, verify_log_with_store, AuditConfig, AuditReport, Divergence, LogAuditor,
};
pub use checkpoint::{Checkpoint, CheckpointError};
pub use event::{
    ActorId, AuditEvent, EventError, EventKind, EventVersion, ObjectId, ObjectKind, SubjectId,
    MAX_ID_LEN, MAX_OBJECTS,
};
pub use hash::{empty_root, leaf_hash, node_hash, Hash, HashDecodeError, HASH_LEN};
pub use note::{
    key_id, parse_note, LogSigner, NoteError, NoteSignature, NoteVerifier, SignedNote,
    MAX_NOTE_LEN, MAX_SIGNATURES,
};
pub use proof::{
    decode_proof, root_from_inclusion_proof, verify_consistency, verify_consistency_bytes,
    verify_inclusion, verify_inclusion_bytes, HashField, VerifyError,
};
pub use registration::{device_key_fingerprint, registers_device};
pub use tree::{
    consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes,
    nodes_completed_by, range_nodes, root, root_nodes, Frontier, HashStore, LogFull, MemoryLog,
    MemoryStore, NodeId, NodeMap, TreeError,
};
pub use witness::{CheckpointMemory, Update, WitnessError};
