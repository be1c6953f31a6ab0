//! The client's error type: what failed, with the server's stable code when the server refused.

use alcove_types::ErrorCode;
use std::fmt;

/// What kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with an error (see [`Error::code`]).
    Api,
    /// The server could not be reached, or the connection closed.
    Network,
    /// Encryption, decryption or MLS processing failed (see [`Error::crypto_kind`]).
    Crypto,
    /// The server sent something this client does not accept.
    Protocol,
    /// The key-transparency check failed: the server's log or a device key cannot be trusted.
    Transparency,
    /// The passkey authenticator refused.
    Passkey,
}

/// A client failure. `Display` never includes message content or keys.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    status: u16,
    code: Option<String>,
    message: String,
    crypto: Option<alcove_crypto::ErrorKind>,
}

/// Shorthand.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            status: 0,
            code: None,
            message: message.into(),
            crypto: None,
        }
    }

    pub(crate) fn api(status: u16, code: &str, message: &str) -> Error {
        Error {
            kind: ErrorKind::Api,
            status,
            code: Some(code.to_owned()),
            message: message.to_owned(),
            crypto: None,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The server's stable error code, when it refused.
    pub fn code(&self) -> Option<ErrorCode> {
        let code = self.code.as_deref()?;
        serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
    }

    /// The HTTP status of a refusal (0 otherwise, and for refusals over the WebSocket).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The crypto core's error kind, for [`ErrorKind::Crypto`].
    pub fn crypto_kind(&self) -> Option<alcove_crypto::ErrorKind> {
        self.crypto
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, self.kind) {
            (Some(code), _) => write!(f, "server refused ({code}): {}", self.message),
            (None, kind) => write!(f, "{kind:?}: {}", self.message),
        }
    }
}

impl std::error::Error for Error {}

impl From<alcove_crypto::Error> for Error {
    fn from(e: alcove_crypto::Error) -> Error {
        Error {
            kind: ErrorKind::Crypto,
            status: 0,
            code: None,
            message: e.to_string(),
            crypto: Some(e.kind()),
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Error {
        // reqwest's messages name the URL, which holds no secrets here (ids only).
        Error::new(ErrorKind::Network, e.to_string())
    }
}
