//! Live delivery inside one server process: which devices have a WebSocket open, and pushing a
//! frame to them.
//!
//! A frame is serialised once and shared by every recipient. Each connection has a bounded
//! queue; a device that does not keep up loses pushed frames rather than slowing everyone else
//! down, and notices the gap in sequence numbers and fetches what it missed (the database is
//! the source of truth; the push is only a shortcut).

use alcove_types::delivery::ServerFrame;
use alcove_types::DeviceId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::mpsc;

/// Frames one connection may have queued before further pushes to it are dropped.
pub const QUEUE: usize = 1024;

type Senders = HashMap<DeviceId, Vec<(u64, mpsc::Sender<Arc<str>>)>>;

/// The registry of open connections.
#[derive(Default)]
pub struct Hub {
    connections: RwLock<Senders>,
    next_id: AtomicU64,
}

/// An open connection's registration; dropping it unregisters.
pub struct Subscription {
    hub: Arc<Hub>,
    device: DeviceId,
    id: u64,
    /// Serialised frames for this connection.
    pub frames: mpsc::Receiver<Arc<str>>,
}

impl Hub {
    /// Registers a connection of `device`.
    pub fn subscribe(self: &Arc<Self>, device: DeviceId) -> Subscription {
        let (tx, rx) = mpsc::channel(QUEUE);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut map) = self.connections.write() {
            map.entry(device.clone()).or_default().push((id, tx));
        }
        Subscription {
            hub: self.clone(),
            device,
            id,
            frames: rx,
        }
    }

    /// Pushes `frame` to every open connection of `devices` except `skip`. Returns how many
    /// connections it was queued on.
    pub fn push(
        &self,
        devices: &[DeviceId],
        skip: Option<&DeviceId>,
        frame: &ServerFrame,
    ) -> usize {
        let Ok(text) = serde_json::to_string(frame) else {
            return 0;
        };
        let text: Arc<str> = text.into();
        let Ok(map) = self.connections.read() else {
            return 0;
        };
        let mut queued = 0;
        for device in devices {
            if Some(device) == skip {
                continue;
            }
            for (_, tx) in map.get(device).into_iter().flatten() {
                if tx.try_send(text.clone()).is_ok() {
                    queued += 1;
                }
            }
        }
        queued
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        self.connections
            .read()
            .map(|m| m.values().map(Vec::len).sum())
            .unwrap_or(0)
    }

    fn unsubscribe(&self, device: &DeviceId, id: u64) {
        if let Ok(mut map) = self.connections.write() {
            if let Some(list) = map.get_mut(device) {
                list.retain(|(i, _)| *i != id);
                if list.is_empty() {
                    map.remove(device);
                }
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.unsubscribe(&self.device, self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pushes_reach_only_subscribed_devices_and_stop_after_drop() {
        let hub = Arc::new(Hub::default());
        let a = DeviceId::from_random([1; 16]);
        let b = DeviceId::from_random([2; 16]);
        let mut sub_a = hub.subscribe(a.clone());
        let sub_b = hub.subscribe(b.clone());
        let frame = ServerFrame::Sent {
            ref_id: 1,
            seq: 2,
            epoch: 3,
        };
        assert_eq!(hub.push(&[a.clone(), b.clone()], Some(&b), &frame), 1);
        let got = sub_a.frames.recv().await.expect("frame");
        assert_eq!(&*got, r#"{"type":"sent","ref_id":1,"seq":2,"epoch":3}"#);
        assert_eq!(hub.connection_count(), 2);
        drop(sub_b);
        assert_eq!(hub.connection_count(), 1);
        assert_eq!(hub.push(&[b], None, &frame), 0);
    }
}
