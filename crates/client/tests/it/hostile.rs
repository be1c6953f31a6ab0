//! A hostile server and hostile input: tampered, replayed and injected messages, altered
//! attachments, forged key packages and swapped device keys. Each is refused with an error,
//! never a panic. The server's database is edited directly to play the hostile server.

use crate::harness::{texts, Practice};
use alcove_client::{Client, ErrorKind};
use alcove_types::ErrorCode;
use sqlx::sqlite::SqlitePool;

async fn db(p: &Practice) -> SqlitePool {
    SqlitePool::connect(&format!(
        "sqlite://{}",
        p.dir.path().join("alcove.db").display()
    ))
    .await
    .expect("open the server's database")
}

async fn last_seq(pool: &SqlitePool, conv: &str) -> i64 {
    sqlx::query_scalar("SELECT last_seq FROM conversations WHERE id = ?1")
        .bind(conv)
        .fetch_one(pool)
        .await
        .expect("conversation")
}

/// Appends a message row as the server would, bypassing every check.
async fn inject(pool: &SqlitePool, conv: &str, sender: &str, epoch: i64, data: Vec<u8>) {
    let seq = last_seq(pool, conv).await + 1;
    sqlx::query("UPDATE conversations SET last_seq = ?1 WHERE id = ?2")
        .bind(seq)
        .bind(conv)
        .execute(pool)
        .await
        .expect("bump");
    sqlx::query(
        "INSERT INTO messages (conversation_id, seq, sender_device, kind, epoch, data, created_at) \
         VALUES (?1, ?2, ?3, 'application', ?4, ?5, 0)",
    )
    .bind(conv)
    .bind(seq)
    .bind(sender)
    .bind(epoch)
    .bind(data)
    .execute(pool)
    .await
    .expect("inject");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_replayed_and_injected_messages_are_rejected() {
    let mut p = Practice::sqlite().await;
    let (mut clinician, mut client, conv) = p.pair().await;
    let pool = db(&p).await;
    let sender = clinician.device_id().to_string();
    let first = clinician.send_text(&conv, "first").await.expect("send");
    assert_eq!(texts(&client.sync().await.expect("sync")), ["first"]);
    let first_data: Vec<u8> =
        sqlx::query_scalar("SELECT data FROM messages WHERE conversation_id = ?1 AND seq = ?2")
            .bind(conv.as_str())
            .bind(first as i64)
            .fetch_one(&pool)
            .await
            .expect("stored");

    // Tampered: one bit of the ciphertext flipped in storage.
    let seq = clinician.send_text(&conv, "second").await.expect("send");
    let mut data: Vec<u8> =
        sqlx::query_scalar("SELECT data FROM messages WHERE conversation_id = ?1 AND seq = ?2")
            .bind(conv.as_str())
            .bind(seq as i64)
            .fetch_one(&pool)
            .await
            .expect("stored");
    let last = data.len() - 1;
    data[last] ^= 0x01;
    sqlx::query("UPDATE messages SET data = ?1 WHERE conversation_id = ?2 AND seq = ?3")
        .bind(data)
        .bind(conv.as_str())
        .bind(seq as i64)
        .execute(&pool)
        .await
        .expect("tamper");
    let err = client
        .sync()
        .await
        .expect_err("a tampered message is refused");
    assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");

    // Replayed: the server delivers an earlier, already read message again under a new number.
    inject(&pool, conv.as_str(), &sender, 1, first_data).await;
    let err = client
        .sync()
        .await
        .expect_err("a replayed message is refused");
    assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");

    // Injected: bytes the server made up.
    inject(
        &pool,
        conv.as_str(),
        &sender,
        1,
        b"not an MLS message".to_vec(),
    )
    .await;
    let err = client
        .sync()
        .await
        .expect_err("an injected message is refused");
    assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");

    // The conversation goes on after all of that.
    clinician.send_text(&conv, "third").await.expect("send");
    assert_eq!(texts(&client.sync().await.expect("sync")), ["third"]);

    // Through the API, garbage is refused before it is stored.
    let err = client
        .account()
        .call::<serde_json::Value>(
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(serde_json::json!({"message": "AAAA"})),
            Some(client.device_id()),
        )
        .await
        .expect_err("not MLS");
    assert_eq!(err.code(), Some(ErrorCode::InvalidMessage));
    p.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn altered_attachments_are_rejected() {
    let mut p = Practice::sqlite().await;
    let (mut clinician, mut client, conv) = p.pair().await;
    let pool = db(&p).await;
    let bytes = vec![42u8; 200 * 1024];
    let reference = clinician
        .send_attachment(&conv, &bytes, "notes.txt", "text/plain")
        .await
        .expect("send");
    client.sync().await.expect("sync");
    let blob: Vec<u8> = sqlx::query_scalar("SELECT data FROM blobs WHERE id = ?1")
        .bind(&reference.blob_id)
        .fetch_one(&pool)
        .await
        .expect("blob");
    let chunk = blob.len() / 4;
    let truncated = blob[..blob.len() - 100].to_vec();
    let mut reordered = blob.clone();
    reordered[..chunk].rotate_left(chunk / 2);
    for altered in [truncated, reordered] {
        sqlx::query("UPDATE blobs SET data = ?1 WHERE id = ?2")
            .bind(altered)
            .bind(&reference.blob_id)
            .execute(&pool)
            .await
            .expect("alter");
        let err = client
            .download_attachment(&reference)
            .await
            .expect_err("an altered blob is refused");
        assert_eq!(err.kind(), ErrorKind::Crypto, "{err}");
    }
    p.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_packages_of_another_device_are_refused() {
    let mut p = Practice::sqlite().await;
    let (clinician, client, _conv) = p.pair().await;
    // The client's device tries to publish a key package that names the clinician's device.
    let identity = alcove_crypto::DeviceIdentity::new(
        alcove_crypto::UserId::new(clinician.account().user_id.as_str()).expect("id"),
        alcove_crypto::DeviceId::new(clinician.device_id().as_str()).expect("id"),
    );
    let mut forger = alcove_crypto::Device::new(identity).expect("device");
    let kp = forger.key_package().expect("key package");
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(kp);
    for device in [client.device_id(), clinician.device_id()] {
        let account = if device == client.device_id() {
            client.account()
        } else {
            clinician.account()
        };
        let err = account
            .call::<serde_json::Value>(
                reqwest::Method::POST,
                &format!("/api/v1/devices/{device}/key-packages"),
                Some(serde_json::json!({"key_packages": [encoded]})),
                None,
            )
            .await
            .expect_err("refused");
        // Another person's device id, or the right id with another signature key.
        assert_eq!(err.code(), Some(ErrorCode::InvalidKeyPackage), "{err}");
    }
    p.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swapped_device_key_is_caught_by_key_transparency() {
    let mut p = Practice::sqlite().await;
    let mut clinician_person = p.clinician("Dr Casey").await;
    let client_person = p.client_of(&mut clinician_person, "Robin").await;
    let mut clinician = Client::register(clinician_person.account, "Laptop")
        .await
        .expect("register");
    let client = Client::register(client_person.account, "Phone")
        .await
        .expect("register");
    let pool = db(&p).await;
    // The server points the client's device at another leaf of the log (one that does not
    // register this key), as it would to slip in a key of its own.
    sqlx::query("UPDATE devices SET log_index = 0 WHERE id = ?1")
        .bind(client.device_id().as_str())
        .execute(&pool)
        .await
        .expect("swap");
    let err = clinician
        .start_conversation(&client.account().user_id)
        .await
        .expect_err("the clinician's client refuses to encrypt to an unlogged key");
    assert_eq!(err.kind(), ErrorKind::Transparency, "{err}");
    p.cleanup().await;
}
