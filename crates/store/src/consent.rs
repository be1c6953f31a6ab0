//! Informed consent's tables: published consent documents (immutable versions identified by the
//! SHA-256 of their text), clients' signed acceptances, the protections their shared-device
//! answers set, and the clinician's "discussed in session" marks.
//!
//! The store keeps the questions and answers as JSON it does not interpret; the server decides
//! what a right answer is and what the signature covers.

use crate::{expect_one, is_unique_violation, Error, ErrorKind, Store};
use alcove_audit::AuditEvent;
use alcove_types::{ConsentRecordId, PasskeyId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

const DOCUMENT_COLUMNS: &str =
    "hash, version, body, questions_json, text, published_by, published_at";
const RECORD_COLUMNS: &str = "id, user_id, document_hash, answers_json, others_use_device, \
     device_is_mine, statement_hash, challenge, nonce, passkey_id, assertion_json, accepted_at";
const PROTECTION_COLUMNS: &str = "user_id, others_use_device, device_is_mine, idle_timeout_secs, \
     discreet_mode, local_history, updated_at";

/// A consent document version to publish.
#[derive(Debug, Clone)]
pub struct NewConsentDocument {
    /// SHA-256 (hex) of `text`.
    pub hash: String,
    /// The Markdown body.
    pub body: String,
    /// The questions, serialised by the caller.
    pub questions_json: String,
    /// The complete hashed text.
    pub text: String,
    /// Who publishes it (none for the shipped default).
    pub published_by: Option<UserId>,
    /// When.
    pub published_at: i64,
}

/// A published consent document version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentDocumentRow {
    /// SHA-256 (hex) of `text`.
    pub hash: String,
    /// Its number, from 1.
    pub version: i64,
    /// The Markdown body.
    pub body: String,
    /// The questions as JSON.
    pub questions_json: String,
    /// The complete hashed text.
    pub text: String,
    /// Who published it.
    pub published_by: Option<UserId>,
    /// When.
    pub published_at: i64,
}

impl ConsentDocumentRow {
    fn from_row(row: &AnyRow) -> Result<Self, Error> {
        Ok(ConsentDocumentRow {
            hash: row.try_get("hash")?,
            version: row.try_get("version")?,
            body: row.try_get("body")?,
            questions_json: row.try_get("questions_json")?,
            text: row.try_get("text")?,
            published_by: crate::rows::opt_user_id(row, "published_by")?,
            published_at: row.try_get("published_at")?,
        })
    }
}

/// The protections a client's shared-device answers set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtectionsRow {
    /// Others sometimes use the device.
    pub others_use_device: bool,
    /// The device is the client's alone.
    pub device_is_mine: bool,
    /// Idle timeout for this client's sessions.
    pub idle_timeout_secs: i64,
    /// Discreet mode.
    pub discreet_mode: bool,
    /// Keep messages on the device.
    pub local_history: bool,
    /// When set.
    pub updated_at: i64,
}

impl ProtectionsRow {
    fn from_row(row: &AnyRow) -> Result<Self, Error> {
        Ok(ProtectionsRow {
            others_use_device: get_flag(row, "others_use_device")?,
            device_is_mine: get_flag(row, "device_is_mine")?,
            idle_timeout_secs: row.try_get("idle_timeout_secs")?,
            discreet_mode: get_flag(row, "discreet_mode")?,
            local_history: get_flag(row, "local_history")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A client's acceptance to record, with the passkey use that signed it.
#[derive(Debug, Clone)]
pub struct NewConsentRecord {
    /// Its id.
    pub id: ConsentRecordId,
    /// The client.
    pub user_id: UserId,
    /// The version accepted (must be the current one when recorded).
    pub document_hash: String,
    /// The answers, serialised by the caller.
    pub answers_json: String,
    /// The shared-device answers and what they set.
    pub protections: ProtectionsRow,
    /// SHA-256 (hex) of the canonical statement signed.
    pub statement_hash: String,
    /// The WebAuthn challenge (base64url).
    pub challenge: String,
    /// The random nonce mixed into the challenge (hex).
    pub nonce: String,
    /// The passkey that signed.
    pub passkey_id: PasskeyId,
    /// Its counter before.
    pub previous_count: i64,
    /// Its counter now.
    pub new_count: i64,
    /// Its updated serialised state.
    pub passkey_json: String,
    /// The browser's assertion, kept so the signature can be checked again later.
    pub assertion_json: String,
    /// When.
    pub accepted_at: i64,
}

/// A recorded acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecordRow {
    /// Its id.
    pub id: ConsentRecordId,
    /// The client.
    pub user_id: UserId,
    /// The version accepted.
    pub document_hash: String,
    /// The answers as JSON.
    pub answers_json: String,
    /// Others sometimes use the device.
    pub others_use_device: bool,
    /// The device is the client's alone.
    pub device_is_mine: bool,
    /// SHA-256 (hex) of the statement signed.
    pub statement_hash: String,
    /// The WebAuthn challenge (base64url).
    pub challenge: String,
    /// The nonce (hex).
    pub nonce: String,
    /// The passkey that signed.
    pub passkey_id: PasskeyId,
    /// The browser's assertion.
    pub assertion_json: String,
    /// When.
    pub accepted_at: i64,
}

impl ConsentRecordRow {
    fn from_row(row: &AnyRow) -> Result<Self, Error> {
        let id: String = row.try_get("id")?;
        let passkey: String = row.try_get("passkey_id")?;
        Ok(ConsentRecordRow {
            id: ConsentRecordId::parse(&id).ok_or_else(|| Error::new(ErrorKind::Corrupt))?,
            user_id: crate::rows::user_id(row, "user_id")?,
            document_hash: row.try_get("document_hash")?,
            answers_json: row.try_get("answers_json")?,
            others_use_device: get_flag(row, "others_use_device")?,
            device_is_mine: get_flag(row, "device_is_mine")?,
            statement_hash: row.try_get("statement_hash")?,
            challenge: row.try_get("challenge")?,
            nonce: row.try_get("nonce")?,
            passkey_id: PasskeyId::parse(&passkey).ok_or_else(|| Error::new(ErrorKind::Corrupt))?,
            assertion_json: row.try_get("assertion_json")?,
            accepted_at: row.try_get("accepted_at")?,
        })
    }
}

/// A checklist item a clinician marked as discussed in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscussionRow {
    /// The item's stable name.
    pub item: String,
    /// The clinician who marked it.
    pub clinician_id: UserId,
    /// When.
    pub discussed_at: i64,
}

fn get_flag(row: &AnyRow, col: &str) -> Result<bool, Error> {
    match row.try_get::<i64, _>(col)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::new(ErrorKind::Corrupt)),
    }
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

impl Store {
    /// Publishes a consent document as the next version and returns its number. `Duplicate` when
    /// a version with the same hash exists (or another publication won the same number).
    pub async fn publish_consent_document(
        &self,
        new: &NewConsentDocument,
        events: &[AuditEvent],
    ) -> Result<i64, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql("SELECT COALESCE(MAX(version), 0) FROM consent_documents");
        let last: i64 = sqlx::query(&q).fetch_one(&mut *tx).await?.try_get(0)?;
        let version = last + 1;
        let q = self.sql(&format!(
            "INSERT INTO consent_documents ({DOCUMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ));
        let done = sqlx::query(&q)
            .bind(&new.hash)
            .bind(version)
            .bind(&new.body)
            .bind(&new.questions_json)
            .bind(&new.text)
            .bind(new.published_by.as_ref().map(|u| u.as_str().to_owned()))
            .bind(new.published_at)
            .execute(&mut *tx)
            .await;
        match done {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(Error::new(ErrorKind::Duplicate)),
            Err(e) => return Err(e.into()),
        }
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The newest published version, if any.
    pub async fn current_consent_document(&self) -> Result<Option<ConsentDocumentRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM consent_documents ORDER BY version DESC LIMIT 1"
        ));
        let row = sqlx::query(&q).fetch_optional(&self.pool).await?;
        row.map(|r| ConsentDocumentRow::from_row(&r)).transpose()
    }

    /// One version by hash.
    pub async fn consent_document(&self, hash: &str) -> Result<Option<ConsentDocumentRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM consent_documents WHERE hash = $1"
        ));
        let row = sqlx::query(&q)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| ConsentDocumentRow::from_row(&r)).transpose()
    }

    /// Every version, newest first.
    pub async fn consent_documents(&self) -> Result<Vec<ConsentDocumentRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM consent_documents ORDER BY version DESC"
        ));
        let rows = sqlx::query(&q).fetch_all(&self.pool).await?;
        rows.iter().map(ConsentDocumentRow::from_row).collect()
    }

    /// Records a client's acceptance: the record, the passkey's new counter (conditional on the
    /// old one, so one assertion cannot be used twice), the protections their answers set, and
    /// the events — all or nothing. `Conflict` when the document is no longer the current
    /// version or the passkey counter moved.
    pub async fn record_consent(
        &self,
        new: &NewConsentRecord,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql("SELECT hash FROM consent_documents ORDER BY version DESC LIMIT 1");
        let current: Option<String> = sqlx::query(&q)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        if current.as_deref() != Some(new.document_hash.as_str()) {
            return Err(Error::new(ErrorKind::Conflict));
        }
        let q = self.sql(
            "UPDATE passkeys SET sign_count = $1, passkey_json = $2, last_used_at = $3 \
             WHERE id = $4 AND user_id = $5 AND sign_count = $6 AND revoked_at IS NULL",
        );
        let done = sqlx::query(&q)
            .bind(new.new_count)
            .bind(&new.passkey_json)
            .bind(new.accepted_at)
            .bind(new.passkey_id.as_str())
            .bind(new.user_id.as_str())
            .bind(new.previous_count)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::new(ErrorKind::Conflict));
        }
        let p = &new.protections;
        let q = self.sql(&format!(
            "INSERT INTO consent_records ({RECORD_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ));
        sqlx::query(&q)
            .bind(new.id.as_str())
            .bind(new.user_id.as_str())
            .bind(&new.document_hash)
            .bind(&new.answers_json)
            .bind(flag(p.others_use_device))
            .bind(flag(p.device_is_mine))
            .bind(&new.statement_hash)
            .bind(&new.challenge)
            .bind(&new.nonce)
            .bind(new.passkey_id.as_str())
            .bind(&new.assertion_json)
            .bind(new.accepted_at)
            .execute(&mut *tx)
            .await?;
        let q = self.sql("DELETE FROM client_protections WHERE user_id = $1");
        sqlx::query(&q)
            .bind(new.user_id.as_str())
            .execute(&mut *tx)
            .await?;
        let q = self.sql(&format!(
            "INSERT INTO client_protections ({PROTECTION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ));
        sqlx::query(&q)
            .bind(new.user_id.as_str())
            .bind(flag(p.others_use_device))
            .bind(flag(p.device_is_mine))
            .bind(p.idle_timeout_secs)
            .bind(flag(p.discreet_mode))
            .bind(flag(p.local_history))
            .bind(p.updated_at)
            .execute(&mut *tx)
            .await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A client's acceptances, newest first.
    pub async fn consent_records_of(&self, user: &UserId) -> Result<Vec<ConsentRecordRow>, Error> {
        // Two acceptances in the same millisecond are ordered by the version they accept.
        let columns = RECORD_COLUMNS
            .split(", ")
            .map(|c| format!("r.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let q = self.sql(&format!(
            "SELECT {columns} FROM consent_records r \
             JOIN consent_documents d ON d.hash = r.document_hash WHERE r.user_id = $1 \
             ORDER BY r.accepted_at DESC, d.version DESC, r.id DESC"
        ));
        let rows = sqlx::query(&q)
            .bind(user.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(ConsentRecordRow::from_row).collect()
    }

    /// The protections in force for a client, if they have answered the shared-device questions.
    pub async fn client_protections(&self, user: &UserId) -> Result<Option<ProtectionsRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {PROTECTION_COLUMNS} FROM client_protections WHERE user_id = $1"
        ));
        let row = sqlx::query(&q)
            .bind(user.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| ProtectionsRow::from_row(&r)).transpose()
    }

    /// Marks a checklist item as discussed in session (a later mark replaces an earlier one).
    pub async fn mark_discussed(
        &self,
        client: &UserId,
        item: &str,
        clinician: &UserId,
        now: i64,
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql("DELETE FROM checklist_discussions WHERE client_id = $1 AND item = $2");
        sqlx::query(&q)
            .bind(client.as_str())
            .bind(item)
            .execute(&mut *tx)
            .await?;
        let q = self.sql(
            "INSERT INTO checklist_discussions (client_id, item, clinician_id, discussed_at) \
             VALUES ($1, $2, $3, $4)",
        );
        let done = sqlx::query(&q)
            .bind(client.as_str())
            .bind(item)
            .bind(clinician.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        expect_one(done.rows_affected())?;
        tx.commit().await?;
        Ok(())
    }

    /// The checklist items discussed with a client.
    pub async fn discussions_of(&self, client: &UserId) -> Result<Vec<DiscussionRow>, Error> {
        let q = self.sql(
            "SELECT item, clinician_id, discussed_at FROM checklist_discussions \
             WHERE client_id = $1 ORDER BY item",
        );
        let rows = sqlx::query(&q)
            .bind(client.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DiscussionRow {
                    item: r.try_get("item")?,
                    clinician_id: crate::rows::user_id(r, "clinician_id")?,
                    discussed_at: r.try_get("discussed_at")?,
                })
            })
            .collect()
    }
}
