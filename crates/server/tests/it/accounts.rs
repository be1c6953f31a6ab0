//! Setup, sign-in, sessions, re-authentication and passkey management.

use crate::harness::{TestServer, ORIGIN};
use axum::http::Method;
use serde_json::json;

#[tokio::test]
async fn setup_then_sign_in_again_with_the_passkey() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    let me = admin.get("/api/v1/me").await;
    let me = me.ok();
    assert_eq!(me["display_name"], "Avery Admin");
    assert_eq!(me["anti_phishing_phrase"], "green lantern");
    assert_eq!(me["passkey_count"], 1);
    assert_eq!(me["session"]["idle_timeout_secs"], 900);
    let status = admin.get("/api/v1/setup/status").await;
    assert_eq!(status.ok()["setup_required"], false);

    admin.post("/api/v1/auth/signout", json!({})).await.ok();
    assert!(admin.cookie.is_none(), "sign-out clears the cookie");
    admin
        .get("/api/v1/me")
        .await
        .expect_error(401, "unauthenticated");

    let answer = admin.sign_in().await;
    assert_eq!(answer.ok()["role"], "admin");
    let cookie = answer
        .headers
        .get("set-cookie")
        .expect("cookie")
        .to_str()
        .expect("ascii");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/")
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-HTTP localhost cannot use Secure cookies"
    );
    admin.get("/api/v1/me").await.ok();
    server.cleanup().await;
}

#[tokio::test]
async fn setup_and_sign_in_on_postgres() {
    let Some(server) = TestServer::postgres("setup_and_sign_in_on_postgres").await else {
        return;
    };
    let mut admin = server.admin().await;
    let token = admin.invite("clinician").await;
    let mut clinician = server.person();
    clinician
        .redeem(&token, "Casey Clinician", "blue heron")
        .await;
    clinician.post("/api/v1/auth/signout", json!({})).await.ok();
    assert_eq!(clinician.sign_in().await.ok()["role"], "clinician");
    server.cleanup().await;
}

#[tokio::test]
async fn a_setup_link_works_once() {
    let server = TestServer::sqlite().await;
    let token = server.setup_token().await;
    let mut first = server.person();
    first.redeem(&token, "First", "phrase one").await;
    let mut second = server.person();
    second
        .post("/api/v1/invitations/inspect", json!({"token": token}))
        .await
        .expect_error(410, "invitation_used");
    assert!(
        crate::harness::raw_setup_missing(&server).await,
        "no new setup link once an admin exists"
    );
    server.cleanup().await;
}

#[tokio::test]
async fn the_idle_timeout_and_the_lifetime_end_sessions() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    server.advance_secs(14 * 60);
    admin.get("/api/v1/me").await.ok();
    server.advance_secs(14 * 60);
    admin.get("/api/v1/me").await.ok();
    server.advance_secs(15 * 60 + 1);
    admin
        .get("/api/v1/me")
        .await
        .expect_error(401, "session_expired");
    admin
        .get("/api/v1/me")
        .await
        .expect_error(401, "session_expired");

    // Absolute lifetime: activity does not keep a session alive past 12 hours.
    assert_eq!(admin.sign_in().await.status, 200);
    for _ in 0..49 {
        server.advance_secs(14 * 60 + 50);
        if admin.get("/api/v1/me").await.status != 200 {
            break;
        }
    }
    admin
        .get("/api/v1/me")
        .await
        .expect_error(401, "session_expired");
    server.cleanup().await;
}

#[tokio::test]
async fn sensitive_actions_need_a_fresh_passkey_confirmation() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    server.advance_secs(6 * 60);
    admin.get("/api/v1/me").await.ok();
    admin
        .post("/api/v1/invitations", json!({"role": "clinician"}))
        .await
        .expect_error(403, "reauth_required");
    let me = admin.reauth().await;
    assert!(me.ok()["session"]["reauth_until"].as_i64().is_some());
    admin.invite("clinician").await;
    server.cleanup().await;
}

#[tokio::test]
async fn passkeys_can_be_added_renamed_and_revoked_but_not_the_last() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    let list = admin.get("/api/v1/me/passkeys").await;
    let first_id = list.ok()["passkeys"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    admin
        .send(
            Method::DELETE,
            &format!("/api/v1/me/passkeys/{first_id}"),
            None,
        )
        .await
        .expect_error(409, "last_passkey");

    // A second passkey, e.g. on a phone: a separate authenticator.
    let start = admin.post("/api/v1/me/passkeys/start", json!({})).await;
    let start = start.ok().clone();
    let mut phone = alcove_testkit::SoftAuthenticator::new(ORIGIN);
    let credential = phone
        .register(&start["public_key"])
        .expect("phone registers");
    let added = admin
        .post(
            "/api/v1/me/passkeys/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": credential, "name": "Phone"}),
        )
        .await;
    assert_eq!(added.ok()["name"], "Phone");
    // The same authenticator cannot register twice (it is excluded).
    let start = admin.post("/api/v1/me/passkeys/start", json!({})).await;
    assert!(
        phone.register(&start.ok()["public_key"]).is_err(),
        "excludeCredentials honoured"
    );

    let renamed = admin
        .send(
            Method::PATCH,
            &format!("/api/v1/me/passkeys/{first_id}"),
            Some(json!({"name": "Work laptop"})),
        )
        .await;
    assert_eq!(renamed.ok()["name"], "Work laptop");
    let answer = admin
        .send(
            Method::DELETE,
            &format!("/api/v1/me/passkeys/{first_id}"),
            None,
        )
        .await;
    assert_eq!(answer.status, 204, "{}", answer.body);
    let list = admin.get("/api/v1/me/passkeys").await;
    assert_eq!(list.ok()["passkeys"].as_array().expect("list").len(), 1);

    // The revoked passkey no longer signs in; the phone does.
    admin.post("/api/v1/auth/signout", json!({})).await.ok();
    admin.sign_in().await.expect_error(400, "passkey_failed");
    admin.authenticator = phone;
    admin.sign_in().await.ok();
    server.cleanup().await;
}

#[tokio::test]
async fn revoking_needs_a_fresh_confirmation() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    server.advance_secs(6 * 60);
    let list = admin.get("/api/v1/me/passkeys").await;
    let id = list.ok()["passkeys"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    admin
        .send(Method::DELETE, &format!("/api/v1/me/passkeys/{id}"), None)
        .await
        .expect_error(403, "reauth_required");
    admin
        .post("/api/v1/me/passkeys/start", json!({}))
        .await
        .expect_error(403, "reauth_required");
    server.cleanup().await;
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session() {
    let server = TestServer::sqlite().await;
    let mut laptop = server.admin().await;
    let mut tablet = server.person();
    tablet.authenticator = laptop.authenticator.clone();
    tablet.sign_in().await.ok();
    tablet.get("/api/v1/me").await.ok();
    laptop
        .post("/api/v1/auth/signout-everywhere", json!({}))
        .await
        .ok();
    tablet
        .get("/api/v1/me")
        .await
        .expect_error(401, "session_expired");
    laptop
        .get("/api/v1/me")
        .await
        .expect_error(401, "unauthenticated");
    server.cleanup().await;
}

#[tokio::test]
async fn the_anti_phishing_phrase_can_be_changed_within_bounds() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    let check = |phrase: &str| json!({"phrase": phrase});
    let answer = admin
        .send(
            Method::PUT,
            "/api/v1/me/anti-phishing-phrase",
            Some(check("  quiet harbour  ")),
        )
        .await;
    assert_eq!(answer.ok()["anti_phishing_phrase"], "quiet harbour");
    admin
        .send(
            Method::PUT,
            "/api/v1/me/anti-phishing-phrase",
            Some(check("ab")),
        )
        .await
        .expect_error(400, "invalid_anti_phishing_phrase");
    admin
        .send(
            Method::PUT,
            "/api/v1/me/anti-phishing-phrase",
            Some(check(&"x".repeat(65))),
        )
        .await
        .expect_error(400, "invalid_anti_phishing_phrase");
    server.cleanup().await;
}

#[tokio::test]
async fn a_cloned_authenticator_is_refused_by_its_counter() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    let clone = admin.authenticator.clone();
    admin.post("/api/v1/auth/signout", json!({})).await.ok();
    admin.sign_in().await.ok();
    admin.sign_in().await.ok();
    // The clone still has the counter from before those sign-ins.
    let mut attacker = server.person();
    attacker.authenticator = clone;
    attacker.sign_in().await.expect_error(400, "passkey_failed");
    assert!(attacker.cookie.is_none());
    server.cleanup().await;
}

#[tokio::test]
async fn a_passkey_response_is_single_use_and_bound_to_this_origin() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    admin.post("/api/v1/auth/signout", json!({})).await.ok();
    let start = admin.post("/api/v1/auth/start", json!({})).await;
    let start = start.ok().clone();
    let assertion = admin
        .authenticator
        .authenticate(&start["public_key"])
        .expect("sign");
    let finish = json!({"ceremony_id": start["ceremony_id"], "credential": assertion});
    admin.post("/api/v1/auth/finish", finish.clone()).await.ok();
    admin
        .post("/api/v1/auth/finish", finish)
        .await
        .expect_error(400, "ceremony_expired");

    // A phishing page on another origin relaying our challenge: the authenticator (as a
    // browser would) refuses the RP id outright; with that check forced off, the server
    // sees the wrong origin in the signed client data and refuses.
    let start = admin.post("/api/v1/auth/start", json!({})).await;
    let start = start.ok().clone();
    let mut phished = admin.authenticator.clone();
    phished.set_origin("https://alcove-localhost.com");
    assert!(
        phished.authenticate(&start["public_key"]).is_err(),
        "the browser refuses the RP id"
    );
    let mut forged = phished.with_browser_checks(false);
    let assertion = forged.authenticate(&start["public_key"]).expect("forced");
    admin
        .post(
            "/api/v1/auth/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": assertion}),
        )
        .await
        .expect_error(400, "passkey_failed");
    server.cleanup().await;
}

#[tokio::test]
async fn registration_without_user_verification_is_refused() {
    let server = TestServer::sqlite().await;
    let token = server.setup_token().await;
    let mut person = server.person();
    person.authenticator = person.authenticator.clone().with_user_verified(false);
    let start = person
        .post(
            "/api/v1/invitations/redeem/start",
            json!({"token": token, "display_name": "A", "anti_phishing_phrase": "abc"}),
        )
        .await;
    let start = start.ok().clone();
    assert_eq!(
        start["public_key"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        start["public_key"]["authenticatorSelection"]["userVerification"],
        "required"
    );
    let credential = person
        .authenticator
        .register(&start["public_key"])
        .expect("register");
    person
        .post(
            "/api/v1/invitations/redeem/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": credential}),
        )
        .await
        .expect_error(400, "passkey_failed");
    assert!(person.cookie.is_none());
    // Nothing was created: the link still works.
    person
        .post("/api/v1/invitations/inspect", json!({"token": token}))
        .await
        .ok();
    server.cleanup().await;
}
