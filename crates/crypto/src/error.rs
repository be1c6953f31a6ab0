//! The crate's error type: an opaque [`Error`] carrying an [`ErrorKind`].

use std::fmt;

/// What went wrong, in terms a client can act on.
///
/// The kinds that matter most to a client talking to a delivery service are
/// [`ErrorKind::StaleEpoch`] (rebase: fetch and process the commit that won,
/// then redo the operation), [`ErrorKind::FutureEpoch`] (fetch the messages
/// you missed first) and the rejections [`ErrorKind::Tampered`],
/// [`ErrorKind::Replayed`] and [`ErrorKind::Malformed`] (drop the message and
/// tell the person something is wrong with the server or the sender).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The message or commit belongs to an epoch this device has already left
    /// behind (for a commit: another commit of that epoch won). Rebase.
    StaleEpoch,
    /// The message belongs to an epoch this device has not reached yet:
    /// earlier messages (a commit) are missing. Fetch them first.
    FutureEpoch,
    /// An own commit is outstanding: merge it (the delivery service accepted
    /// it) or discard it (the delivery service refused it) first.
    PendingCommit,
    /// The bytes parsed but failed authentication: a flipped bit, a forged
    /// signature, a wrong key, a foreign group.
    Tampered,
    /// The message was already processed (its decryption key is gone).
    Replayed,
    /// The bytes cannot be decoded at all.
    Malformed,
    /// A stream (attachment) ended early: its final chunk is missing.
    Truncated,
    /// This device is not (or no longer) a member of the conversation, or a
    /// welcome is not addressed to it.
    NotAMember,
    /// The conversation is unknown to this device.
    UnknownConversation,
    /// The caller passed something invalid (an identifier, a key package of
    /// another ciphersuite, an empty device set, ...).
    InvalidInput,
    /// A format version this build does not support.
    UnsupportedVersion,
    /// The state store failed (I/O on native, or corrupted at-rest state).
    Storage,
    /// The at-rest state could not be decrypted: wrong device key or altered.
    WrongKey,
    /// A bug in this crate or a dependency; nothing an attacker caused.
    Internal,
}

impl ErrorKind {
    /// A short, plain description; never contains identifiers or content.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::StaleEpoch => "message from an epoch already left behind",
            ErrorKind::FutureEpoch => "message from an epoch not reached yet",
            ErrorKind::PendingCommit => "an own commit is still pending",
            ErrorKind::Tampered => "message failed authentication",
            ErrorKind::Replayed => "message was already processed",
            ErrorKind::Malformed => "message cannot be decoded",
            ErrorKind::Truncated => "stream ended before its final chunk",
            ErrorKind::NotAMember => "not a member of this conversation",
            ErrorKind::UnknownConversation => "unknown conversation",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::UnsupportedVersion => "unsupported format version",
            ErrorKind::Storage => "state storage failed",
            ErrorKind::WrongKey => "stored state cannot be decrypted with this key",
            ErrorKind::Internal => "internal error",
        }
    }
}

/// The error returned by every fallible operation of this crate.
///
/// It carries an [`ErrorKind`] and a static context string naming the
/// operation; it never carries identifiers, keys or message content.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    context: &'static str,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, context: &'static str) -> Self {
        Error { kind, context }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: {})", self.kind, self.context)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind.as_str(), self.context)
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn err(kind: ErrorKind, context: &'static str) -> Error {
    Error::new(kind, context)
}
