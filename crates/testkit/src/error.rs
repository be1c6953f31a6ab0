//! The error type returned when the software authenticator refuses a ceremony.

use std::fmt;

/// Why the software authenticator (or the browser it stands in for) refused
/// to answer a registration or sign-in request.
///
/// The message never contains credential ids, user handles or key material,
/// so it is safe to print in a failing test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    detail: &'static str,
}

/// The category of an [`Error`].
///
/// Each kind corresponds to what a browser would report to the page
/// (`SecurityError`, `InvalidStateError`, `NotAllowedError`, `TypeError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The options JSON is not shaped like webauthn-rs' challenge response
    /// (a browser throws `TypeError`).
    MalformedOptions,
    /// The authenticator's origin is not a URL, or not a secure context
    /// (`https:`, or `http:` on `localhost`) (a browser throws `SecurityError`).
    InvalidOrigin,
    /// The relying party id is not the origin's host nor a registrable
    /// suffix of it: the page is a look-alike of the relying party
    /// (a browser throws `SecurityError`).
    RpIdMismatch,
    /// The relying party accepts no algorithm this authenticator has
    /// (only ES256 is implemented) (`NotSupportedError`).
    UnsupportedAlgorithm,
    /// A credential listed in `excludeCredentials` already lives on this
    /// authenticator (`InvalidStateError`).
    CredentialExcluded,
    /// No credential on this authenticator fits the sign-in request
    /// (`NotAllowedError`).
    NoCredential,
    /// A knob referred to a credential id this authenticator does not hold.
    UnknownCredential,
    /// Encoding the response failed.
    Encoding,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, detail: &'static str) -> Self {
        Error { kind, detail }
    }

    /// The category of this error, for tests that assert on it.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            ErrorKind::MalformedOptions => "malformed WebAuthn options",
            ErrorKind::InvalidOrigin => "origin is not a secure web origin",
            ErrorKind::RpIdMismatch => "relying party id does not belong to the origin",
            ErrorKind::UnsupportedAlgorithm => "no supported public key algorithm offered",
            ErrorKind::CredentialExcluded => "an excluded credential is already registered",
            ErrorKind::NoCredential => "no matching credential on this authenticator",
            ErrorKind::UnknownCredential => "unknown credential id",
            ErrorKind::Encoding => "could not encode the response",
        };
        f.write_str(text)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.kind, self.detail)
        }
    }
}

impl std::error::Error for Error {}
