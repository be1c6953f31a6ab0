//! The facade's error: a stable machine-readable `code` and a plain message,
//! thrown to JavaScript as an `Error` whose `name` is `"AlcoveError"`.

use std::fmt;

use alcove_crypto::ErrorKind;
use wasm_bindgen::JsValue;

/// An error crossing the boundary to JavaScript.
///
/// `code` is one of the strings of [`code_of`] (or `"invalid_input"` for
/// arguments the facade itself refuses); `message` is the crypto crate's
/// plain description plus the operation. Neither carries identifiers, keys
/// or content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The stable code, e.g. `"tampered"` or `"stale_epoch"`.
    pub code: &'static str,
    /// A short sentence for developers and logs.
    pub message: String,
}

/// Shorthand for results of the facade.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An argument JavaScript passed is unusable (`what` names the argument,
    /// never its value).
    pub fn invalid(what: &'static str) -> Self {
        Error {
            code: "invalid_input",
            message: format!("invalid input ({what})"),
        }
    }
}

/// The stable code of a crypto error kind: what JavaScript switches on.
pub fn code_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::StaleEpoch => "stale_epoch",
        ErrorKind::FutureEpoch => "future_epoch",
        ErrorKind::PendingCommit => "pending_commit",
        ErrorKind::Tampered => "tampered",
        ErrorKind::Replayed => "replayed",
        ErrorKind::Malformed => "malformed",
        ErrorKind::Truncated => "truncated",
        ErrorKind::NotAMember => "not_a_member",
        ErrorKind::UnknownConversation => "unknown_conversation",
        ErrorKind::InvalidInput => "invalid_input",
        ErrorKind::UnsupportedVersion => "unsupported_version",
        ErrorKind::Storage => "storage",
        ErrorKind::WrongKey => "wrong_key",
        ErrorKind::Internal => "internal",
        // A kind added to the crypto crate later, before this map learns it.
        _ => "internal",
    }
}

impl From<alcove_crypto::Error> for Error {
    fn from(e: alcove_crypto::Error) -> Self {
        Error {
            code: code_of(e.kind()),
            message: e.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let js = js_sys::Error::new(&e.message);
        js.set_name("AlcoveError");
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str("code"), &JsValue::from_str(e.code));
        js.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case() {
        let kinds = [
            ErrorKind::StaleEpoch,
            ErrorKind::FutureEpoch,
            ErrorKind::PendingCommit,
            ErrorKind::Tampered,
            ErrorKind::Replayed,
            ErrorKind::Malformed,
            ErrorKind::Truncated,
            ErrorKind::NotAMember,
            ErrorKind::UnknownConversation,
            ErrorKind::InvalidInput,
            ErrorKind::UnsupportedVersion,
            ErrorKind::Storage,
            ErrorKind::WrongKey,
            ErrorKind::Internal,
        ];
        let mut codes: Vec<&str> = kinds.iter().map(|k| code_of(*k)).collect();
        assert!(codes
            .iter()
            .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
        assert_eq!(code_of(ErrorKind::Tampered), "tampered");
        assert_eq!(code_of(ErrorKind::WrongKey), "wrong_key");
    }
}
