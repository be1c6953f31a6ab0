//! Round trips, offline delivery, several devices, removal, self-update, concurrent commits and
//! attachments, each through a real server on SQLite and PostgreSQL.

use crate::harness::{texts, Practice};
use crate::on_both;
use alcove_client::{Client, Event};
use alcove_crypto::PayloadKind;
use alcove_types::ErrorCode;
use std::time::Duration;

async fn next_texts(client: &mut Client, want: usize) -> Vec<String> {
    let mut got = Vec::new();
    for _ in 0..50 {
        if got.len() >= want {
            break;
        }
        let events = client
            .next_events(Duration::from_millis(200))
            .await
            .expect("live events");
        got.extend(texts(&events));
    }
    got
}

async fn round_trip_body(mut p: Practice) {
    let (mut clinician, mut client, conv) = p.pair().await;
    // Both ways over HTTP.
    clinician
        .send_text(&conv, "Hello Robin")
        .await
        .expect("send");
    assert_eq!(texts(&client.sync().await.expect("sync")), ["Hello Robin"]);
    client
        .send_text(&conv, "Hi, thanks 🌿")
        .await
        .expect("send");
    assert_eq!(
        texts(&clinician.sync().await.expect("sync")),
        ["Hi, thanks 🌿"]
    );
    // Live, over the WebSocket, both ways.
    clinician.connect().await.expect("connect");
    client.connect().await.expect("connect");
    for i in 0..5 {
        clinician
            .send_text(&conv, &format!("live {i}"))
            .await
            .expect("send live");
    }
    assert_eq!(
        next_texts(&mut client, 5).await,
        ["live 0", "live 1", "live 2", "live 3", "live 4"]
    );
    client.send_text(&conv, "and back").await.expect("send");
    assert_eq!(next_texts(&mut clinician, 1).await, ["and back"]);
    // A device outside the conversation may not post or read.
    let mut other = p.clinician("Dr Other").await;
    let stranger_client = p.client_of(&mut other, "Sam").await;
    let stranger = Client::register(stranger_client.account, "Tablet")
        .await
        .expect("register");
    let err = stranger
        .account()
        .call::<serde_json::Value>(
            reqwest::Method::GET,
            &format!("/api/v1/conversations/{conv}/messages"),
            None,
            Some(stranger.device_id()),
        )
        .await
        .expect_err("a stranger cannot read");
    assert_eq!(err.code(), Some(ErrorCode::NotMember));
    p.cleanup().await;
}
on_both!(round_trip, round_trip_body);

async fn offline_delivery_body(mut p: Practice) {
    let (mut clinician, mut client, conv) = p.pair().await;
    for text in ["one", "two", "three"] {
        clinician.send_text(&conv, text).await.expect("send");
    }
    // The client was offline; it finds all three in order.
    assert_eq!(
        texts(&client.sync().await.expect("sync")),
        ["one", "two", "three"]
    );
    // Nothing is delivered twice.
    assert!(texts(&client.sync().await.expect("sync")).is_empty());
    p.cleanup().await;
}
on_both!(offline_delivery, offline_delivery_body);

async fn multi_device_and_removal_body(mut p: Practice) {
    let mut clinician_person = p.clinician("Dr Casey").await;
    let mut client_person = p.client_of(&mut clinician_person, "Robin").await;
    let mut clinician = Client::register(clinician_person.account, "Laptop")
        .await
        .expect("register");
    let phone_account = client_person.account.clone();
    let mut phone = Client::register(phone_account, "Phone")
        .await
        .expect("register");
    // The client signs in on a second device.
    let laptop_account = alcove_client::Account::sign_in(&p.origin, &mut client_person.passkey)
        .await
        .expect("sign in again");
    let mut laptop = Client::register(laptop_account, "Laptop")
        .await
        .expect("register");
    let conv = clinician
        .start_conversation(&phone.account().user_id)
        .await
        .expect("start");
    phone.sync().await.expect("phone joins");
    laptop.sync().await.expect("laptop joins");
    let members = clinician
        .device()
        .members(&alcove_crypto::ConversationId::from_hex(conv.as_str()).expect("id"))
        .expect("members");
    assert_eq!(members.len(), 3, "clinician + both client devices");
    clinician.send_text(&conv, "to both").await.expect("send");
    assert_eq!(texts(&phone.sync().await.expect("sync")), ["to both"]);
    assert_eq!(texts(&laptop.sync().await.expect("sync")), ["to both"]);
    // A message from one client device reaches the other.
    laptop
        .send_text(&conv, "from my laptop")
        .await
        .expect("send");
    assert_eq!(
        texts(&phone.sync().await.expect("sync")),
        ["from my laptop"]
    );
    assert_eq!(
        texts(&clinician.sync().await.expect("sync")),
        ["from my laptop"]
    );

    // The laptop is lost: the client removes it from the conversation from the phone.
    phone
        .remove_devices(&conv, &[laptop.device_id().clone()])
        .await
        .expect("remove laptop");
    let events = clinician.sync().await.expect("clinician sees the removal");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Membership { removed, .. } if removed.len() == 1)),
        "{events:?}"
    );
    clinician
        .send_text(&conv, "after removal")
        .await
        .expect("send");
    assert_eq!(texts(&phone.sync().await.expect("sync")), ["after removal"]);
    // The laptop learns it was removed and gets nothing sent afterwards.
    let events = laptop.sync().await.expect("laptop syncs");
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::Membership {
                removed_self: true,
                ..
            }
        )),
        "{events:?}"
    );
    assert!(texts(&events).is_empty(), "{events:?}");
    let err = laptop
        .send_text(&conv, "can I still talk?")
        .await
        .expect_err("a removed device cannot send");
    assert!(
        err.code() == Some(ErrorCode::NotMember) || err.crypto_kind().is_some(),
        "{err}"
    );
    p.cleanup().await;
}
on_both!(multi_device_and_removal, multi_device_and_removal_body);

async fn self_update_and_concurrent_commits_body(mut p: Practice) {
    let (mut clinician, mut client, conv) = p.pair().await;
    let group = alcove_crypto::ConversationId::from_hex(conv.as_str()).expect("id");
    let start = clinician.device().epoch(&group).expect("epoch");
    client.self_update(&conv).await.expect("self-update");
    // The clinician has not processed the client's commit; its own commit loses the race for
    // that epoch, and the client library rebases it.
    clinician
        .self_update(&conv)
        .await
        .expect("rebased self-update");
    assert_eq!(clinician.device().epoch(&group).expect("epoch"), start + 2);
    client.sync().await.expect("client catches up");
    assert_eq!(client.device().epoch(&group).expect("epoch"), start + 2);
    // The raw log shows exactly one commit per epoch.
    let raw = clinician.raw_messages(&conv, 0).await.expect("raw log");
    let commits = raw
        .iter()
        .filter(|(_, k)| *k == alcove_types::delivery::MessageKind::Commit)
        .count();
    assert_eq!(commits, 3, "add + two self-updates: {raw:?}");
    client.send_text(&conv, "still here").await.expect("send");
    assert_eq!(
        texts(&clinician.sync().await.expect("sync")),
        ["still here"]
    );
    p.cleanup().await;
}
on_both!(
    self_update_and_concurrent_commits,
    self_update_and_concurrent_commits_body
);

async fn attachments_body(mut p: Practice) {
    let (mut clinician, mut client, conv) = p.pair().await;
    let sizes = if p.is_postgres() {
        vec![0, 1, 64 * 1024, 10 * 1024 * 1024]
    } else {
        vec![0, 1, 64 * 1024, 64 * 1024 + 1, 10 * 1024 * 1024]
    };
    for size in sizes {
        let bytes: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        clinician
            .send_attachment(&conv, &bytes, "worksheet.pdf", "application/pdf")
            .await
            .expect("send attachment");
        let events = client.sync().await.expect("sync");
        let reference = events
            .iter()
            .find_map(|e| match e {
                Event::Message { payload, .. } => match &payload.kind {
                    PayloadKind::AttachmentRef(r) => Some(r.clone()),
                    _ => None,
                },
                _ => None,
            })
            .expect("an attachment reference");
        assert_eq!(reference.size, size as u64);
        let got = client
            .download_attachment(&reference)
            .await
            .expect("download");
        assert!(got == bytes, "{size} bytes round trip");
    }
    p.cleanup().await;
}
on_both!(attachments, attachments_body);

async fn blob_limit_body(mut p: Practice) {
    let (clinician, _client, conv) = p.pair().await;
    let path = format!("/api/v1/conversations/{conv}/blobs");
    let just_over = vec![7u8; 25 * 1024 * 1024 + 1];
    let err = clinician
        .account()
        .upload::<serde_json::Value>(&path, just_over, clinician.device_id())
        .await
        .expect_err("over the 25 MiB default");
    assert_eq!(err.code(), Some(ErrorCode::PayloadTooLarge), "{err}");
    let at_limit = vec![7u8; 25 * 1024 * 1024];
    clinician
        .account()
        .upload::<serde_json::Value>(&path, at_limit, clinician.device_id())
        .await
        .expect("exactly 25 MiB is accepted");
    p.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_limit() {
    blob_limit_body(Practice::sqlite().await).await;
}

async fn audit_and_authorisation_body(mut p: Practice) {
    let (mut clinician, client, conv) = p.pair().await;
    clinician.send_text(&conv, "hello").await.expect("send");
    // The clinician reads the client's conversation: that is an access the client can see.
    clinician.fetch(&conv).await.expect("read");
    let page: serde_json::Value = client
        .account()
        .call(reqwest::Method::GET, "/api/v1/audit/events", None, None)
        .await
        .expect("the client's accounting");
    let kinds: Vec<(String, String)> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["actor"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let by_clinician = clinician.account().user_id.to_string();
    let by_client = client.account().user_id.to_string();
    for (kind, actor) in [
        ("device_added", &by_client),
        ("key_package_published", &by_client),
        ("conversation_created", &by_clinician),
        ("membership_changed", &by_clinician),
        ("record_viewed", &by_clinician),
    ] {
        assert!(
            kinds.iter().any(|(k, a)| k == kind && a == actor),
            "{kind} by {actor} missing from {kinds:?}"
        );
    }
    // No message content or device label reaches the log.
    assert!(!page.to_string().contains("hello"));
    assert!(!page.to_string().contains("Phone"));

    // People outside the care relationship cannot reach the client's devices or key packages,
    // nor open a conversation with them.
    let mut other_person = p.clinician("Dr Other").await;
    let other = Client::register(other_person.account.clone(), "Desk")
        .await
        .expect("register");
    let client_id = client.account().user_id.clone();
    let err = other
        .account()
        .call::<serde_json::Value>(
            reqwest::Method::GET,
            &format!("/api/v1/users/{client_id}/devices"),
            None,
            None,
        )
        .await
        .expect_err("not their client");
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
    let err = other
        .account()
        .call::<serde_json::Value>(
            reqwest::Method::POST,
            "/api/v1/key-packages/claim",
            Some(serde_json::json!({"user_ids": [client_id]})),
            None,
        )
        .await
        .expect_err("not their client");
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
    let err = other
        .account()
        .call::<serde_json::Value>(
            reqwest::Method::POST,
            "/api/v1/conversations",
            Some(serde_json::json!({"conversation_id": "01bb", "peer": client_id})),
            Some(other.device_id()),
        )
        .await
        .expect_err("not their client");
    assert_eq!(err.code(), Some(ErrorCode::NotFound));
    // A device of someone else cannot act for this account.
    let err = other_person
        .account
        .call::<serde_json::Value>(
            reqwest::Method::GET,
            "/api/v1/conversations",
            None,
            Some(client.device_id()),
        )
        .await
        .expect_err("not their device");
    assert_eq!(err.code(), Some(ErrorCode::UnknownDevice));
    // Removing a device needs a fresh passkey confirmation, and then it is gone.
    let removed = format!("/api/v1/devices/{}", other.device_id());
    other_person
        .account
        .reauth(&mut other_person.passkey)
        .await
        .expect("reauth");
    let _: serde_json::Value = other_person
        .account
        .call(reqwest::Method::DELETE, &removed, None, None)
        .await
        .expect("remove own device");
    let err = other
        .conversations()
        .await
        .expect_err("a removed device cannot act");
    assert_eq!(err.code(), Some(ErrorCode::UnknownDevice));
    p.cleanup().await;
}
on_both!(audit_and_authorisation, audit_and_authorisation_body);

async fn consent_gates_sending_body(mut p: Practice) {
    let mut clinician_person = p.clinician("Dr Casey").await;
    let mut client_person = p
        .client_without_consent(&mut clinician_person, "Robin")
        .await;
    let mut clinician = Client::register(clinician_person.account, "Laptop")
        .await
        .expect("register");
    let mut client = Client::register(client_person.account.clone(), "Phone")
        .await
        .expect("a client may set up a device before consenting");
    let conv = clinician
        .start_conversation(&client.account().user_id)
        .await
        .expect("the clinician may open the conversation");
    clinician.send_text(&conv, "welcome").await.expect("send");
    assert_eq!(texts(&client.sync().await.expect("sync")), ["welcome"]);
    let err = client
        .send_text(&conv, "hi")
        .await
        .expect_err("no sending before informed consent");
    assert_eq!(err.code(), Some(ErrorCode::ConsentRequired), "{err}");
    client_person
        .account
        .accept_consent(&mut client_person.passkey)
        .await
        .expect("consent");
    // The refused message was never stored, so this device's ratchet moved on alone; the
    // next one still decrypts on the other side.
    client
        .send_text(&conv, "hi, I read it")
        .await
        .expect("send after consent");
    assert_eq!(
        texts(&clinician.sync().await.expect("sync")),
        ["hi, I read it"]
    );
    p.cleanup().await;
}
on_both!(consent_gates_sending, consent_gates_sending_body);
