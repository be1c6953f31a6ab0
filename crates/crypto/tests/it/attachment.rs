//! Attachment encryption: sizes, streaming, and every kind of tampering.

use alcove_crypto::{
    decrypt_attachment, encrypt_attachment, encrypted_size, verify_and_decrypt_attachment,
    AttachmentDecryptor, AttachmentEncryptor, AttachmentKey, ErrorKind, CHUNK_SIZE, HEADER_SIZE,
};

const ENC_CHUNK: usize = CHUNK_SIZE + 16;

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 7) as u8).collect()
}

fn check_roundtrip(len: usize) {
    let plain = data(len);
    let (key, blob, sha) = encrypt_attachment(&plain).expect("encrypt");
    assert_eq!(blob.len() as u64, encrypted_size(len as u64), "size {len}");
    assert_eq!(
        verify_and_decrypt_attachment(&key, &sha, &blob).expect("decrypt"),
        plain,
        "size {len}"
    );
    // Streaming in awkward pieces gives the same plaintext.
    for piece in [1usize, 7, 1000, CHUNK_SIZE, CHUNK_SIZE + 3] {
        if len > 200_000 && piece < 1000 {
            continue;
        }
        let mut dec = AttachmentDecryptor::new(&key);
        let mut out = Vec::new();
        for part in blob.chunks(piece) {
            dec.update(part, &mut out).expect("update");
        }
        dec.finish(&mut out).expect("finish");
        assert_eq!(out, plain, "size {len} piece {piece}");

        let mut enc = AttachmentEncryptor::new(&key).expect("encryptor");
        let mut blob2 = Vec::new();
        for part in plain.chunks(piece) {
            enc.update(part, &mut blob2).expect("update");
        }
        let sha2 = enc.finish(&mut blob2).expect("finish");
        assert_eq!(blob2.len(), blob.len());
        assert_eq!(
            verify_and_decrypt_attachment(&key, &sha2, &blob2).expect("decrypt"),
            plain
        );
    }
}

#[test]
fn sizes_round_trip() {
    for len in [
        0,
        1,
        CHUNK_SIZE - 1,
        CHUNK_SIZE,
        CHUNK_SIZE + 1,
        2 * CHUNK_SIZE,
        10 * 1024 * 1024,
    ] {
        check_roundtrip(len);
    }
}

fn check_rejected(key: &AttachmentKey, blob: &[u8], expected: ErrorKind, what: &str) {
    assert_eq!(
        decrypt_attachment(key, blob).map_err(|e| e.kind()),
        Err(expected),
        "{what}"
    );
}

#[test]
fn tampering_is_rejected() {
    let plain = data(3 * CHUNK_SIZE + 100);
    let (key, blob, sha) = encrypt_attachment(&plain).expect("encrypt");
    let c0 = HEADER_SIZE;
    let chunk = |i: usize| &blob[c0 + i * ENC_CHUNK..(c0 + (i + 1) * ENC_CHUNK).min(blob.len())];

    // Truncation: mid-chunk, at a chunk boundary (the final chunk dropped),
    // inside the header, and nothing at all.
    check_rejected(
        &key,
        &blob[..blob.len() - 1],
        ErrorKind::Tampered,
        "cut last byte",
    );
    check_rejected(
        &key,
        &blob[..c0 + 3 * ENC_CHUNK],
        ErrorKind::Truncated,
        "final chunk dropped",
    );
    check_rejected(
        &key,
        &blob[..c0 + ENC_CHUNK],
        ErrorKind::Truncated,
        "cut after chunk 0",
    );
    check_rejected(
        &key,
        &blob[..c0 + 10],
        ErrorKind::Truncated,
        "cut in chunk 0 tag",
    );
    check_rejected(&key, &blob[..c0], ErrorKind::Truncated, "header only");
    check_rejected(&key, &blob[..5], ErrorKind::Truncated, "partial header");
    check_rejected(&key, &[], ErrorKind::Truncated, "empty");

    // Reordering chunks 0 and 1.
    let mut swapped = blob[..c0].to_vec();
    swapped.extend_from_slice(chunk(1));
    swapped.extend_from_slice(chunk(0));
    swapped.extend_from_slice(&blob[c0 + 2 * ENC_CHUNK..]);
    check_rejected(&key, &swapped, ErrorKind::Tampered, "chunks swapped");

    // Dropping a middle chunk.
    let mut dropped = blob[..c0 + ENC_CHUNK].to_vec();
    dropped.extend_from_slice(&blob[c0 + 2 * ENC_CHUNK..]);
    check_rejected(&key, &dropped, ErrorKind::Tampered, "middle chunk dropped");

    // A flipped bit anywhere after the version byte.
    for pos in [
        1,
        16,
        c0,
        c0 + 5,
        c0 + ENC_CHUNK - 1,
        c0 + 2 * ENC_CHUNK + 77,
        blob.len() - 1,
    ] {
        let mut bad = blob.clone();
        bad[pos] ^= 0x04;
        check_rejected(&key, &bad, ErrorKind::Tampered, "flipped bit");
        assert_eq!(
            verify_and_decrypt_attachment(&key, &sha, &bad).map_err(|e| e.kind()),
            Err(ErrorKind::Tampered)
        );
    }
    let mut bad = blob.clone();
    bad[0] = 2;
    check_rejected(&key, &bad, ErrorKind::UnsupportedVersion, "version byte");

    // A wrong key.
    check_rejected(
        &AttachmentKey::generate(),
        &blob,
        ErrorKind::Tampered,
        "wrong key",
    );

    // Appending a chunk after the final one.
    let mut extended = blob.clone();
    extended.extend_from_slice(chunk(0));
    check_rejected(&key, &extended, ErrorKind::Tampered, "chunk after final");
}

#[test]
fn empty_file_rules() {
    let (key, blob, _) = encrypt_attachment(&[]).expect("encrypt");
    assert_eq!(blob.len(), HEADER_SIZE + 16);
    // An empty final chunk after a full one is not something the encryptor
    // makes; splice one in from another blob with the same key and header.
    let (key2, one_chunk, _) = encrypt_attachment(&data(CHUNK_SIZE)).expect("encrypt");
    let mut spliced = one_chunk.clone();
    spliced.extend_from_slice(&blob[HEADER_SIZE..]);
    check_rejected(&key2, &spliced, ErrorKind::Tampered, "empty final chunk");
    assert_eq!(
        decrypt_attachment(&key, &blob).expect("decrypt"),
        Vec::<u8>::new()
    );
}

#[test]
fn keys_are_fresh_and_hidden() {
    let (k1, b1, _) = encrypt_attachment(b"same").expect("encrypt");
    let (k2, b2, _) = encrypt_attachment(b"same").expect("encrypt");
    assert_ne!(k1, k2);
    assert_ne!(b1, b2);
    assert_eq!(format!("{k1:?}"), "AttachmentKey(..)");
}
