//! The delivery service's tables: devices, key packages, conversations with their ordered
//! message logs, welcomes and encrypted blobs.
//!
//! Posting a message (in `posting.rs`) first bumps the conversation's row (`last_seq`, and
//! `epoch` for a commit, conditionally on the epoch the commit was made in). That update takes
//! SQLite's write lock or PostgreSQL's row lock, so messages of one conversation get gap-free
//! sequence numbers and exactly one commit per epoch is accepted.

use crate::{Error, ErrorKind, Store};
use alcove_audit::AuditEvent;
use alcove_types::delivery::MessageKind;
use alcove_types::{BlobId, ConversationId, DeviceId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A registered device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// Its id.
    pub id: DeviceId,
    /// Its owner.
    pub user_id: UserId,
    /// Its Ed25519 MLS signature public key.
    pub signature_key: Vec<u8>,
    /// Its owner's label.
    pub label: String,
    /// Registration time.
    pub created_at: i64,
    /// Removal time.
    pub removed_at: Option<i64>,
    /// The audit-log leaf that registered its key.
    pub log_index: u64,
}

impl DeviceRow {
    fn from_row(row: &AnyRow) -> Result<Self, Error> {
        Ok(DeviceRow {
            id: parse(row.try_get::<String, _>("id")?, DeviceId::parse)?,
            user_id: parse(row.try_get::<String, _>("user_id")?, UserId::parse)?,
            signature_key: row.try_get("signature_key")?,
            label: row.try_get("label")?,
            created_at: row.try_get("created_at")?,
            removed_at: row.try_get("removed_at")?,
            log_index: to_u64(row.try_get("log_index")?)?,
        })
    }

    /// Whether the device is still in use.
    pub fn is_active(&self) -> bool {
        self.removed_at.is_none()
    }
}

/// A device to register.
#[derive(Debug, Clone)]
pub struct NewDevice {
    /// Its id.
    pub id: DeviceId,
    /// Its owner.
    pub user_id: UserId,
    /// Its Ed25519 MLS signature public key.
    pub signature_key: Vec<u8>,
    /// Its owner's label.
    pub label: String,
    /// Now.
    pub created_at: i64,
}

/// A key package to publish, already checked by the caller.
#[derive(Debug, Clone)]
pub struct NewKeyPackage {
    /// Its `KeyPackageRef`.
    pub key_package_ref: Vec<u8>,
    /// The TLS-encoded key package.
    pub data: Vec<u8>,
    /// Whether it is the device's last-resort key package (replaces the previous one).
    pub last_resort: bool,
}

/// A key package handed out by [`Store::claim_key_packages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedKeyPackageRow {
    /// Whose device.
    pub user_id: UserId,
    /// Which device.
    pub device_id: DeviceId,
    /// The TLS-encoded key package.
    pub data: Vec<u8>,
}

/// A conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    /// Its id.
    pub id: ConversationId,
    /// Its current epoch.
    pub epoch: u64,
    /// Its latest sequence number.
    pub last_seq: u64,
    /// Its creation time.
    pub created_at: i64,
    /// The people in it.
    pub members: Vec<UserId>,
}

/// A message to append to a conversation's log.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The posting device (checked to be a current member).
    pub sender_device: DeviceId,
    /// Application message or commit.
    pub kind: MessageKind,
    /// The epoch it was made in.
    pub epoch: u64,
    /// The TLS-encoded MLS message.
    pub data: Vec<u8>,
    /// With a commit that adds devices: the welcome and the key package references it is for.
    pub welcome: Option<(Vec<u8>, Vec<Vec<u8>>)>,
    /// With a commit that removes devices: which ones.
    pub removed_devices: Vec<DeviceId>,
    /// Now.
    pub created_at: i64,
}

/// What [`Store::post_message`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedRow {
    /// The message's sequence number.
    pub seq: u64,
    /// The conversation's epoch afterwards.
    pub epoch: u64,
    /// Devices that should receive the message now (current members, and devices this commit
    /// removed, so they learn of it).
    pub recipients: Vec<DeviceId>,
    /// Welcomes stored for added devices: (device, welcome id).
    pub welcomes: Vec<(DeviceId, u64)>,
    /// Devices this commit added.
    pub added: Vec<DeviceId>,
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its sequence number.
    pub seq: u64,
    /// The posting device.
    pub sender_device: DeviceId,
    /// Application message or commit.
    pub kind: MessageKind,
    /// The epoch it was made in.
    pub epoch: u64,
    /// The TLS-encoded MLS message.
    pub data: Vec<u8>,
    /// When it was accepted.
    pub created_at: i64,
}

impl MessageRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, Error> {
        let kind: String = row.try_get("kind")?;
        Ok(MessageRow {
            conversation_id: parse(
                row.try_get::<String, _>("conversation_id")?,
                ConversationId::parse,
            )?,
            seq: to_u64(row.try_get("seq")?)?,
            sender_device: parse(row.try_get::<String, _>("sender_device")?, DeviceId::parse)?,
            kind: MessageKind::parse(&kind).ok_or_else(|| Error::new(ErrorKind::Corrupt))?,
            epoch: to_u64(row.try_get("epoch")?)?,
            data: row.try_get("data")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// A welcome waiting for a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelcomeRow {
    /// Its id.
    pub id: u64,
    /// The conversation it joins.
    pub conversation_id: ConversationId,
    /// The sequence number of the commit that added the device.
    pub seq: u64,
    /// The TLS-encoded welcome.
    pub data: Vec<u8>,
}

/// A blob to store.
#[derive(Debug, Clone)]
pub struct NewBlob {
    /// Its id.
    pub id: BlobId,
    /// The conversation it belongs to.
    pub conversation_id: ConversationId,
    /// The uploading device (checked to be a current member).
    pub uploader_device: DeviceId,
    /// SHA-256 of `data`, hex.
    pub sha256: String,
    /// The ciphertext.
    pub data: Vec<u8>,
    /// Now.
    pub created_at: i64,
}

/// A stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRow {
    /// Its id.
    pub id: BlobId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Its size.
    pub size: u64,
    /// SHA-256 of the ciphertext, hex.
    pub sha256: String,
    /// The ciphertext.
    pub data: Vec<u8>,
}

pub(crate) fn parse<T>(s: String, f: impl Fn(&str) -> Option<T>) -> Result<T, Error> {
    f(&s).ok_or_else(|| Error::new(ErrorKind::Corrupt))
}

pub(crate) fn to_u64(n: i64) -> Result<u64, Error> {
    u64::try_from(n).map_err(|_| Error::new(ErrorKind::Corrupt))
}

pub(crate) fn to_i64(n: u64) -> Result<i64, Error> {
    i64::try_from(n).map_err(|_| Error::new(ErrorKind::Invalid))
}

const DEVICE_COLUMNS: &str = "id, user_id, signature_key, label, created_at, removed_at, log_index";
pub(crate) const MESSAGE_COLUMNS: &str =
    "conversation_id, seq, sender_device, kind, epoch, data, created_at";

impl Store {
    // ---- devices ----------------------------------------------------------------------------

    /// Registers a device. `events` must start with its `DeviceAdded` event: the index of that
    /// leaf is stored with the device (key transparency). Fails with `Duplicate` when the
    /// signature key is registered already.
    pub async fn register_device(
        &self,
        device: &NewDevice,
        events: &[AuditEvent],
    ) -> Result<DeviceRow, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let log_index = self.append_events(&mut tx, events).await?;
        let q = self.sql(&format!(
            "INSERT INTO devices ({DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, $6)"
        ));
        let inserted = sqlx::query(&q)
            .bind(device.id.as_str())
            .bind(device.user_id.as_str())
            .bind(device.signature_key.clone())
            .bind(device.label.as_str())
            .bind(device.created_at)
            .bind(to_i64(log_index)?)
            .execute(&mut *tx)
            .await;
        match inserted {
            Ok(_) => {}
            Err(e) if crate::is_unique_violation(&e) => {
                return Err(Error::new(ErrorKind::Duplicate))
            }
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(DeviceRow {
            id: device.id.clone(),
            user_id: device.user_id.clone(),
            signature_key: device.signature_key.clone(),
            label: device.label.clone(),
            created_at: device.created_at,
            removed_at: None,
            log_index,
        })
    }

    /// One device by id.
    pub async fn device(&self, id: &DeviceId) -> Result<Option<DeviceRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1"
        ));
        let row = sqlx::query(&q)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| DeviceRow::from_row(&r)).transpose()
    }

    /// A person's devices, removed ones included, oldest first.
    pub async fn devices_of(&self, user: &UserId) -> Result<Vec<DeviceRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = $1 ORDER BY created_at, id"
        ));
        let rows = sqlx::query(&q)
            .bind(user.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(DeviceRow::from_row).collect()
    }

    /// The people who share a conversation with `user` (not `user`).
    pub async fn conversation_peers(&self, user: &UserId) -> Result<Vec<UserId>, Error> {
        let q = self.sql(
            "SELECT DISTINCT b.user_id FROM conversation_members a \
             JOIN conversation_members b ON a.conversation_id = b.conversation_id \
             WHERE a.user_id = $1 AND b.user_id <> $1 ORDER BY b.user_id",
        );
        let rows = sqlx::query(&q)
            .bind(user.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| parse(r.try_get::<String, _>(0)?, UserId::parse))
            .collect()
    }

    /// Removes one of `user`'s devices: it stops receiving anything, its unclaimed key packages
    /// are deleted, and it leaves every conversation at that conversation's current position.
    /// Returns the conversations it was in.
    pub async fn remove_device(
        &self,
        user: &UserId,
        device: &DeviceId,
        now: i64,
        events: &[AuditEvent],
    ) -> Result<Vec<ConversationId>, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "UPDATE devices SET removed_at = $1 WHERE id = $2 AND user_id = $3 \
             AND removed_at IS NULL",
        );
        let done = sqlx::query(&q)
            .bind(now)
            .bind(device.as_str())
            .bind(user.as_str())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::new(ErrorKind::NotFound));
        }
        let q = self.sql(
            "SELECT conversation_id FROM conversation_devices \
             WHERE device_id = $1 AND removed_seq IS NULL",
        );
        let convs: Vec<ConversationId> = sqlx::query(&q)
            .bind(device.as_str())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| parse(r.try_get::<String, _>(0)?, ConversationId::parse))
            .collect::<Result<_, _>>()?;
        let q = self.sql(
            "UPDATE conversation_devices SET removed_seq = \
             (SELECT last_seq FROM conversations c WHERE c.id = conversation_id) \
             WHERE device_id = $1 AND removed_seq IS NULL",
        );
        sqlx::query(&q)
            .bind(device.as_str())
            .execute(&mut *tx)
            .await?;
        let q = self.sql("DELETE FROM key_packages WHERE device_id = $1 AND claimed_at IS NULL");
        sqlx::query(&q)
            .bind(device.as_str())
            .execute(&mut *tx)
            .await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(convs)
    }

    // ---- key packages -----------------------------------------------------------------------

    /// Publishes key packages of an active device. A new last-resort key package replaces the
    /// device's previous one. Fails with `Duplicate` for a key package already on file.
    pub async fn publish_key_packages(
        &self,
        device: &DeviceId,
        packages: &[NewKeyPackage],
        now: i64,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        // Taking the device row first serialises publications of one device.
        let q = self.sql("UPDATE devices SET label = label WHERE id = $1 AND removed_at IS NULL");
        let done = sqlx::query(&q)
            .bind(device.as_str())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::new(ErrorKind::NotFound));
        }
        if packages.iter().any(|p| p.last_resort) {
            let q = self.sql(
                "DELETE FROM key_packages WHERE device_id = $1 AND last_resort = 1 \
                 AND claimed_at IS NULL",
            );
            sqlx::query(&q)
                .bind(device.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let q = self.sql(
            "INSERT INTO key_packages (kp_ref, device_id, data, last_resort, created_at, claimed_at) \
             VALUES ($1, $2, $3, $4, $5, NULL)",
        );
        for p in packages {
            let inserted = sqlx::query(&q)
                .bind(p.key_package_ref.clone())
                .bind(device.as_str())
                .bind(p.data.clone())
                .bind(i64::from(p.last_resort))
                .bind(now)
                .execute(&mut *tx)
                .await;
            match inserted {
                Ok(_) => {}
                Err(e) if crate::is_unique_violation(&e) => {
                    return Err(Error::new(ErrorKind::Duplicate))
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many unclaimed one-time key packages a device has, and whether it has a last-resort
    /// one.
    pub async fn key_package_count(&self, device: &DeviceId) -> Result<(u32, bool), Error> {
        let q = self.sql(
            "SELECT \
               CAST(COALESCE(SUM(CASE WHEN last_resort = 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
               CAST(COALESCE(SUM(last_resort), 0) AS BIGINT) \
             FROM key_packages WHERE device_id = $1 AND claimed_at IS NULL",
        );
        let row = sqlx::query(&q)
            .bind(device.as_str())
            .fetch_one(&self.pool)
            .await?;
        let one_time: i64 = row.try_get(0)?;
        let last_resort: i64 = row.try_get(1)?;
        Ok((u32::try_from(one_time).unwrap_or(u32::MAX), last_resort > 0))
    }

    /// Hands out one key package for every active device of `users`: the oldest unclaimed
    /// one-time key package (never handed out twice), else the device's last-resort one.
    /// Devices with neither are left out.
    pub async fn claim_key_packages(
        &self,
        users: &[UserId],
        now: i64,
    ) -> Result<Vec<ClaimedKeyPackageRow>, Error> {
        let mut claimed = Vec::new();
        for user in users {
            for device in self.devices_of(user).await? {
                if !device.is_active() {
                    continue;
                }
                if let Some(data) = self.claim_one(&device.id, now).await? {
                    claimed.push(ClaimedKeyPackageRow {
                        user_id: user.clone(),
                        device_id: device.id,
                        data,
                    });
                }
            }
        }
        Ok(claimed)
    }

    async fn claim_one(&self, device: &DeviceId, now: i64) -> Result<Option<Vec<u8>>, Error> {
        let _lock = self.write_lock().await;
        let pick = self.sql(
            "SELECT kp_ref, data FROM key_packages WHERE device_id = $1 AND last_resort = 0 \
             AND claimed_at IS NULL ORDER BY created_at, kp_ref LIMIT 1",
        );
        let take = self.sql(
            "UPDATE key_packages SET claimed_at = $1 WHERE kp_ref = $2 AND claimed_at IS NULL",
        );
        // Two claims may pick the same row; the conditional update lets only one have it, and
        // the other picks again.
        for _ in 0..8 {
            let Some(row) = sqlx::query(&pick)
                .bind(device.as_str())
                .fetch_optional(&self.pool)
                .await?
            else {
                break;
            };
            let kp_ref: Vec<u8> = row.try_get(0)?;
            let done = sqlx::query(&take)
                .bind(now)
                .bind(kp_ref)
                .execute(&self.pool)
                .await?;
            if done.rows_affected() == 1 {
                return Ok(Some(row.try_get(1)?));
            }
        }
        let q = self.sql(
            "SELECT data FROM key_packages WHERE device_id = $1 AND last_resort = 1 \
             AND claimed_at IS NULL ORDER BY created_at DESC LIMIT 1",
        );
        let row = sqlx::query(&q)
            .bind(device.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get(0).map_err(Error::from)).transpose()
    }

    // ---- conversations ----------------------------------------------------------------------

    /// Creates a conversation whose only device so far is its creator's. Fails with
    /// `Duplicate` if the id is taken.
    pub async fn create_conversation(
        &self,
        id: &ConversationId,
        creator: &DeviceId,
        members: &[UserId],
        now: i64,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "INSERT INTO conversations (id, epoch, last_seq, created_by, created_at) \
             VALUES ($1, 0, 0, $2, $3)",
        );
        match sqlx::query(&q)
            .bind(id.as_str())
            .bind(creator.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await
        {
            Ok(_) => {}
            Err(e) if crate::is_unique_violation(&e) => {
                return Err(Error::new(ErrorKind::Duplicate))
            }
            Err(e) => return Err(e.into()),
        }
        let q =
            self.sql("INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2)");
        for user in members {
            sqlx::query(&q)
                .bind(id.as_str())
                .bind(user.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let q = self.sql(
            "INSERT INTO conversation_devices (conversation_id, device_id, from_seq, removed_seq, acked_seq) \
             VALUES ($1, $2, 0, NULL, 0)",
        );
        sqlx::query(&q)
            .bind(id.as_str())
            .bind(creator.as_str())
            .execute(&mut *tx)
            .await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One conversation with its members.
    pub async fn conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<ConversationRow>, Error> {
        let q = self.sql("SELECT id, epoch, last_seq, created_at FROM conversations WHERE id = $1");
        let Some(row) = sqlx::query(&q)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let q = self.sql(
            "SELECT user_id FROM conversation_members WHERE conversation_id = $1 ORDER BY user_id",
        );
        let members = sqlx::query(&q)
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| parse(r.try_get::<String, _>(0)?, UserId::parse))
            .collect::<Result<_, _>>()?;
        Ok(Some(ConversationRow {
            id: id.clone(),
            epoch: to_u64(row.try_get("epoch")?)?,
            last_seq: to_u64(row.try_get("last_seq")?)?,
            created_at: row.try_get("created_at")?,
            members,
        }))
    }

    /// The conversations a device is a current member of, oldest first.
    pub async fn conversations_of_device(
        &self,
        device: &DeviceId,
    ) -> Result<Vec<ConversationRow>, Error> {
        let q = self.sql(
            "SELECT c.id FROM conversations c JOIN conversation_devices d \
             ON d.conversation_id = c.id WHERE d.device_id = $1 AND d.removed_seq IS NULL \
             ORDER BY c.created_at, c.id",
        );
        let rows = sqlx::query(&q)
            .bind(device.as_str())
            .fetch_all(&self.pool)
            .await?;
        self.conversations_of_rows(&rows).await
    }

    /// Conversations `user` belongs to that `device` has never been part of: the device waits
    /// for a member to add it (a device added and later removed is not waiting).
    pub async fn conversations_awaiting_device(
        &self,
        user: &UserId,
        device: &DeviceId,
    ) -> Result<Vec<ConversationRow>, Error> {
        let q = self.sql(
            "SELECT c.id FROM conversations c JOIN conversation_members m \
             ON m.conversation_id = c.id WHERE m.user_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM conversation_devices d WHERE d.conversation_id = c.id \
             AND d.device_id = $2) ORDER BY c.created_at, c.id",
        );
        let rows = sqlx::query(&q)
            .bind(user.as_str())
            .bind(device.as_str())
            .fetch_all(&self.pool)
            .await?;
        self.conversations_of_rows(&rows).await
    }

    /// The conversations whose ids are the first column of `rows`, in that order.
    async fn conversations_of_rows(&self, rows: &[AnyRow]) -> Result<Vec<ConversationRow>, Error> {
        let ids: Vec<ConversationId> = rows
            .iter()
            .map(|r| parse(r.try_get::<String, _>(0)?, ConversationId::parse))
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = self.conversation(&id).await? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Whether `device` may read the conversation now: the range of sequence numbers it sees
    /// (`from_seq` exclusive, `removed_seq` inclusive), or `None` if it never was a member.
    pub async fn device_window(
        &self,
        conversation: &ConversationId,
        device: &DeviceId,
    ) -> Result<Option<(u64, Option<u64>)>, Error> {
        let q = self.sql(
            "SELECT from_seq, removed_seq FROM conversation_devices \
             WHERE conversation_id = $1 AND device_id = $2",
        );
        let row = sqlx::query(&q)
            .bind(conversation.as_str())
            .bind(device.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let removed: Option<i64> = r.try_get(1)?;
            Ok((to_u64(r.try_get(0)?)?, removed.map(to_u64).transpose()?))
        })
        .transpose()
    }

    /// Up to `limit` messages after `after` that `device` may read, in order. Fails with
    /// `NotMember` if the device never was in the conversation.
    pub async fn messages_after(
        &self,
        conversation: &ConversationId,
        device: &DeviceId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<MessageRow>, Error> {
        let (from, removed) = self
            .device_window(conversation, device)
            .await?
            .ok_or_else(|| Error::new(ErrorKind::NotMember))?;
        let start = to_i64(after.max(from))?;
        let end = to_i64(removed.unwrap_or(i64::MAX as u64))?;
        let q = self.sql(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 \
             AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4"
        ));
        let rows = sqlx::query(&q)
            .bind(conversation.as_str())
            .bind(start)
            .bind(end)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(MessageRow::from_row).collect()
    }

    /// Records that `device` processed a conversation's messages up to `seq` (never moves
    /// back). Fails with `NotMember` for a device that never was in the conversation.
    pub async fn ack_messages(
        &self,
        conversation: &ConversationId,
        device: &DeviceId,
        seq: u64,
    ) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql(
            "UPDATE conversation_devices SET acked_seq = CASE WHEN acked_seq < $3 THEN $3 \
             ELSE acked_seq END WHERE conversation_id = $1 AND device_id = $2",
        );
        let done = sqlx::query(&q)
            .bind(conversation.as_str())
            .bind(device.as_str())
            .bind(to_i64(seq)?)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::NotMember))
        }
    }

    /// Welcomes waiting for a device, oldest first.
    pub async fn welcomes_for(&self, device: &DeviceId) -> Result<Vec<WelcomeRow>, Error> {
        let q = self.sql(
            "SELECT id, conversation_id, seq, data FROM welcomes WHERE device_id = $1 ORDER BY id",
        );
        let rows = sqlx::query(&q)
            .bind(device.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(WelcomeRow {
                    id: to_u64(r.try_get(0)?)?,
                    conversation_id: parse(r.try_get::<String, _>(1)?, ConversationId::parse)?,
                    seq: to_u64(r.try_get(2)?)?,
                    data: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Deletes a welcome the device has processed.
    pub async fn ack_welcome(&self, device: &DeviceId, id: u64) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql("DELETE FROM welcomes WHERE id = $1 AND device_id = $2");
        let done = sqlx::query(&q)
            .bind(to_i64(id)?)
            .bind(device.as_str())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::NotFound))
        }
    }

    /// Deletes messages older than `before` that every current member device has acknowledged,
    /// and claimed key packages older than `before`. Returns the number of messages deleted.
    pub async fn purge_delivered(&self, before: i64) -> Result<u64, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "DELETE FROM messages WHERE created_at < $1 AND seq <= \
             (SELECT COALESCE(MIN(d.acked_seq), 0) FROM conversation_devices d \
              WHERE d.conversation_id = messages.conversation_id AND d.removed_seq IS NULL)",
        );
        let done = sqlx::query(&q).bind(before).execute(&mut *tx).await?;
        let q =
            self.sql("DELETE FROM key_packages WHERE claimed_at IS NOT NULL AND claimed_at < $1");
        sqlx::query(&q).bind(before).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    // ---- blobs ------------------------------------------------------------------------------

    /// Stores an encrypted blob for a conversation the uploader is a current member of.
    pub async fn put_blob(&self, blob: &NewBlob) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "SELECT 1 FROM conversation_devices WHERE conversation_id = $1 AND device_id = $2 \
             AND removed_seq IS NULL",
        );
        if sqlx::query(&q)
            .bind(blob.conversation_id.as_str())
            .bind(blob.uploader_device.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Err(Error::new(ErrorKind::NotMember));
        }
        let q = self.sql(
            "INSERT INTO blobs (id, conversation_id, uploader_device, size, sha256, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        );
        sqlx::query(&q)
            .bind(blob.id.as_str())
            .bind(blob.conversation_id.as_str())
            .bind(blob.uploader_device.as_str())
            .bind(i64::try_from(blob.data.len()).map_err(|_| Error::new(ErrorKind::Invalid))?)
            .bind(blob.sha256.as_str())
            .bind(blob.data.clone())
            .bind(blob.created_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A blob, if `device` is a current member of its conversation (`NotFound` otherwise, so a
    /// stranger learns nothing about which blob ids exist).
    pub async fn blob_for(&self, id: &BlobId, device: &DeviceId) -> Result<BlobRow, Error> {
        let q = self.sql(
            "SELECT b.id, b.conversation_id, b.size, b.sha256, b.data FROM blobs b \
             JOIN conversation_devices d ON d.conversation_id = b.conversation_id \
             WHERE b.id = $1 AND d.device_id = $2 AND d.removed_seq IS NULL",
        );
        let row = sqlx::query(&q)
            .bind(id.as_str())
            .bind(device.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| Error::new(ErrorKind::NotFound))?;
        Ok(BlobRow {
            id: parse(row.try_get::<String, _>(0)?, BlobId::parse)?,
            conversation_id: parse(row.try_get::<String, _>(1)?, ConversationId::parse)?,
            size: to_u64(row.try_get(2)?)?,
            sha256: row.try_get(3)?,
            data: row.try_get(4)?,
        })
    }
}
