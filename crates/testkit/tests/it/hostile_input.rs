//! Malformed options are refused with `MalformedOptions`, never a panic.

use alcove_testkit::{ErrorKind, SoftAuthenticator};
use serde_json::{json, Value};

use crate::support::ORIGIN;

fn valid_creation() -> Value {
    json!({"publicKey": {
        "rp": {"id": "alcove.example", "name": "Alcove"},
        "user": {"id": "AQID", "name": "c", "displayName": "C"},
        "challenge": "AAECAwQFBgcICQoLDA0ODw",
        "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
    }})
}

fn valid_request() -> Value {
    json!({"publicKey": {
        "challenge": "AAECAwQFBgcICQoLDA0ODw",
        "rpId": "alcove.example",
        "allowCredentials": [],
        "userVerification": "required",
    }})
}

/// Sets `pointer` in `base` to `value` (or removes it when `None`).
fn edit(mut base: Value, pointer: &str, value: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer has a slash");
    let target = base
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("parent is an object");
    match value {
        Some(v) => target.insert(key.to_owned(), v),
        None => target.remove(key),
    };
    base
}

#[test]
fn malformed_creation_options_are_refused() {
    let check = |options: Value, expected: Option<ErrorKind>| {
        let mut authenticator = SoftAuthenticator::new(ORIGIN);
        let got = authenticator.register(&options).err().map(|e| e.kind());
        assert_eq!(got, expected, "options {options}");
        assert_eq!(authenticator.credentials().is_empty(), expected.is_some());
    };
    let base = valid_creation;
    let bad = Some(ErrorKind::MalformedOptions);
    check(base(), None);
    check(json!(null), bad);
    check(json!([]), bad);
    check(json!({"publicKey": 3}), bad);
    check(edit(base(), "/publicKey/challenge", None), bad);
    check(edit(base(), "/publicKey/challenge", Some(json!(7))), bad);
    check(
        edit(base(), "/publicKey/challenge", Some(json!("%%%"))),
        bad,
    );
    check(edit(base(), "/publicKey/rp", None), bad);
    check(edit(base(), "/publicKey/rp/id", Some(json!(1))), bad);
    // Without rp.id the origin's host is used, as browsers do.
    check(edit(base(), "/publicKey/rp/id", None), None);
    check(edit(base(), "/publicKey/user", None), bad);
    check(edit(base(), "/publicKey/user/id", None), bad);
    check(edit(base(), "/publicKey/user/id", Some(json!(""))), bad);
    check(
        edit(base(), "/publicKey/user/id", Some(json!("A".repeat(88)))),
        bad,
    );
    check(edit(base(), "/publicKey/pubKeyCredParams", None), bad);
    check(
        edit(base(), "/publicKey/pubKeyCredParams", Some(json!({}))),
        bad,
    );
    // An empty list means ES256 or RS256.
    check(
        edit(base(), "/publicKey/pubKeyCredParams", Some(json!([]))),
        None,
    );
    check(
        edit(base(), "/publicKey/excludeCredentials", Some(json!("x"))),
        bad,
    );
    check(
        edit(base(), "/publicKey/excludeCredentials", Some(json!([1]))),
        bad,
    );
    check(
        edit(
            base(),
            "/publicKey/excludeCredentials",
            Some(json!([{"id": "AA"}])),
        ),
        bad,
    );
    check(
        edit(
            base(),
            "/publicKey/excludeCredentials",
            Some(json!([{"type": "public-key", "id": "*"}])),
        ),
        bad,
    );
    // Unknown descriptor types are skipped, not errors.
    check(
        edit(
            base(),
            "/publicKey/excludeCredentials",
            Some(json!([{"type": "future-kind", "id": 5}])),
        ),
        None,
    );
}

#[test]
fn malformed_request_options_are_refused() {
    let check = |options: Value, expected: ErrorKind| {
        let mut authenticator = SoftAuthenticator::new(ORIGIN);
        authenticator
            .register(&valid_creation())
            .expect("registration works");
        let got = authenticator.authenticate(&options).err().map(|e| e.kind());
        assert_eq!(got, Some(expected), "options {options}");
        assert_eq!(authenticator.credentials()[0].counter(), 0);
    };
    let base = valid_request;
    let bad = ErrorKind::MalformedOptions;
    check(json!("text"), bad);
    check(edit(base(), "/publicKey/challenge", None), bad);
    check(
        edit(base(), "/publicKey/challenge", Some(json!("a b"))),
        bad,
    );
    check(edit(base(), "/publicKey/rpId", Some(json!(false))), bad);
    check(
        edit(base(), "/publicKey/allowCredentials", Some(json!({}))),
        bad,
    );
    check(
        edit(
            base(),
            "/publicKey/allowCredentials",
            Some(json!([{"type": 1}])),
        ),
        bad,
    );
    check(
        edit(base(), "/publicKey/rpId", Some(json!("evil.example"))),
        ErrorKind::RpIdMismatch,
    );
}

#[test]
fn request_options_without_rp_id_or_allow_list_use_the_origin() {
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    authenticator
        .register(&valid_creation())
        .expect("registration works");
    let options = edit(
        edit(valid_request(), "/publicKey/rpId", None),
        "/publicKey/allowCredentials",
        None,
    );
    let answer = authenticator.authenticate(&options).expect("answers");
    assert_eq!(answer["type"], "public-key");
    assert_eq!(authenticator.credentials()[0].counter(), 1);
}
