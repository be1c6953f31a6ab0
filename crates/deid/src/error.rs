//! The crate's error type: opaque, with a kind callers can match on.

use std::fmt;

/// What went wrong, in broad strokes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input was not valid UTF-8 (and lossy decoding was not asked for).
    InvalidUtf8,
    /// A JSON line could not be parsed or lacked a `text` field.
    InvalidJson,
    /// Reading the input or writing the output failed.
    Io,
    /// A line of a practice's allow or deny list could not be read.
    InvalidList,
}

/// An error from the streaming driver or the evaluator.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    line: Option<u64>,
    detail: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, line: Option<u64>, detail: impl Into<String>) -> Error {
        Error {
            kind,
            line,
            detail: detail.into(),
        }
    }

    pub(crate) fn io(err: std::io::Error) -> Error {
        Error::new(ErrorKind::Io, None, err.to_string())
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The 1-based input line where the failure happened, when known.
    pub fn line(&self) -> Option<u64> {
        self.line
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::InvalidUtf8 => {
                "the input is not valid UTF-8; convert it to UTF-8 or pass --lossy"
            }
            ErrorKind::InvalidJson => {
                "a line is not a JSON object with a \"text\" string; check the --jsonl input"
            }
            ErrorKind::Io => "reading the input or writing the output failed",
            ErrorKind::InvalidList => {
                "a deny-list line must be a type (NAME, LOCATION, ORGANIZATION ...) and a phrase"
            }
        };
        f.write_str(what)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
