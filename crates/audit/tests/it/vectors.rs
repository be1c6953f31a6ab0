//! The transparency-dev RFC 9162 vectors in `shared/testdata/merkle`.

use std::path::{Path, PathBuf};

use alcove_audit::{verify_consistency_bytes, verify_inclusion_bytes, VerifyError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/merkle"
);

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Why a case was rejected: it could not even be decoded, or the verifier
/// refused it. Only shown in failure messages.
#[derive(Debug)]
#[allow(dead_code)] // The fields are read through Debug.
enum Rejected {
    Decode(String),
    Verify(VerifyError),
}

fn bytes(v: &Value, key: &str) -> Result<Vec<u8>, Rejected> {
    let s = v[key]
        .as_str()
        .ok_or_else(|| Rejected::Decode(format!("{key} is not a string")))?;
    STANDARD
        .decode(s)
        .map_err(|e| Rejected::Decode(format!("{key}: {e}")))
}

fn proof(v: &Value) -> Result<Vec<Vec<u8>>, Rejected> {
    match &v["proof"] {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|p| {
                let s = p
                    .as_str()
                    .ok_or_else(|| Rejected::Decode("proof element".into()))?;
                STANDARD
                    .decode(s)
                    .map_err(|e| Rejected::Decode(format!("proof: {e}")))
            })
            .collect(),
        _ => Err(Rejected::Decode("proof is not a list".into())),
    }
}

fn number(v: &Value, key: &str) -> u64 {
    match v[key].as_u64() {
        Some(n) => n,
        None => panic!("vector field {key} is not a u64"),
    }
}

fn run_inclusion(v: &Value) -> Result<(), Rejected> {
    verify_inclusion_bytes(
        &bytes(v, "leafHash")?,
        number(v, "leafIdx"),
        number(v, "treeSize"),
        &proof(v)?,
        &bytes(v, "root")?,
    )
    .map_err(Rejected::Verify)
}

fn run_consistency(v: &Value) -> Result<(), Rejected> {
    verify_consistency_bytes(
        number(v, "size1"),
        number(v, "size2"),
        &proof(v)?,
        &bytes(v, "root1")?,
        &bytes(v, "root2")?,
    )
    .map_err(Rejected::Verify)
}

fn check(path: &Path, v: &Value) -> bool {
    let want_err = v["wantErr"]
        .as_bool()
        .unwrap_or_else(|| panic!("{}: no wantErr", path.display()));
    let result = if v.get("leafIdx").is_some() {
        run_inclusion(v)
    } else {
        run_consistency(v)
    };
    match (&result, want_err) {
        (Ok(()), false) | (Err(_), true) => {}
        (Ok(()), true) => panic!("{}: accepted, but must be rejected", path.display()),
        (Err(e), false) => panic!("{}: rejected ({e:?}), but must be accepted", path.display()),
    }
    want_err
}

#[test]
fn transparency_dev_vectors() {
    if !Path::new(DIR).is_dir() {
        eprintln!("skipping: RFC 9162 vectors not found at {DIR}");
        return;
    }
    let mut files = Vec::new();
    json_files(Path::new(DIR), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no vectors under {DIR}");
    let (mut accepted, mut rejected) = (0usize, 0usize);
    for path in &files {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if check(path, &v) {
            rejected += 1;
        } else {
            accepted += 1;
        }
    }
    eprintln!(
        "checked {} merkle vectors: {accepted} valid accepted, {rejected} invalid rejected",
        files.len()
    );
    assert_eq!(accepted + rejected, files.len());
    assert!(accepted > 0 && rejected > 0);
}
