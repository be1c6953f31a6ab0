//! Who may invite whom, and what happens to expired, used and revoked links.

use crate::harness::TestServer;
use serde_json::json;

#[tokio::test]
async fn admin_invites_clinician_who_invites_client() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    let token = admin.invite("clinician").await;
    let mut clinician = server.person();
    let preview = clinician
        .post("/api/v1/invitations/inspect", json!({"token": token}))
        .await;
    let preview = preview.ok();
    assert_eq!(
        (preview["kind"].as_str(), preview["role"].as_str()),
        (Some("invitation"), Some("clinician"))
    );
    assert_eq!(preview["inviter_name"], "Avery Admin");
    clinician
        .redeem(&token, "Casey Clinician", "blue heron")
        .await;

    let token = clinician.invite("client").await;
    let mut client = server.person();
    let me = client.redeem(&token, "Robin", "sunny meadow").await;
    assert_eq!(me["role"], "client");
    assert_eq!(me["session"]["idle_timeout_secs"], 1800);

    let people = clinician.get("/api/v1/people").await;
    let people = people.ok()["people"].as_array().expect("people").clone();
    assert_eq!(people.len(), 1, "a clinician sees their clients only");
    assert_eq!(people[0]["display_name"], "Robin");
    let people = admin.get("/api/v1/people").await;
    assert_eq!(people.ok()["people"].as_array().expect("people").len(), 3);
    let invitations = clinician.get("/api/v1/invitations").await;
    let invitations = invitations.ok()["invitations"]
        .as_array()
        .expect("list")
        .clone();
    assert_eq!(invitations.len(), 1);
    assert_eq!(invitations[0]["status"], "redeemed");
    assert!(
        invitations[0].get("token").is_none(),
        "tokens are never listed"
    );
    server.cleanup().await;
}

#[tokio::test]
async fn roles_limit_who_may_invite_whom() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    admin
        .post("/api/v1/invitations", json!({"role": "client"}))
        .await
        .expect_error(403, "forbidden");
    let token = admin.invite("supervisor").await;
    let mut supervisor = server.person();
    supervisor
        .redeem(&token, "Sam Supervisor", "tall pines")
        .await;
    supervisor
        .post("/api/v1/invitations", json!({"role": "client"}))
        .await
        .expect_error(403, "forbidden");
    supervisor
        .get("/api/v1/people")
        .await
        .expect_error(403, "forbidden");
    supervisor
        .get("/api/v1/invitations")
        .await
        .expect_error(403, "forbidden");

    let token = admin.invite("clinician").await;
    let mut clinician = server.person();
    clinician.redeem(&token, "Casey", "blue heron").await;
    clinician
        .post("/api/v1/invitations", json!({"role": "clinician"}))
        .await
        .expect_error(403, "forbidden");
    clinician
        .post("/api/v1/invitations", json!({"role": "admin"}))
        .await
        .expect_error(403, "forbidden");
    let token = clinician.invite("client").await;
    let mut client = server.person();
    client.redeem(&token, "Robin", "sunny meadow").await;
    client
        .post("/api/v1/invitations", json!({"role": "client"}))
        .await
        .expect_error(403, "forbidden");
    client
        .get("/api/v1/people")
        .await
        .expect_error(403, "forbidden");

    let mut stranger = server.person();
    stranger
        .get("/api/v1/people")
        .await
        .expect_error(401, "unauthenticated");
    stranger
        .post("/api/v1/invitations", json!({"role": "client"}))
        .await
        .expect_error(401, "unauthenticated");
    server.cleanup().await;
}

#[tokio::test]
async fn expired_used_revoked_and_unknown_links_say_so_and_create_nothing() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    let expiring = admin.invite("clinician").await;
    server.advance_secs(1);
    let revoked = admin.invite("clinician").await;
    server.advance_secs(1);
    let used = admin.invite("clinician").await;

    let list = admin.get("/api/v1/invitations").await;
    // Newest first: used, revoked, expiring.
    let revoked_id = list.ok()["invitations"][1]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let answer = admin
        .post(
            &format!("/api/v1/invitations/{revoked_id}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(answer.ok()["status"], "revoked");

    let mut someone = server.person();
    someone.redeem(&used, "Used Once", "first come").await;

    server.advance_secs(72 * 3600 + 1);
    let mut late = server.person();
    for (token, status, code) in [
        (expiring.as_str(), 410, "invitation_expired"),
        (revoked.as_str(), 410, "invitation_revoked"),
        (used.as_str(), 410, "invitation_used"),
        (
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            404,
            "invitation_not_found",
        ),
        ("not a token", 404, "invitation_not_found"),
    ] {
        late.post("/api/v1/invitations/inspect", json!({"token": token}))
            .await
            .expect_error(status, code);
        late.post(
            "/api/v1/invitations/redeem/start",
            json!({"token": token, "display_name": "Late", "anti_phishing_phrase": "too late"}),
        )
        .await
        .expect_error(status, code);
    }
    assert!(late.cookie.is_none());
    let people = admin.sign_in().await;
    people.ok();
    let people = admin.get("/api/v1/people").await;
    assert_eq!(
        people.ok()["people"].as_array().expect("people").len(),
        2,
        "nothing was created"
    );
    server.cleanup().await;
}

#[tokio::test]
async fn a_link_that_expires_during_registration_creates_nothing() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    let token = admin.invite("clinician").await;
    server.advance_secs(72 * 3600 - 60);
    let mut slow = server.person();
    let start = slow
        .post(
            "/api/v1/invitations/redeem/start",
            json!({"token": token, "display_name": "Slow", "anti_phishing_phrase": "slowly"}),
        )
        .await;
    let start = start.ok().clone();
    let credential = slow
        .authenticator
        .register(&start["public_key"])
        .expect("register");
    server.advance_secs(120);
    slow.post(
        "/api/v1/invitations/redeem/finish",
        json!({"ceremony_id": start["ceremony_id"], "credential": credential}),
    )
    .await
    .expect_error(410, "invitation_expired");
    assert!(slow.cookie.is_none());
    server.cleanup().await;
}

#[tokio::test]
async fn bad_names_and_phrases_are_refused() {
    let server = TestServer::sqlite().await;
    let token = server.setup_token().await;
    let mut person = server.person();
    let check = |name: &str, phrase: &str| json!({"token": token, "display_name": name, "anti_phishing_phrase": phrase});
    person
        .post(
            "/api/v1/invitations/redeem/start",
            check("   ", "good phrase"),
        )
        .await
        .expect_error(400, "invalid_display_name");
    person
        .post(
            "/api/v1/invitations/redeem/start",
            check(&"n".repeat(81), "good phrase"),
        )
        .await
        .expect_error(400, "invalid_display_name");
    person
        .post("/api/v1/invitations/redeem/start", check("Ana", "no"))
        .await
        .expect_error(400, "invalid_anti_phishing_phrase");
    person
        .post(
            "/api/v1/invitations/redeem/start",
            check("Ana\u{0007}", "good phrase"),
        )
        .await
        .expect_error(400, "invalid_display_name");
    server.cleanup().await;
}

#[tokio::test]
async fn a_recovery_link_adds_a_passkey_and_revokes_nothing() {
    let server = TestServer::sqlite().await;
    let mut admin = server.admin().await;
    let token = admin.invite("clinician").await;
    let mut clinician = server.person();
    clinician.redeem(&token, "Casey", "blue heron").await;
    let token = clinician.invite("client").await;
    let mut client = server.person();
    let me = client.redeem(&token, "Robin", "sunny meadow").await;
    let client_id = me["id"].as_str().expect("id").to_owned();

    // Another clinician cannot issue one for someone else's client.
    let token = admin.invite("clinician").await;
    let mut other = server.person();
    other.redeem(&token, "Other", "other phrase").await;
    other
        .post(
            &format!("/api/v1/people/{client_id}/recovery-invitation"),
            json!({}),
        )
        .await
        .expect_error(404, "not_found");

    let issued = clinician
        .post(
            &format!("/api/v1/people/{client_id}/recovery-invitation"),
            json!({}),
        )
        .await;
    let issued = issued.ok().clone();
    assert_eq!(issued["invitation"]["kind"], "recovery");
    let token = issued["link"]
        .as_str()
        .expect("link")
        .rsplit_once('#')
        .expect("fragment")
        .1
        .to_owned();

    let mut new_phone = server.person();
    let preview = new_phone
        .post("/api/v1/invitations/inspect", json!({"token": token}))
        .await;
    assert_eq!(preview.ok()["kind"], "recovery");
    let me = new_phone.redeem(&token, "", "").await;
    assert_eq!(
        me["id"].as_str(),
        Some(client_id.as_str()),
        "the same account"
    );
    assert_eq!(me["display_name"], "Robin");
    assert_eq!(
        me["anti_phishing_phrase"], "sunny meadow",
        "recovery keeps the phrase"
    );
    assert_eq!(
        me["passkey_count"], 2,
        "the old passkey was not revoked silently"
    );
    client.post("/api/v1/auth/signout", json!({})).await.ok();
    client.sign_in().await.ok();
    server.cleanup().await;
}
