//! Informed consent on every backend: versions are numbered, unique by hash and immutable
//! (even to raw SQL); an acceptance is recorded only for the current version and only with a
//! passkey counter that moved, together with its protections and its audit event.

use crate::audit_log::{raw, sql};
use crate::conformance::{account, admin, ev, id, invitation, HOUR};
use alcove_audit::EventKind;
use alcove_store::*;
use alcove_types::{ConsentRecordId, InvitationKind, PasskeyId, Role, UserId};

crate::conformance_with_url!(
    versions_are_numbered_unique_and_immutable,
    consent_is_recorded_only_for_the_current_version_with_its_event,
    a_failed_acceptance_leaves_nothing_behind,
    discussions_are_marked_once_per_item,
    acceptances_in_the_same_millisecond_list_the_newer_version_first,
);

fn document(n: u8, by: Option<&UserId>, now: i64) -> NewConsentDocument {
    NewConsentDocument {
        hash: format!("{n:02x}").repeat(32),
        body: format!("# Document {n}\n\n<script>alert(1)</script>"),
        questions_json: "[]".to_owned(),
        text: format!("text {n}"),
        published_by: by.cloned(),
        published_at: now,
    }
}

/// An admin, a clinician and their client (whose passkey is `pk` number 3, counter 0).
async fn people(store: &Store, now: i64) -> (UserId, UserId) {
    let admin = admin(store, now).await;
    let inv = invitation(
        2,
        InvitationKind::Invitation,
        Role::Clinician,
        Some(&admin),
        now,
    );
    store
        .create_invitation(&inv, &ev(EventKind::InvitationCreated))
        .await
        .expect("invite clinician");
    let clinician = account(2, &inv.id, Role::Clinician, None, now);
    store
        .redeem_for_new_account(&clinician, &ev(EventKind::InvitationRedeemed))
        .await
        .expect("clinician");
    let inv = invitation(
        3,
        InvitationKind::Invitation,
        Role::Client,
        Some(&clinician.user.id),
        now,
    );
    store
        .create_invitation(&inv, &ev(EventKind::InvitationCreated))
        .await
        .expect("invite client");
    let client = account(3, &inv.id, Role::Client, Some(&clinician.user.id), now);
    store
        .redeem_for_new_account(&client, &ev(EventKind::InvitationRedeemed))
        .await
        .expect("client");
    (clinician.user.id, client.user.id)
}

fn acceptance(n: u8, client: &UserId, hash: &str, counter: i64, now: i64) -> NewConsentRecord {
    NewConsentRecord {
        id: id(ConsentRecordId::from_random, n),
        user_id: client.clone(),
        document_hash: hash.to_owned(),
        answers_json: r#"[{"question_id":"a","choice":1}]"#.to_owned(),
        protections: ProtectionsRow {
            others_use_device: true,
            device_is_mine: false,
            idle_timeout_secs: 300,
            discreet_mode: true,
            local_history: false,
            updated_at: now,
        },
        statement_hash: "ab".repeat(32),
        challenge: "challenge".to_owned(),
        nonce: "cd".repeat(32),
        passkey_id: id(PasskeyId::from_random, 3),
        previous_count: counter,
        new_count: counter + 1,
        passkey_json: "{\"updated\":true}".to_owned(),
        assertion_json: "{}".to_owned(),
        accepted_at: now,
    }
}

async fn versions_are_numbered_unique_and_immutable(store: &Store, url: &str) {
    let now = 1_000;
    let admin = admin(store, now).await;
    assert_eq!(
        store.current_consent_document().await.expect("current"),
        None
    );
    let first = document(1, None, now);
    let v = store
        .publish_consent_document(&first, &ev(EventKind::PolicyChanged))
        .await
        .expect("publish 1");
    assert_eq!(v, 1);
    let second = document(2, Some(&admin), now + 1);
    let v = store
        .publish_consent_document(&second, &ev(EventKind::PolicyChanged))
        .await
        .expect("publish 2");
    assert_eq!(v, 2);
    let current = store
        .current_consent_document()
        .await
        .expect("current")
        .expect("exists");
    assert_eq!(
        (current.version, current.hash.as_str()),
        (2, second.hash.as_str())
    );
    assert_eq!(current.published_by.as_ref(), Some(&admin));
    assert_eq!(current.body, second.body, "stored exactly as given");

    let size = store.audit_size().await.expect("size");
    let err = store
        .publish_consent_document(
            &document(1, Some(&admin), now + 2),
            &ev(EventKind::PolicyChanged),
        )
        .await
        .expect_err("same hash twice");
    assert_eq!(err.kind(), ErrorKind::Duplicate);
    assert_eq!(
        store.audit_size().await.expect("size"),
        size,
        "no event without its change"
    );
    let all = store.consent_documents().await.expect("list");
    assert_eq!(
        all.iter().map(|d| d.version).collect::<Vec<_>>(),
        vec![2, 1]
    );

    // Published versions cannot be altered or removed, not even with SQL.
    let pool = raw(url).await;
    let update = sqlx::query(&sql(
        url,
        "UPDATE consent_documents SET body = $1 WHERE version = 1",
    ))
    .bind("changed")
    .execute(&pool)
    .await;
    assert!(update.is_err(), "an UPDATE must be refused");
    let delete = sqlx::query(&sql(url, "DELETE FROM consent_documents WHERE version = 1"))
        .execute(&pool)
        .await;
    assert!(delete.is_err(), "a DELETE must be refused");
    pool.close().await;
    let one = store
        .consent_document(&first.hash)
        .await
        .expect("lookup")
        .expect("still there");
    assert_eq!(one.body, first.body);
}

async fn consent_is_recorded_only_for_the_current_version_with_its_event(
    store: &Store,
    _url: &str,
) {
    let now = 2 * HOUR;
    let (_, client) = people(store, now).await;
    let old = document(1, None, now);
    store
        .publish_consent_document(&old, &ev(EventKind::PolicyChanged))
        .await
        .expect("publish 1");
    let current = document(2, None, now);
    store
        .publish_consent_document(&current, &ev(EventKind::PolicyChanged))
        .await
        .expect("publish 2");

    let err = store
        .record_consent(
            &acceptance(1, &client, &old.hash, 0, now),
            &ev(EventKind::ConsentRecorded),
        )
        .await
        .expect_err("an outdated version");
    assert_eq!(err.kind(), ErrorKind::Conflict);

    let size = store.audit_size().await.expect("size");
    let record = acceptance(2, &client, &current.hash, 0, now + 1);
    store
        .record_consent(&record, &ev(EventKind::ConsentRecorded))
        .await
        .expect("record");
    assert_eq!(
        store.audit_size().await.expect("size"),
        size + 1,
        "one event with the change"
    );
    let rows = store.consent_records_of(&client).await.expect("records");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, record.id);
    assert_eq!(rows[0].document_hash, current.hash);
    assert_eq!(rows[0].answers_json, record.answers_json);
    assert!(rows[0].others_use_device && !rows[0].device_is_mine);
    let protections = store
        .client_protections(&client)
        .await
        .expect("protections")
        .expect("set");
    assert_eq!(protections, record.protections);
    let passkeys = store.passkeys_of(&client).await.expect("passkeys");
    assert_eq!(
        passkeys[0].sign_count, 1,
        "the signing passkey's counter moved"
    );
    assert_eq!(passkeys[0].passkey_json, "{\"updated\":true}");

    // The same assertion (same old counter) cannot be recorded twice.
    let err = store
        .record_consent(
            &acceptance(3, &client, &current.hash, 0, now + 2),
            &ev(EventKind::ConsentRecorded),
        )
        .await
        .expect_err("replayed counter");
    assert_eq!(err.kind(), ErrorKind::Conflict);

    // A second acceptance replaces the protections and comes first.
    let mut again = acceptance(4, &client, &current.hash, 1, now + 3);
    again.protections.others_use_device = false;
    again.protections.device_is_mine = true;
    again.protections.idle_timeout_secs = 1800;
    again.protections.discreet_mode = false;
    store
        .record_consent(&again, &ev(EventKind::ConsentRecorded))
        .await
        .expect("record again");
    let rows = store.consent_records_of(&client).await.expect("records");
    assert_eq!(
        rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        vec![again.id.clone(), record.id.clone()]
    );
    let protections = store
        .client_protections(&client)
        .await
        .expect("p")
        .expect("set");
    assert_eq!(protections.idle_timeout_secs, 1800);
    assert!(!protections.discreet_mode);
}

async fn a_failed_acceptance_leaves_nothing_behind(store: &Store, _url: &str) {
    let now = 3 * HOUR;
    let (_, client) = people(store, now).await;
    let doc = document(1, None, now);
    store
        .publish_consent_document(&doc, &ev(EventKind::PolicyChanged))
        .await
        .expect("publish");
    // A passkey that is not the client's: the counter update matches nothing.
    let mut wrong = acceptance(1, &client, &doc.hash, 0, now);
    wrong.passkey_id = id(PasskeyId::from_random, 2);
    let size = store.audit_size().await.expect("size");
    let err = store
        .record_consent(&wrong, &ev(EventKind::ConsentRecorded))
        .await
        .expect_err("someone else's passkey");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(store
        .consent_records_of(&client)
        .await
        .expect("records")
        .is_empty());
    assert_eq!(store.client_protections(&client).await.expect("p"), None);
    assert_eq!(store.audit_size().await.expect("size"), size);
}

async fn discussions_are_marked_once_per_item(store: &Store, _url: &str) {
    let now = 4 * HOUR;
    let (clinician, client) = people(store, now).await;
    assert!(store
        .discussions_of(&client)
        .await
        .expect("list")
        .is_empty());
    store
        .mark_discussed(&client, "second_passkey", &clinician, now)
        .await
        .expect("mark");
    store
        .mark_discussed(&client, "second_passkey", &clinician, now + 5)
        .await
        .expect("mark again");
    store
        .mark_discussed(&client, "shared_device", &clinician, now + 6)
        .await
        .expect("mark other");
    let rows = store.discussions_of(&client).await.expect("list");
    assert_eq!(
        rows.iter()
            .map(|r| (r.item.as_str(), r.discussed_at))
            .collect::<Vec<_>>(),
        vec![("second_passkey", now + 5), ("shared_device", now + 6)]
    );
    assert_eq!(rows[0].clinician_id, clinician);
}

/// Regression: with the test clock standing still, a re-consent to version 2 in the same
/// millisecond as the consent to version 1 sometimes listed version 1 first (ties were broken
/// by random id), and the client looked as if they still had to re-consent.
async fn acceptances_in_the_same_millisecond_list_the_newer_version_first(
    store: &Store,
    _url: &str,
) {
    let now = 5 * HOUR;
    let (_, client) = people(store, now).await;
    let v1 = document(1, None, now);
    store
        .publish_consent_document(&v1, &ev(EventKind::PolicyChanged))
        .await
        .expect("publish 1");
    store
        .record_consent(
            &acceptance(0xf0, &client, &v1.hash, 0, now),
            &ev(EventKind::ConsentRecorded),
        )
        .await
        .expect("record 1");
    let v2 = document(2, None, now);
    store
        .publish_consent_document(&v2, &ev(EventKind::PolicyChanged))
        .await
        .expect("publish 2");
    store
        .record_consent(
            &acceptance(0x01, &client, &v2.hash, 1, now),
            &ev(EventKind::ConsentRecorded),
        )
        .await
        .expect("record 2");
    let rows = store.consent_records_of(&client).await.expect("records");
    assert_eq!(
        rows.iter()
            .map(|r| r.document_hash.as_str())
            .collect::<Vec<_>>(),
        vec![v2.hash.as_str(), v1.hash.as_str()]
    );
}
