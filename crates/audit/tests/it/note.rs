//! Signed notes and checkpoints: an interoperability vector, round trips,
//! and every `fail_*` case.

use alcove_audit::{
    leaf_hash, parse_note, Checkpoint, CheckpointError, LogSigner, NoteError, NoteVerifier,
    MAX_SIGNATURES,
};

use crate::support::{other_signer, signer, ORIGIN};

// The example key and note published in the documentation of Go's
// golang.org/x/mod/sumdb/note package: an independent implementation.
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {e:?}"),
    }
}

#[test]
fn go_reference_note_signs_and_verifies_byte_for_byte() {
    let signer = ok(LogSigner::parse(GO_SKEY));
    assert_eq!(signer.to_secret_string(), GO_SKEY);
    assert_eq!(signer.verifier().to_string(), GO_VKEY);
    assert_eq!(ok(signer.sign_note(GO_TEXT)), GO_NOTE);
    let verifier = ok(NoteVerifier::parse(GO_VKEY));
    assert_eq!(verifier.verify_note(GO_NOTE), Ok(GO_TEXT));
    assert_eq!(
        verifier.verify_note(&GO_NOTE.replace("cryptography", "cryptographY")),
        Err(NoteError::BadSignature)
    );
}

fn sample_note() -> (String, Checkpoint) {
    let cp = Checkpoint {
        origin: ORIGIN.to_owned(),
        size: 42,
        root: leaf_hash(b"root"),
    };
    (ok(signer().sign_checkpoint(&cp)), cp)
}

#[test]
fn checkpoint_round_trip() {
    let (note, cp) = sample_note();
    let verifier = signer().verifier();
    assert_eq!(verifier.verify_checkpoint(&note), Ok(cp.clone()));
    // Through the published key string, as a client pins it.
    let pinned = ok(NoteVerifier::parse(&verifier.to_string()));
    assert_eq!(pinned, verifier);
    assert_eq!(pinned.verify_checkpoint(&note), Ok(cp));
    // Through the stored secret string, as the server reloads it.
    let reloaded = ok(LogSigner::parse(&signer().to_secret_string()));
    assert_eq!(reloaded.verifier(), verifier);
    // Signing is deterministic (Ed25519).
    let (again, _) = sample_note();
    assert_eq!(again, note);
}

#[test]
fn unknown_signatures_are_ignored() {
    let (note, cp) = sample_note();
    // A witness cosignature from another key is appended.
    let witness = ok(LogSigner::from_seed("witness.example", &[9; 32]));
    let witness_note = ok(witness.sign_note(&cp.to_text()));
    let Some((_, witness_line)) = witness_note.rsplit_once("\n\n") else {
        panic!("no separator")
    };
    let both = format!("{note}{witness_line}");
    assert_eq!(ok(parse_note(&both)).signatures.len(), 2);
    assert_eq!(signer().verifier().verify_checkpoint(&both), Ok(cp.clone()));
    // And before ours, too.
    let (text, sigs) = match note.rsplit_once("\n\n") {
        Some(parts) => parts,
        None => panic!("no separator"),
    };
    let reordered = format!("{text}\n\n{witness_line}{sigs}");
    assert_eq!(signer().verifier().verify_checkpoint(&reordered), Ok(cp));
}

fn check_fail(note: &str, expected: NoteError) {
    assert_eq!(
        signer().verifier().verify_checkpoint(note),
        Err(expected),
        "{note:?}"
    );
}

#[test]
fn fail_wrong_key() {
    let (_, cp) = sample_note();
    check_fail(
        &ok(other_signer().sign_checkpoint(&cp)),
        NoteError::NoTrustedSignature,
    );
}

#[test]
fn fail_bad_signature() {
    let (note, _) = sample_note();
    check_fail(&note.replace("\n42\n", "\n43\n"), NoteError::BadSignature);
    // Same key id and name, signature bytes altered.
    let Some(pos) = note.rfind(' ') else {
        panic!("no signature")
    };
    let mut sig: Vec<char> = note[pos + 1..].chars().collect();
    sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
    let altered = format!("{}{}", &note[..=pos], sig.into_iter().collect::<String>());
    check_fail(&altered, NoteError::BadSignature);
}

#[test]
fn fail_wrong_length_signature_by_known_key() {
    use base64::Engine as _;
    let v = signer().verifier();
    let mut blob = v.key_id().to_vec();
    blob.extend_from_slice(&[0u8; 63]);
    let (note, _) = sample_note();
    let Some((text, _)) = note.rsplit_once("\n\n") else {
        panic!("no separator")
    };
    let bad = format!(
        "{text}\n\n\u{2014} {ORIGIN} {}\n",
        base64::engine::general_purpose::STANDARD.encode(&blob)
    );
    check_fail(&bad, NoteError::BadSignature);
}

#[test]
fn fail_malformed_notes() {
    let (note, _) = sample_note();
    let Some((text, sig)) = note.rsplit_once("\n\n") else {
        panic!("no separator")
    };
    let sig = sig.trim_end_matches('\n');
    let cases: Vec<(String, NoteError)> = vec![
        // Extra data after the last signature line.
        (
            format!("{note}trailing"),
            NoteError::MalformedSignatureLine { line: 1 },
        ),
        // Last signature line without its newline.
        (
            note.trim_end_matches('\n').to_owned(),
            NoteError::MalformedSignatureLine { line: 0 },
        ),
        // A blank line after the signatures: nothing follows the last separator.
        (format!("{note}\n"), NoteError::NoSignatures),
        // No blank line at all.
        (format!("{text}\n{sig}\n"), NoteError::MissingSeparator),
        // ASCII hyphen instead of the em dash.
        (
            format!("{text}\n\n{}\n", sig.replacen('\u{2014}', "-", 1)),
            NoteError::MalformedSignatureLine { line: 0 },
        ),
        // Two spaces after the name.
        (
            format!("{text}\n\n{}\n", sig.replacen(' ', "  ", 2)),
            NoteError::MalformedSignatureLine { line: 0 },
        ),
        // Signature not base64.
        (
            format!("{text}\n\n\u{2014} {ORIGIN} !!!!\n"),
            NoteError::MalformedSignatureLine { line: 0 },
        ),
        // Signature shorter than a key id and one byte.
        (
            format!("{text}\n\n\u{2014} {ORIGIN} AAAA\n"),
            NoteError::MalformedSignatureLine { line: 0 },
        ),
        // Key name with a '+'.
        (
            format!("{text}\n\n{}\n", sig.replacen(ORIGIN, "a+b", 1)),
            NoteError::MalformedSignatureLine { line: 0 },
        ),
        // Control characters.
        (
            note.replacen("\n42", "\r\n42", 1),
            NoteError::ControlCharacter,
        ),
        (note.replacen("42", "4\t2", 1), NoteError::ControlCharacter),
        (format!("{note}\0"), NoteError::ControlCharacter),
        // Empty note.
        (String::new(), NoteError::MissingSeparator),
        // Oversized note.
        (
            "a".repeat(alcove_audit::MAX_NOTE_LEN + 1),
            NoteError::TooLarge,
        ),
    ];
    for (bad, expected) in cases {
        check_fail(&bad, expected);
    }
}

#[test]
fn fail_too_many_signatures() {
    let (note, _) = sample_note();
    let Some((text, sig)) = note.rsplit_once("\n\n") else {
        panic!("no separator")
    };
    let many = format!("{text}\n\n{}", sig.repeat(MAX_SIGNATURES + 1));
    check_fail(&many, NoteError::TooManySignatures);
    let enough = format!("{text}\n\n{}", sig.repeat(MAX_SIGNATURES));
    assert!(signer().verifier().verify_checkpoint(&enough).is_ok());
}

#[test]
fn fail_malformed_checkpoint_body() {
    let s = signer();
    let root = leaf_hash(b"r").to_base64();
    let cases = [
        (
            format!("{ORIGIN}\n01\n{root}\n"),
            CheckpointError::MalformedSize,
        ),
        (
            format!("{ORIGIN}\n1\n{root}\nextension\n"),
            CheckpointError::ExtensionLines,
        ),
        (format!("{ORIGIN}\n1\n"), CheckpointError::MissingLine),
        (
            format!("{ORIGIN}\n1\nAAAA\n"),
            CheckpointError::MalformedRoot,
        ),
    ];
    for (text, expected) in cases {
        check_fail(&ok(s.sign_note(&text)), NoteError::Checkpoint(expected));
    }
}

#[test]
fn fail_origin_mismatch() {
    let s = signer();
    let root = leaf_hash(b"r").to_base64();
    check_fail(
        &ok(s.sign_note(&format!("other.example/log\n1\n{root}\n"))),
        NoteError::OriginMismatch,
    );
    let cp = Checkpoint {
        origin: "other.example/log".into(),
        size: 1,
        root: leaf_hash(b"r"),
    };
    assert_eq!(s.sign_checkpoint(&cp), Err(NoteError::OriginMismatch));
}

#[test]
fn fail_malformed_keys() {
    let vkey = signer().verifier().to_string();
    let Some((name_and_id, key)) = vkey.rsplit_once('+') else {
        panic!("no '+'")
    };
    let Some((name, id)) = name_and_id.split_once('+') else {
        panic!("no '+'")
    };
    let cases: Vec<(String, NoteError)> = vec![
        (String::new(), NoteError::MalformedKey),
        (name.to_owned(), NoteError::MalformedKey),
        (format!("{name}+{id}"), NoteError::MalformedKey),
        (
            format!("{name}+{}+{key}", &id[1..]),
            NoteError::MalformedKey,
        ),
        (format!("{name}+{id}0+{key}"), NoteError::MalformedKey),
        (format!("{name}+00000000+{key}"), NoteError::KeyIdMismatch),
        (format!("other+{id}+{key}"), NoteError::KeyIdMismatch),
        (format!("{name}+{id}+{key}x"), NoteError::MalformedKey),
        (
            format!("{name}+{id}+{}", key.replacen('A', "B", 1)),
            NoteError::UnsupportedKeyType,
        ),
        (format!("a b+{id}+{key}"), NoteError::InvalidKeyName),
        (format!("+{id}+{key}"), NoteError::InvalidKeyName),
    ];
    for (bad, expected) in cases {
        assert_eq!(
            NoteVerifier::parse(&bad).map(|_| ()),
            Err(expected),
            "{bad:?}"
        );
    }
    assert_eq!(
        LogSigner::parse(&vkey).map(|_| ()),
        Err(NoteError::MalformedKey)
    );
    assert_eq!(
        LogSigner::from_seed("bad name", &[1; 32]).map(|_| ()),
        Err(NoteError::InvalidKeyName)
    );
    // A small-order public key is refused.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        NoteVerifier::from_public_key("k", &identity).map(|_| ()),
        Err(NoteError::MalformedKey)
    );
}

#[test]
fn fail_sign_malformed_text() {
    let s = signer();
    assert_eq!(s.sign_note(""), Err(NoteError::MalformedText));
    assert_eq!(s.sign_note("no newline"), Err(NoteError::MalformedText));
    assert_eq!(s.sign_note("tab\there\n"), Err(NoteError::ControlCharacter));
}
