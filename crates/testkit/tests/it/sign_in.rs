//! Discoverable sign-in: `start_discoverable_authentication` →
//! `authenticate` → `identify_discoverable_authentication` →
//! `finish_discoverable_authentication`, and sign-in with an allow list.

use alcove_testkit::{ErrorKind, SoftAuthenticator};
use uuid::Uuid;
use webauthn_rs::prelude::{PublicKeyCredential, WebauthnError};

use crate::support::{
    register, relying_party, relying_party_at, sign_in, to_json, Failure, ORIGIN,
};

#[test]
fn discoverable_sign_in_succeeds_and_reports_the_counter() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let user = Uuid::new_v4();
    let mut passkeys = vec![register(&rp, &mut authenticator, user, None).expect("registers")];

    for expected_counter in 1..=3 {
        let (found, result) =
            sign_in(&rp, &mut authenticator, &mut passkeys).expect("sign-in succeeds");
        assert_eq!(found, user);
        assert_eq!(result.counter(), expected_counter);
        assert!(result.needs_update());
        assert!(result.user_verified());
        assert_eq!(result.cred_id(), passkeys[0].cred_id());
    }
    assert_eq!(authenticator.credentials()[0].counter(), 3);
}

#[test]
fn the_answer_carries_the_user_handle() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let user = Uuid::new_v4();
    register(&rp, &mut authenticator, user, None).expect("registers");

    let (challenge, _state) = rp.start_discoverable_authentication().expect("starts");
    let answer = authenticator
        .authenticate(&to_json(&challenge))
        .expect("answers");
    let credential: PublicKeyCredential = serde_json::from_value(answer).expect("parses");
    assert_eq!(
        credential.get_user_unique_id(),
        Some(user.as_bytes().as_slice())
    );
    assert_eq!(
        credential.get_credential_id(),
        authenticator.credential_ids()[0].as_slice()
    );
}

#[test]
fn the_selected_account_answers_a_discoverable_sign_in() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let alice = Uuid::new_v4();
    let bob = Uuid::new_v4();
    let mut passkeys = vec![
        register(&rp, &mut authenticator, alice, None).expect("alice"),
        register(&rp, &mut authenticator, bob, None).expect("bob"),
    ];
    let alice_id = passkeys[0].cred_id().as_slice().to_vec();

    // Without a choice the newest credential answers.
    let (found, _) = sign_in(&rp, &mut authenticator, &mut passkeys).expect("signs in");
    assert_eq!(found, bob);

    authenticator
        .select(&alice_id)
        .expect("alice's credential exists");
    let (found, _) = sign_in(&rp, &mut authenticator, &mut passkeys).expect("signs in");
    assert_eq!(found, alice);

    authenticator.clear_selection();
    let (found, _) = sign_in(&rp, &mut authenticator, &mut passkeys).expect("signs in");
    assert_eq!(found, bob);

    assert_eq!(
        authenticator
            .select(b"no such credential")
            .map_err(|e| e.kind()),
        Err(ErrorKind::UnknownCredential)
    );
}

#[test]
fn sign_in_with_an_allow_list_uses_a_listed_credential() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let older = register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("older");
    let _newer = register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("newer");

    let (challenge, state) = rp
        .start_passkey_authentication(std::slice::from_ref(&older))
        .expect("starts");
    let answer = authenticator
        .authenticate(&to_json(&challenge))
        .expect("answers");
    let credential: PublicKeyCredential = serde_json::from_value(answer).expect("parses");
    assert_eq!(credential.get_credential_id(), older.cred_id().as_slice());
    let result = rp
        .finish_passkey_authentication(&credential, &state)
        .expect("sign-in succeeds");
    assert_eq!(result.counter(), 1);
}

#[test]
fn fail_sign_in_without_a_fitting_credential() {
    let rp = relying_party();
    let mut empty = SoftAuthenticator::new(ORIGIN);
    let result = sign_in(&rp, &mut empty, &mut []);
    assert_eq!(
        result.err().and_then(|f| f.client_kind()),
        Some(ErrorKind::NoCredential)
    );

    // A credential of another relying party does not answer.
    let other_rp = relying_party_at("other.example", "https://other.example");
    let mut authenticator = SoftAuthenticator::new("https://other.example");
    let mut passkeys =
        vec![register(&other_rp, &mut authenticator, Uuid::new_v4(), None).expect("registers")];
    authenticator.set_origin(ORIGIN);
    let result = sign_in(&rp, &mut authenticator, &mut passkeys);
    assert_eq!(
        result.err().and_then(|f| f.client_kind()),
        Some(ErrorKind::NoCredential)
    );

    // An allow list naming only unknown credentials finds nothing.
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let elsewhere = register(
        &rp,
        &mut SoftAuthenticator::new(ORIGIN),
        Uuid::new_v4(),
        None,
    )
    .expect("registers elsewhere");
    register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("registers");
    let (challenge, _state) = rp
        .start_passkey_authentication(&[elsewhere])
        .expect("starts");
    let result = authenticator.authenticate(&to_json(&challenge));
    assert_eq!(
        result.err().map(|e| e.kind()),
        Some(ErrorKind::NoCredential)
    );
}

#[test]
fn fail_sign_in_without_user_verification() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let mut passkeys =
        vec![register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("registers")];
    authenticator.set_user_verified(false);
    let result = sign_in(&rp, &mut authenticator, &mut passkeys);
    assert!(
        matches!(result, Err(Failure::Server(WebauthnError::UserNotVerified))),
        "{result:?}"
    );
}

#[test]
fn synced_passkeys_with_backup_flags_sign_in() {
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN)
        .with_backup_flags(true, true)
        .with_counter_step(0);
    let mut passkeys =
        vec![register(&rp, &mut authenticator, Uuid::new_v4(), None).expect("registers")];
    for _ in 0..2 {
        let (_, result) = sign_in(&rp, &mut authenticator, &mut passkeys).expect("signs in");
        assert!(result.backup_eligible());
        assert!(result.backup_state());
        // Counters that stay at zero are accepted and never need an update.
        assert_eq!(result.counter(), 0);
        assert!(!result.needs_update());
    }
}

#[test]
fn fail_sign_in_when_backup_eligibility_changes() {
    let rp = relying_party();
    let mut device_bound = SoftAuthenticator::new(ORIGIN);
    let mut passkeys =
        vec![register(&rp, &mut device_bound, Uuid::new_v4(), None).expect("registers")];
    let mut synced = SoftAuthenticator::new(ORIGIN).with_backup_flags(true, false);
    for credential in device_bound.credentials() {
        synced.import_credential(credential.clone());
    }
    let result = sign_in(&rp, &mut synced, &mut passkeys);
    assert!(
        matches!(
            result,
            Err(Failure::Server(
                WebauthnError::CredentialBackupEligibilityInconsistent
            ))
        ),
        "{result:?}"
    );
}

#[test]
fn a_client_can_lie_about_the_user_handle() {
    // The user handle is outside the signed data: webauthn-rs reports
    // whatever the client sent and still verifies the signature, so the
    // server must check that the credential belongs to that user.
    let rp = relying_party();
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let alice = Uuid::new_v4();
    let bob = Uuid::new_v4();
    let mut passkeys = vec![register(&rp, &mut authenticator, alice, None).expect("alice")];
    let id = authenticator.credential_ids()[0].clone();

    authenticator
        .set_user_handle(&id, bob.as_bytes())
        .expect("credential exists");
    let (found, result) = sign_in(&rp, &mut authenticator, &mut passkeys).expect("verifies");
    assert_eq!(found, bob);
    assert_eq!(result.cred_id().as_slice(), id.as_slice());

    // A handle that is not a UUID is refused by identify.
    authenticator
        .set_user_handle(&id, b"short")
        .expect("credential exists");
    let result = sign_in(&rp, &mut authenticator, &mut passkeys);
    assert!(
        matches!(
            result,
            Err(Failure::Server(WebauthnError::InvalidUserUniqueId))
        ),
        "{result:?}"
    );
}
