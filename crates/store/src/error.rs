//! The store's error type: what went wrong, without the database's own words leaking upwards.

use std::fmt;

/// What kind of failure a store operation met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The database URL names no supported backend.
    Config,
    /// The row to change does not exist (or does not belong to the caller).
    NotFound,
    /// A conditional change found the row in another state (already used, revoked, raced).
    Conflict,
    /// A unique value (such as a credential id) already exists.
    Duplicate,
    /// Removing this passkey would leave the account with none.
    LastPasskey,
    /// A stored value does not parse (the database was edited by hand or is damaged).
    Corrupt,
    /// Applying migrations failed.
    Migration,
    /// An audit event does not encode (too many objects).
    InvalidEvent,
    /// A commit was made in an epoch that already has an accepted commit.
    EpochConflict,
    /// The device is not a (current) member of the conversation.
    NotMember,
    /// The input refers to something that cannot be (a future epoch, an unknown addressee).
    Invalid,
    /// The database failed or could not be reached.
    Database,
}

/// A store failure. `Display` never includes stored values; the source error is kept for logs.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error { kind, source: None }
    }

    pub(crate) fn migrate(e: sqlx::migrate::MigrateError) -> Error {
        Error {
            kind: ErrorKind::Migration,
            source: Some(Box::new(e)),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Config => "unsupported database URL (use sqlite:// or postgres://)",
            ErrorKind::NotFound => "no such row",
            ErrorKind::Conflict => "the row was in another state",
            ErrorKind::Duplicate => "a unique value already exists",
            ErrorKind::LastPasskey => "the last passkey of an account cannot be removed",
            ErrorKind::Corrupt => "a stored value does not parse",
            ErrorKind::Migration => "applying database migrations failed",
            ErrorKind::InvalidEvent => "an audit event does not encode",
            ErrorKind::EpochConflict => "another commit of this epoch was accepted first",
            ErrorKind::NotMember => "the device is not a member of the conversation",
            ErrorKind::Invalid => "the input refers to something that cannot be",
            ErrorKind::Database => "database error",
        };
        match &self.source {
            Some(source) => write!(f, "{what}: {source}"),
            None => f.write_str(what),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        let kind = match &e {
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => ErrorKind::Corrupt,
            _ => ErrorKind::Database,
        };
        Error {
            kind,
            source: Some(Box::new(e)),
        }
    }
}
