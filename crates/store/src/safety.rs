//! What the secureness checklist needs about devices: safety-number verifications (what a
//! person confirmed having compared in a conversation, and the current device keys of a
//! conversation's members the server checks it against), and the kind of device each person
//! last signed in from.

use crate::{Error, Store};
use alcove_types::{ConversationId, DeviceId, UserId};
use sqlx::Row;

/// A member device of a conversation with its signature key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDeviceKey {
    /// Whose device.
    pub user_id: UserId,
    /// The device.
    pub device_id: DeviceId,
    /// Its Ed25519 signature key.
    pub signature_key: Vec<u8>,
}

/// A recorded verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyVerificationRow {
    /// Where.
    pub conversation_id: ConversationId,
    /// The digits confirmed.
    pub safety_number: String,
    /// When.
    pub verified_at: i64,
}

impl Store {
    /// The devices currently in a conversation (not removed), with their keys.
    pub async fn conversation_device_keys(
        &self,
        conversation: &ConversationId,
    ) -> Result<Vec<MemberDeviceKey>, Error> {
        let q = self.sql(
            "SELECT d.user_id, d.id, d.signature_key FROM conversation_devices c \
             JOIN devices d ON d.id = c.device_id \
             WHERE c.conversation_id = $1 AND c.removed_seq IS NULL ORDER BY d.id",
        );
        let rows = sqlx::query(&q)
            .bind(conversation.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let user: String = r.try_get(0)?;
                let device: String = r.try_get(1)?;
                Ok(MemberDeviceKey {
                    user_id: UserId::parse(&user)
                        .ok_or_else(|| Error::new(crate::ErrorKind::Corrupt))?,
                    device_id: DeviceId::parse(&device)
                        .ok_or_else(|| Error::new(crate::ErrorKind::Corrupt))?,
                    signature_key: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// Records (or replaces) `user`'s verification in a conversation.
    pub async fn record_safety_verification(
        &self,
        conversation: &ConversationId,
        user: &UserId,
        safety_number: &str,
        now: i64,
    ) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql(
            "INSERT INTO safety_verifications (conversation_id, user_id, safety_number, verified_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id, user_id) \
             DO UPDATE SET safety_number = excluded.safety_number, verified_at = excluded.verified_at",
        );
        sqlx::query(&q)
            .bind(conversation.as_str())
            .bind(user.as_str())
            .bind(safety_number)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `user`'s verifications, newest first.
    pub async fn safety_verifications_of(
        &self,
        user: &UserId,
    ) -> Result<Vec<SafetyVerificationRow>, Error> {
        let q = self.sql(
            "SELECT conversation_id, safety_number, verified_at FROM safety_verifications \
             WHERE user_id = $1 ORDER BY verified_at DESC",
        );
        let rows = sqlx::query(&q)
            .bind(user.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let conv: String = r.try_get(0)?;
                Ok(SafetyVerificationRow {
                    conversation_id: ConversationId::parse(&conv)
                        .ok_or_else(|| Error::new(crate::ErrorKind::Corrupt))?,
                    safety_number: r.try_get(1)?,
                    verified_at: r.try_get(2)?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Remembers the kind of device `user` signed in from (replacing the previous one).
    pub async fn record_sign_in_device(
        &self,
        user: &UserId,
        kind: &str,
        now: i64,
    ) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql(
            "INSERT INTO sign_in_devices (user_id, kind, signed_in_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind, \
             signed_in_at = excluded.signed_in_at",
        );
        sqlx::query(&q)
            .bind(user.as_str())
            .bind(kind)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The kind of device `user` last signed in from, and when.
    pub async fn sign_in_device(&self, user: &UserId) -> Result<Option<(String, i64)>, Error> {
        let q = self.sql("SELECT kind, signed_in_at FROM sign_in_devices WHERE user_id = $1");
        let row = sqlx::query(&q)
            .bind(user.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }
}
