//! Live delivery across server nodes that share a PostgreSQL database.
//!
//! A node pushes what it accepted to the devices connected to it at once (see
//! [`crate::hub`]). Every other node hears of it through the store's notifications
//! ([`alcove_store::Listener`], PostgreSQL `LISTEN`/`NOTIFY`), which carry ids only; it reads
//! the message (or the device change) from the database and pushes it to its own connected
//! devices. A notification lost while the listening connection is re-opened costs latency,
//! not messages: a device that sees a gap in sequence numbers fetches what it missed. SQLite
//! runs a single node, so nothing here runs there.

use crate::routes::conversations::message_view;
use crate::routes::devices::push_device_change;
use crate::state::AppState;
use alcove_store::{Listener, Notification};
use alcove_types::delivery::{ServerFrame, Welcome};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use std::time::Duration;

/// Subscribes to the other nodes' notifications (before the node starts serving, so nothing
/// accepted elsewhere after that is missed) and relays them in a background task. Does
/// nothing on SQLite.
pub async fn start(state: &AppState) -> anyhow::Result<()> {
    if let Some(listener) = state.store.listen().await? {
        tokio::spawn(relay(state.clone(), listener));
    }
    Ok(())
}

async fn relay(state: AppState, mut listener: Listener) {
    loop {
        match listener.next().await {
            Ok(notification) => relay_one(&state, notification).await,
            Err(e) => {
                // The listener re-opens its connection on the next call.
                tracing::warn!(error = %e, "listening for other nodes' deliveries failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn relay_one(state: &AppState, notification: Notification) {
    // Nobody connected here: nothing to push, and nothing to read.
    if state.hub.connection_count() == 0 {
        return;
    }
    match notification {
        Notification::Message { conversation, seq } => {
            let delivery = match state.store.delivery(&conversation, seq).await {
                Ok(Some(d)) => d,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "reading a message for live delivery failed");
                    return;
                }
            };
            let sender = delivery.message.sender_device.clone();
            let frame = ServerFrame::Message(message_view(delivery.message));
            state.hub.push(&delivery.recipients, Some(&sender), &frame);
            for (device, welcome) in delivery.welcomes {
                let frame = ServerFrame::Welcome(Welcome {
                    id: welcome.id,
                    conversation_id: welcome.conversation_id,
                    seq: welcome.seq,
                    data: URL_SAFE_NO_PAD.encode(welcome.data),
                });
                state.hub.push(std::slice::from_ref(&device), None, &frame);
            }
        }
        Notification::DeviceChanged {
            user,
            device,
            removed,
        } => push_device_change(state, &user, &device, removed).await,
    }
}
