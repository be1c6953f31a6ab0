//! Attachment encryption: a fresh random key per file and a chunked AEAD in
//! the STREAM construction (as in age), with a simple and a streaming API.
//!
//! # Format (version 1)
//!
//! ```text
//! blob   = version:u8 (= 1) ‖ nonce[16] ‖ chunk_0 ‖ … ‖ chunk_n
//! chunk  = ChaCha20-Poly1305(payload_key, nonce_i, plaintext_i)  (plaintext ≤ 64 KiB, + 16-byte tag)
//! payload_key = HKDF-SHA256(salt = nonce, ikm = attachment key, info = "alcove attachment v1")
//! nonce_i = i as 11-byte big-endian ‖ last (0x01 for the final chunk, else 0x00)
//! ```
//!
//! Every chunk but the last holds exactly 64 KiB of plaintext; the last holds
//! 1 to 64 KiB, or 0 bytes only when it is the only chunk (an empty file).
//! Binding the index and the final-chunk flag into each nonce makes
//! reordering, truncation at a chunk boundary and a dropped final chunk fail
//! authentication. The random header nonce gives every file its own payload
//! key even if an attachment key were reused.
//!
//! The key, the SHA-256 of the whole blob and the plaintext size travel inside
//! an MLS message ([`crate::AttachmentRef`]); the server stores only the blob.
//!
//! A streaming decryptor releases plaintext chunk by chunk, before the end of
//! the stream is authenticated: a consumer must not act on it (show, open,
//! save under its final name) until [`AttachmentDecryptor::finish`] succeeds.

use std::fmt;

use hkdf::Hkdf;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{err, ErrorKind, Result};

/// Plaintext bytes per chunk (64 KiB).
pub const CHUNK_SIZE: usize = 64 * 1024;
const TAG_SIZE: usize = 16;
const ENCRYPTED_CHUNK_SIZE: usize = CHUNK_SIZE + TAG_SIZE;
const FORMAT_VERSION: u8 = 1;
const NONCE_SIZE: usize = 16;
/// Bytes before the first chunk: the version byte and the header nonce.
pub const HEADER_SIZE: usize = 1 + NONCE_SIZE;
const KDF_INFO: &[u8] = b"alcove attachment v1";

/// A 32-byte attachment key; wiped from memory when dropped, never printed.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct AttachmentKey([u8; 32]);

impl AttachmentKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        AttachmentKey(k)
    }

    /// Wraps key bytes received in an [`crate::AttachmentRef`].
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        AttachmentKey(bytes)
    }

    /// The key bytes (to put into an [`crate::AttachmentRef`]).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for AttachmentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AttachmentKey(..)")
    }
}

/// The size of the blob that encrypting `plaintext_len` bytes produces.
pub fn encrypted_size(plaintext_len: u64) -> u64 {
    let chunks = plaintext_len.div_ceil(CHUNK_SIZE as u64).max(1);
    HEADER_SIZE as u64 + plaintext_len + chunks * TAG_SIZE as u64
}

/// ChaCha20-Poly1305 for the chunks. Native builds use ring's (assembly, with AVX2/AVX-512
/// where the CPU has them); the browser build, where ring does not compile without a C
/// toolchain for wasm32, uses RustCrypto's. Both implement RFC 8439 and interoperate; the tests
/// cross-check them on native builds.
mod chunk_aead {
    use super::{err, ErrorKind, Result, TAG_SIZE};

    #[cfg(not(target_arch = "wasm32"))]
    pub(super) struct ChunkCipher(ring::aead::LessSafeKey);

    #[cfg(not(target_arch = "wasm32"))]
    impl ChunkCipher {
        pub(super) fn new(key: &[u8; 32]) -> Result<Self> {
            let unbound = ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, key)
                .map_err(|_| err(ErrorKind::Internal, "attachment cipher"))?;
            Ok(ChunkCipher(ring::aead::LessSafeKey::new(unbound)))
        }

        /// Encrypts `buf` in place and returns the tag.
        pub(super) fn seal(&self, nonce: [u8; 12], buf: &mut [u8]) -> Result<[u8; TAG_SIZE]> {
            let tag = self
                .0
                .seal_in_place_separate_tag(
                    ring::aead::Nonce::assume_unique_for_key(nonce),
                    ring::aead::Aad::empty(),
                    buf,
                )
                .map_err(|_| err(ErrorKind::Internal, "attachment chunk encryption"))?;
            let mut out = [0u8; TAG_SIZE];
            out.copy_from_slice(tag.as_ref());
            Ok(out)
        }

        /// Decrypts `buf` in place if `tag` authenticates it; `false` (and `buf` in an
        /// unspecified state) otherwise.
        pub(super) fn open(&self, nonce: [u8; 12], buf: &mut [u8], tag: &[u8]) -> bool {
            let Ok(tag) = <[u8; TAG_SIZE]>::try_from(tag) else {
                return false;
            };
            self.0
                .open_in_place_separate_tag(
                    ring::aead::Nonce::assume_unique_for_key(nonce),
                    ring::aead::Aad::empty(),
                    ring::aead::Tag::from(tag),
                    buf,
                    0..,
                )
                .is_ok()
        }
    }

    #[cfg(target_arch = "wasm32")]
    pub(super) struct ChunkCipher(chacha20poly1305::ChaCha20Poly1305);

    #[cfg(target_arch = "wasm32")]
    impl ChunkCipher {
        pub(super) fn new(key: &[u8; 32]) -> Result<Self> {
            use chacha20poly1305::aead::KeyInit;
            Ok(ChunkCipher(chacha20poly1305::ChaCha20Poly1305::new(
                chacha20poly1305::Key::from_slice(key),
            )))
        }

        pub(super) fn seal(&self, nonce: [u8; 12], buf: &mut [u8]) -> Result<[u8; TAG_SIZE]> {
            use chacha20poly1305::aead::AeadInPlace;
            let tag = self
                .0
                .encrypt_in_place_detached(chacha20poly1305::Nonce::from_slice(&nonce), &[], buf)
                .map_err(|_| err(ErrorKind::Internal, "attachment chunk encryption"))?;
            Ok(tag.into())
        }

        pub(super) fn open(&self, nonce: [u8; 12], buf: &mut [u8], tag: &[u8]) -> bool {
            use chacha20poly1305::aead::AeadInPlace;
            if tag.len() != TAG_SIZE {
                return false;
            }
            self.0
                .decrypt_in_place_detached(
                    chacha20poly1305::Nonce::from_slice(&nonce),
                    &[],
                    buf,
                    chacha20poly1305::Tag::from_slice(tag),
                )
                .is_ok()
        }
    }
}

use chunk_aead::ChunkCipher;

fn payload_cipher(key: &AttachmentKey, nonce: &[u8]) -> Result<ChunkCipher> {
    let hk = Hkdf::<Sha256>::new(Some(nonce), key.as_bytes());
    let mut k = [0u8; 32];
    hk.expand(KDF_INFO, &mut k)
        .map_err(|_| err(ErrorKind::Internal, "attachment key derivation"))?;
    let cipher = ChunkCipher::new(&k);
    k.zeroize();
    cipher
}

fn chunk_nonce(counter: u64, last: bool) -> [u8; 12] {
    let mut n = [0u8; 12];
    // Bytes 0..3 of the 11-byte counter stay zero: a u64 counter never reaches them.
    n[3..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    n
}

/// Encrypts a whole attachment with a fresh key. Returns the key, the blob
/// and the SHA-256 of the blob.
pub fn encrypt_attachment(plaintext: &[u8]) -> Result<(AttachmentKey, Vec<u8>, [u8; 32])> {
    let key = AttachmentKey::generate();
    let mut enc = AttachmentEncryptor::new(&key)?;
    let mut out = Vec::with_capacity(encrypted_size(plaintext.len() as u64) as usize);
    enc.update(plaintext, &mut out)?;
    let sha = enc.finish(&mut out)?;
    Ok((key, out, sha))
}

/// Decrypts a whole blob. Any tampering, truncation, reordering or a wrong
/// key is an error, and no plaintext is returned then.
pub fn decrypt_attachment(key: &AttachmentKey, blob: &[u8]) -> Result<Vec<u8>> {
    let mut dec = AttachmentDecryptor::new(key);
    let mut out = Vec::with_capacity(blob.len());
    let result = dec
        .update(blob, &mut out)
        .and_then(|()| dec.finish(&mut out));
    match result {
        Ok(()) => Ok(out),
        Err(e) => {
            // Plaintext of chunks before the failure is wiped, not returned.
            out.zeroize();
            Err(e)
        }
    }
}

/// Checks a blob against the SHA-256 from its [`crate::AttachmentRef`] and
/// decrypts it.
pub fn verify_and_decrypt_attachment(
    key: &AttachmentKey,
    sha256: &[u8; 32],
    blob: &[u8],
) -> Result<Vec<u8>> {
    let actual: [u8; 32] = Sha256::digest(blob).into();
    if &actual != sha256 {
        return Err(err(ErrorKind::Tampered, "attachment hash mismatch"));
    }
    decrypt_attachment(key, blob)
}

/// Streaming encryption: feed plaintext with [`update`](Self::update) in
/// pieces of any size, then call [`finish`](Self::finish).
pub struct AttachmentEncryptor {
    cipher: ChunkCipher,
    header: Option<[u8; HEADER_SIZE]>,
    counter: u64,
    pending: Vec<u8>,
    hasher: Sha256,
}

impl AttachmentEncryptor {
    /// Starts a blob under `key` with a fresh random header nonce.
    pub fn new(key: &AttachmentKey) -> Result<Self> {
        let mut header = [0u8; HEADER_SIZE];
        header[0] = FORMAT_VERSION;
        OsRng.fill_bytes(&mut header[1..]);
        Ok(AttachmentEncryptor {
            cipher: payload_cipher(key, &header[1..])?,
            header: Some(header),
            counter: 0,
            pending: Vec::with_capacity(CHUNK_SIZE),
            hasher: Sha256::new(),
        })
    }

    fn write_header(&mut self, out: &mut Vec<u8>) {
        if let Some(h) = self.header.take() {
            out.extend_from_slice(&h);
            self.hasher.update(h);
        }
    }

    fn seal_chunk(&mut self, plain: &[u8], last: bool, out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        out.extend_from_slice(plain);
        let nonce = chunk_nonce(self.counter, last);
        let tag = self.cipher.seal(nonce, &mut out[start..])?;
        out.extend_from_slice(&tag);
        self.hasher.update(&out[start..]);
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| err(ErrorKind::InvalidInput, "attachment too large"))?;
        Ok(())
    }

    /// Encrypts what can be encrypted of `input` and appends it to `out`.
    /// The last up to 64 KiB are held back until more input or `finish`.
    pub fn update(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.write_header(out);
        if !self.pending.is_empty() {
            let take = (CHUNK_SIZE - self.pending.len()).min(input.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if input.is_empty() {
                return Ok(());
            }
            let chunk = std::mem::take(&mut self.pending);
            self.seal_chunk(&chunk, false, out)?;
            self.pending = chunk;
            self.pending.clear();
        }
        while input.len() > CHUNK_SIZE {
            self.seal_chunk(&input[..CHUNK_SIZE], false, out)?;
            input = &input[CHUNK_SIZE..];
        }
        self.pending.extend_from_slice(input);
        Ok(())
    }

    /// Encrypts the final chunk, appends it to `out` and returns the SHA-256
    /// of the whole blob.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<[u8; 32]> {
        self.write_header(out);
        let chunk = std::mem::take(&mut self.pending);
        self.seal_chunk(&chunk, true, out)?;
        Ok(self.hasher.finalize().into())
    }
}

/// Streaming decryption: feed the blob with [`update`](Self::update) in
/// pieces of any size, then call [`finish`](Self::finish). Plaintext that
/// `update` released is trustworthy only once `finish` returned `Ok`.
pub struct AttachmentDecryptor {
    key: AttachmentKey,
    cipher: Option<ChunkCipher>,
    header: Vec<u8>,
    counter: u64,
    pending: Vec<u8>,
    failed: bool,
}

impl AttachmentDecryptor {
    /// Starts decrypting a blob under `key`.
    pub fn new(key: &AttachmentKey) -> Self {
        AttachmentDecryptor {
            key: key.clone(),
            cipher: None,
            header: Vec::with_capacity(HEADER_SIZE),
            counter: 0,
            pending: Vec::with_capacity(ENCRYPTED_CHUNK_SIZE),
            failed: false,
        }
    }

    fn open_chunk(&mut self, chunk: &[u8], last: bool, out: &mut Vec<u8>) -> Result<()> {
        let cipher = self
            .cipher
            .as_ref()
            .ok_or_else(|| err(ErrorKind::Internal, "attachment cipher missing"))?;
        let (body, tag) = chunk
            .split_at_checked(chunk.len().saturating_sub(TAG_SIZE))
            .ok_or_else(|| err(ErrorKind::Truncated, "attachment chunk too short"))?;
        if tag.len() != TAG_SIZE {
            return Err(err(ErrorKind::Truncated, "attachment chunk too short"));
        }
        let start = out.len();
        out.extend_from_slice(body);
        let nonce = chunk_nonce(self.counter, last);
        if !cipher.open(nonce, &mut out[start..], tag) {
            // Wipe what the failed attempt left, then drop it.
            out[start..].zeroize();
            out.truncate(start);
            return Err(err(ErrorKind::Tampered, "attachment chunk authentication"));
        }
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| err(ErrorKind::Tampered, "attachment too large"))?;
        Ok(())
    }

    fn guard<T>(&mut self, r: Result<T>) -> Result<T> {
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    /// Decrypts every complete non-final chunk of `input` (with what was held
    /// back before) and appends the plaintext to `out`.
    pub fn update(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<()> {
        if self.failed {
            return Err(err(
                ErrorKind::Tampered,
                "attachment decryptor already failed",
            ));
        }
        if self.cipher.is_none() {
            let take = (HEADER_SIZE - self.header.len()).min(input.len());
            self.header.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.header.len() < HEADER_SIZE {
                return Ok(());
            }
            if self.header[0] != FORMAT_VERSION {
                self.failed = true;
                return Err(err(ErrorKind::UnsupportedVersion, "attachment format"));
            }
            let cipher = payload_cipher(&self.key, &self.header[1..]);
            self.cipher = Some(self.guard(cipher)?);
        }
        if !self.pending.is_empty() {
            let take = (ENCRYPTED_CHUNK_SIZE - self.pending.len()).min(input.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if input.is_empty() {
                return Ok(());
            }
            let chunk = std::mem::take(&mut self.pending);
            let r = self.open_chunk(&chunk, false, out);
            self.guard(r)?;
            self.pending = chunk;
            self.pending.clear();
        }
        while input.len() > ENCRYPTED_CHUNK_SIZE {
            let r = self.open_chunk(&input[..ENCRYPTED_CHUNK_SIZE], false, out);
            self.guard(r)?;
            input = &input[ENCRYPTED_CHUNK_SIZE..];
        }
        self.pending.extend_from_slice(input);
        Ok(())
    }

    /// Authenticates the final chunk and appends its plaintext to `out`.
    /// A stream that ends without a final chunk is [`ErrorKind::Truncated`];
    /// any other failure is [`ErrorKind::Tampered`].
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<()> {
        if self.failed {
            return Err(err(
                ErrorKind::Tampered,
                "attachment decryptor already failed",
            ));
        }
        if self.cipher.is_none() {
            return Err(err(ErrorKind::Truncated, "attachment header incomplete"));
        }
        let chunk = std::mem::take(&mut self.pending);
        if chunk.len() < TAG_SIZE {
            return Err(err(ErrorKind::Truncated, "attachment final chunk missing"));
        }
        if chunk.len() == TAG_SIZE && self.counter > 0 {
            // Only an empty file has an empty final chunk.
            return Err(err(ErrorKind::Tampered, "attachment empty final chunk"));
        }
        match self.open_chunk(&chunk, true, out) {
            Ok(()) => Ok(()),
            Err(e) => {
                // If the held-back chunk authenticates as a non-final chunk,
                // the stream was cut at a chunk boundary.
                let mut scratch = Vec::with_capacity(chunk.len());
                if chunk.len() == ENCRYPTED_CHUNK_SIZE
                    && self.open_chunk(&chunk, false, &mut scratch).is_ok()
                {
                    scratch.zeroize();
                    Err(err(ErrorKind::Truncated, "attachment final chunk missing"))
                } else {
                    Err(e)
                }
            }
        }
    }
}

/// The native build's ring cipher and RustCrypto's (the browser build's) must agree byte for
/// byte, or a file sent from one could not be opened on the other.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod cross_check {
    use super::chunk_aead::ChunkCipher;
    use chacha20poly1305::aead::{AeadInPlace, KeyInit};
    use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};

    #[test]
    fn ring_and_rustcrypto_agree() {
        let key = [7u8; 32];
        let ring = ChunkCipher::new(&key).expect("key");
        let rust = ChaCha20Poly1305::new(Key::from_slice(&key));
        for (len, counter, last) in [
            (0usize, 0u64, true),
            (1, 3, false),
            (65_536, 9, true),
            (1000, u64::MAX, false),
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let nonce = super::chunk_nonce(counter, last);

            let mut a = plain.clone();
            let tag_a = ring.seal(nonce, &mut a).expect("seal");
            let mut b = plain.clone();
            let tag_b = rust
                .encrypt_in_place_detached(Nonce::from_slice(&nonce), &[], &mut b)
                .expect("seal");
            assert_eq!(a, b, "ciphertext of {len} bytes");
            assert_eq!(&tag_a[..], &tag_b[..], "tag of {len} bytes");

            assert!(ring.open(nonce, &mut b, &tag_b));
            assert_eq!(b, plain);
            rust.decrypt_in_place_detached(
                Nonce::from_slice(&nonce),
                &[],
                &mut a,
                Tag::from_slice(&tag_a),
            )
            .expect("RustCrypto opens ring's chunk");
            assert_eq!(a, plain);

            // A flipped tag bit or the other final-chunk flag fails.
            let mut c = plain.clone();
            let mut tag = ring.seal(nonce, &mut c).expect("seal");
            tag[0] ^= 1;
            assert!(!ring.open(nonce, &mut c.clone(), &tag));
            tag[0] ^= 1;
            assert!(!ring.open(super::chunk_nonce(counter, !last), &mut c, &tag));
        }
    }
}
