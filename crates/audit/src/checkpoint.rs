//! The body of a C2SP `tlog-checkpoint`: origin, tree size and root hash.

use crate::hash::Hash;

/// A log's tree head: the signed part of a checkpoint note.
///
/// Its text is exactly three lines, each ending in `\n`:
///
/// ```text
/// alcove.example/audit
/// 20852163
/// CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
/// ```
///
/// Extension lines are allowed by the format but never written by Alcove,
/// and are refused when parsing so that everything signed is auditable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity, e.g. `alcove.example/audit`; equal to the
    /// signing key's name.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// Root of the tree of `size` leaves.
    pub root: Hash,
}

/// Why checkpoint text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The origin is empty or holds spaces, `+` or control characters.
    #[error("the origin line is empty or holds spaces, '+' or control characters")]
    InvalidOrigin,
    /// Fewer than three lines, or the text does not end with a newline.
    #[error("a checkpoint needs origin, size and root lines, each ending in a newline")]
    MissingLine,
    /// The size line is not a decimal `u64` without leading zeros.
    #[error("the tree size is not a decimal number without leading zeros")]
    MalformedSize,
    /// The root line is not the base64 of 32 bytes.
    #[error("the root hash is not base64 of 32 bytes")]
    MalformedRoot,
    /// The checkpoint carries extension lines, which this log never writes.
    #[error("unexpected extension lines after the root hash")]
    ExtensionLines,
}

/// Whether `name` is usable as a key name or origin: non-empty, no Unicode
/// whitespace, no `+`, no control characters.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

impl Checkpoint {
    /// A checkpoint, checking that the origin is a valid name.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        if !valid_name(origin) {
            return Err(CheckpointError::InvalidOrigin);
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// The note text: three lines, each ending in `\n`.
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        )
    }

    /// Parses note text produced by [`Checkpoint::to_text`], strictly.
    pub fn parse_text(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingLine)?;
        let mut lines = body.split('\n');
        let origin = lines.next().ok_or(CheckpointError::MissingLine)?;
        let size = lines.next().ok_or(CheckpointError::MissingLine)?;
        let root = lines.next().ok_or(CheckpointError::MissingLine)?;
        if lines.next().is_some() {
            return Err(CheckpointError::ExtensionLines);
        }
        if !valid_name(origin) {
            return Err(CheckpointError::InvalidOrigin);
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size: parse_size(size)?,
            root: parse_root(root)?,
        })
    }
}

fn parse_size(line: &str) -> Result<u64, CheckpointError> {
    let digits_only = !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = line.len() > 1 && line.starts_with('0');
    if !digits_only || leading_zero {
        return Err(CheckpointError::MalformedSize);
    }
    line.parse().map_err(|_| CheckpointError::MalformedSize)
}

fn parse_root(line: &str) -> Result<Hash, CheckpointError> {
    Hash::from_base64(line).map_err(|_| CheckpointError::MalformedRoot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    fn check(text: &str, expected: Result<(&str, u64), CheckpointError>) {
        let got = Checkpoint::parse_text(text).map(|c| (c.origin, c.size));
        assert_eq!(got, expected.map(|(o, s)| (o.to_owned(), s)), "{text:?}");
    }

    #[test]
    fn parses_strictly() {
        let root = leaf_hash(b"x").to_base64();
        check(
            &format!("a.example/log\n0\n{root}\n"),
            Ok(("a.example/log", 0)),
        );
        check(
            &format!("o\n18446744073709551615\n{root}\n"),
            Ok(("o", u64::MAX)),
        );
        check(
            &format!("o\n18446744073709551616\n{root}\n"),
            Err(CheckpointError::MalformedSize),
        );
        check(
            &format!("o\n007\n{root}\n"),
            Err(CheckpointError::MalformedSize),
        );
        check(
            &format!("o\n-1\n{root}\n"),
            Err(CheckpointError::MalformedSize),
        );
        check(
            &format!("o\n+1\n{root}\n"),
            Err(CheckpointError::MalformedSize),
        );
        check(
            &format!("o\n\n{root}\n"),
            Err(CheckpointError::MalformedSize),
        );
        check(&format!("o\n1\n{root}"), Err(CheckpointError::MissingLine));
        check("o\n1\n", Err(CheckpointError::MissingLine));
        check(
            &format!("o\n1\n{root}\next\n"),
            Err(CheckpointError::ExtensionLines),
        );
        check(
            &format!("\n1\n{root}\n"),
            Err(CheckpointError::InvalidOrigin),
        );
        check(
            &format!("a b\n1\n{root}\n"),
            Err(CheckpointError::InvalidOrigin),
        );
        check(
            &format!("a+b\n1\n{root}\n"),
            Err(CheckpointError::InvalidOrigin),
        );
        check(
            "o\n1\nZG9uJ3QgY2FyZSAx\n",
            Err(CheckpointError::MalformedRoot),
        );
        check(
            &format!("o\n1\n {root}\n"),
            Err(CheckpointError::MalformedRoot),
        );
    }

    #[test]
    fn text_round_trips() {
        let c = Checkpoint::new("alcove.example/audit", 20852163, leaf_hash(b"r"));
        let Ok(c) = c else {
            panic!("valid origin refused")
        };
        assert_eq!(Checkpoint::parse_text(&c.to_text()), Ok(c));
    }
}
