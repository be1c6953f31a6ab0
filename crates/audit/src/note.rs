//! C2SP `signed-note` with Ed25519 keys: signing, parsing and verifying.
//!
//! A note is text ending in `\n`, a blank line, then one or more lines
//! `— <key name> <base64(4-byte key id ‖ 64-byte signature)>\n`. The key id
//! is the first four bytes of `SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)`.
//! A verifier key is written `<name>+<8 hex digits of key id>+<base64(0x01 ‖
//! public key)>`; the log's signing key is stored as
//! `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ 32-byte seed)>`.
//!
//! As the specification requires, signatures by unknown keys (a witness
//! cosignature, say) are ignored, a signature by the known key that fails
//! rejects the note, and a note without a valid signature by the known key
//! is rejected.

use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::checkpoint::{valid_name, Checkpoint, CheckpointError};

/// Largest note accepted, in bytes.
pub const MAX_NOTE_LEN: usize = 256 * 1024;
/// Most signature lines accepted in one note.
pub const MAX_SIGNATURES: usize = 100;

const ED25519_TYPE: u8 = 0x01;
const EM_DASH_PREFIX: &str = "\u{2014} ";

/// Why a note, key or checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is larger than [`MAX_NOTE_LEN`].
    #[error("the note is too large")]
    TooLarge,
    /// The note holds an ASCII control character other than newline.
    #[error("the note holds a control character")]
    ControlCharacter,
    /// Text to sign is empty or does not end in a newline.
    #[error("note text must be non-empty and end with a newline")]
    MalformedText,
    /// No blank line separates the text from the signatures.
    #[error("no blank line separates the text from the signatures")]
    MissingSeparator,
    /// There are no signature lines.
    #[error("the note has no signatures")]
    NoSignatures,
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("the note has too many signatures")]
    TooManySignatures,
    /// Signature line `line` (counted from 0) is malformed, or data follows
    /// the last newline.
    #[error("signature line {line} is malformed")]
    MalformedSignatureLine {
        /// Position among the signature lines.
        line: usize,
    },
    /// A key name is empty or holds spaces or `+`.
    #[error("invalid key name")]
    InvalidKeyName,
    /// A verifier or signer key string is malformed.
    #[error("malformed key string")]
    MalformedKey,
    /// The key is not an Ed25519 key.
    #[error("unsupported key type")]
    UnsupportedKeyType,
    /// The key id in a key string does not match the key.
    #[error("the key id does not match the key")]
    KeyIdMismatch,
    /// A signature by the trusted key does not verify.
    #[error("a signature by the trusted key does not verify")]
    BadSignature,
    /// No signature by the trusted key.
    #[error("the note is not signed by the trusted key")]
    NoTrustedSignature,
    /// The signed text is not a valid checkpoint.
    #[error("malformed checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The checkpoint's origin is not the trusted key's name.
    #[error("the checkpoint's origin is not this log")]
    OriginMismatch,
}

/// The 4-byte key id of an Ed25519 key.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519_TYPE]);
    h.update(public_key);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

fn hex4(id: [u8; 4]) -> String {
    format!("{:08x}", u32::from_be_bytes(id))
}

fn parse_hex4(s: &str) -> Option<[u8; 4]> {
    let lower_hex = s.len() == 8
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !lower_hex {
        return None;
    }
    u32::from_str_radix(s, 16).ok().map(u32::to_be_bytes)
}

/// Decodes `base64(0x01 ‖ 32 bytes)`.
fn parse_typed_key(b64: &str) -> Result<[u8; 32], NoteError> {
    let bytes = STANDARD.decode(b64).map_err(|_| NoteError::MalformedKey)?;
    let (ty, key) = bytes.split_first().ok_or(NoteError::MalformedKey)?;
    if *ty != ED25519_TYPE {
        return Err(NoteError::UnsupportedKeyType);
    }
    <[u8; 32]>::try_from(key).map_err(|_| NoteError::MalformedKey)
}

fn typed_key(key: &[u8; 32]) -> String {
    let mut bytes = [0u8; 33];
    bytes[0] = ED25519_TYPE;
    bytes[1..].copy_from_slice(key);
    STANDARD.encode(bytes)
}

/// One parsed signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature<'a> {
    /// The signer's key name.
    pub name: &'a str,
    /// The signer's key id.
    pub key_id: [u8; 4],
    /// The signature bytes after the key id.
    pub signature: Vec<u8>,
}

/// A note split into its signed text and signature lines, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote<'a> {
    /// The signed text, including its final newline.
    pub text: &'a str,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature<'a>>,
}

/// Splits a note into text and signatures, refusing anything malformed.
/// This checks form only; use [`NoteVerifier::verify_note`] to trust it.
pub fn parse_note(note: &str) -> Result<SignedNote<'_>, NoteError> {
    if note.len() > MAX_NOTE_LEN {
        return Err(NoteError::TooLarge);
    }
    if note.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(NoteError::ControlCharacter);
    }
    let sep = note.rfind("\n\n").ok_or(NoteError::MissingSeparator)?;
    let (text, sig_block) = (&note[..=sep], &note[sep + 2..]);
    if sig_block.is_empty() {
        return Err(NoteError::NoSignatures);
    }
    let mut signatures = Vec::new();
    let mut rest = sig_block;
    let mut line_no = 0usize;
    while !rest.is_empty() {
        if line_no >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        let malformed = NoteError::MalformedSignatureLine { line: line_no };
        let (line, after) = rest.split_once('\n').ok_or(malformed.clone())?;
        signatures.push(parse_signature_line(line).ok_or(malformed)?);
        rest = after;
        line_no += 1;
    }
    Ok(SignedNote { text, signatures })
}

fn parse_signature_line(line: &str) -> Option<NoteSignature<'_>> {
    let body = line.strip_prefix(EM_DASH_PREFIX)?;
    let (name, b64) = body.split_once(' ')?;
    if !valid_name(name) {
        return None;
    }
    let bytes = STANDARD.decode(b64).ok()?;
    if bytes.len() < 5 {
        return None;
    }
    let key_id = [bytes[0], bytes[1], bytes[2], bytes[3]];
    Some(NoteSignature {
        name,
        key_id,
        signature: bytes[4..].to_vec(),
    })
}

/// A trusted Ed25519 note key: checks notes signed by the log.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: [u8; 4],
    key: VerifyingKey,
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoteVerifier")
            .field("key_id", &hex4(self.key_id))
            .finish_non_exhaustive()
    }
}

impl NoteVerifier {
    /// A verifier from a key name and a raw Ed25519 public key.
    pub fn from_public_key(name: &str, public_key: &[u8; 32]) -> Result<Self, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::InvalidKeyName);
        }
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| NoteError::MalformedKey)?;
        if key.is_weak() {
            return Err(NoteError::MalformedKey);
        }
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id: key_id(name, public_key),
            key,
        })
    }

    /// Parses `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        // The name and id hold no '+', but the base64 key may.
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::MalformedKey);
        };
        let id = parse_hex4(id).ok_or(NoteError::MalformedKey)?;
        let verifier = Self::from_public_key(name, &parse_typed_key(key)?)?;
        if verifier.key_id != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(verifier)
    }

    /// The key name (the log's origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key id.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// The raw public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Verifies a note; returns its signed text.
    pub fn verify_note<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let parsed = parse_note(note)?;
        let mut verified = false;
        for sig in &parsed.signatures {
            if sig.name != self.name || sig.key_id != self.key_id {
                continue;
            }
            let bytes = <[u8; 64]>::try_from(sig.signature.as_slice())
                .map_err(|_| NoteError::BadSignature)?;
            self.key
                .verify_strict(parsed.text.as_bytes(), &Signature::from_bytes(&bytes))
                .map_err(|_| NoteError::BadSignature)?;
            verified = true;
        }
        if verified {
            Ok(parsed.text)
        } else {
            Err(NoteError::NoTrustedSignature)
        }
    }

    /// Verifies a checkpoint note and parses its body. The checkpoint's
    /// origin must equal this key's name.
    pub fn verify_checkpoint(&self, note: &str) -> Result<Checkpoint, NoteError> {
        let checkpoint = Checkpoint::parse_text(self.verify_note(note)?)?;
        if checkpoint.origin != self.name {
            return Err(NoteError::OriginMismatch);
        }
        Ok(checkpoint)
    }
}

/// `<name>+<hex key id>+<base64(0x01 ‖ public key)>`, the form served at
/// `/api/v1/audit/key` and pinned by clients.
impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}+{}+{}",
            self.name,
            hex4(self.key_id),
            typed_key(&self.key.to_bytes())
        )
    }
}

/// The log's Ed25519 signing key. Its Debug output shows no secret.
pub struct LogSigner {
    name: String,
    key_id: [u8; 4],
    key: SigningKey,
}

impl fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogSigner")
            .field("key_id", &hex4(self.key_id))
            .finish_non_exhaustive()
    }
}

impl LogSigner {
    /// A signer from its key name and 32-byte Ed25519 seed (the caller draws
    /// the seed from the operating system's random number generator).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::InvalidKeyName);
        }
        let key = SigningKey::from_bytes(seed);
        let key_id = key_id(name, &key.verifying_key().to_bytes());
        Ok(LogSigner {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ seed)>`.
    pub fn parse(skey: &str) -> Result<Self, NoteError> {
        let mut parts = skey.splitn(5, '+');
        let (Some("PRIVATE"), Some("KEY"), Some(name), Some(id), Some(seed)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(NoteError::MalformedKey);
        };
        let id = parse_hex4(id).ok_or(NoteError::MalformedKey)?;
        let signer = Self::from_seed(name, &parse_typed_key(seed)?)?;
        if signer.key_id != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(signer)
    }

    /// The secret key string for the data directory (see [`LogSigner::parse`]).
    /// Treat it like a password: never log it.
    pub fn to_secret_string(&self) -> String {
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex4(self.key_id),
            typed_key(&self.key.to_bytes())
        )
    }

    /// The key name (the log's origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs note text (non-empty, ending in `\n`, no control characters
    /// other than newline); returns the whole note.
    pub fn sign_note(&self, text: &str) -> Result<String, NoteError> {
        if text.is_empty() || !text.ends_with('\n') {
            return Err(NoteError::MalformedText);
        }
        if text.bytes().any(|b| b < 0x20 && b != b'\n') {
            return Err(NoteError::ControlCharacter);
        }
        let sig = self.key.sign(text.as_bytes());
        let mut bytes = Vec::with_capacity(68);
        bytes.extend_from_slice(&self.key_id);
        bytes.extend_from_slice(&sig.to_bytes());
        let note = format!(
            "{text}\n{EM_DASH_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(bytes)
        );
        if note.len() > MAX_NOTE_LEN {
            return Err(NoteError::TooLarge);
        }
        Ok(note)
    }

    /// Signs a checkpoint of this log; its origin must be this key's name.
    pub fn sign_checkpoint(&self, checkpoint: &Checkpoint) -> Result<String, NoteError> {
        if checkpoint.origin != self.name {
            return Err(NoteError::OriginMismatch);
        }
        self.sign_note(&checkpoint.to_text())
    }
}
