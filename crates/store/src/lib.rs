//! Alcove's persistence: one [`Store`] API over embedded SQLite (the default) and PostgreSQL.
//!
//! [`Store::open`] connects to a database URL (`sqlite://…` or `postgres://…`), applies that
//! backend's migrations (`migrations/sqlite`, `migrations/postgres`) and hands out typed
//! operations. Every operation that changes more than one row runs in one transaction, so a
//! failed request leaves nothing half-written; operations that consume something single-use
//! (an invitation, a WebAuthn ceremony) do so with a conditional update or delete, so two
//! concurrent requests cannot both succeed.
//!
//! Every operation that changes security-relevant state takes the [`AuditEvent`]s that record
//! it and appends them to the audit log in the same transaction: no change without its event,
//! no event without its change. [`Store::log_events`] logs events that record no other change.
//!
//! Architecture invariants: only this crate knows SQL; it knows nothing about HTTP, WebAuthn or
//! the meaning of the JSON it keeps for other crates (`passkey_json`, ceremony state). Times are
//! milliseconds since the Unix epoch, passed in by the caller so tests control the clock.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod audit;
mod consent;
mod delivery;
mod error;
mod listen;
mod posting;
mod rows;
mod safety;

pub use audit::{AuditLeafRow, AuditScope, CheckpointRow, StoredLogReport};
pub use consent::{
    ConsentDocumentRow, ConsentRecordRow, DiscussionRow, NewConsentDocument, NewConsentRecord,
    ProtectionsRow,
};
pub use delivery::*;
pub use error::{Error, ErrorKind};
pub use listen::{Delivery, Listener, Notification};
pub use rows::*;
pub use safety::{MemberDeviceKey, SafetyVerificationRow};

use alcove_audit::AuditEvent;

use alcove_types::{InvitationId, InvitationKind, PasskeyId, Role, UserId};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::time::Duration;

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite in WAL mode.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A connection pool with Alcove's schema applied.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Serialises this process's SQLite writers (see [`Store::begin`]).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// On SQLite, the queue of the writer task that group-commits posts (see `posting.rs`);
    /// `None` on PostgreSQL and in the writer's own copy of the store.
    posts: Option<tokio::sync::mpsc::Sender<posting::PostJob>>,
    /// This store's name among the server nodes sharing a PostgreSQL database.
    node: std::sync::Arc<str>,
    /// Where to open a PostgreSQL `LISTEN` connection.
    listen_url: Option<listen::SecretUrl>,
}

/// Held while a write transaction runs on SQLite; nothing on PostgreSQL.
pub(crate) type WriteLock = Option<tokio::sync::OwnedMutexGuard<()>>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

const USER_COLUMNS: &str =
    "id, role, display_name, anti_phishing_phrase, webauthn_handle, created_at, last_sign_in_at";
const PASSKEY_COLUMNS: &str =
    "id, user_id, credential_id, passkey_json, name, sign_count, created_at, last_used_at";
const INVITATION_COLUMNS: &str =
    "id, kind, role, inviter_id, recovery_user_id, label, created_at, \
     expires_at, redeemed_at, revoked_at";
const SESSION_COLUMNS: &str =
    "token_hash, user_id, created_at, last_seen_at, expires_at, reauth_at";

impl Store {
    /// Connects to `url` and applies pending migrations.
    ///
    /// `sqlite://PATH` creates the file if missing and turns on WAL, foreign keys and a busy
    /// timeout on every connection; `postgres://…` connects as given.
    pub async fn open(url: &str) -> Result<Store, Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::new(ErrorKind::Config));
        };
        let options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            // A connection to a local file does not go stale; skipping the ping saves a round
            // trip to SQLite's worker thread on every acquire.
            .test_before_acquire(backend == Backend::Postgres)
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            });
        let pool = match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url.to_owned()
                } else {
                    format!("{url}?mode=rwc")
                };
                options
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            sqlx::query("PRAGMA journal_mode = WAL")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA synchronous = NORMAL")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA foreign_keys = ON")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA busy_timeout = 5000")
                                .execute(&mut *conn)
                                .await?;
                            // Reads through a memory map, and a page cache of 16 MiB a
                            // connection instead of 2 MiB: appends to the audit log's indexes
                            // otherwise re-read evicted pages with a system call each.
                            sqlx::query("PRAGMA mmap_size = 268435456")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA cache_size = -16384")
                                .execute(&mut *conn)
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => options.connect(url).await?,
        };
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await.map_err(Error::migrate)?;
        let mut store = Store {
            pool,
            backend,
            writer: std::sync::Arc::default(),
            posts: None,
            node: listen::new_node_name().into(),
            listen_url: (backend == Backend::Postgres).then(|| listen::SecretUrl(url.to_owned())),
        };
        if backend == Backend::Sqlite {
            let (queue, jobs) = tokio::sync::mpsc::channel(posting::QUEUE);
            tokio::spawn(posting::run_writer(store.clone(), jobs));
            store.posts = Some(queue);
        }
        Ok(store)
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection (used at shutdown so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads first and writes later fails with "database
    /// is locked" when another writer committed in between, and the busy timeout cannot help it.
    /// SQLite has one writer at a time anyway; writers of this process queue on an async mutex
    /// first, because SQLite's own busy handler waits by sleeping (up to 100 ms at a time),
    /// which wrecks throughput and latency under load. Keep the returned lock until the
    /// transaction ends.
    async fn begin(&self) -> Result<(WriteLock, sqlx::Transaction<'static, sqlx::Any>), Error> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let lock = self.write_lock().await;
                (lock, self.pool.begin_with("BEGIN IMMEDIATE").await?)
            }
            Backend::Postgres => (None, self.pool.begin().await?),
        })
    }

    /// The in-process SQLite writer lock, for single-statement writes outside [`Store::begin`].
    pub(crate) async fn write_lock(&self) -> WriteLock {
        match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        }
    }

    /// Rewrites `$1`-style placeholders into SQLite's `?1` when needed; both mean "argument 1".
    fn sql(&self, query: &str) -> String {
        match self.backend {
            Backend::Postgres => query.to_owned(),
            Backend::Sqlite => query.replace('$', "?"),
        }
    }

    // ---- accounts -------------------------------------------------------------------------

    /// Whether any admin account exists (setup has been completed).
    pub async fn has_admin(&self) -> Result<bool, Error> {
        let row = sqlx::query(&self.sql("SELECT COUNT(*) FROM users WHERE role = 'admin'"))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// One account by id.
    pub async fn user(&self, id: &UserId) -> Result<Option<UserRow>, Error> {
        let q = self.sql(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
        let row = sqlx::query(&q)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| UserRow::from_row(&r)).transpose()
    }

    /// One account by the opaque handle its passkeys carry.
    pub async fn user_by_webauthn_handle(&self, handle: &str) -> Result<Option<UserRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE webauthn_handle = $1"
        ));
        let row = sqlx::query(&q)
            .bind(handle)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| UserRow::from_row(&r)).transpose()
    }

    /// Changes a person's anti-phishing phrase.
    pub async fn set_anti_phishing_phrase(&self, id: &UserId, phrase: &str) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql("UPDATE users SET anti_phishing_phrase = $1 WHERE id = $2");
        let done = sqlx::query(&q)
            .bind(phrase)
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        expect_one(done.rows_affected())
    }

    /// Everyone, oldest first (the admin's view), with passkey counts.
    pub async fn people(&self) -> Result<Vec<PersonRow>, Error> {
        let q = self.sql(&format!(
            "{PERSON_SELECT} GROUP BY {PERSON_GROUP} ORDER BY u.created_at, u.id"
        ));
        let rows = sqlx::query(&q).fetch_all(&self.pool).await?;
        rows.iter().map(PersonRow::from_row).collect()
    }

    /// A clinician's clients, oldest first.
    pub async fn clients_of(&self, clinician: &UserId) -> Result<Vec<PersonRow>, Error> {
        let q = self.sql(&format!(
            "{PERSON_SELECT} JOIN care_relationships c ON c.client_id = u.id \
             WHERE c.clinician_id = $1 GROUP BY {PERSON_GROUP} ORDER BY u.created_at, u.id"
        ));
        let rows = sqlx::query(&q)
            .bind(clinician.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(PersonRow::from_row).collect()
    }

    /// A client's clinicians (those in a care relationship with them), oldest first.
    pub async fn clinicians_of(&self, client: &UserId) -> Result<Vec<PersonRow>, Error> {
        let q = self.sql(&format!(
            "{PERSON_SELECT} JOIN care_relationships c ON c.clinician_id = u.id \
             WHERE c.client_id = $1 GROUP BY {PERSON_GROUP} ORDER BY u.created_at, u.id"
        ));
        let rows = sqlx::query(&q)
            .bind(client.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(PersonRow::from_row).collect()
    }

    /// Whether `client` is in a care relationship with `clinician`.
    pub async fn is_client_of(&self, clinician: &UserId, client: &UserId) -> Result<bool, Error> {
        let q = self.sql(
            "SELECT COUNT(*) FROM care_relationships WHERE clinician_id = $1 AND client_id = $2",
        );
        let row = sqlx::query(&q)
            .bind(clinician.as_str())
            .bind(client.as_str())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    // ---- invitations ----------------------------------------------------------------------

    /// Stores a new setup link, revoking any earlier unused one (only the newest link works).
    pub async fn replace_setup_invitation(
        &self,
        new: &NewInvitation,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "UPDATE invitations SET revoked_at = $1 \
             WHERE kind = 'setup' AND redeemed_at IS NULL AND revoked_at IS NULL",
        );
        sqlx::query(&q)
            .bind(new.created_at)
            .execute(&mut *tx)
            .await?;
        self.insert_invitation(&mut tx, new).await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a new invitation or recovery link.
    pub async fn create_invitation(
        &self,
        new: &NewInvitation,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        self.insert_invitation(&mut tx, new).await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_invitation(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        new: &NewInvitation,
    ) -> Result<(), Error> {
        let q = self.sql(
            "INSERT INTO invitations (id, token_hash, kind, role, inviter_id, recovery_user_id, \
             label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        );
        sqlx::query(&q)
            .bind(new.id.as_str())
            .bind(&new.token_hash)
            .bind(new.kind.as_str())
            .bind(new.role.as_str())
            .bind(new.inviter_id.as_ref().map(|u| u.as_str().to_owned()))
            .bind(new.recovery_user_id.as_ref().map(|u| u.as_str().to_owned()))
            .bind(new.label.clone())
            .bind(new.created_at)
            .bind(new.expires_at)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The invitation whose token hashes to `token_hash`, in whatever state it is.
    pub async fn invitation_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<InvitationRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1"
        ));
        let row = sqlx::query(&q)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| InvitationRow::from_row(&r)).transpose()
    }

    /// One invitation by id.
    pub async fn invitation(&self, id: &InvitationId) -> Result<Option<InvitationRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = $1"
        ));
        let row = sqlx::query(&q)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| InvitationRow::from_row(&r)).transpose()
    }

    /// Invitations (not setup links), newest first; only `inviter`'s when given.
    pub async fn invitations(&self, inviter: Option<&UserId>) -> Result<Vec<InvitationRow>, Error> {
        let rows = match inviter {
            Some(inviter) => {
                let q = self.sql(&format!(
                    "SELECT {INVITATION_COLUMNS} FROM invitations \
                     WHERE kind <> 'setup' AND inviter_id = $1 ORDER BY created_at DESC, id"
                ));
                sqlx::query(&q)
                    .bind(inviter.as_str())
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                let q = self.sql(&format!(
                    "SELECT {INVITATION_COLUMNS} FROM invitations \
                     WHERE kind <> 'setup' ORDER BY created_at DESC, id"
                ));
                sqlx::query(&q).fetch_all(&self.pool).await?
            }
        };
        rows.iter().map(InvitationRow::from_row).collect()
    }

    /// Revokes a pending invitation; `Conflict` when it was already used or revoked.
    pub async fn revoke_invitation(
        &self,
        id: &InvitationId,
        now: i64,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "UPDATE invitations SET revoked_at = $1 \
             WHERE id = $2 AND redeemed_at IS NULL AND revoked_at IS NULL",
        );
        let done = sqlx::query(&q)
            .bind(now)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::new(ErrorKind::Conflict));
        }
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Redeems a setup or invitation link: marks it used (only if still pending at `now`), and
    /// creates the account, its first passkey, its care relationship with the inviting clinician
    /// (for clients) and its first session — all or nothing.
    pub async fn redeem_for_new_account(
        &self,
        redeem: &RedeemNewAccount,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let u = &redeem.user;
        let q = self.sql(
            "INSERT INTO users (id, role, display_name, anti_phishing_phrase, webauthn_handle, \
             created_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        );
        sqlx::query(&q)
            .bind(u.id.as_str())
            .bind(u.role.as_str())
            .bind(&u.display_name)
            .bind(&u.anti_phishing_phrase)
            .bind(&u.webauthn_handle)
            .bind(redeem.now)
            .execute(&mut *tx)
            .await?;
        // The account exists first so `redeemed_by` can reference it; if the link is no longer
        // pending the whole transaction, account included, is rolled back.
        self.consume_invitation(&mut tx, &redeem.invitation_id, &u.id, redeem.now)
            .await?;
        if let Some(clinician) = &redeem.care_clinician {
            let q = self.sql(
                "INSERT INTO care_relationships (clinician_id, client_id, created_at) \
                 VALUES ($1, $2, $3)",
            );
            sqlx::query(&q)
                .bind(clinician.as_str())
                .bind(u.id.as_str())
                .bind(redeem.now)
                .execute(&mut *tx)
                .await?;
        }
        self.insert_passkey(&mut tx, &redeem.passkey).await?;
        self.insert_session(&mut tx, &redeem.session).await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Redeems a recovery link: marks it used and adds a passkey and a session to the existing
    /// account. Nothing else changes: the person's other passkeys stay until they revoke them.
    pub async fn redeem_recovery(
        &self,
        redeem: &RedeemRecovery,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        self.consume_invitation(&mut tx, &redeem.invitation_id, &redeem.user_id, redeem.now)
            .await?;
        self.insert_passkey(&mut tx, &redeem.passkey).await?;
        self.insert_session(&mut tx, &redeem.session).await?;
        let q = self.sql("UPDATE users SET last_sign_in_at = $1 WHERE id = $2");
        sqlx::query(&q)
            .bind(redeem.now)
            .bind(redeem.user_id.as_str())
            .execute(&mut *tx)
            .await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn consume_invitation(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: &InvitationId,
        by: &UserId,
        now: i64,
    ) -> Result<(), Error> {
        let q = self.sql(
            "UPDATE invitations SET redeemed_at = $1, redeemed_by = $2 WHERE id = $3 \
             AND redeemed_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        );
        let done = sqlx::query(&q)
            .bind(now)
            .bind(by.as_str())
            .bind(id.as_str())
            .execute(&mut **tx)
            .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::Conflict))
        }
    }

    // ---- passkeys -------------------------------------------------------------------------

    async fn insert_passkey(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        p: &NewPasskey,
    ) -> Result<(), Error> {
        let q = self.sql(
            "INSERT INTO passkeys (id, user_id, credential_id, passkey_json, name, sign_count, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        );
        let done = sqlx::query(&q)
            .bind(p.id.as_str())
            .bind(p.user_id.as_str())
            .bind(&p.credential_id)
            .bind(&p.passkey_json)
            .bind(&p.name)
            .bind(p.sign_count)
            .bind(p.created_at)
            .execute(&mut **tx)
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(Error::new(ErrorKind::Duplicate)),
            Err(e) => Err(e.into()),
        }
    }

    /// Adds a passkey to an existing account.
    pub async fn add_passkey(&self, p: &NewPasskey, events: &[AuditEvent]) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        self.insert_passkey(&mut tx, p).await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person's active passkeys, oldest first.
    pub async fn passkeys_of(&self, user: &UserId) -> Result<Vec<PasskeyRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE user_id = $1 AND revoked_at IS NULL \
             ORDER BY created_at, id"
        ));
        let rows = sqlx::query(&q)
            .bind(user.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(PasskeyRow::from_row).collect()
    }

    /// An active passkey by its WebAuthn credential id (base64url).
    pub async fn passkey_by_credential_id(&self, cred: &str) -> Result<Option<PasskeyRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE credential_id = $1 AND revoked_at IS NULL"
        ));
        let row = sqlx::query(&q)
            .bind(cred)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| PasskeyRow::from_row(&r)).transpose()
    }

    /// Renames one of a person's passkeys.
    pub async fn rename_passkey(
        &self,
        user: &UserId,
        id: &PasskeyId,
        name: &str,
    ) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql(
            "UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        );
        let done = sqlx::query(&q)
            .bind(name)
            .bind(id.as_str())
            .bind(user.as_str())
            .execute(&self.pool)
            .await?;
        expect_one(done.rows_affected())
    }

    /// Revokes one of a person's passkeys; `LastPasskey` if it is their only active one.
    pub async fn revoke_passkey(
        &self,
        user: &UserId,
        id: &PasskeyId,
        now: i64,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "UPDATE passkeys SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        );
        let done = sqlx::query(&q)
            .bind(now)
            .bind(id.as_str())
            .bind(user.as_str())
            .execute(&mut *tx)
            .await?;
        expect_one(done.rows_affected())?;
        let q = self.sql("SELECT COUNT(*) FROM passkeys WHERE user_id = $1 AND revoked_at IS NULL");
        let left: i64 = sqlx::query(&q)
            .bind(user.as_str())
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if left == 0 {
            tx.rollback().await?;
            return Err(Error::new(ErrorKind::LastPasskey));
        }
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a successful sign-in: the passkey's new counter and state, the account's last
    /// sign-in time, and the new session, in one transaction. The counter update is conditional
    /// on the stored counter still being `previous_count`, so two racing sign-ins with the same
    /// counter cannot both succeed.
    pub async fn record_sign_in(
        &self,
        sign_in: &SignIn,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "UPDATE passkeys SET sign_count = $1, passkey_json = $2, last_used_at = $3 \
             WHERE id = $4 AND sign_count = $5 AND revoked_at IS NULL",
        );
        let done = sqlx::query(&q)
            .bind(sign_in.new_count)
            .bind(&sign_in.passkey_json)
            .bind(sign_in.now)
            .bind(sign_in.passkey_id.as_str())
            .bind(sign_in.previous_count)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::new(ErrorKind::Conflict));
        }
        let q = self.sql("UPDATE users SET last_sign_in_at = $1 WHERE id = $2");
        sqlx::query(&q)
            .bind(sign_in.now)
            .bind(sign_in.session.user_id.as_str())
            .execute(&mut *tx)
            .await?;
        self.insert_session(&mut tx, &sign_in.session).await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a fresh passkey confirmation within an existing session.
    pub async fn record_reauth(&self, reauth: &Reauth, events: &[AuditEvent]) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "UPDATE passkeys SET sign_count = $1, passkey_json = $2, last_used_at = $3 \
             WHERE id = $4 AND sign_count = $5 AND revoked_at IS NULL",
        );
        let done = sqlx::query(&q)
            .bind(reauth.new_count)
            .bind(&reauth.passkey_json)
            .bind(reauth.now)
            .bind(reauth.passkey_id.as_str())
            .bind(reauth.previous_count)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Error::new(ErrorKind::Conflict));
        }
        let q =
            self.sql("UPDATE sessions SET reauth_at = $1, last_seen_at = $1 WHERE token_hash = $2");
        let done = sqlx::query(&q)
            .bind(reauth.now)
            .bind(&reauth.session_token_hash)
            .execute(&mut *tx)
            .await?;
        expect_one(done.rows_affected())?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- sessions -------------------------------------------------------------------------

    async fn insert_session(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        s: &NewSession,
    ) -> Result<(), Error> {
        let q = self.sql(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, \
             reauth_at) VALUES ($1, $2, $3, $3, $4, $5)",
        );
        sqlx::query(&q)
            .bind(&s.token_hash)
            .bind(s.user_id.as_str())
            .bind(s.created_at)
            .bind(s.expires_at)
            .bind(s.reauth_at)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// A session by the hash of its token.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, Error> {
        let q = self.sql(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"
        ));
        let row = sqlx::query(&q)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| SessionRow::from_row(&r)).transpose()
    }

    /// Marks a session as used at `now` (the idle timeout counts from here).
    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2");
        sqlx::query(&q)
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends one session (pass no events for a session that merely expired).
    pub async fn delete_session(
        &self,
        token_hash: &str,
        events: &[AuditEvent],
    ) -> Result<(), Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql("DELETE FROM sessions WHERE token_hash = $1");
        sqlx::query(&q).bind(token_hash).execute(&mut *tx).await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of a person ("sign out everywhere"); returns how many ended.
    pub async fn delete_sessions_of(
        &self,
        user: &UserId,
        events: &[AuditEvent],
    ) -> Result<u64, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql("DELETE FROM sessions WHERE user_id = $1");
        let done = sqlx::query(&q)
            .bind(user.as_str())
            .execute(&mut *tx)
            .await?;
        self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Deletes sessions and ceremonies that can no longer be used.
    pub async fn purge_expired(&self, now: i64) -> Result<u64, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let a = sqlx::query(&self.sql("DELETE FROM sessions WHERE expires_at <= $1"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let b = sqlx::query(&self.sql("DELETE FROM ceremonies WHERE expires_at <= $1"))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(a.rows_affected() + b.rows_affected())
    }

    // ---- WebAuthn ceremonies --------------------------------------------------------------

    /// Keeps the server-side state of a ceremony until it is finished.
    pub async fn create_ceremony(&self, c: &NewCeremony) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql(
            "INSERT INTO ceremonies (id, kind, state_json, context_json, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        );
        sqlx::query(&q)
            .bind(&c.id)
            .bind(&c.kind)
            .bind(&c.state_json)
            .bind(&c.context_json)
            .bind(c.created_at)
            .bind(c.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes and returns a ceremony of `kind` if it exists and has not expired: each ceremony
    /// can be finished at most once, so a replayed response finds nothing.
    pub async fn take_ceremony(
        &self,
        id: &str,
        kind: &str,
        now: i64,
    ) -> Result<Option<CeremonyRow>, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let q = self.sql(
            "SELECT id, kind, state_json, context_json, created_at, expires_at FROM ceremonies \
             WHERE id = $1 AND kind = $2",
        );
        let row = sqlx::query(&q)
            .bind(id)
            .bind(kind)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let ceremony = CeremonyRow::from_row(&row)?;
        let q = self.sql("DELETE FROM ceremonies WHERE id = $1");
        let done = sqlx::query(&q).bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        if done.rows_affected() != 1 || ceremony.expires_at <= now {
            return Ok(None);
        }
        Ok(Some(ceremony))
    }
}

const PERSON_SELECT: &str =
    "SELECT u.id, u.role, u.display_name, u.created_at, u.last_sign_in_at, \
     COUNT(p.id) AS passkey_count FROM users u \
     LEFT JOIN passkeys p ON p.user_id = u.id AND p.revoked_at IS NULL";
const PERSON_GROUP: &str = "u.id, u.role, u.display_name, u.created_at, u.last_sign_in_at";

fn expect_one(affected: u64) -> Result<(), Error> {
    if affected == 1 {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::NotFound))
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

fn get_role(row: &AnyRow, col: &str) -> Result<Role, Error> {
    let s: String = row.try_get(col)?;
    Role::parse(&s).ok_or_else(|| Error::new(ErrorKind::Corrupt))
}

fn get_kind(row: &AnyRow, col: &str) -> Result<InvitationKind, Error> {
    let s: String = row.try_get(col)?;
    InvitationKind::parse(&s).ok_or_else(|| Error::new(ErrorKind::Corrupt))
}
