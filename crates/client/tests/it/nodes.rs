//! Two server nodes on one PostgreSQL database: a device connected to one node gets live
//! pushes of what was posted through the other (PostgreSQL `LISTEN`/`NOTIFY`).

use crate::harness::{texts, Practice};
use alcove_client::{Client, Event};
use std::time::Duration;

/// Waits for live events (pushes only: `next_events` fetches nothing unless a push arrives).
async fn live_events(client: &mut Client, done: impl Fn(&[Event]) -> bool) -> Vec<Event> {
    let mut got = Vec::new();
    for _ in 0..50 {
        if done(got.as_slice()) {
            break;
        }
        got.extend(
            client
                .next_events(Duration::from_millis(200))
                .await
                .expect("live events"),
        );
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_on_two_nodes_get_each_others_messages_live() {
    let test = "devices_on_two_nodes_get_each_others_messages_live";
    let Some(mut p) = Practice::postgres(test).await else {
        return;
    };
    let node = p.second_node().await;
    let mut clinician = p.clinician("Dr Casey").await;
    let client = p.client_of(&mut clinician, "Robin").await;
    // The clinician's device works through the second node, the client's through the first.
    let mut a = Client::register(clinician.account.through(&node.address), "Clinic laptop")
        .await
        .expect("register through node 2");
    let mut b = Client::register(client.account.clone(), "Phone")
        .await
        .expect("register through node 1");
    let conversation = a
        .start_conversation(&b.account().user_id)
        .await
        .expect("start conversation on node 2");
    b.sync().await.expect("join through node 1");
    a.connect().await.expect("connect to node 2");
    b.connect().await.expect("connect to node 1");

    for i in 0..3 {
        b.send_text(&conversation, &format!("from node 1, {i}"))
            .await
            .expect("send through node 1");
    }
    let got = live_events(&mut a, |e| texts(e).len() >= 3).await;
    assert_eq!(
        texts(&got),
        ["from node 1, 0", "from node 1, 1", "from node 1, 2"]
    );
    a.send_text(&conversation, "from node 2")
        .await
        .expect("send through node 2");
    let got = live_events(&mut b, |e| !texts(e).is_empty()).await;
    assert_eq!(texts(&got), ["from node 2"]);

    // A device change made through node 1 reaches the peer on node 2.
    let tablet = Client::register(client.account, "Tablet")
        .await
        .expect("a second device through node 1");
    let got = live_events(&mut a, |e| {
        e.iter().any(|e| matches!(e, Event::DeviceChanged { .. }))
    })
    .await;
    assert!(
        got.contains(&Event::DeviceChanged {
            user: b.account().user_id.clone(),
            device: tablet.device_id().clone(),
            removed: false,
        }),
        "{got:?}"
    );
    node.stop().await;
    p.cleanup().await;
}
