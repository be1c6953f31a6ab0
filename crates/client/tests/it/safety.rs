//! Safety-number verification reported to the server: it checks the digits against the
//! conversation's current devices, and the clinician's secureness checklist counts the client's
//! verification only while no device has changed since.

use crate::harness::Practice;
use crate::on_both;
use alcove_client::{Account, Client};
use alcove_crypto::{ConversationId as Group, PersonKeys, UserId as CryptoUser};
use alcove_types::ConversationId;
use reqwest::Method;
use serde_json::{json, Value};

fn digits(device: &Client, conv: &ConversationId, peer: &str) -> String {
    let group = Group::from_hex(conv.as_str()).expect("id");
    let members = device.device().members(&group).expect("members");
    let own = PersonKeys::from_members(&device.device().identity().user, &members);
    let other = PersonKeys::from_members(&CryptoUser::new(peer).expect("user"), &members);
    alcove_crypto::safety_number(&own, &other)
        .expect("safety number")
        .digits()
        .to_owned()
}

async fn report(client: &Client, conv: &ConversationId, number: &str) -> Result<Value, String> {
    client
        .account()
        .call::<Value>(
            Method::POST,
            &format!("/api/v1/conversations/{conv}/verification"),
            Some(json!({ "safety_number": number })),
            Some(client.device_id()),
        )
        .await
        .map_err(|e| {
            e.code()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_else(|| e.to_string())
        })
}

async fn safety_state(clinician: &Account) -> String {
    let list: Value = clinician
        .call(Method::GET, "/api/v1/clients/checklists", None, None)
        .await
        .expect("checklists");
    list["clients"][0]["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item"] == "safety_numbers")
        .map(|i| i["state"].as_str().unwrap_or_default().to_owned())
        .expect("safety item")
}

async fn verification_body(mut p: Practice) {
    let clinician_person = p.clinician("Dr Casey").await;
    let mut clinician_person = clinician_person;
    let mut client_person = p.client_of(&mut clinician_person, "Robin").await;
    let clinician_account = clinician_person.account.clone();
    let mut clinician = Client::register(clinician_person.account, "Laptop")
        .await
        .expect("register");
    let mut phone = Client::register(client_person.account.clone(), "Phone")
        .await
        .expect("register");
    let conv = clinician
        .start_conversation(&phone.account().user_id)
        .await
        .expect("start");
    phone.sync().await.expect("phone joins");
    let clinician_id = clinician.account().user_id.as_str().to_owned();
    let client_id = phone.account().user_id.as_str().to_owned();
    assert_eq!(safety_state(&clinician_account).await, "missing");

    // Both sides compute the same number; a wrong one and a malformed one are refused.
    let number = digits(&phone, &conv, &clinician_id);
    assert_eq!(number, digits(&clinician, &conv, &client_id));
    let mut wrong = number.clone().into_bytes();
    wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
    let wrong = String::from_utf8(wrong).expect("digits");
    assert_eq!(
        report(&phone, &conv, &wrong).await.expect_err("wrong"),
        "safety_number_mismatch"
    );
    assert_eq!(
        report(&phone, &conv, "12345").await.expect_err("short"),
        "bad_request"
    );
    assert_eq!(safety_state(&clinician_account).await, "missing");
    // Spaces as shown on screen are fine.
    let spaced: String = number
        .as_bytes()
        .chunks(5)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join(" ");
    report(&phone, &conv, &spaced).await.expect("recorded");
    assert_eq!(safety_state(&clinician_account).await, "done");

    // A device that is not in the conversation cannot report for it.
    let outsider = p.clinician("Dr Other").await;
    let outsider = Client::register(outsider.account, "Other")
        .await
        .expect("register");
    let refused = report(&outsider, &conv, &number)
        .await
        .expect_err("outsider");
    assert!(
        refused == "forbidden" || refused == "not_found",
        "{refused}"
    );

    // The client adds a laptop: the verification no longer describes the devices.
    let laptop_account = Account::sign_in(&p.origin, &mut client_person.passkey)
        .await
        .expect("sign in again");
    let mut laptop = Client::register(laptop_account, "Laptop")
        .await
        .expect("register");
    // Until a member adds it, the new device sees the conversation as waiting, not as its own.
    let listed: Value = laptop
        .account()
        .call(
            Method::GET,
            "/api/v1/conversations",
            None,
            Some(laptop.device_id()),
        )
        .await
        .expect("list");
    assert_eq!(
        listed["conversations"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
    assert_eq!(listed["pending"][0]["id"], conv.as_str(), "{listed}");
    clinician
        .add_people(&conv, &[phone.account().user_id.clone()])
        .await
        .expect("add the laptop");
    laptop.sync().await.expect("laptop joins");
    phone.sync().await.expect("phone sees the commit");
    let listed: Value = laptop
        .account()
        .call(
            Method::GET,
            "/api/v1/conversations",
            None,
            Some(laptop.device_id()),
        )
        .await
        .expect("list");
    assert_eq!(listed["conversations"][0]["id"], conv.as_str(), "{listed}");
    assert_eq!(
        listed["pending"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
    assert_eq!(safety_state(&clinician_account).await, "missing");
    let renewed = digits(&phone, &conv, &clinician_id);
    assert_ne!(renewed, number);
    report(&phone, &conv, &renewed)
        .await
        .expect("recorded again");
    assert_eq!(safety_state(&clinician_account).await, "done");
    p.cleanup().await;
}
on_both!(verification, verification_body);
