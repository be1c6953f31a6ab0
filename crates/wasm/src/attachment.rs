//! Attachments: whole-file encryption and decryption, and the streaming
//! `AttachmentEncryptor` / `AttachmentDecryptor` classes for large files and
//! progress reporting.

use alcove_crypto::AttachmentKey;
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;

use crate::error::{Error, Result};
use crate::value::{from_u64, to_u64, Js, Out};

fn key_from(bytes: &[u8]) -> Result<AttachmentKey> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| Error::invalid("key"))?;
    Ok(AttachmentKey::from_bytes(arr))
}

fn hash_from(bytes: &[u8]) -> Result<[u8; 32]> {
    bytes.try_into().map_err(|_| Error::invalid("hash"))
}

/// What [`encrypt_attachment_plain`] returns.
pub struct EncryptedAttachment {
    /// The fresh 32-byte key.
    pub key: AttachmentKey,
    /// The blob to upload.
    pub blob: Vec<u8>,
    /// SHA-256 of the blob.
    pub hash: [u8; 32],
}

/// Encrypts a whole file under a fresh key.
pub fn encrypt_attachment_plain(plaintext: &[u8]) -> Result<EncryptedAttachment> {
    let (key, blob, hash) = alcove_crypto::encrypt_attachment(plaintext)?;
    Ok(EncryptedAttachment { key, blob, hash })
}

/// Encrypts a whole file under a fresh key: `{ key, blob, hash, size }`
/// (`key` and `hash` are 32 bytes; put them, the uploaded blob's id and
/// `size` into an `attachment` payload).
#[wasm_bindgen(js_name = encryptAttachment, unchecked_return_type = "EncryptedAttachment")]
pub fn encrypt_attachment(plaintext: &[u8]) -> Result<JsValue> {
    let e = encrypt_attachment_plain(plaintext)?;
    Ok(Js::object()
        .with("key", Js::bytes(e.key.as_bytes()))
        .with("blob", Js::bytes(&e.blob))
        .with("hash", Js::bytes(&e.hash))
        .with("size", Js::number(from_u64(plaintext.len() as u64)))
        .0)
}

/// Checks the blob's SHA-256 against `hash` and decrypts it. Any mismatch,
/// tampering or truncation throws (`tampered`, `truncated`) and returns no
/// plaintext.
#[wasm_bindgen(js_name = decryptAttachment)]
pub fn decrypt_attachment(key: &[u8], blob: &[u8], hash: &[u8]) -> Result<Vec<u8>> {
    Ok(alcove_crypto::verify_and_decrypt_attachment(
        &key_from(key)?,
        &hash_from(hash)?,
        blob,
    )?)
}

/// The size of the blob that encrypting `plaintextLength` bytes produces.
#[wasm_bindgen(js_name = encryptedSize)]
pub fn encrypted_size(plaintext_length: f64) -> Result<f64> {
    let n = to_u64(plaintext_length).ok_or(Error::invalid("plaintextLength"))?;
    Ok(from_u64(alcove_crypto::encrypted_size(n)))
}

fn finished() -> Error {
    Error::invalid("stream already finished")
}

/// Streaming encryption: `update(chunk)` returns the ciphertext ready so far
/// (upload it as it comes), `finish()` the rest; then `hash` is the blob's
/// SHA-256. Pieces may have any size.
#[wasm_bindgen]
pub struct AttachmentEncryptor {
    inner: Option<alcove_crypto::AttachmentEncryptor>,
    key: AttachmentKey,
    hash: Option<[u8; 32]>,
    bytes_in: u64,
    bytes_out: u64,
}

#[wasm_bindgen]
impl AttachmentEncryptor {
    /// Starts a blob under `key` (32 bytes), or under a fresh key when it is
    /// omitted (read it back from `key`).
    #[wasm_bindgen(constructor)]
    pub fn new(key: Option<Vec<u8>>) -> Result<AttachmentEncryptor> {
        let key = match key {
            Some(k) => key_from(&k)?,
            None => AttachmentKey::generate(),
        };
        Ok(AttachmentEncryptor {
            inner: Some(alcove_crypto::AttachmentEncryptor::new(&key)?),
            key,
            hash: None,
            bytes_in: 0,
            bytes_out: 0,
        })
    }

    /// The attachment key (32 bytes).
    #[wasm_bindgen(getter)]
    pub fn key(&self) -> Vec<u8> {
        self.key.as_bytes().to_vec()
    }

    /// Encrypts a piece of plaintext; returns the ciphertext ready so far
    /// (the last up to 64 KiB are held back until more input or `finish`).
    pub fn update(&mut self, plaintext: &[u8]) -> Result<Vec<u8>> {
        let enc = self.inner.as_mut().ok_or_else(finished)?;
        let mut out = Vec::with_capacity(plaintext.len() + 64);
        enc.update(plaintext, &mut out)?;
        self.bytes_in += plaintext.len() as u64;
        self.bytes_out += out.len() as u64;
        Ok(out)
    }

    /// Encrypts the final chunk and returns the remaining ciphertext.
    pub fn finish(&mut self) -> Result<Vec<u8>> {
        let enc = self.inner.take().ok_or_else(finished)?;
        let mut out = Vec::new();
        self.hash = Some(enc.finish(&mut out)?);
        self.bytes_out += out.len() as u64;
        Ok(out)
    }

    /// SHA-256 of the whole blob, once `finish` returned.
    #[wasm_bindgen(getter)]
    pub fn hash(&self) -> Option<Vec<u8>> {
        self.hash.map(|h| h.to_vec())
    }

    /// Plaintext bytes consumed so far.
    #[wasm_bindgen(getter, js_name = bytesIn)]
    pub fn bytes_in(&self) -> f64 {
        from_u64(self.bytes_in)
    }

    /// Ciphertext bytes returned so far.
    #[wasm_bindgen(getter, js_name = bytesOut)]
    pub fn bytes_out(&self) -> f64 {
        from_u64(self.bytes_out)
    }
}

/// Streaming decryption: `update(piece)` returns plaintext chunk by chunk,
/// `finish()` the last chunk. Plaintext is trustworthy only once `finish`
/// returned without throwing: do not show, open or save it under its final
/// name before. With `hash`, `finish` also checks the blob's SHA-256.
#[wasm_bindgen]
pub struct AttachmentDecryptor {
    inner: Option<alcove_crypto::AttachmentDecryptor>,
    expected: Option<[u8; 32]>,
    hasher: Sha256,
    bytes_in: u64,
    bytes_out: u64,
}

#[wasm_bindgen]
impl AttachmentDecryptor {
    /// Starts decrypting a blob under `key`; `hash` (32 bytes, optional) is
    /// the blob's SHA-256 from the attachment payload.
    #[wasm_bindgen(constructor)]
    pub fn new(key: &[u8], hash: Option<Vec<u8>>) -> Result<AttachmentDecryptor> {
        let key = key_from(key)?;
        let expected = hash.as_deref().map(hash_from).transpose()?;
        Ok(AttachmentDecryptor {
            inner: Some(alcove_crypto::AttachmentDecryptor::new(&key)),
            expected,
            hasher: Sha256::new(),
            bytes_in: 0,
            bytes_out: 0,
        })
    }

    /// Decrypts what can be decrypted of a piece of the blob.
    pub fn update(&mut self, blob_piece: &[u8]) -> Result<Vec<u8>> {
        let dec = self.inner.as_mut().ok_or_else(finished)?;
        let mut out = Vec::with_capacity(blob_piece.len());
        let result = dec.update(blob_piece, &mut out);
        if let Err(e) = result {
            // A failed stream stays failed.
            self.inner = None;
            return Err(e.into());
        }
        self.hasher.update(blob_piece);
        self.bytes_in += blob_piece.len() as u64;
        self.bytes_out += out.len() as u64;
        Ok(out)
    }

    /// Authenticates the end of the stream (and the hash, if given) and
    /// returns the last plaintext.
    pub fn finish(&mut self) -> Result<Vec<u8>> {
        let dec = self.inner.take().ok_or_else(finished)?;
        if let Some(expected) = self.expected {
            let actual: [u8; 32] = self.hasher.clone().finalize().into();
            if actual != expected {
                return Err(Error {
                    code: "tampered",
                    message: "message failed authentication (attachment hash mismatch)".into(),
                });
            }
        }
        let mut out = Vec::new();
        dec.finish(&mut out)?;
        self.bytes_out += out.len() as u64;
        Ok(out)
    }

    /// Blob bytes consumed so far.
    #[wasm_bindgen(getter, js_name = bytesIn)]
    pub fn bytes_in(&self) -> f64 {
        from_u64(self.bytes_in)
    }

    /// Plaintext bytes returned so far.
    #[wasm_bindgen(getter, js_name = bytesOut)]
    pub fn bytes_out(&self) -> f64 {
        from_u64(self.bytes_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn streaming_matches_whole_file_and_checks_the_hash() {
        for n in [0usize, 1, 65_535, 65_536, 65_537, 200_000] {
            let plain = sample(n);
            let mut enc = AttachmentEncryptor::new(None).expect("encryptor");
            let mut blob = Vec::new();
            for piece in plain.chunks(10_000) {
                blob.extend(enc.update(piece).expect("update"));
            }
            assert!(enc.hash().is_none());
            blob.extend(enc.finish().expect("finish"));
            let hash = enc.hash().expect("hash after finish");
            assert_eq!(blob.len() as f64, encrypted_size(n as f64).expect("size"));
            assert_eq!(enc.bytes_in(), n as f64);
            assert_eq!(enc.bytes_out(), blob.len() as f64);
            assert_eq!(enc.finish().map_err(|e| e.code), Err("invalid_input"));

            let key = enc.key();
            assert_eq!(
                decrypt_attachment(&key, &blob, &hash).expect("decrypt"),
                plain
            );
            let mut dec = AttachmentDecryptor::new(&key, Some(hash.clone())).expect("decryptor");
            let mut out = Vec::new();
            for piece in blob.chunks(7_777) {
                out.extend(dec.update(piece).expect("update"));
            }
            out.extend(dec.finish().expect("finish"));
            assert_eq!(out, plain);
        }
    }

    #[test]
    fn tampering_and_wrong_hashes_are_refused() {
        let e = encrypt_attachment_plain(&sample(100_000)).expect("encrypt");
        let key = e.key.as_bytes().to_vec();
        let mut bad = e.blob.clone();
        bad[40] ^= 1;
        let flipped_hash: [u8; 32] = Sha256::digest(&bad).into();
        assert_eq!(
            decrypt_attachment(&key, &bad, &flipped_hash).map_err(|e| e.code),
            Err("tampered")
        );
        assert_eq!(
            decrypt_attachment(&key, &e.blob, &[0; 32]).map_err(|e| e.code),
            Err("tampered")
        );
        assert_eq!(
            decrypt_attachment(&key[..31], &e.blob, &e.hash).map_err(|e| e.code),
            Err("invalid_input")
        );
        let cut = &e.blob[..e.blob.len() - 100];
        let cut_hash: [u8; 32] = Sha256::digest(cut).into();
        assert_eq!(
            decrypt_attachment(&key, cut, &cut_hash).map_err(|e| e.code),
            Err("tampered")
        );

        let mut dec = AttachmentDecryptor::new(&key, Some(vec![0; 32])).expect("decryptor");
        dec.update(&e.blob).expect("update");
        assert_eq!(dec.finish().map_err(|e| e.code), Err("tampered"));
    }
}
