//! Live delivery between server nodes that share a PostgreSQL database.
//!
//! A post's transaction ends with `pg_notify` on [`CHANNEL`], naming only ids: the node that
//! wrote it, the conversation and the sequence number. PostgreSQL delivers a notification only
//! when its transaction commits, so no node hears of a post that did not land. Every node
//! listens ([`Store::listen`]), skips its own notifications (it has pushed those already),
//! reads the message from the database ([`Store::delivery`]) and pushes it to the devices
//! connected to it. Device changes travel the same way ([`Store::notify_device_changed`]).
//!
//! Notifications carry no content. One lost while a listener reconnects costs only latency:
//! a device that sees a gap in sequence numbers fetches what it missed. SQLite has a single
//! node and needs none of this: there, `listen` returns `None` and notifying does nothing.

use crate::delivery::{parse, to_i64, to_u64, MESSAGE_COLUMNS};
use crate::posting::recipients_at;
use crate::{Backend, Error, MessageRow, PostedRow, Store, WelcomeRow};
use alcove_audit::AuditEvent;
use alcove_types::delivery::MessageKind;
use alcove_types::{ConversationId, DeviceId, UserId};
use sqlx::Row;
use std::sync::Arc;

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "alcove_delivery";

/// A database URL that is never printed (it may hold a password).
#[derive(Clone)]
pub(crate) struct SecretUrl(pub(crate) String);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretUrl(..)")
    }
}

/// A fresh random name for this store among the nodes of one database.
pub(crate) fn new_node_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    // `RandomState` is seeded from the operating system's generator once per process and
    // stepped for every new instance; the time and process id separate restarts and hosts.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    h.write_u128(nanos);
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
}

/// What another node did, as far as live delivery cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A message was appended to a conversation.
    Message {
        /// The conversation.
        conversation: ConversationId,
        /// Its sequence number.
        seq: u64,
    },
    /// A device was added or removed.
    DeviceChanged {
        /// Whose device.
        user: UserId,
        /// Which.
        device: DeviceId,
        /// Whether it was removed.
        removed: bool,
    },
}

impl Notification {
    fn encode(&self, node: &str) -> String {
        match self {
            Notification::Message { conversation, seq } => format!("{node} m {conversation} {seq}"),
            Notification::DeviceChanged {
                user,
                device,
                removed,
            } => format!("{node} d {user} {device} {}", u8::from(*removed)),
        }
    }

    /// Parses a payload; `None` for this node's own and for anything malformed.
    fn decode(payload: &str, own_node: &str) -> Option<Notification> {
        let mut parts = payload.split(' ');
        let node = parts.next()?;
        if node == own_node {
            return None;
        }
        let parsed = match parts.next()? {
            "m" => Notification::Message {
                conversation: ConversationId::parse(parts.next()?)?,
                seq: parts.next()?.parse().ok()?,
            },
            "d" => Notification::DeviceChanged {
                user: UserId::parse(parts.next()?)?,
                device: DeviceId::parse(parts.next()?)?,
                removed: match parts.next()? {
                    "0" => false,
                    "1" => true,
                    _ => return None,
                },
            },
            _ => return None,
        };
        parts.next().is_none().then_some(parsed)
    }
}

/// A node's subscription to the other nodes' notifications.
pub struct Listener {
    inner: sqlx::postgres::PgListener,
    node: Arc<str>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").finish_non_exhaustive()
    }
}

impl Listener {
    /// Waits for the next notification from another node. A lost connection is re-opened on
    /// the next call (notifications sent meanwhile are lost; see the module documentation).
    pub async fn next(&mut self) -> Result<Notification, Error> {
        loop {
            let n = self.inner.recv().await?;
            if let Some(parsed) = Notification::decode(n.payload(), &self.node) {
                return Ok(parsed);
            }
        }
    }
}

/// A message another node accepted, with whom to push it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The message.
    pub message: MessageRow,
    /// The devices whose read window holds it.
    pub recipients: Vec<DeviceId>,
    /// Welcomes stored with it (a commit that added devices) that are still waiting.
    pub welcomes: Vec<(DeviceId, WelcomeRow)>,
}

impl Store {
    /// Subscribes to the other nodes' notifications; `None` on SQLite (a single node).
    pub async fn listen(&self) -> Result<Option<Listener>, Error> {
        let Some(url) = &self.listen_url else {
            return Ok(None);
        };
        let mut inner = sqlx::postgres::PgListener::connect(&url.0).await?;
        inner.listen(CHANNEL).await?;
        Ok(Some(Listener {
            inner,
            node: self.node.clone(),
        }))
    }

    /// Tells the other nodes that a device was added or removed (after the change committed).
    /// Does nothing on SQLite.
    pub async fn notify_device_changed(
        &self,
        user: &UserId,
        device: &DeviceId,
        removed: bool,
    ) -> Result<(), Error> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let payload = Notification::DeviceChanged {
            user: user.clone(),
            device: device.clone(),
            removed,
        }
        .encode(&self.node);
        sqlx::query(NOTIFY)
            .bind(CHANNEL)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Notifies the other nodes of the accepted posts of a batch, inside its transaction (so
    /// the notifications go out when, and only if, it commits).
    pub(crate) async fn notify_posted(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        posts: &[(crate::NewMessage, Vec<AuditEvent>)],
        results: &[Result<PostedRow, Error>],
    ) -> Result<(), Error> {
        for ((msg, _), result) in posts.iter().zip(results) {
            if let Ok(done) = result {
                let payload = Notification::Message {
                    conversation: msg.conversation_id.clone(),
                    seq: done.seq,
                }
                .encode(&self.node);
                sqlx::query(NOTIFY)
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// A stored message with its recipients and waiting welcomes, for pushing it to the devices
    /// connected to this node; `None` if it is gone (deleted after everyone had it).
    pub async fn delivery(
        &self,
        conversation: &ConversationId,
        seq: u64,
    ) -> Result<Option<Delivery>, Error> {
        let seq_i = to_i64(seq)?;
        let q = self.sql(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq = $2"
        ));
        let Some(row) = sqlx::query(&q)
            .bind(conversation.as_str())
            .bind(seq_i)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let message = MessageRow::from_row(&row)?;
        let windows = self.read_windows(&self.pool, &[conversation]).await?;
        let recipients = windows
            .get(conversation)
            .map(|w| recipients_at(w, seq))
            .unwrap_or_default();
        let mut welcomes = Vec::new();
        if message.kind == MessageKind::Commit {
            let q = self.sql(
                "SELECT id, device_id, data FROM welcomes WHERE conversation_id = $1 AND seq = $2 \
                 ORDER BY id",
            );
            for r in sqlx::query(&q)
                .bind(conversation.as_str())
                .bind(seq_i)
                .fetch_all(&self.pool)
                .await?
            {
                let device = parse(r.try_get::<String, _>(1)?, DeviceId::parse)?;
                welcomes.push((
                    device,
                    WelcomeRow {
                        id: to_u64(r.try_get(0)?)?,
                        conversation_id: conversation.clone(),
                        seq,
                        data: r.try_get(2)?,
                    },
                ));
            }
        }
        Ok(Some(Delivery {
            message,
            recipients,
            welcomes,
        }))
    }
}

/// `pg_notify` returns `void`, which the `Any` driver cannot decode; this returns a count.
const NOTIFY: &str = "SELECT COUNT(*) FROM (SELECT pg_notify($1, $2)) AS sent";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_skip_own_and_malformed() {
        let m = Notification::Message {
            conversation: ConversationId::parse("01aa").expect("id"),
            seq: 42,
        };
        let d = Notification::DeviceChanged {
            user: UserId::from_random([1; 16]),
            device: DeviceId::from_random([2; 16]),
            removed: true,
        };
        for n in [&m, &d] {
            let text = n.encode("n1");
            assert_eq!(Notification::decode(&text, "n2").as_ref(), Some(n));
            assert_eq!(Notification::decode(&text, "n1"), None, "own notification");
        }
        for bad in [
            "",
            "n1",
            "n1 m",
            "n1 m 01aa",
            "n1 m 01aa x",
            "n1 m 01aa 1 extra",
            "n1 z",
        ] {
            assert_eq!(Notification::decode(bad, "n2"), None, "{bad:?}");
        }
    }
}
