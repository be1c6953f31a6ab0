//! The versioned application payload carried inside MLS application messages.
//!
//! # Encoding (version 1)
//!
//! ```text
//! payload = version:u8 (= 1) ‖ kind:u16 ‖ body_len:u32 ‖ body
//! ```
//!
//! All integers are big-endian; strings and byte strings inside a body are
//! `len:u32 ‖ bytes` (strings are UTF-8). The encoder is deterministic: one
//! payload has exactly one encoding. The decoder rejects trailing bytes after
//! the body, but inside the body of a *known* kind it ignores bytes after the
//! fields it knows, so a later version may append fields to a kind. A kind it
//! does not know decodes as [`PayloadKind::Unknown`] with its raw body, so an
//! older client survives a newer sender. Decoding never panics.
//!
//! | kind | code | body |
//! |---|---|---|
//! | Text | 1 | text |
//! | AttachmentRef | 2 | blob_id, key\[32\], sha256\[32\], size:u64, name, mime |
//! | ReadReceipt | 3 | up_to:u64 |
//! | Typing | 4 | active:u8 (0 or 1) |
//! | LiveSessionStart | 5 | session_id |
//! | LiveSessionEnd | 6 | session_id |

use crate::attachment::AttachmentKey;
use crate::codec::{Reader, Writer};
use crate::error::{err, ErrorKind, Result};

/// The payload format version this build writes and reads.
pub const PAYLOAD_VERSION: u8 = 1;

const KIND_TEXT: u16 = 1;
const KIND_ATTACHMENT: u16 = 2;
const KIND_READ_RECEIPT: u16 = 3;
const KIND_TYPING: u16 = 4;
const KIND_LIVE_START: u16 = 5;
const KIND_LIVE_END: u16 = 6;

/// One application message's content.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Payload {
    /// The format version ([`PAYLOAD_VERSION`]).
    pub version: u8,
    /// What the message is.
    pub kind: PayloadKind,
}

/// A reference to an encrypted attachment stored as an opaque blob by the
/// server; it carries everything needed to fetch, verify and decrypt it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AttachmentRef {
    /// The server's identifier of the encrypted blob.
    pub blob_id: String,
    /// The attachment's key.
    pub key: AttachmentKey,
    /// SHA-256 of the encrypted blob (check before decrypting).
    pub sha256: [u8; 32],
    /// Size of the plaintext in bytes.
    pub size: u64,
    /// The file name the sender chose (display only; never used as a path).
    pub name: String,
    /// The declared media type (display only; never trusted for execution).
    pub mime: String,
}

/// The kinds of payload.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum PayloadKind {
    /// A text message, rendered as inert text.
    Text(String),
    /// An encrypted attachment.
    AttachmentRef(AttachmentRef),
    /// Everything up to and including the delivery service's sequence number
    /// `up_to` of this conversation has been read.
    ReadReceipt {
        /// The delivery service's per-conversation sequence number.
        up_to: u64,
    },
    /// The sender started (`true`) or stopped (`false`) typing.
    Typing {
        /// Whether the sender is typing now.
        active: bool,
    },
    /// A live text session starts.
    LiveSessionStart {
        /// The session's identifier.
        session_id: String,
    },
    /// A live text session ends.
    LiveSessionEnd {
        /// The session's identifier.
        session_id: String,
    },
    /// A kind this build does not know (sent by a newer client).
    Unknown {
        /// The kind code.
        kind: u16,
        /// The undecoded body.
        body: Vec<u8>,
    },
}

impl Payload {
    /// A payload of the current version.
    pub fn new(kind: PayloadKind) -> Self {
        Payload {
            version: PAYLOAD_VERSION,
            kind,
        }
    }

    /// A text message.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(PayloadKind::Text(text.into()))
    }

    /// The deterministic encoding described in the module documentation.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Writer::default();
        let code = match &self.kind {
            PayloadKind::Text(t) => {
                body.bytes(t.as_bytes());
                KIND_TEXT
            }
            PayloadKind::AttachmentRef(a) => {
                body.bytes(a.blob_id.as_bytes());
                body.raw(a.key.as_bytes());
                body.raw(&a.sha256);
                body.u64(a.size);
                body.bytes(a.name.as_bytes());
                body.bytes(a.mime.as_bytes());
                KIND_ATTACHMENT
            }
            PayloadKind::ReadReceipt { up_to } => {
                body.u64(*up_to);
                KIND_READ_RECEIPT
            }
            PayloadKind::Typing { active } => {
                body.u8(u8::from(*active));
                KIND_TYPING
            }
            PayloadKind::LiveSessionStart { session_id } => {
                body.bytes(session_id.as_bytes());
                KIND_LIVE_START
            }
            PayloadKind::LiveSessionEnd { session_id } => {
                body.bytes(session_id.as_bytes());
                KIND_LIVE_END
            }
            PayloadKind::Unknown { kind, body: b } => {
                body.raw(b);
                *kind
            }
        };
        let mut out = Writer::default();
        out.u8(self.version);
        out.u16(code);
        out.bytes(&body.buf);
        out.buf
    }

    /// Decodes bytes from any source; never panics.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        const CTX: &str = "payload decode";
        let mut r = Reader::new(bytes, CTX);
        let version = r.u8()?;
        if version != PAYLOAD_VERSION {
            return Err(err(ErrorKind::UnsupportedVersion, CTX));
        }
        let code = r.u16()?;
        let body = r.bytes()?;
        r.finish()?;
        let mut b = Reader::new(body, CTX);
        let kind = match code {
            KIND_TEXT => PayloadKind::Text(b.string()?),
            KIND_ATTACHMENT => PayloadKind::AttachmentRef(AttachmentRef {
                blob_id: b.string()?,
                key: AttachmentKey::from_bytes(b.array()?),
                sha256: b.array()?,
                size: b.u64()?,
                name: b.string()?,
                mime: b.string()?,
            }),
            KIND_READ_RECEIPT => PayloadKind::ReadReceipt { up_to: b.u64()? },
            KIND_TYPING => PayloadKind::Typing {
                active: match b.u8()? {
                    0 => false,
                    1 => true,
                    _ => return Err(err(ErrorKind::Malformed, CTX)),
                },
            },
            KIND_LIVE_START => PayloadKind::LiveSessionStart {
                session_id: b.string()?,
            },
            KIND_LIVE_END => PayloadKind::LiveSessionEnd {
                session_id: b.string()?,
            },
            other => PayloadKind::Unknown {
                kind: other,
                body: b.rest().to_vec(),
            },
        };
        // Bytes after the known fields of a known kind are fields of a later
        // version; they are ignored on purpose (see the module documentation).
        Ok(Payload { version, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(payload: Payload, expected_hex: &str) {
        let bytes = payload.encode();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected_hex);
        assert_eq!(Payload::decode(&bytes).as_ref(), Ok(&payload));
    }

    #[test]
    fn encodings() {
        check(Payload::text("hi"), "01000100000006000000026869");
        check(
            Payload::new(PayloadKind::ReadReceipt { up_to: 258 }),
            "010003000000080000000000000102",
        );
        check(
            Payload::new(PayloadKind::Typing { active: true }),
            "0100040000000101",
        );
        check(
            Payload::new(PayloadKind::Unknown {
                kind: 0x0900,
                body: vec![7, 8],
            }),
            "010900000000020708",
        );
    }

    fn check_err(hex: &str, kind: ErrorKind) {
        let bytes: Vec<u8> = (0..hex.len() / 2)
            .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
            .collect();
        assert_eq!(Payload::decode(&bytes).map_err(|e| e.kind()), Err(kind));
    }

    #[test]
    fn rejections() {
        check_err("", ErrorKind::Malformed);
        check_err("02000100000000", ErrorKind::UnsupportedVersion);
        check_err("0100010000000a00", ErrorKind::Malformed);
        check_err("01000100000006000000026869ff", ErrorKind::Malformed);
        check_err("0100040000000102", ErrorKind::Malformed);
        check_err("010001000000060000000268ff", ErrorKind::Malformed);
    }
}
