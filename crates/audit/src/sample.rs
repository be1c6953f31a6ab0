//! Deterministic sample events for benchmarks: UUID-shaped ids derived from a counter, so runs
//! are comparable and need no randomness.

use crate::event::{ActorId, AuditEvent, EventError, EventKind, ObjectId, ObjectKind, SubjectId};

/// A UUID-shaped id made from `i` and `salt` (ids with different salts do not collide).
pub fn uuid_like(i: u64, salt: u64) -> String {
    let a = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt;
    let b = a.rotate_left(29).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// Event number `i` of a practice with `actors` staff and 5,000 clients: each kind in turn, an
/// actor and a subject chosen round-robin, and one conversation of its own.
pub fn sample_event(i: u64, actors: u64) -> Result<AuditEvent, EventError> {
    let kinds = EventKind::ALL;
    let kind = kinds[(i % kinds.len() as u64) as usize];
    Ok(
        AuditEvent::new(kind, 1_700_000_000_000_i64.saturating_add_unsigned(i))
            .with_actor(ActorId::new(uuid_like(i % actors.max(1), 1))?)
            .with_subject(SubjectId::new(uuid_like(i % 5000, 2))?)
            .with_object(ObjectKind::Conversation, ObjectId::new(uuid_like(i, 3))?),
    )
}
