//! Origins: a passkey is useless on a look-alike site, because the browser
//! refuses the relying party id there and the server checks the origin the
//! browser signed into `clientDataJSON`.

use alcove_testkit::{ErrorKind, SoftAuthenticator};
use uuid::Uuid;
use webauthn_rs::prelude::WebauthnError;

use crate::support::{register, relying_party, sign_in, Failure, ORIGIN};

const LOOK_ALIKES: &[&str] = &[
    "https://alcove-example.com",
    "https://alcove.example.evil.test",
    "https://alcove.examp1e",
    "https://xalcove.example",
    "https://xn--lcove-6qa.example", // "àlcove.example"
    "https://alcove.exam\u{440}le",  // Cyrillic "р"
];

#[test]
fn fail_registration_on_a_look_alike_origin() {
    let rp = relying_party();
    for origin in LOOK_ALIKES {
        let mut authenticator = SoftAuthenticator::new(origin);
        let result = register(&rp, &mut authenticator, Uuid::new_v4(), None);
        assert_eq!(
            result.err().and_then(|f| f.client_kind()),
            Some(ErrorKind::RpIdMismatch),
            "origin {origin}"
        );
        assert!(authenticator.credentials().is_empty());
    }
}

#[test]
fn fail_sign_in_on_a_look_alike_origin() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let mut passkeys =
        vec![register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("registers")];
    for origin in LOOK_ALIKES {
        authenticator.set_origin(origin);
        let result = sign_in(&rp, &mut authenticator, &mut passkeys);
        assert_eq!(
            result.err().and_then(|f| f.client_kind()),
            Some(ErrorKind::RpIdMismatch),
            "origin {origin}"
        );
    }
    // The counter did not move: nothing was signed.
    assert_eq!(authenticator.credentials()[0].counter(), 0);

    authenticator.set_origin(ORIGIN);
    sign_in(&rp, &mut authenticator, &mut passkeys).expect("the real site still works");
}

#[test]
fn fail_on_insecure_or_address_origins() {
    let check = |origin: &str, expected: ErrorKind| {
        let rp = relying_party();
        let mut authenticator = SoftAuthenticator::new(origin);
        let result = register(&rp, &mut authenticator, Uuid::new_v4(), None);
        assert_eq!(
            result.err().and_then(|f| f.client_kind()),
            Some(expected),
            "origin {origin}"
        );
    };
    check("http://alcove.example", ErrorKind::InvalidOrigin);
    check("https://127.0.0.1", ErrorKind::InvalidOrigin);
    check("alcove.example", ErrorKind::InvalidOrigin);
    check("", ErrorKind::InvalidOrigin);
}

#[test]
fn fail_at_the_server_when_a_subdomain_signs_in() {
    // A browser lets app.alcove.example use rp id alcove.example; the server,
    // configured for exactly https://alcove.example, refuses the origin.
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let mut passkeys =
        vec![register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("registers")];

    authenticator.set_origin("https://app.alcove.example");
    let result = sign_in(&rp, &mut authenticator, &mut passkeys);
    assert!(
        matches!(result, Err(Failure::Server(WebauthnError::InvalidRPOrigin))),
        "{result:?}"
    );

    let mut on_subdomain = SoftAuthenticator::new("https://app.alcove.example");
    let result = register(&rp, &mut on_subdomain, Uuid::new_v4(), None);
    assert!(
        matches!(result, Err(Failure::Server(WebauthnError::InvalidRPOrigin))),
        "{result:?}"
    );
}

#[test]
fn fail_at_the_server_when_a_client_lies_about_its_origin() {
    // Without the browser's checks the look-alike origin reaches the server
    // in clientDataJSON, and webauthn-rs refuses it.
    let rp = relying_party();
    let mut authenticator =
        SoftAuthenticator::new("https://alcove-example.com").with_browser_checks(false);
    let result = register(&rp, &mut authenticator, Uuid::new_v4(), None);
    assert!(
        matches!(result, Err(Failure::Server(WebauthnError::InvalidRPOrigin))),
        "{result:?}"
    );

    let mut authenticator = SoftAuthenticator::new(ORIGIN).with_browser_checks(false);
    let mut passkeys =
        vec![register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("registers")];
    authenticator.set_origin("https://alcove-example.com");
    let result = sign_in(&rp, &mut authenticator, &mut passkeys);
    assert!(
        matches!(result, Err(Failure::Server(WebauthnError::InvalidRPOrigin))),
        "{result:?}"
    );
}
