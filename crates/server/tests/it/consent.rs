//! Informed consent over HTTP: the shipped document, publishing immutable versions, the
//! walk-through's answers and passkey signature, re-consent after a new version, the rule the
//! messaging routes rely on (`require_current_consent`), and the secureness checklist.

use crate::harness::{Person, TestServer};
use alcove_server::{consent, require_current_consent, Config};
use alcove_types::api::{ConsentAnswer, DeviceAnswers};
use alcove_types::{ErrorCode, UserId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const SHARED: DeviceAnswers = DeviceAnswers {
    others_use_device: true,
    device_is_mine: true,
};

/// An admin, a clinician and one of their clients, all signed in.
async fn practice(server: &TestServer) -> (Person, Person, Person) {
    let mut admin = server.admin().await;
    let token = admin.invite("clinician").await;
    let mut clinician = server.person();
    clinician
        .redeem(&token, "Casey Clinician", "blue heron")
        .await;
    let token = clinician.invite("client").await;
    let mut client = server.person();
    client.redeem(&token, "Robin Client", "quiet river").await;
    (admin, clinician, client)
}

fn answers(doc: &Value, wrong: Option<&str>) -> Value {
    let list: Vec<Value> = doc["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| {
            let right = q["correct"].as_u64().expect("correct");
            let choice = if wrong == q["id"].as_str() {
                (right + 1) % q["choices"].as_array().expect("choices").len() as u64
            } else {
                right
            };
            json!({"question_id": q["id"], "choice": choice})
        })
        .collect();
    Value::Array(list)
}

fn device(d: DeviceAnswers) -> Value {
    json!({"others_use_device": d.others_use_device, "device_is_mine": d.device_is_mine})
}

/// Goes through acceptance: start with the right answers, sign, finish. Returns (start, finish).
async fn accept(client: &mut Person, doc: &Value, d: DeviceAnswers) -> (Value, Value) {
    let start = client
        .post(
            "/api/v1/consent/accept/start",
            json!({"document_hash": doc["hash"], "answers": answers(doc, None), "device": device(d)}),
        )
        .await;
    let start = start.ok().clone();
    let assertion = client
        .authenticator
        .authenticate(&start["public_key"])
        .expect("authenticator signs");
    let finish = client
        .post(
            "/api/v1/consent/accept/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": assertion}),
        )
        .await;
    (start, finish.ok().clone())
}

async fn start(client: &mut Person, doc: &Value) -> Value {
    let body = json!({"document_hash": doc["hash"], "answers": answers(doc, None), "device": device(SHARED)});
    client
        .post("/api/v1/consent/accept/start", body)
        .await
        .ok()
        .clone()
}

fn user_id(me: &Value) -> UserId {
    UserId::parse(me["id"].as_str().expect("id")).expect("user id")
}

async fn user_row(server: &TestServer, id: &UserId) -> alcove_store::UserRow {
    server
        .state
        .store
        .user(id)
        .await
        .expect("lookup")
        .expect("exists")
}

#[tokio::test]
async fn the_shipped_document_names_the_crisis_line_and_its_download_hashes_to_its_id() {
    let config = Config {
        crisis_line: "988 (call or text)".to_owned(),
        practice_name: "Riverside Counselling".to_owned(),
        ..Default::default()
    };
    let server = TestServer::with_config(config).await;
    let (_, _, mut client) = practice(&server).await;
    let doc = client.get("/api/v1/consent/current").await.ok().clone();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["published_by"], Value::Null, "Alcove's own default");
    assert!(doc["body"]
        .as_str()
        .expect("body")
        .contains("call 988 (call or text) now"));
    assert!(doc["body"]
        .as_str()
        .expect("body")
        .starts_with("# How Riverside Counselling"));
    let hash = doc["hash"].as_str().expect("hash");
    assert_eq!(
        hex::encode(Sha256::digest(doc["text"].as_str().expect("text"))),
        hash
    );

    let file = client
        .get(&format!("/api/v1/consent/versions/{hash}/download"))
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.headers["content-type"], "text/markdown; charset=utf-8");
    let disposition = file.headers["content-disposition"].to_str().expect("ascii");
    assert!(
        disposition.starts_with("attachment; filename=\"consent-v1-"),
        "{disposition}"
    );
    let text = file.body.as_str().expect("markdown text");
    assert_eq!(
        hex::encode(Sha256::digest(text)),
        hash,
        "sha256sum of the download is the id"
    );
    assert!(text.contains("## Questions we ask") && text.contains("Right answer: Call 988"));

    // The routes are in the OpenAPI document, which is built from the same list.
    let doc = client.get("/api/openapi.json").await.ok().clone();
    for path in [
        "/api/v1/consent/current",
        "/api/v1/consent/versions",
        "/api/v1/consent/versions/{hash}/download",
        "/api/v1/consent/accept/start",
        "/api/v1/consent/accept/finish",
        "/api/v1/me/consent",
        "/api/v1/clients/{id}/checklist",
        "/api/v1/checklist/summary",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }

    client
        .get("/api/v1/consent/versions/not-a-hash/download")
        .await
        .expect_error(404, "not_found");
    client
        .get(&format!("/api/v1/consent/versions/{}", "0".repeat(64)))
        .await
        .expect_error(404, "not_found");
    server.cleanup().await;
}

#[tokio::test]
async fn admins_publish_new_immutable_versions_and_only_admins() {
    let server = TestServer::sqlite().await;
    let (mut admin, mut clinician, _) = practice(&server).await;
    let v1 = admin.get("/api/v1/consent/current").await.ok().clone();
    let mut questions = v1["questions"].as_array().expect("questions").clone();
    questions.truncate(2);
    let body = "# Our practice\n\n<script>alert('x')</script> <b>bold?</b>\n\n## One idea\n\nText.";
    let publish = json!({"body": body, "questions": questions});

    clinician
        .post("/api/v1/consent/versions", publish.clone())
        .await
        .expect_error(403, "forbidden");
    let v2 = admin
        .post("/api/v1/consent/versions", publish.clone())
        .await;
    assert_eq!(v2.status, 201, "{}", v2.body);
    let v2 = v2.body;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["body"], body, "kept exactly; the UI shows HTML as text");
    assert_eq!(v2["published_by"], admin.get("/api/v1/me").await.ok()["id"]);
    assert_eq!(
        hex::encode(Sha256::digest(v2["text"].as_str().expect("text"))),
        v2["hash"].as_str().expect("hash")
    );

    admin
        .post("/api/v1/consent/versions", publish.clone())
        .await
        .expect_error(409, "consent_unchanged");
    admin
        .post(
            "/api/v1/consent/versions",
            json!({"body": body, "questions": []}),
        )
        .await
        .expect_error(400, "invalid_consent_document");
    let mut bad = questions.clone();
    bad[0]["correct"] = json!(7);
    admin
        .post(
            "/api/v1/consent/versions",
            json!({"body": "# x\n\nchanged", "questions": bad}),
        )
        .await
        .expect_error(400, "invalid_consent_document");

    // Publishing needs a fresh passkey confirmation.
    server.advance_secs(server.state.config.reauth_window_secs + 1);
    admin
        .post(
            "/api/v1/consent/versions",
            json!({"body": "# Later\n\nText.", "questions": questions}),
        )
        .await
        .expect_error(403, "reauth_required");

    let list = admin.get("/api/v1/consent/versions").await.ok().clone();
    let versions = list["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(
        (
            versions[0]["version"].clone(),
            versions[0]["current"].clone()
        ),
        (json!(2), json!(true))
    );
    assert_eq!(versions[1]["hash"], v1["hash"]);
    assert_eq!(versions[1]["text"], v1["text"], "version 1 is unchanged");
    assert_eq!(versions[1]["current"], false);

    let events = admin.get("/api/v1/audit/events").await.ok().clone();
    let policy: Vec<&Value> = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "policy_changed")
        .collect();
    assert_eq!(policy.len(), 2, "the default and the admin's version");
    assert_eq!(policy[1]["objects"][0]["id"], v2["hash"]);
    server.cleanup().await;
}

#[tokio::test]
async fn wrong_answers_are_refused_and_right_ones_signed_with_a_passkey_are_recorded() {
    let server = TestServer::sqlite().await;
    let (mut admin, _, mut client) = practice(&server).await;
    let me = client.get("/api/v1/me").await.ok().clone();
    assert_eq!(me["consent"]["required"], true);
    assert_eq!(me["consent"]["accepted_hash"], Value::Null);
    assert_eq!(me["protections"], Value::Null);
    assert_eq!(me["session"]["idle_timeout_secs"], 1800);
    let doc = client.get("/api/v1/consent/current").await.ok().clone();
    let hash = doc["hash"].clone();

    for wrong in ["unlocked-device", "emergency"] {
        client
            .post(
                "/api/v1/consent/accept/start",
                json!({"document_hash": hash, "answers": answers(&doc, Some(wrong)), "device": device(SHARED)}),
            )
            .await
            .expect_error(400, "consent_answers_wrong");
    }
    let mut missing = answers(&doc, None);
    missing.as_array_mut().expect("array").pop();
    client
        .post(
            "/api/v1/consent/accept/start",
            json!({"document_hash": hash, "answers": missing, "device": device(SHARED)}),
        )
        .await
        .expect_error(400, "consent_answers_wrong");
    client
        .post(
            "/api/v1/consent/accept/start",
            json!({"document_hash": "0".repeat(64), "answers": answers(&doc, None), "device": device(SHARED)}),
        )
        .await
        .expect_error(409, "consent_outdated");
    let me = client.get("/api/v1/me").await.ok().clone();
    assert_eq!(
        me["consent"]["required"], true,
        "nothing recorded by refused attempts"
    );

    let (start, record) = accept(&mut client, &doc, SHARED).await;
    assert_eq!(record["document_hash"], hash);
    assert_eq!(record["version"], 1);

    // The challenge the passkey signed commits to the statement: recompute it from the answers.
    let user = user_id(&me);
    let ordered: Vec<ConsentAnswer> = serde_json::from_value(answers(&doc, None)).expect("answers");
    let statement = consent::statement(&user, hash.as_str().expect("hash"), &ordered, SHARED);
    assert_eq!(
        record["statement_hash"],
        hex::encode(Sha256::digest(&statement))
    );
    assert_eq!(record["challenge"], start["public_key"]["challenge"]);
    let stored = server
        .state
        .store
        .consent_records_of(&user)
        .await
        .expect("records");
    let nonce: [u8; 32] = hex::decode(&stored[0].nonce)
        .expect("hex")
        .try_into()
        .expect("32 bytes");
    let expected = consent::challenge(record["statement_hash"].as_str().expect("hash"), &nonce)
        .expect("challenge");
    assert_eq!(record["challenge"], URL_SAFE_NO_PAD.encode(expected));
    let client_data: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(
                serde_json::from_str::<Value>(&stored[0].assertion_json).expect("json")["response"]
                    ["clientDataJSON"]
                    .as_str()
                    .expect("client data"),
            )
            .expect("base64"),
    )
    .expect("client data json");
    assert_eq!(
        client_data["challenge"], record["challenge"],
        "the signed bytes hold it"
    );

    let me = client.get("/api/v1/me").await.ok().clone();
    assert_eq!(me["consent"]["required"], false);
    assert_eq!(me["consent"]["accepted_hash"], hash);
    assert_eq!(me["protections"]["discreet_mode"], true);
    assert_eq!(me["protections"]["local_history"], false);
    assert_eq!(me["protections"]["idle_timeout_secs"], 300);
    assert_eq!(
        me["session"]["idle_timeout_secs"], 300,
        "the shorter auto-lock is enforced"
    );
    let mine = client.get("/api/v1/me/consent").await.ok().clone();
    assert_eq!(mine["records"].as_array().expect("records").len(), 1);
    assert_eq!(mine["records"][0]["device"]["others_use_device"], true);

    // The session really locks after the shorter time.
    server.advance_secs(301);
    client
        .get("/api/v1/me")
        .await
        .expect_error(401, "session_expired");

    // The audit log has the event, with ids only.
    let events = admin.get("/api/v1/audit/events").await.ok().clone();
    let recorded: Vec<&Value> = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "consent_recorded")
        .collect();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["actor"], me["id"]);
    assert_eq!(recorded[0]["subject"], me["id"]);
    let objects: Vec<(String, String)> = recorded[0]["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap_or("").to_owned(),
                o["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        objects[0],
        (
            "consent_record".to_owned(),
            record["id"].as_str().expect("id").to_owned()
        )
    );
    assert_eq!(
        objects[1],
        ("policy".to_owned(), hash.as_str().expect("hash").to_owned())
    );
    assert_eq!(objects[2].0, "passkey");
    let leaf = String::from_utf8_lossy(
        &base64::engine::general_purpose::STANDARD
            .decode(recorded[0]["leaf"].as_str().expect("leaf"))
            .expect("base64"),
    )
    .into_owned();
    for q in doc["questions"].as_array().expect("questions") {
        assert!(
            !leaf.contains(q["id"].as_str().expect("id")),
            "no question or answer in the log"
        );
    }
    assert!(!leaf.contains("others_use_device") && !leaf.contains("answer"));
    server.cleanup().await;
}

#[tokio::test]
async fn acceptance_needs_a_fresh_assertion_over_its_own_challenge() {
    let server = TestServer::sqlite().await;
    let (_, mut clinician, mut client) = practice(&server).await;
    let doc = client.get("/api/v1/consent/current").await.ok().clone();

    // An assertion made for another ceremony (a re-authentication) does not sign the statement.
    let consent_start = start(&mut client, &doc).await;
    let other = client
        .post("/api/v1/auth/reauth/start", json!({}))
        .await
        .ok()
        .clone();
    let foreign = client
        .authenticator
        .authenticate(&other["public_key"])
        .expect("signs");
    client
        .post(
            "/api/v1/consent/accept/finish",
            json!({"ceremony_id": consent_start["ceremony_id"], "credential": foreign}),
        )
        .await
        .expect_error(400, "passkey_failed");
    // That ceremony is used up, and no credential at all is refused.
    client
        .post(
            "/api/v1/consent/accept/finish",
            json!({"ceremony_id": consent_start["ceremony_id"], "credential": {}}),
        )
        .await
        .expect_error(400, "ceremony_expired");

    // A finished ceremony cannot be replayed.
    let consent_start = start(&mut client, &doc).await;
    let assertion = client
        .authenticator
        .authenticate(&consent_start["public_key"])
        .expect("signs");
    let finish = json!({"ceremony_id": consent_start["ceremony_id"], "credential": assertion});
    client
        .post("/api/v1/consent/accept/finish", finish.clone())
        .await
        .ok();
    client
        .post("/api/v1/consent/accept/finish", finish)
        .await
        .expect_error(400, "ceremony_expired");

    // A ceremony older than its lifetime is refused.
    let consent_start = start(&mut client, &doc).await;
    let assertion = client
        .authenticator
        .authenticate(&consent_start["public_key"])
        .expect("signs");
    server.advance_secs(6 * 60);
    client.sign_in().await.ok();
    client
        .post(
            "/api/v1/consent/accept/finish",
            json!({"ceremony_id": consent_start["ceremony_id"], "credential": assertion}),
        )
        .await
        .expect_error(400, "ceremony_expired");

    // Only clients accept; staff cannot start a ceremony.
    clinician
        .post(
            "/api/v1/consent/accept/start",
            json!({"document_hash": doc["hash"], "answers": answers(&doc, None), "device": device(SHARED)}),
        )
        .await
        .expect_error(403, "forbidden");
    let me = client.get("/api/v1/me/consent").await.ok().clone();
    assert_eq!(
        me["records"].as_array().expect("records").len(),
        1,
        "only the one good acceptance"
    );
    server.cleanup().await;
}

#[tokio::test]
async fn a_new_version_requires_re_consent_and_messaging_is_refused_until_then() {
    let server = TestServer::sqlite().await;
    let (mut admin, mut clinician, mut client) = practice(&server).await;
    let client_id = user_id(&client.get("/api/v1/me").await.ok().clone());
    let clinician_id = user_id(&clinician.get("/api/v1/me").await.ok().clone());
    let check = |code: Option<ErrorCode>, result: Result<(), alcove_server::error::ApiError>| {
        assert_eq!(result.err().map(|e| e.code()), code);
    };

    // Without consent, the rule the send route applies refuses the client; staff never consent.
    let row = user_row(&server, &client_id).await;
    check(
        Some(ErrorCode::ConsentRequired),
        require_current_consent(&server.state, &row).await,
    );
    let staff = user_row(&server, &clinician_id).await;
    check(None, require_current_consent(&server.state, &staff).await);

    let v1 = client.get("/api/v1/consent/current").await.ok().clone();
    accept(&mut client, &v1, SHARED).await;
    check(None, require_current_consent(&server.state, &row).await);

    // A ceremony started on version 1 cannot finish once version 2 is out.
    let pending = client
        .post(
            "/api/v1/consent/accept/start",
            json!({"document_hash": v1["hash"], "answers": answers(&v1, None), "device": device(SHARED)}),
        )
        .await
        .ok()
        .clone();
    let questions = v1["questions"].clone();
    let v2 = admin
        .post(
            "/api/v1/consent/versions",
            json!({"body": "# New\n\n## Changed\n\nWe changed a thing.", "questions": questions}),
        )
        .await
        .ok()
        .clone();
    let assertion = client
        .authenticator
        .authenticate(&pending["public_key"])
        .expect("signs");
    client
        .post(
            "/api/v1/consent/accept/finish",
            json!({"ceremony_id": pending["ceremony_id"], "credential": assertion}),
        )
        .await
        .expect_error(409, "consent_outdated");

    check(
        Some(ErrorCode::ConsentRequired),
        require_current_consent(&server.state, &row).await,
    );
    client.post("/api/v1/auth/signout", json!({})).await;
    let me = client.sign_in().await.ok().clone();
    assert_eq!(
        me["consent"]["required"], true,
        "asked again at the next sign-in"
    );
    assert_eq!(me["consent"]["accepted_hash"], v1["hash"]);
    assert_eq!(me["consent"]["current_hash"], v2["hash"]);
    // They can still read what they accepted.
    let old = client
        .get(&format!(
            "/api/v1/consent/versions/{}",
            v1["hash"].as_str().expect("hash")
        ))
        .await
        .ok()
        .clone();
    assert_eq!(old["current"], false);
    client
        .post(
            "/api/v1/consent/accept/start",
            json!({"document_hash": v1["hash"], "answers": answers(&v1, None), "device": device(SHARED)}),
        )
        .await
        .expect_error(409, "consent_outdated");

    accept(&mut client, &v2, SHARED).await;
    check(None, require_current_consent(&server.state, &row).await);
    let mine = client.get("/api/v1/me/consent").await.ok().clone();
    let versions: Vec<i64> = mine["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["version"].as_i64().expect("version"))
        .collect();
    assert_eq!(versions, vec![2, 1]);
    server.cleanup().await;
}

#[tokio::test]
async fn changing_the_crisis_line_publishes_a_new_default_version() {
    let server = TestServer::sqlite().await;
    let (_, _, mut client) = practice(&server).await;
    let v1 = client.get("/api/v1/consent/current").await.ok().clone();
    let mut state = server.state.clone();
    let mut config = (*state.config).clone();
    config.crisis_line = "116 123".to_owned();
    state.config = std::sync::Arc::new(config);
    let v2 = consent::current_document(&state).await.expect("current");
    assert_eq!(v2.version, 2);
    assert_ne!(v1["hash"], v2.hash);
    assert!(v2.body.contains("call 116 123 now"));
    let again = consent::current_document(&state).await.expect("current");
    assert_eq!(again.version, 2, "published once");
    server.cleanup().await;
}

fn item<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item"] == name)
        .expect("item present")
}

#[tokio::test]
async fn the_checklist_follows_each_change_and_never_counts_unchecked_items() {
    let server = TestServer::sqlite().await;
    let (mut admin, mut clinician, mut client) = practice(&server).await;
    let client_id = client.get("/api/v1/me").await.ok()["id"].clone();
    let path = format!(
        "/api/v1/clients/{}/checklist",
        client_id.as_str().expect("id")
    );

    let list = clinician.get(&path).await.ok().clone();
    assert_eq!(
        (list["done"].clone(), list["total"].clone()),
        (json!(0), json!(7))
    );
    for (name, state) in [
        ("consent_current", "missing"),
        ("comprehension", "missing"),
        ("second_passkey", "missing"),
        ("safety_numbers", "missing"),
        ("shared_device", "missing"),
        ("notifications", "not_available"),
        ("last_sign_in_device", "not_available"),
    ] {
        let it = item(&list, name);
        assert_eq!(it["state"], state, "{name}");
        assert!(
            !it["next_step"].as_str().expect("next").is_empty(),
            "{name} says what to do"
        );
    }

    // The shared-device answer and consent.
    let doc = client.get("/api/v1/consent/current").await.ok().clone();
    accept(&mut client, &doc, SHARED).await;
    let list = clinician.get(&path).await.ok().clone();
    assert_eq!(item(&list, "consent_current")["state"], "done");
    assert_eq!(item(&list, "comprehension")["state"], "done");
    let shared = item(&list, "shared_device");
    assert_eq!(shared["state"], "done");
    let detail = shared["detail"].as_str().expect("detail");
    assert!(
        detail.contains("others use it too")
            && detail.contains("5 min")
            && detail.contains("discreet mode on"),
        "{detail}"
    );

    // A second passkey.
    let start = client
        .post("/api/v1/me/passkeys/start", json!({}))
        .await
        .ok()
        .clone();
    let mut phone = alcove_testkit::SoftAuthenticator::new(crate::harness::ORIGIN);
    let credential = phone.register(&start["public_key"]).expect("registers");
    client
        .post(
            "/api/v1/me/passkeys/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": credential, "name": "Phone"}),
        )
        .await
        .ok();
    let list = clinician.get(&path).await.ok().clone();
    assert_eq!(item(&list, "second_passkey")["state"], "done");
    assert_eq!(list["done"], 4);

    // Discussed in session.
    let marked = clinician
        .post(&format!("{path}/safety_numbers/discussed"), json!({}))
        .await
        .ok()
        .clone();
    assert_eq!(
        item(&marked, "safety_numbers")["discussed_at"],
        server.state.now()
    );
    assert_eq!(
        item(&marked, "safety_numbers")["state"],
        "missing",
        "discussing is not verifying"
    );
    clinician
        .post(&format!("{path}/bogus/discussed"), json!({}))
        .await
        .expect_error(400, "invalid_checklist_item");

    // A new version makes consent stale again.
    let questions = doc["questions"].clone();
    admin
        .post(
            "/api/v1/consent/versions",
            json!({"body": "# V2\n\nText.", "questions": questions}),
        )
        .await
        .ok();
    let all = clinician
        .get("/api/v1/clients/checklists")
        .await
        .ok()
        .clone();
    let list = &all["clients"][0];
    assert_eq!(item(list, "consent_current")["state"], "missing");
    assert!(item(list, "consent_current")["detail"]
        .as_str()
        .expect("d")
        .contains("earlier version"));

    // Other people cannot see it; the admin sees counts only.
    let token = admin.invite("clinician").await;
    let mut other = server.person();
    other
        .redeem(&token, "Other Clinician", "other phrase")
        .await;
    other.get(&path).await.expect_error(404, "not_found");
    client.get(&path).await.expect_error(403, "forbidden");
    let summary = admin.get("/api/v1/checklist/summary").await.ok().clone();
    assert_eq!(summary["clients"], 1);
    let counts: Vec<(String, u64)> = summary["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["item"].as_str().unwrap_or("").to_owned(),
                i["done"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("consent_current".to_owned(), 0),
            ("comprehension".to_owned(), 1),
            ("second_passkey".to_owned(), 1),
            ("safety_numbers".to_owned(), 0),
            ("shared_device".to_owned(), 1),
            ("notifications".to_owned(), 0),
            ("last_sign_in_device".to_owned(), 0),
        ]
    );
    assert!(
        !summary.to_string().contains("Robin"),
        "no names in the admin's summary"
    );
    server.cleanup().await;
}

#[tokio::test]
async fn consent_flow_on_postgres() {
    let Some(server) = TestServer::postgres("consent_flow_on_postgres").await else {
        return;
    };
    let (mut admin, _, mut client) = practice(&server).await;
    let doc = client.get("/api/v1/consent/current").await.ok().clone();
    accept(
        &mut client,
        &doc,
        DeviceAnswers {
            others_use_device: false,
            device_is_mine: true,
        },
    )
    .await;
    let me = client.get("/api/v1/me").await.ok().clone();
    assert_eq!(me["consent"]["required"], false);
    assert_eq!(me["protections"]["idle_timeout_secs"], 1800);
    let questions = doc["questions"].clone();
    admin
        .post(
            "/api/v1/consent/versions",
            json!({"body": "# V2\n\nText.", "questions": questions}),
        )
        .await
        .ok();
    let me = client.get("/api/v1/me").await.ok().clone();
    assert_eq!(me["consent"]["required"], true);
    server.cleanup().await;
}
