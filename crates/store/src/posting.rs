//! Posting messages to conversations, one at a time or as a group commit.
//!
//! [`Store::post_messages`] applies a batch of posts in one transaction. Each post still
//! stands alone: it lands completely or not at all, and its refusal (`EpochConflict`,
//! `NotMember`, an unknown welcome addressee) leaves the other posts of the batch untouched.
//! Two kinds of post keep that promise differently:
//!
//! - A plain application message (no welcome, no removals, no audit events) is validated and
//!   applied by one conditional `UPDATE` of its conversation row. When that finds no row,
//!   nothing was written, so there is nothing to undo. Its message row is written with the
//!   others of the batch in one multi-row `INSERT` at the end.
//! - Anything else (a commit, a post with events) runs inside a `SAVEPOINT`. A refusal rolls
//!   back to it, which on PostgreSQL also clears the aborted state a failed statement leaves.
//!
//! Who receives each message is read once per batch. A device's read window (`from_seq`,
//! `removed_seq`) is set once and never moved, so the windows at the end of the batch answer
//! for every message in it.
//!
//! On SQLite, [`Store::post_message`] hands the post to one writer task. While a batch is
//! being written, the posts that arrive meanwhile queue up, and the writer applies them
//! together in the next batch: under load many posts share one transaction and one trip
//! through SQLite's single write lock; under light load a post waits for nobody. If a whole
//! batch fails (a database error rather than a refusal), the writer retries each post in a
//! transaction of its own, so one bad post cannot sink the others. On PostgreSQL, which has
//! row locks and many writers, each post is a batch of one in its own transaction, and the
//! transaction notifies the other server nodes (see [`crate::listen`]) when it commits.

use crate::delivery::{parse, to_i64, to_u64, MESSAGE_COLUMNS};
use crate::{Backend, Error, ErrorKind, NewMessage, PostedRow, Store};
use alcove_audit::AuditEvent;
use alcove_types::delivery::MessageKind;
use alcove_types::{ConversationId, DeviceId};
use sqlx::Row;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// Most posts the SQLite writer applies in one transaction.
pub(crate) const MAX_BATCH: usize = 256;
/// Posts that may wait for the SQLite writer before senders wait to queue.
pub(crate) const QUEUE: usize = 4096;
/// Message rows per multi-row `INSERT` (7 parameters each).
const INSERT_ROWS: usize = 64;

/// A post waiting for the SQLite writer, and where its answer goes.
pub(crate) struct PostJob {
    post: (NewMessage, Vec<AuditEvent>),
    answer: oneshot::Sender<Result<PostedRow, Error>>,
}

/// The conversation-row update that orders a post, or why it was refused.
struct Bumped {
    seq: i64,
    epoch: u64,
}

/// The sender's membership, as a condition on the conversation row (`$1` conversation, `$3`
/// device).
const MEMBER: &str = "EXISTS (SELECT 1 FROM conversation_devices d \
     WHERE d.conversation_id = $1 AND d.device_id = $3 AND d.removed_seq IS NULL)";

impl Store {
    /// Appends a message to a conversation's log; it lands completely or not at all.
    ///
    /// Fails with `NotMember` unless the sender is a current member device; with
    /// `EpochConflict` for a commit of an epoch that already has an accepted commit; with
    /// `Invalid` for a message of a future epoch, or a welcome addressed to a key package that
    /// is not on file or belongs to someone outside the conversation. `events` are appended
    /// to the audit log in the same transaction.
    pub async fn post_message(
        &self,
        msg: &NewMessage,
        events: &[AuditEvent],
    ) -> Result<PostedRow, Error> {
        if let Some(queue) = &self.posts {
            let (answer, answered) = oneshot::channel();
            let job = PostJob {
                post: (msg.clone(), events.to_vec()),
                answer,
            };
            if queue.send(job).await.is_ok() {
                // No answer means the writer was dropped while it held the post (its runtime is
                // shutting down); whether the post landed is unknown, so it is not retried.
                return answered
                    .await
                    .unwrap_or_else(|_| Err(Error::new(ErrorKind::Database)));
            }
            // The writer was gone before it took the post (its runtime ended): write directly.
        }
        let mut results = self
            .post_messages(&[(msg.clone(), events.to_vec())])
            .await?;
        results
            .pop()
            .unwrap_or_else(|| Err(Error::new(ErrorKind::Database)))
    }

    /// Applies `posts` in order in one transaction and answers each (see the module
    /// documentation): a refused post changes nothing and does not affect the others. The
    /// outer error means the transaction as a whole failed and nothing landed.
    pub async fn post_messages(
        &self,
        posts: &[(NewMessage, Vec<AuditEvent>)],
    ) -> Result<Vec<Result<PostedRow, Error>>, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let mut results: Vec<Result<PostedRow, Error>> = Vec::with_capacity(posts.len());
        // Plain application messages whose rows are still to be inserted: (post, seq).
        let mut pending: Vec<(usize, i64)> = Vec::new();
        for (i, (msg, events)) in posts.iter().enumerate() {
            let plain = msg.kind == MessageKind::Application
                && msg.welcome.is_none()
                && msg.removed_devices.is_empty()
                && events.is_empty();
            if plain {
                match self.bump(&mut tx, msg).await? {
                    Ok(bumped) => {
                        pending.push((i, bumped.seq));
                        results.push(Ok(posted(bumped)));
                    }
                    Err(refused) => results.push(Err(refused)),
                }
                continue;
            }
            sqlx::query("SAVEPOINT alcove_post")
                .execute(&mut *tx)
                .await?;
            match self.apply_with_savepoint(&mut tx, msg, events).await {
                Ok(done) => {
                    sqlx::query("RELEASE SAVEPOINT alcove_post")
                        .execute(&mut *tx)
                        .await?;
                    results.push(Ok(done));
                }
                Err(refused) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT alcove_post")
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("RELEASE SAVEPOINT alcove_post")
                        .execute(&mut *tx)
                        .await?;
                    results.push(Err(refused));
                }
            }
        }
        for rows in pending.chunks(INSERT_ROWS) {
            self.insert_messages(&mut tx, posts, rows).await?;
        }
        self.fill_recipients(&mut tx, posts, &mut results).await?;
        if self.backend == Backend::Postgres {
            self.notify_posted(&mut tx, posts, &results).await?;
        }
        tx.commit().await?;
        Ok(results)
    }

    /// Orders one post: the conditional update of its conversation row, with the sender's
    /// membership and the epoch as conditions. The inner error is a refusal (nothing written).
    async fn bump(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        msg: &NewMessage,
    ) -> Result<Result<Bumped, Error>, Error> {
        let epoch = to_i64(msg.epoch)?;
        let bump = match msg.kind {
            MessageKind::Commit => self.sql(&format!(
                "UPDATE conversations SET epoch = epoch + 1, last_seq = last_seq + 1 \
                 WHERE id = $1 AND epoch = $2 AND {MEMBER} RETURNING last_seq, epoch"
            )),
            MessageKind::Application => self.sql(&format!(
                "UPDATE conversations SET last_seq = last_seq + 1 \
                 WHERE id = $1 AND epoch >= $2 AND {MEMBER} RETURNING last_seq, epoch"
            )),
        };
        let bumped = sqlx::query(&bump)
            .bind(msg.conversation_id.as_str())
            .bind(epoch)
            .bind(msg.sender_device.as_str())
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(row) = bumped {
            return Ok(Ok(Bumped {
                seq: row.try_get(0)?,
                epoch: to_u64(row.try_get(1)?)?,
            }));
        }
        // Refused: find out why (this only reads).
        let q = self.sql(&format!(
            "SELECT epoch, {MEMBER} FROM conversations WHERE id = $1 AND $2 = $2"
        ));
        let current = sqlx::query(&q)
            .bind(msg.conversation_id.as_str())
            .bind(epoch)
            .bind(msg.sender_device.as_str())
            .fetch_optional(&mut **tx)
            .await?;
        Ok(Err(match current {
            None => Error::new(ErrorKind::NotFound),
            Some(row)
                if !row.try_get::<bool, _>(1).unwrap_or_else(|_| {
                    row.try_get::<i64, _>(1).map(|v| v != 0).unwrap_or(false)
                }) =>
            {
                Error::new(ErrorKind::NotMember)
            }
            Some(row) if row.try_get::<i64, _>(0)? > epoch => Error::new(ErrorKind::EpochConflict),
            Some(_) => Error::new(ErrorKind::Invalid),
        }))
    }

    /// Applies a commit (or a post with events) completely; the caller rolls back to its
    /// savepoint on any error.
    async fn apply_with_savepoint(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        msg: &NewMessage,
        events: &[AuditEvent],
    ) -> Result<PostedRow, Error> {
        let bumped = self.bump(tx, msg).await??;
        let seq_i = bumped.seq;
        let mut done = posted(bumped);
        let q = self.sql(&format!(
            "INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ));
        sqlx::query(&q)
            .bind(msg.conversation_id.as_str())
            .bind(seq_i)
            .bind(msg.sender_device.as_str())
            .bind(msg.kind.as_str())
            .bind(to_i64(msg.epoch)?)
            .bind(msg.data.clone())
            .bind(msg.created_at)
            .execute(&mut **tx)
            .await?;
        if let Some((welcome, refs)) = &msg.welcome {
            let find = self.sql(
                "SELECT k.device_id FROM key_packages k JOIN devices d ON d.id = k.device_id \
                 JOIN conversation_members m ON m.user_id = d.user_id AND m.conversation_id = $2 \
                 WHERE k.kp_ref = $1 AND d.removed_at IS NULL",
            );
            let join = self.sql(
                "INSERT INTO conversation_devices (conversation_id, device_id, from_seq, removed_seq, acked_seq) \
                 VALUES ($1, $2, $3, NULL, $3)",
            );
            let store = self.sql(
                "INSERT INTO welcomes (device_id, conversation_id, seq, data, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            );
            for kp_ref in refs {
                let row = sqlx::query(&find)
                    .bind(kp_ref.clone())
                    .bind(msg.conversation_id.as_str())
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or_else(|| Error::new(ErrorKind::Invalid))?;
                let device = parse(row.try_get::<String, _>(0)?, DeviceId::parse)?;
                match sqlx::query(&join)
                    .bind(msg.conversation_id.as_str())
                    .bind(device.as_str())
                    .bind(seq_i)
                    .execute(&mut **tx)
                    .await
                {
                    Ok(_) => {}
                    // A device that is (or was) in the conversation is not added twice.
                    Err(e) if crate::is_unique_violation(&e) => {
                        return Err(Error::new(ErrorKind::Invalid))
                    }
                    Err(e) => return Err(e.into()),
                }
                let id: i64 = sqlx::query(&store)
                    .bind(device.as_str())
                    .bind(msg.conversation_id.as_str())
                    .bind(seq_i)
                    .bind(welcome.clone())
                    .bind(msg.created_at)
                    .fetch_one(&mut **tx)
                    .await?
                    .try_get(0)?;
                done.welcomes.push((device.clone(), to_u64(id)?));
                done.added.push(device);
            }
        }
        if !msg.removed_devices.is_empty() {
            let q = self.sql(
                "UPDATE conversation_devices SET removed_seq = $3 \
                 WHERE conversation_id = $1 AND device_id = $2 AND removed_seq IS NULL",
            );
            for device in &msg.removed_devices {
                let done = sqlx::query(&q)
                    .bind(msg.conversation_id.as_str())
                    .bind(device.as_str())
                    .bind(seq_i)
                    .execute(&mut **tx)
                    .await?;
                if done.rows_affected() != 1 {
                    return Err(Error::new(ErrorKind::Invalid));
                }
            }
        }
        if !events.is_empty() {
            self.append_events(tx, events).await?;
        }
        Ok(done)
    }

    /// Inserts the rows of plain application messages (`rows`: post index and sequence number)
    /// in one statement.
    async fn insert_messages(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        posts: &[(NewMessage, Vec<AuditEvent>)],
        rows: &[(usize, i64)],
    ) -> Result<(), Error> {
        let mut q = format!("INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ");
        for n in 0..rows.len() {
            let b = n * 7;
            if n > 0 {
                q.push(',');
            }
            q.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let q = self.sql(&q);
        let mut query = sqlx::query(&q);
        for &(i, seq) in rows {
            let msg = &posts[i].0;
            query = query
                .bind(msg.conversation_id.as_str())
                .bind(seq)
                .bind(msg.sender_device.as_str())
                .bind(msg.kind.as_str())
                .bind(to_i64(msg.epoch)?)
                .bind(msg.data.clone())
                .bind(msg.created_at);
        }
        query.execute(&mut **tx).await?;
        Ok(())
    }

    /// Sets the recipients of every accepted post: the devices whose read window holds its
    /// sequence number (current members, and the devices a commit removed, so they learn of
    /// it). One query for the whole batch.
    async fn fill_recipients(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        posts: &[(NewMessage, Vec<AuditEvent>)],
        results: &mut [Result<PostedRow, Error>],
    ) -> Result<(), Error> {
        let mut conversations: Vec<&ConversationId> = posts
            .iter()
            .zip(results.iter())
            .filter(|(_, r)| r.is_ok())
            .map(|((m, _), _)| &m.conversation_id)
            .collect();
        conversations.sort();
        conversations.dedup();
        let windows = self.read_windows(&mut **tx, &conversations).await?;
        for ((msg, _), result) in posts.iter().zip(results.iter_mut()) {
            if let Ok(done) = result {
                if let Some(list) = windows.get(&msg.conversation_id) {
                    done.recipients = recipients_at(list, done.seq);
                }
            }
        }
        Ok(())
    }

    /// The read windows of every device of `conversations`.
    pub(crate) async fn read_windows<'e, E>(
        &self,
        executor: E,
        conversations: &[&ConversationId],
    ) -> Result<HashMap<ConversationId, Vec<Window>>, Error>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let mut windows: HashMap<ConversationId, Vec<Window>> = HashMap::new();
        if conversations.is_empty() {
            return Ok(windows);
        }
        let list: Vec<String> = (1..=conversations.len()).map(|n| format!("${n}")).collect();
        let q = self.sql(&format!(
            "SELECT conversation_id, device_id, from_seq, removed_seq FROM conversation_devices \
             WHERE conversation_id IN ({}) ORDER BY conversation_id, device_id",
            list.join(", ")
        ));
        let mut query = sqlx::query(&q);
        for c in conversations {
            query = query.bind(c.as_str());
        }
        for row in query.fetch_all(executor).await? {
            let conversation = parse(row.try_get::<String, _>(0)?, ConversationId::parse)?;
            let removed: Option<i64> = row.try_get(3)?;
            windows.entry(conversation).or_default().push(Window {
                device: parse(row.try_get::<String, _>(1)?, DeviceId::parse)?,
                from_seq: to_u64(row.try_get(2)?)?,
                removed_seq: removed.map(to_u64).transpose()?,
            });
        }
        Ok(windows)
    }
}

/// A device's read window in a conversation: it sees `from_seq < seq <= removed_seq`.
pub(crate) struct Window {
    pub(crate) device: DeviceId,
    pub(crate) from_seq: u64,
    pub(crate) removed_seq: Option<u64>,
}

/// The devices whose window holds `seq`.
pub(crate) fn recipients_at(windows: &[Window], seq: u64) -> Vec<DeviceId> {
    windows
        .iter()
        .filter(|w| w.from_seq < seq && w.removed_seq.is_none_or(|r| r >= seq))
        .map(|w| w.device.clone())
        .collect()
}

fn posted(bumped: Bumped) -> PostedRow {
    PostedRow {
        // The update returned it, so it is not negative.
        seq: u64::try_from(bumped.seq).unwrap_or_default(),
        epoch: bumped.epoch,
        recipients: Vec::new(),
        welcomes: Vec::new(),
        added: Vec::new(),
    }
}

/// The SQLite writer: takes whatever posts have queued up (at most [`MAX_BATCH`]) and applies
/// them in one transaction, until every sender is gone.
pub(crate) async fn run_writer(store: Store, mut queue: mpsc::Receiver<PostJob>) {
    let mut jobs: Vec<PostJob> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        jobs.push(first);
        while jobs.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (posts, answers): (Vec<_>, Vec<_>) = jobs.drain(..).map(|j| (j.post, j.answer)).unzip();
        match store.post_messages(&posts).await {
            Ok(results) => {
                for (answer, result) in answers.into_iter().zip(results) {
                    let _ = answer.send(result);
                }
            }
            Err(e) if posts.len() == 1 => {
                if let Some(answer) = answers.into_iter().next() {
                    let _ = answer.send(Err(e));
                }
            }
            Err(_) => {
                // Nothing of the batch landed; give every post its own transaction so that one
                // that makes the database fail cannot take the others with it.
                for (post, answer) in posts.into_iter().zip(answers) {
                    let result = match store.post_messages(std::slice::from_ref(&post)).await {
                        Ok(mut one) => one
                            .pop()
                            .unwrap_or_else(|| Err(Error::new(ErrorKind::Database))),
                        Err(e) => Err(e),
                    };
                    let _ = answer.send(result);
                }
            }
        }
    }
}
