//! Signature counters: a replayed assertion or a cloned authenticator shows
//! up as a counter that does not grow, and webauthn-rs 0.5 refuses it with
//! `CredentialPossibleCompromise` (its `require_valid_counter_value` is on
//! and `WebauthnBuilder` offers no way to turn it off).

use alcove_testkit::{ErrorKind, SoftAuthenticator};
use uuid::Uuid;
use webauthn_rs::prelude::{Passkey, WebauthnError};
use webauthn_rs::Webauthn;

use crate::support::{finish_sign_in, register, relying_party, sign_in, to_json, Failure, ORIGIN};

fn registered() -> (Webauthn, SoftAuthenticator, Vec<Passkey>) {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let passkeys =
        vec![register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("registers")];
    (rp, authenticator, passkeys)
}

fn is_compromise<T: std::fmt::Debug>(result: &Result<T, Failure>) -> bool {
    matches!(
        result,
        Err(Failure::Server(WebauthnError::CredentialPossibleCompromise))
    )
}

#[test]
fn fail_when_a_cloned_authenticator_falls_behind() {
    let (rp, mut authenticator, mut passkeys) = registered();
    let mut clone = authenticator.clone();

    for expected in 1..=2 {
        let (_, result) = sign_in(&rp, &mut authenticator, &mut passkeys).expect("signs in");
        assert_eq!(result.counter(), expected);
    }
    // The clone still has counter 0 and now signs counter 1 <= 2.
    let result = sign_in(&rp, &mut clone, &mut passkeys);
    assert!(is_compromise(&result), "{result:?}");
}

#[test]
fn fail_when_an_exported_credential_is_used_elsewhere() {
    let (rp, mut authenticator, mut passkeys) = registered();
    let id = authenticator.credential_ids()[0].clone();
    let copy = authenticator
        .export_credential(&id)
        .expect("credential exists");
    let mut thief = SoftAuthenticator::new(ORIGIN);
    thief.import_credential(copy);

    sign_in(&rp, &mut authenticator, &mut passkeys).expect("owner signs in");
    let result = sign_in(&rp, &mut thief, &mut passkeys);
    assert!(is_compromise(&result), "{result:?}");
}

#[test]
fn counter_regressions_are_refused_and_growth_is_accepted() {
    // check(stored counter before, counter the authenticator is set to,
    //       accepted?) -- the assertion carries `set + 1`.
    let check = |stored: u32, set: u32, accepted: bool| {
        let (rp, mut authenticator, mut passkeys) = registered();
        let id = authenticator.credential_ids()[0].clone();
        if stored > 0 {
            authenticator
                .set_counter(&id, stored - 1)
                .expect("credential exists");
            let (_, result) = sign_in(&rp, &mut authenticator, &mut passkeys).expect("signs in");
            assert_eq!(result.counter(), stored);
        }
        authenticator
            .set_counter(&id, set)
            .expect("credential exists");
        let result = sign_in(&rp, &mut authenticator, &mut passkeys);
        if accepted {
            let (_, result) = result.expect("sign-in succeeds");
            assert_eq!(result.counter(), set + 1, "stored {stored}, set {set}");
        } else {
            assert!(
                is_compromise(&result),
                "stored {stored}, set {set}: {result:?}"
            );
        }
    };
    check(0, 0, true);
    check(0, 41, true);
    check(5, 5, true);
    check(5, 4, false); // signs 5 again: equal is refused
    check(5, 1, false);
    check(100, 0, false);
    check(u32::MAX - 1, u32::MAX - 1, true);
}

#[test]
fn fail_a_replayed_assertion() {
    let (rp, mut authenticator, mut passkeys) = registered();
    let (challenge, state) = rp.start_discoverable_authentication().expect("starts");
    let answer = authenticator
        .authenticate(&to_json(&challenge))
        .expect("answers");
    finish_sign_in(&rp, answer.clone(), state.clone(), &mut passkeys).expect("first use succeeds");

    // Against a fresh challenge the old signature does not fit.
    let (_fresh, fresh_state) = rp.start_discoverable_authentication().expect("starts");
    let result = finish_sign_in(&rp, answer.clone(), fresh_state, &mut passkeys);
    assert!(
        matches!(
            result,
            Err(Failure::Server(WebauthnError::MismatchedChallenge))
        ),
        "{result:?}"
    );

    // A server that failed to consume its state is still saved by the
    // counter, which no longer grows.
    let result = finish_sign_in(&rp, answer, state, &mut passkeys);
    assert!(is_compromise(&result), "{result:?}");
}

#[test]
fn knobs_refuse_unknown_credentials() {
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    assert_eq!(
        authenticator.set_counter(b"nope", 3).map_err(|e| e.kind()),
        Err(ErrorKind::UnknownCredential)
    );
    assert!(authenticator.export_credential(b"nope").is_none());
    assert!(!authenticator.remove_credential(b"nope"));
}

#[test]
fn a_removed_credential_no_longer_signs_in() {
    let (rp, mut authenticator, mut passkeys) = registered();
    let id = authenticator.credential_ids()[0].clone();
    assert!(authenticator.remove_credential(&id));
    let result = sign_in(&rp, &mut authenticator, &mut passkeys);
    assert_eq!(
        result.err().and_then(|f| f.client_kind()),
        Some(ErrorKind::NoCredential)
    );
}
