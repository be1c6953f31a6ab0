//! The behaviour every backend must share: single-use links, atomic redemption, sessions,
//! passkey counters and the last-passkey rule.

use alcove_audit::{AuditEvent, EventKind};
use alcove_store::*;
use alcove_types::{InvitationId, InvitationKind, PasskeyId, Role, UserId};

crate::conformance!(
    setup_link_is_single_use_and_replaced,
    redemption_is_atomic,
    expired_and_revoked_links_cannot_be_redeemed,
    clinician_sees_only_their_clients,
    sign_in_counter_update_is_conditional,
    last_passkey_cannot_be_revoked,
    sessions_end_individually_and_everywhere,
    ceremonies_are_single_use_and_expire,
    duplicate_credential_is_refused,
);

pub(crate) const HOUR: i64 = 3_600_000;

/// One event of `kind` to record with a change.
pub(crate) fn ev(kind: EventKind) -> [AuditEvent; 1] {
    [AuditEvent::new(kind, 1)]
}

pub(crate) fn id<T>(make: fn([u8; 16]) -> T, n: u8) -> T {
    make([n; 16])
}

pub(crate) fn invitation(
    n: u8,
    kind: InvitationKind,
    role: Role,
    inviter: Option<&UserId>,
    now: i64,
) -> NewInvitation {
    NewInvitation {
        id: id(InvitationId::from_random, n),
        token_hash: format!("hash-{n}"),
        kind,
        role,
        inviter_id: inviter.cloned(),
        recovery_user_id: None,
        label: None,
        created_at: now,
        expires_at: now + HOUR,
    }
}

pub(crate) fn account(
    n: u8,
    invitation: &InvitationId,
    role: Role,
    clinician: Option<&UserId>,
    now: i64,
) -> RedeemNewAccount {
    let user = id(UserId::from_random, n);
    RedeemNewAccount {
        invitation_id: invitation.clone(),
        user: NewUser {
            id: user.clone(),
            role,
            display_name: format!("Person {n}"),
            anti_phishing_phrase: format!("phrase {n}"),
            webauthn_handle: format!("handle-{n}"),
        },
        passkey: passkey(n, &user, now),
        session: session(n, &user, now),
        care_clinician: clinician.cloned(),
        now,
    }
}

fn passkey(n: u8, user: &UserId, now: i64) -> NewPasskey {
    NewPasskey {
        id: id(PasskeyId::from_random, n),
        user_id: user.clone(),
        credential_id: format!("cred-{n}"),
        passkey_json: "{}".to_owned(),
        name: format!("Key {n}"),
        sign_count: 0,
        created_at: now,
    }
}

fn session(n: u8, user: &UserId, now: i64) -> NewSession {
    NewSession {
        token_hash: format!("session-{n}"),
        user_id: user.clone(),
        created_at: now,
        expires_at: now + 12 * HOUR,
        reauth_at: Some(now),
    }
}

/// Creates an admin through the setup link; returns its id.
pub(crate) async fn admin(store: &Store, now: i64) -> UserId {
    let setup = invitation(1, InvitationKind::Setup, Role::Admin, None, now);
    store
        .replace_setup_invitation(&setup, &ev(EventKind::InvitationCreated))
        .await
        .expect("setup link");
    let redeem = account(1, &setup.id, Role::Admin, None, now);
    store
        .redeem_for_new_account(&redeem, &ev(EventKind::InvitationRedeemed))
        .await
        .expect("redeem setup");
    redeem.user.id
}

async fn setup_link_is_single_use_and_replaced(store: &Store) {
    let now = 1_000;
    assert!(!store.has_admin().await.expect("has_admin"));
    let first = invitation(1, InvitationKind::Setup, Role::Admin, None, now);
    store
        .replace_setup_invitation(&first, &ev(EventKind::InvitationCreated))
        .await
        .expect("first link");
    let second = invitation(2, InvitationKind::Setup, Role::Admin, None, now + 1);
    store
        .replace_setup_invitation(&second, &ev(EventKind::InvitationCreated))
        .await
        .expect("second link");
    let old = store
        .invitation_by_token_hash("hash-1")
        .await
        .expect("lookup")
        .expect("exists");
    assert!(
        old.revoked_at.is_some(),
        "a newer setup link voids the older one"
    );
    let err = store
        .redeem_for_new_account(
            &account(1, &first.id, Role::Admin, None, now + 2),
            &ev(EventKind::InvitationRedeemed),
        )
        .await
        .expect_err("the voided link must not work");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    store
        .redeem_for_new_account(
            &account(2, &second.id, Role::Admin, None, now + 2),
            &ev(EventKind::InvitationRedeemed),
        )
        .await
        .expect("the newest link works");
    assert!(store.has_admin().await.expect("has_admin"));
    let err = store
        .redeem_for_new_account(
            &account(3, &second.id, Role::Admin, None, now + 3),
            &ev(EventKind::InvitationRedeemed),
        )
        .await
        .expect_err("a link works once");
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

async fn redemption_is_atomic(store: &Store) {
    let now = 10_000;
    let admin = admin(store, now).await;
    let inv = invitation(
        5,
        InvitationKind::Invitation,
        Role::Clinician,
        Some(&admin),
        now,
    );
    store
        .create_invitation(&inv, &ev(EventKind::InvitationCreated))
        .await
        .expect("invite");
    // A redemption whose passkey collides with an existing credential fails as a whole.
    let mut redeem = account(6, &inv.id, Role::Clinician, None, now + 1);
    redeem.passkey.credential_id = "cred-1".to_owned();
    let err = store
        .redeem_for_new_account(&redeem, &ev(EventKind::InvitationRedeemed))
        .await
        .expect_err("duplicate credential");
    assert_eq!(err.kind(), ErrorKind::Duplicate);
    assert!(
        store.user(&redeem.user.id).await.expect("lookup").is_none(),
        "no half-created user"
    );
    let row = store
        .invitation(&inv.id)
        .await
        .expect("lookup")
        .expect("exists");
    assert_eq!(row.redeemed_at, None, "the link is still unused");
    assert!(store.session("session-6").await.expect("lookup").is_none());
    // Retrying with a good passkey succeeds.
    let redeem = account(6, &inv.id, Role::Clinician, None, now + 2);
    store
        .redeem_for_new_account(&redeem, &ev(EventKind::InvitationRedeemed))
        .await
        .expect("redeem");
    let user = store
        .user(&redeem.user.id)
        .await
        .expect("lookup")
        .expect("created");
    assert_eq!(user.role, Role::Clinician);
    assert_eq!(user.display_name, "Person 6");
    assert_eq!(
        store.passkeys_of(&user.id).await.expect("passkeys").len(),
        1
    );
}

async fn expired_and_revoked_links_cannot_be_redeemed(store: &Store) {
    let now = 100_000;
    let admin = admin(store, now).await;
    let expiring = invitation(
        7,
        InvitationKind::Invitation,
        Role::Supervisor,
        Some(&admin),
        now,
    );
    store
        .create_invitation(&expiring, &ev(EventKind::InvitationCreated))
        .await
        .expect("invite");
    let err = store
        .redeem_for_new_account(
            &account(7, &expiring.id, Role::Supervisor, None, now + HOUR),
            &ev(EventKind::InvitationRedeemed),
        )
        .await
        .expect_err("expired at exactly expires_at");
    assert_eq!(err.kind(), ErrorKind::Conflict);

    let revoked = invitation(
        8,
        InvitationKind::Invitation,
        Role::Supervisor,
        Some(&admin),
        now,
    );
    store
        .create_invitation(&revoked, &ev(EventKind::InvitationCreated))
        .await
        .expect("invite");
    store
        .revoke_invitation(&revoked.id, now + 1, &ev(EventKind::InvitationRevoked))
        .await
        .expect("revoke");
    assert_eq!(
        store
            .revoke_invitation(&revoked.id, now + 2, &ev(EventKind::InvitationRevoked))
            .await
            .expect_err("twice")
            .kind(),
        ErrorKind::Conflict
    );
    let err = store
        .redeem_for_new_account(
            &account(8, &revoked.id, Role::Supervisor, None, now + 3),
            &ev(EventKind::InvitationRedeemed),
        )
        .await
        .expect_err("revoked");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(store
        .user(&id(UserId::from_random, 8))
        .await
        .expect("lookup")
        .is_none());
    let listed = store.invitations(Some(&admin)).await.expect("list");
    assert_eq!(listed.len(), 2, "setup links are not listed");
}

async fn clinician_sees_only_their_clients(store: &Store) {
    let now = 200_000;
    let admin = admin(store, now).await;
    let mut clinicians = Vec::new();
    for n in [10, 11] {
        let inv = invitation(
            n,
            InvitationKind::Invitation,
            Role::Clinician,
            Some(&admin),
            now,
        );
        store
            .create_invitation(&inv, &ev(EventKind::InvitationCreated))
            .await
            .expect("invite clinician");
        let redeem = account(n, &inv.id, Role::Clinician, None, now);
        store
            .redeem_for_new_account(&redeem, &ev(EventKind::InvitationRedeemed))
            .await
            .expect("clinician joins");
        clinicians.push(redeem.user.id);
    }
    let inv = invitation(
        12,
        InvitationKind::Invitation,
        Role::Client,
        Some(&clinicians[0]),
        now,
    );
    store
        .create_invitation(&inv, &ev(EventKind::InvitationCreated))
        .await
        .expect("invite client");
    let client = account(12, &inv.id, Role::Client, Some(&clinicians[0]), now);
    store
        .redeem_for_new_account(&client, &ev(EventKind::InvitationRedeemed))
        .await
        .expect("client joins");

    let mine = store.clients_of(&clinicians[0]).await.expect("clients");
    assert_eq!(
        mine.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        vec![client.user.id.clone()]
    );
    assert_eq!(mine[0].passkey_count, 1);
    assert!(store
        .clients_of(&clinicians[1])
        .await
        .expect("clients")
        .is_empty());
    assert!(store
        .is_client_of(&clinicians[0], &client.user.id)
        .await
        .expect("check"));
    assert!(!store
        .is_client_of(&clinicians[1], &client.user.id)
        .await
        .expect("check"));
    assert_eq!(store.people().await.expect("people").len(), 4);
    assert_eq!(
        store
            .invitations(Some(&clinicians[0]))
            .await
            .expect("list")
            .len(),
        1
    );
    assert_eq!(store.invitations(None).await.expect("list").len(), 3);
}

async fn sign_in_counter_update_is_conditional(store: &Store) {
    let now = 300_000;
    let admin = admin(store, now).await;
    let key = store.passkeys_of(&admin).await.expect("passkeys").remove(0);
    let sign_in = |previous: i64, new: i64, n: u8| SignIn {
        passkey_id: key.id.clone(),
        previous_count: previous,
        new_count: new,
        passkey_json: format!("{{\"count\":{new}}}"),
        session: session(n, &admin, now + 5),
        now: now + 5,
    };
    store
        .record_sign_in(&sign_in(0, 3, 20), &ev(EventKind::SignIn))
        .await
        .expect("first sign-in");
    let err = store
        .record_sign_in(&sign_in(0, 4, 21), &ev(EventKind::SignIn))
        .await
        .expect_err("stale previous counter");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        store.session("session-21").await.expect("lookup").is_none(),
        "no session on conflict"
    );
    let key = store
        .passkey_by_credential_id("cred-1")
        .await
        .expect("lookup")
        .expect("exists");
    assert_eq!(key.sign_count, 3);
    assert_eq!(key.last_used_at, Some(now + 5));
    assert_eq!(
        store
            .user(&admin)
            .await
            .expect("user")
            .expect("exists")
            .last_sign_in_at,
        Some(now + 5)
    );
}

async fn last_passkey_cannot_be_revoked(store: &Store) {
    let now = 400_000;
    let admin = admin(store, now).await;
    let first = store.passkeys_of(&admin).await.expect("passkeys").remove(0);
    assert_eq!(
        store
            .revoke_passkey(&admin, &first.id, now, &ev(EventKind::PasskeyRevoked))
            .await
            .expect_err("only passkey")
            .kind(),
        ErrorKind::LastPasskey
    );
    store
        .add_passkey(&passkey(30, &admin, now + 1), &ev(EventKind::PasskeyAdded))
        .await
        .expect("second passkey");
    store
        .rename_passkey(&admin, &first.id, "Laptop")
        .await
        .expect("rename");
    store
        .revoke_passkey(&admin, &first.id, now + 2, &ev(EventKind::PasskeyRevoked))
        .await
        .expect("revoke first");
    let left = store.passkeys_of(&admin).await.expect("passkeys");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].name, "Key 30");
    assert!(store
        .passkey_by_credential_id("cred-1")
        .await
        .expect("lookup")
        .is_none());
    let other = id(UserId::from_random, 99);
    assert_eq!(
        store
            .rename_passkey(&other, &left[0].id, "x")
            .await
            .expect_err("not theirs")
            .kind(),
        ErrorKind::NotFound
    );
}

async fn sessions_end_individually_and_everywhere(store: &Store) {
    let now = 500_000;
    let admin = admin(store, now).await;
    let key = store.passkeys_of(&admin).await.expect("passkeys").remove(0);
    for (n, count) in [(40u8, 1i64), (41, 2)] {
        let sign_in = SignIn {
            passkey_id: key.id.clone(),
            previous_count: count - 1,
            new_count: count,
            passkey_json: "{}".to_owned(),
            session: session(n, &admin, now),
            now,
        };
        store
            .record_sign_in(&sign_in, &ev(EventKind::SignIn))
            .await
            .expect("sign in");
    }
    store
        .touch_session("session-40", now + 10)
        .await
        .expect("touch");
    assert_eq!(
        store
            .session("session-40")
            .await
            .expect("lookup")
            .expect("exists")
            .last_seen_at,
        now + 10
    );
    store
        .delete_session("session-40", &ev(EventKind::SignOut))
        .await
        .expect("sign out");
    assert!(store.session("session-40").await.expect("lookup").is_none());
    assert!(store.session("session-41").await.expect("lookup").is_some());
    assert_eq!(
        store
            .delete_sessions_of(&admin, &ev(EventKind::SignOutEverywhere))
            .await
            .expect("everywhere"),
        2
    );
    assert!(store.session("session-41").await.expect("lookup").is_none());
    assert!(store.session("session-1").await.expect("lookup").is_none());
}

async fn ceremonies_are_single_use_and_expire(store: &Store) {
    let now = 600_000;
    let make = |id: &str, expires_at: i64| NewCeremony {
        id: id.to_owned(),
        kind: "sign_in".to_owned(),
        state_json: "{\"s\":1}".to_owned(),
        context_json: "{}".to_owned(),
        created_at: now,
        expires_at,
    };
    store
        .create_ceremony(&make("c1", now + 1000))
        .await
        .expect("create");
    store
        .create_ceremony(&make("c2", now + 1000))
        .await
        .expect("create");
    assert!(
        store
            .take_ceremony("c1", "reauth", now)
            .await
            .expect("take")
            .is_none(),
        "kind must match"
    );
    let taken = store
        .take_ceremony("c1", "sign_in", now)
        .await
        .expect("take")
        .expect("exists");
    assert_eq!(taken.state_json, "{\"s\":1}");
    assert!(
        store
            .take_ceremony("c1", "sign_in", now)
            .await
            .expect("take")
            .is_none(),
        "single use"
    );
    assert!(
        store
            .take_ceremony("c2", "sign_in", now + 1000)
            .await
            .expect("take")
            .is_none(),
        "expired"
    );
    store
        .create_ceremony(&make("c3", now + 10))
        .await
        .expect("create");
    assert_eq!(store.purge_expired(now + 20).await.expect("purge"), 1);
}

async fn duplicate_credential_is_refused(store: &Store) {
    let now = 700_000;
    let admin = admin(store, now).await;
    let mut dup = passkey(50, &admin, now);
    dup.credential_id = "cred-1".to_owned();
    assert_eq!(
        store
            .add_passkey(&dup, &ev(EventKind::PasskeyAdded))
            .await
            .expect_err("duplicate")
            .kind(),
        ErrorKind::Duplicate
    );
    assert_eq!(store.passkeys_of(&admin).await.expect("passkeys").len(), 1);
}
