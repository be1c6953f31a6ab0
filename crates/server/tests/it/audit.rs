//! The audit log end to end: a client sees the clinician's access to their record with a proof
//! that verifies, sees nobody else's events, refused requests are logged, a forked history is
//! refused by a client that remembers a checkpoint, and `alcove audit verify` catches tampering.

use crate::harness::{Person, TestServer};
use alcove_audit::{
    decode_proof, leaf_hash, verify_inclusion, ActorId, AuditEvent, CheckpointMemory, EventKind,
    NoteVerifier,
};
use alcove_server::audit_tool::{self, ExportFormat, LogLocation};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

struct Practice {
    admin: Person,
    clinician: Person,
    clinician_id: String,
    client: Person,
    client_id: String,
    other_client: Person,
    other_client_id: String,
}

async fn practice(server: &TestServer) -> Practice {
    let mut admin = server.admin().await;
    let token = admin.invite("clinician").await;
    let mut clinician = server.person();
    let clinician_id = clinician
        .redeem(&token, "Casey Clinician", "blue harbour")
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let token = clinician.invite("client").await;
    let mut client = server.person();
    let client_id = client.redeem(&token, "Robin Client", "quiet meadow").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let token = clinician.invite("client").await;
    let mut other_client = server.person();
    let other_client_id = other_client
        .redeem(&token, "Sam Client", "amber field")
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    Practice {
        admin,
        clinician,
        clinician_id,
        client,
        client_id,
        other_client,
        other_client_id,
    }
}

fn b64(s: &Value) -> Vec<u8> {
    STANDARD
        .decode(s.as_str().expect("base64 string"))
        .expect("base64")
}

/// Fetches the log key and the caller's events; checks every event's proof against the page's
/// checkpoint; returns the events.
async fn verified_events(person: &mut Person) -> Vec<Value> {
    let key = person.get("/api/v1/audit/key").await;
    let verifier =
        NoteVerifier::parse(key.ok()["key"].as_str().expect("key")).expect("verifier key");
    let page = person.get("/api/v1/audit/events").await;
    let page = page.ok().clone();
    let checkpoint = verifier
        .verify_checkpoint(page["checkpoint"]["note"].as_str().expect("note"))
        .expect("signed checkpoint");
    let events = page["events"].as_array().expect("events").clone();
    for e in &events {
        let leaf = b64(&e["leaf"]);
        let proof: Vec<Vec<u8>> = e["proof"]
            .as_array()
            .expect("proof")
            .iter()
            .map(b64)
            .collect();
        let proof = decode_proof(&proof).expect("proof hashes");
        let index = e["index"].as_u64().expect("index");
        verify_inclusion(
            &leaf_hash(&leaf),
            index,
            checkpoint.size,
            &proof,
            &checkpoint.root,
        )
        .expect("inclusion proof verifies");
        // The decoded fields are the leaf's.
        let decoded = AuditEvent::decode(&leaf).expect("leaf decodes");
        assert_eq!(e["kind"], decoded.kind.as_str());
    }
    events
}

async fn client_sees_who_viewed_their_record(server: TestServer) {
    let mut p = practice(&server).await;
    p.clinician.get("/api/v1/people").await.ok();
    let events = verified_events(&mut p.client).await;
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "record_viewed" && e["actor"] == p.clinician_id.as_str()),
        "the clinician's access is listed: {events:?}"
    );
    // Only events about the client, never anyone else's (the other client was viewed too).
    assert!(
        events.iter().all(|e| e["subject"] == p.client_id.as_str()),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e["kind"] == "invitation_redeemed"));
    let other = verified_events(&mut p.other_client).await;
    assert!(other
        .iter()
        .all(|e| e["subject"] == p.other_client_id.as_str()));
    assert!(other.iter().any(|e| e["kind"] == "record_viewed"));
    // The clinician sees their own actions and their clients' events; the admin sees everything.
    let clinician = verified_events(&mut p.clinician).await;
    assert!(clinician
        .iter()
        .any(|e| e["subject"] == p.client_id.as_str()));
    let admin = verified_events(&mut p.admin).await;
    assert!(admin.len() > clinician.len());
    // A refused request is an event of its own.
    p.client
        .get("/api/v1/people")
        .await
        .expect_error(403, "forbidden");
    let admin = verified_events(&mut p.admin).await;
    assert!(admin
        .iter()
        .any(|e| e["kind"] == "authorization_failed" && e["actor"] == p.client_id.as_str()));
    // Not signed in: no events.
    server
        .person()
        .get("/api/v1/audit/events")
        .await
        .expect_error(401, "unauthenticated");
    server.cleanup().await;
}

#[tokio::test]
async fn client_sees_who_viewed_their_record_sqlite() {
    client_sees_who_viewed_their_record(TestServer::sqlite().await).await;
}

#[tokio::test]
async fn client_sees_who_viewed_their_record_postgres() {
    let Some(server) = TestServer::postgres("client_sees_who_viewed_their_record").await else {
        return;
    };
    client_sees_who_viewed_their_record(server).await;
}

/// A client can put a name on their clinician's accesses (nobody else's clinicians), a clinician
/// sees their clients to message them, and an admin gets an empty list.
#[tokio::test]
async fn a_client_learns_their_care_team() {
    let server = TestServer::sqlite().await;
    let mut p = practice(&server).await;
    let team = p.client.get("/api/v1/me/care-team").await.ok().clone();
    let people = team["people"].as_array().expect("people");
    assert_eq!(people.len(), 1, "{team}");
    assert_eq!(people[0]["id"], p.clinician_id.as_str());
    assert_eq!(people[0]["display_name"], "Casey Clinician");
    assert_eq!(people[0]["role"], "clinician");
    let staff = p.clinician.get("/api/v1/me/care-team").await.ok().clone();
    let mut clients: Vec<&str> = staff["people"]
        .as_array()
        .expect("people")
        .iter()
        .inspect(|c| assert_eq!(c["role"], "client", "{staff}"))
        .filter_map(|c| c["id"].as_str())
        .collect();
    clients.sort_unstable();
    let mut expected = vec![p.client_id.as_str(), p.other_client_id.as_str()];
    expected.sort_unstable();
    assert_eq!(clients, expected, "the clinician's two clients");
    let admin = p.admin.get("/api/v1/me/care-team").await.ok().clone();
    assert_eq!(admin["people"].as_array().map(Vec::len), Some(0));
    server
        .person()
        .get("/api/v1/me/care-team")
        .await
        .expect_error(401, "unauthenticated");
    server.cleanup().await;
}

#[tokio::test]
async fn proofs_are_served_and_bad_queries_refused() {
    let server = TestServer::sqlite().await;
    let mut p = practice(&server).await;
    let cp = p.client.get("/api/v1/audit/checkpoint").await;
    let size = cp.ok()["size"].as_u64().expect("size");
    assert!(
        size >= 10,
        "setup, invitations, redemptions, sign-ins: {size}"
    );
    let ok = p
        .client
        .get(&format!(
            "/api/v1/audit/proof/inclusion?index=3&size={size}"
        ))
        .await;
    assert_eq!(ok.ok()["index"], 3);
    let ok = p
        .client
        .get(&format!("/api/v1/audit/proof/consistency?from=2&to={size}"))
        .await;
    assert!(!ok.ok()["proof"].as_array().expect("proof").is_empty());
    for bad in [
        format!("/api/v1/audit/proof/inclusion?index={size}&size={size}"),
        format!("/api/v1/audit/proof/inclusion?index=0&size={}", size + 1),
        "/api/v1/audit/proof/inclusion?index=x&size=1".to_owned(),
        "/api/v1/audit/proof/inclusion?size=1".to_owned(),
        format!("/api/v1/audit/proof/consistency?from={size}&to=1"),
        "/api/v1/audit/proof/consistency?from=1&to=18446744073709551615".to_owned(),
        "/api/v1/audit/events?cursor=-1".to_owned(),
    ] {
        p.client.get(&bad).await.expect_error(400, "bad_request");
    }
    server.cleanup().await;
}

#[tokio::test]
async fn a_forked_history_is_refused() {
    let server = TestServer::sqlite().await;
    let mut p = practice(&server).await;
    let key = p.client.get("/api/v1/audit/key").await;
    let verifier = NoteVerifier::parse(key.ok()["key"].as_str().expect("key")).expect("key");
    let mut memory = CheckpointMemory::new(verifier);
    let first = p.client.get("/api/v1/audit/checkpoint").await.ok().clone();
    memory
        .update(first["note"].as_str().expect("note"), &[])
        .expect("first checkpoint");
    let known = first["size"].as_u64().expect("size");

    // An honest extension verifies.
    p.clinician.get("/api/v1/people").await.ok();
    let next = p.client.get("/api/v1/audit/checkpoint").await.ok().clone();
    let to = next["size"].as_u64().expect("size");
    let proof = p
        .client
        .get(&format!(
            "/api/v1/audit/proof/consistency?from={known}&to={to}"
        ))
        .await;
    let hashes: Vec<Vec<u8>> = proof.ok()["proof"]
        .as_array()
        .expect("proof")
        .iter()
        .map(b64)
        .collect();
    memory
        .update(
            next["note"].as_str().expect("note"),
            &decode_proof(&hashes).expect("hashes"),
        )
        .expect("honest");
    let known = to;

    // The server rewrites history (with its own key) and presents a longer, different log.
    let pool = sqlx::SqlitePool::connect(&server.database_url())
        .await
        .expect("raw");
    for q in [
        "DELETE FROM audit_leaves",
        "DELETE FROM audit_nodes",
        "DELETE FROM audit_checkpoints",
        "UPDATE audit_head SET size = 0 WHERE id = 1",
    ] {
        sqlx::query(q).execute(&pool).await.expect("rewrite");
    }
    pool.close().await;
    let forged: Vec<AuditEvent> = (0..known + 5)
        .map(|n| {
            AuditEvent::new(EventKind::SignIn, n as i64)
                .with_actor(ActorId::new(p.clinician_id.as_str()).expect("id"))
        })
        .collect();
    server
        .state
        .store
        .log_events(&forged)
        .await
        .expect("forged history");
    let forked = p.client.get("/api/v1/audit/checkpoint").await.ok().clone();
    let to = forked["size"].as_u64().expect("size");
    assert!(to > known);
    let proof = p
        .client
        .get(&format!(
            "/api/v1/audit/proof/consistency?from={known}&to={to}"
        ))
        .await;
    let hashes: Vec<Vec<u8>> = proof.ok()["proof"]
        .as_array()
        .expect("proof")
        .iter()
        .map(b64)
        .collect();
    let err = memory
        .update(
            forked["note"].as_str().expect("note"),
            &decode_proof(&hashes).expect("hashes"),
        )
        .expect_err("a fork is refused");
    assert!(err.is_fork(), "{err:?}");
    // The memory still holds the honest checkpoint.
    assert_eq!(memory.latest().expect("kept").size, known);
    server.cleanup().await;
}

#[tokio::test]
async fn audit_verify_catches_tampering_and_export_lists_accesses() {
    let server = TestServer::sqlite().await;
    let mut p = practice(&server).await;
    p.clinician.get("/api/v1/people").await.ok();
    p.client.get("/api/v1/audit/checkpoint").await.ok();
    let location = LogLocation {
        data_dir: server.data_dir(),
        database_url: None,
    };

    let mut out = Vec::new();
    assert!(audit_tool::verify(&location, &mut out)
        .await
        .expect("verify runs"));
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("OK: the audit log is intact"), "{text}");

    let mut out = Vec::new();
    assert!(audit_tool::checkpoint(&location, &mut out)
        .await
        .expect("checkpoint"));
    assert!(String::from_utf8(out)
        .expect("utf-8")
        .contains("/alcove-audit\n"));

    let mut out = Vec::new();
    audit_tool::export(&location, &p.client_id, ExportFormat::Json, &mut out)
        .await
        .expect("export");
    let doc: Value = serde_json::from_slice(&out).expect("json");
    let events = doc["events"].as_array().expect("events");
    assert!(events
        .iter()
        .any(|e| e["kind"] == "record_viewed" && e["actor"] == p.clinician_id.as_str()));
    assert!(events
        .iter()
        .all(|e| e["subject"] == p.client_id.as_str() && e["proof"].is_array()));
    let mut out = Vec::new();
    audit_tool::export(&location, &p.client_id, ExportFormat::Csv, &mut out)
        .await
        .expect("export");
    let csv = String::from_utf8(out).expect("utf-8");
    assert_eq!(csv.lines().count(), events.len() + 1, "{csv}");
    assert!(
        audit_tool::export(&location, "not-an-id", ExportFormat::Csv, &mut Vec::new())
            .await
            .is_err()
    );

    // Someone edits the database file: one stored event now says something else.
    let pool = sqlx::SqlitePool::connect(&server.database_url())
        .await
        .expect("raw");
    sqlx::query("UPDATE audit_leaves SET data = (SELECT data FROM audit_leaves WHERE idx = 2) WHERE idx = 1")
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;
    let mut out = Vec::new();
    assert!(!audit_tool::verify(&location, &mut out)
        .await
        .expect("verify runs"));
    let text = String::from_utf8(out).expect("utf-8");
    assert!(
        text.contains("DIVERGENCE") && text.contains("FAILED"),
        "{text}"
    );
    server.cleanup().await;
}
