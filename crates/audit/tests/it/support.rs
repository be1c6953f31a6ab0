//! Shared helpers: a reference RFC 9162 implementation and sample logs.

use alcove_audit::{
    leaf_hash, node_hash, ActorId, AuditEvent, Checkpoint, EventKind, Hash, LogSigner, MemoryLog,
    ObjectId, ObjectKind, SubjectId,
};

pub const ORIGIN: &str = "alcove.test/audit";

/// The log key used by the tests (a fixed seed: tests must be repeatable).
pub fn signer() -> LogSigner {
    match LogSigner::from_seed(ORIGIN, &[7u8; 32]) {
        Ok(s) => s,
        Err(e) => panic!("test key refused: {e}"),
    }
}

/// Another key with the same name: what a forger without the log key has.
pub fn other_signer() -> LogSigner {
    match LogSigner::from_seed(ORIGIN, &[8u8; 32]) {
        Ok(s) => s,
        Err(e) => panic!("test key refused: {e}"),
    }
}

fn id<T>(r: Result<T, alcove_audit::EventError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("valid id refused: {e}"),
    }
}

/// A distinct, valid event for each `i`.
pub fn event(i: u64) -> AuditEvent {
    let kinds = EventKind::ALL;
    let kind = kinds[(i as usize) % kinds.len()];
    AuditEvent::new(kind, 1_700_000_000_000 + i as i64)
        .with_actor(id(ActorId::new(format!("user-{}", i % 7))))
        .with_subject(id(SubjectId::new(format!("client_{}", i % 5))))
        .with_object(
            ObjectKind::Conversation,
            id(ObjectId::new(format!("conv-{i}"))),
        )
}

pub fn encode(e: &AuditEvent) -> Vec<u8> {
    match e.encode() {
        Ok(b) => b,
        Err(err) => panic!("valid event refused: {err}"),
    }
}

/// Leaf data of `n` events.
pub fn leaves(n: u64) -> Vec<Vec<u8>> {
    (0..n).map(|i| encode(&event(i))).collect()
}

/// A log holding `leaves`.
pub fn log_of(leaves: &[Vec<u8>]) -> MemoryLog {
    let mut log = MemoryLog::new();
    for l in leaves {
        if log.push(l).is_err() {
            panic!("log full");
        }
    }
    log
}

/// A signed checkpoint note of the first `size` leaves.
pub fn checkpoint_note(signer: &LogSigner, leaves: &[Vec<u8>], size: usize) -> String {
    let hashes: Vec<Hash> = leaves[..size].iter().map(|l| leaf_hash(l)).collect();
    let cp = Checkpoint {
        origin: signer.name().to_owned(),
        size: size as u64,
        root: mth(&hashes),
    };
    match signer.sign_checkpoint(&cp) {
        Ok(n) => n,
        Err(e) => panic!("signing failed: {e}"),
    }
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 9162 §2.1.1 MTH, written as recursively as the RFC states it.
pub fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => alcove_audit::empty_root(),
        1 => d[0],
        n => {
            let k = split(n);
            node_hash(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

/// RFC 9162 §2.1.3.1 PATH(m, D[n]).
pub fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = split(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

/// RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b).
pub fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { Vec::new() } else { vec![mth(d)] };
    }
    let k = split(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}
