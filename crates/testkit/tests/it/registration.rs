//! Passkey registration: `start_passkey_registration` → `register` →
//! `finish_passkey_registration`.

use alcove_testkit::{ErrorKind, SoftAuthenticator};
use uuid::Uuid;
use webauthn_rs::prelude::{RegisterPublicKeyCredential, WebauthnError};

use crate::support::{register, relying_party, to_json, Failure, ORIGIN, RP_ID};

#[test]
fn passkey_registration_succeeds_and_stores_the_user_handle() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let user = Uuid::new_v4();

    let passkey = register(&rp, &mut authenticator, user, None).expect("registration succeeds");

    let ids = authenticator.credential_ids();
    assert_eq!(ids.len(), 1);
    assert_eq!(passkey.cred_id().as_slice(), ids[0].as_slice());
    let credential = authenticator
        .credential(&ids[0])
        .expect("credential is held");
    assert_eq!(credential.rp_id(), RP_ID);
    assert_eq!(credential.user_handle(), user.as_bytes());
    assert_eq!(credential.counter(), 0);
    assert_eq!(credential.public_key_sec1().len(), 65);
}

#[test]
fn the_inner_public_key_object_is_accepted_too() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let (challenge, state) = rp
        .start_passkey_registration(Uuid::new_v4(), "client", "A Client", None)
        .expect("registration starts");
    let inner = to_json(&challenge)["publicKey"].clone();

    let answer = authenticator
        .register(&inner)
        .expect("authenticator answers");
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(answer).expect("answer parses");
    rp.finish_passkey_registration(&credential, &state)
        .expect("registration succeeds");
}

#[test]
fn the_answer_has_the_browser_json_shape() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let (challenge, _state) = rp
        .start_passkey_registration(Uuid::new_v4(), "client", "A Client", None)
        .expect("registration starts");
    let json = to_json(&challenge);
    let answer = authenticator
        .register(&json)
        .expect("authenticator answers");

    let id = authenticator.credentials()[0].id_b64url();
    assert_eq!(answer["id"], id.as_str());
    assert_eq!(answer["rawId"], id.as_str());
    assert_eq!(answer["type"], "public-key");
    // webauthn-rs asks for credProps; a browser reports the key as resident.
    assert_eq!(answer["extensions"]["credProps"]["rk"], true);

    let client_data = answer["response"]["clientDataJSON"]
        .as_str()
        .and_then(|b64| {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(b64)
                .ok()
        })
        .expect("clientDataJSON is unpadded base64url");
    let client_data: serde_json::Value =
        serde_json::from_slice(&client_data).expect("clientDataJSON is JSON");
    assert_eq!(client_data["type"], "webauthn.create");
    assert_eq!(client_data["origin"], ORIGIN);
    assert_eq!(client_data["crossOrigin"], false);
    assert_eq!(client_data["challenge"], json["publicKey"]["challenge"]);
}

#[test]
fn fail_registration_without_user_verification() {
    // webauthn-rs requires UV for passkeys.
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN).with_user_verified(false);
    let result = register(&rp, &mut authenticator, Uuid::new_v4(), None);
    assert!(
        matches!(result, Err(Failure::Server(WebauthnError::UserNotVerified))),
        "{result:?}"
    );
}

#[test]
fn fail_registration_without_user_presence() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN).with_user_present(false);
    let result = register(&rp, &mut authenticator, Uuid::new_v4(), None);
    assert!(
        matches!(result, Err(Failure::Server(WebauthnError::UserNotPresent))),
        "{result:?}"
    );
}

#[test]
fn fail_registration_answering_another_challenge() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let user = Uuid::new_v4();
    let (first, _first_state) = rp
        .start_passkey_registration(user, "client", "A Client", None)
        .expect("registration starts");
    let (_second, second_state) = rp
        .start_passkey_registration(user, "client", "A Client", None)
        .expect("registration starts");

    let answer = authenticator.register(&to_json(&first)).expect("answers");
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(answer).expect("answer parses");
    let result = rp.finish_passkey_registration(&credential, &second_state);
    assert!(
        matches!(result, Err(WebauthnError::MismatchedChallenge)),
        "{result:?}"
    );
}

#[test]
fn fail_registration_of_an_excluded_credential() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let user = Uuid::new_v4();
    let passkey = register(&rp, &mut authenticator, user, None).expect("first registration");

    let result = register(
        &rp,
        &mut authenticator,
        user,
        Some(vec![passkey.cred_id().clone()]),
    );
    assert_eq!(
        result.err().and_then(|f| f.client_kind()),
        Some(ErrorKind::CredentialExcluded)
    );

    // Another authenticator without that credential may register.
    let mut other = SoftAuthenticator::new(ORIGIN);
    register(&rp, &mut other, user, Some(vec![passkey.cred_id().clone()]))
        .expect("a second device registers");
}

#[test]
fn a_resident_credential_for_the_same_user_is_replaced() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let alice = Uuid::new_v4();
    let bob = Uuid::new_v4();

    register(&rp, &mut authenticator, alice, None).expect("alice");
    let second = register(&rp, &mut authenticator, alice, None).expect("alice again");
    assert_eq!(authenticator.credentials().len(), 1);
    assert_eq!(
        authenticator.credential_ids(),
        vec![second.cred_id().as_slice().to_vec()]
    );

    register(&rp, &mut authenticator, bob, None).expect("bob");
    assert_eq!(authenticator.credentials().len(), 2);
}

#[test]
fn fail_registration_when_es256_is_not_offered() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let (challenge, _state) = rp
        .start_passkey_registration(Uuid::new_v4(), "client", "A Client", None)
        .expect("registration starts");
    let mut json = to_json(&challenge);
    json["publicKey"]["pubKeyCredParams"] =
        serde_json::json!([{"type": "public-key", "alg": -257}]);

    let result = authenticator.register(&json);
    assert_eq!(
        result.err().map(|e| e.kind()),
        Some(ErrorKind::UnsupportedAlgorithm)
    );
    assert!(authenticator.credentials().is_empty());
}
