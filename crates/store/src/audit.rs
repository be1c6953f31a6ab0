//! The audit log's tables: appending events inside a caller's transaction, and reading leaves,
//! subtree hashes and checkpoints back.
//!
//! Appends are serialised by the one-row `audit_head` table: each append first increments its
//! `size` (which takes SQLite's write lock or PostgreSQL's row lock until the transaction ends),
//! then loads the frontier of the old tree in one query, and writes the new leaves and the
//! subtree hashes they complete. The Merkle arithmetic lives in `alcove-audit`.

use crate::{Backend, Error, ErrorKind, Store};
use alcove_audit::{
    AuditConfig, AuditEvent, AuditReport, Frontier, Hash, LogAuditor, NodeId, NodeMap, NoteVerifier,
};
use alcove_types::UserId;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::fmt::Write as _;

/// One stored leaf: its index and its encoded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLeafRow {
    /// Position in the log.
    pub index: u64,
    /// The canonical event encoding (the leaf data).
    pub data: Vec<u8>,
}

/// One stored signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRow {
    /// The tree size it signs.
    pub size: u64,
    /// The signed note text.
    pub note: String,
    /// When it was stored.
    pub created_at: i64,
}

/// Which events a reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditScope {
    /// Every event (an administrator, or the verifier).
    All,
    /// Events whose subject is this person ("who accessed my record").
    Subject(UserId),
    /// Events whose actor is one of `actors` or whose subject is one of `subjects`.
    Involving {
        /// Actors to include.
        actors: Vec<UserId>,
        /// Subjects to include.
        subjects: Vec<UserId>,
    },
}

/// What [`Store::verify_audit_log`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogReport {
    /// The recomputation against the stored checkpoints and subtree hashes.
    pub report: AuditReport,
    /// The first leaf index that is missing (leaves were deleted or renumbered), if any.
    pub index_gap: Option<u64>,
    /// The size the log's head row claims.
    pub head_size: u64,
}

impl StoredLogReport {
    /// Whether the stored log is intact: no divergence, no gap, and as many leaves as the head
    /// claims.
    pub fn is_intact(&self) -> bool {
        self.report.is_intact() && self.index_gap.is_none() && self.report.leaves == self.head_size
    }
}

/// Leaves read per query by [`Store::verify_audit_log`].
const VERIFY_PAGE: u32 = 4096;

/// Rows per multi-row insert: 7 parameters a leaf and 3 a node stay far below SQLite's limit of
/// 32,766 bound parameters and PostgreSQL's 65,535.
const LEAF_ROWS_PER_INSERT: usize = 256;
const NODE_ROWS_PER_INSERT: usize = 512;

/// `INSERT INTO <table_and_columns> VALUES ($1, …), (…)` with `rows` rows of `columns`
/// placeholders, numbered in order.
fn multi_row_insert(table_and_columns: &str, columns: usize, rows: usize) -> String {
    let mut q = format!("INSERT INTO {table_and_columns} VALUES ");
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            q.push_str(", ");
        }
        q.push('(');
        for column in 0..columns {
            if column > 0 {
                q.push_str(", ");
            }
            n += 1;
            // Writing to a String cannot fail.
            let _ = write!(q, "${n}");
        }
        q.push(')');
    }
    q
}

fn to_i64(n: u64) -> Result<i64, Error> {
    i64::try_from(n).map_err(|_| Error::new(ErrorKind::Corrupt))
}

fn to_u64(n: i64) -> Result<u64, Error> {
    u64::try_from(n).map_err(|_| Error::new(ErrorKind::Corrupt))
}

fn leaf_from_row(row: &AnyRow) -> Result<AuditLeafRow, Error> {
    Ok(AuditLeafRow {
        index: to_u64(row.try_get("idx")?)?,
        data: row.try_get("data")?,
    })
}

/// `(level = a AND idx = b) OR …` for computed node ids (integers only, so nothing to escape).
fn node_condition(ids: &[NodeId]) -> Result<String, Error> {
    let mut parts = Vec::with_capacity(ids.len());
    for id in ids {
        parts.push(format!(
            "(level = {} AND idx = {})",
            id.level,
            to_i64(id.index)?
        ));
    }
    Ok(parts.join(" OR "))
}

async fn fetch_nodes<'e, E>(store: &Store, ids: &[NodeId], executor: E) -> Result<NodeMap, Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if ids.is_empty() {
        return Ok(NodeMap::new());
    }
    let q = store.sql(&format!(
        "SELECT level, idx, hash FROM audit_nodes WHERE {}",
        node_condition(ids)?
    ));
    let rows = sqlx::query(&q).fetch_all(executor).await?;
    node_map(&rows)
}

/// Rows of `(level, idx, hash)` as a map.
fn node_map(rows: &[AnyRow]) -> Result<NodeMap, Error> {
    let mut map = NodeMap::with_capacity(rows.len());
    for row in rows {
        let level: i64 = row.try_get("level")?;
        let level = u8::try_from(level).map_err(|_| Error::new(ErrorKind::Corrupt))?;
        let index = to_u64(row.try_get("idx")?)?;
        let bytes: Vec<u8> = row.try_get("hash")?;
        let hash = Hash::from_slice(&bytes).map_err(|_| Error::new(ErrorKind::Corrupt))?;
        map.insert(NodeId::new(level, index), hash);
    }
    Ok(map)
}

impl Store {
    /// Appends `events` to the audit log inside `tx`, so they commit or roll back with the
    /// change they record. Returns the index of the first new leaf.
    pub(crate) async fn append_events(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        events: &[AuditEvent],
    ) -> Result<u64, Error> {
        let mut encoded = Vec::with_capacity(events.len());
        for e in events {
            encoded.push(
                e.encode()
                    .map_err(|_| Error::new(ErrorKind::InvalidEvent))?,
            );
        }
        if events.is_empty() {
            let row = sqlx::query("SELECT size FROM audit_head WHERE id = 1")
                .fetch_one(&mut **tx)
                .await?;
            return to_u64(row.try_get(0)?);
        }
        let count = i64::try_from(events.len()).map_err(|_| Error::new(ErrorKind::InvalidEvent))?;
        // Taking the head first serialises appends until this transaction ends.
        let q = self.sql("UPDATE audit_head SET size = size + $1 WHERE id = 1 RETURNING size");
        let new_size: i64 = sqlx::query(&q)
            .bind(count)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        let old_size = to_u64(new_size - count)?;
        let nodes = fetch_nodes(self, &Frontier::nodes(old_size), &mut **tx).await?;
        let mut frontier =
            Frontier::from_store(&nodes, old_size).map_err(|_| Error::new(ErrorKind::Corrupt))?;
        let mut new_nodes = Vec::with_capacity(2 * events.len());
        let mut leaves = Vec::with_capacity(events.len());
        for (offset, (event, data)) in events.iter().zip(encoded).enumerate() {
            let hash = alcove_audit::leaf_hash(&data);
            frontier
                .append_with(hash, |id, h| new_nodes.push((id, h)))
                .map_err(|_| Error::new(ErrorKind::Corrupt))?;
            leaves.push((old_size + offset as u64, event, data, hash));
        }
        // Multi-row inserts: a batch of events costs a few statements, not two per event.
        for chunk in leaves.chunks(LEAF_ROWS_PER_INSERT) {
            let q = self.sql(&multi_row_insert(
                "audit_leaves (idx, data, leaf_hash, subject_id, actor_id, kind, at)",
                7,
                chunk.len(),
            ));
            let mut query = sqlx::query(&q);
            for (index, event, data, hash) in chunk {
                query = query
                    .bind(to_i64(*index)?)
                    .bind(data.clone())
                    .bind(hash.as_bytes().to_vec())
                    .bind(event.subject.as_ref().map(|s| s.as_str().to_owned()))
                    .bind(event.actor.as_ref().map(|a| a.as_str().to_owned()))
                    .bind(event.kind.as_str())
                    .bind(event.at_ms);
            }
            query.execute(&mut **tx).await?;
        }
        for chunk in new_nodes.chunks(NODE_ROWS_PER_INSERT) {
            let q = self.sql(&multi_row_insert(
                "audit_nodes (level, idx, hash)",
                3,
                chunk.len(),
            ));
            let mut query = sqlx::query(&q);
            for (id, hash) in chunk {
                query = query
                    .bind(i64::from(id.level))
                    .bind(to_i64(id.index)?)
                    .bind(hash.as_bytes().to_vec());
            }
            query.execute(&mut **tx).await?;
        }
        Ok(old_size)
    }

    /// Appends events that record no other change (a read of sensitive data, a refused
    /// request) in a transaction of their own. Returns the index of the first new leaf.
    pub async fn log_events(&self, events: &[AuditEvent]) -> Result<u64, Error> {
        let (_lock, mut tx) = self.begin().await?;
        let first = self.append_events(&mut tx, events).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// The number of leaves in the log.
    pub async fn audit_size(&self) -> Result<u64, Error> {
        let row = sqlx::query("SELECT size FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        to_u64(row.try_get(0)?)
    }

    /// Bytes the database uses for the audit log, for the benchmark's bytes per event: on
    /// PostgreSQL the leaf and node tables with their indexes and TOAST; on SQLite the whole
    /// database's used pages (compare before and after appending).
    pub async fn audit_storage_bytes(&self) -> Result<u64, Error> {
        let q = match self.backend {
            Backend::Postgres => {
                "SELECT CAST(pg_total_relation_size('audit_leaves') \
                 + pg_total_relation_size('audit_nodes') AS BIGINT)"
            }
            Backend::Sqlite => {
                "SELECT (p.page_count - f.freelist_count) * s.page_size \
                 FROM pragma_page_count() AS p, pragma_freelist_count() AS f, \
                 pragma_page_size() AS s"
            }
        };
        let row = sqlx::query(q).fetch_one(&self.pool).await?;
        to_u64(row.try_get(0)?)
    }

    /// The stored subtree hashes among `ids`, in one query (absent ones are left out).
    pub async fn audit_nodes(&self, ids: &[NodeId]) -> Result<NodeMap, Error> {
        fetch_nodes(self, ids, &self.pool).await
    }

    /// The stored subtree hashes that appending leaves `[start, end)` completed (see
    /// [`alcove_audit::nodes_completed_by`]), in one query.
    pub async fn audit_nodes_completed_by(&self, start: u64, end: u64) -> Result<NodeMap, Error> {
        let ranges = alcove_audit::nodes_completed_by(start, end);
        if ranges.is_empty() {
            return Ok(NodeMap::new());
        }
        let mut parts = Vec::with_capacity(ranges.len());
        for (level, first, last) in ranges {
            parts.push(format!(
                "(level = {level} AND idx BETWEEN {} AND {})",
                to_i64(first)?,
                to_i64(last)?
            ));
        }
        let q = format!(
            "SELECT level, idx, hash FROM audit_nodes WHERE {}",
            parts.join(" OR ")
        );
        let rows = sqlx::query(&q).fetch_all(&self.pool).await?;
        node_map(&rows)
    }

    /// Up to `limit` stored leaves from index `start` on, in index order (page through the whole
    /// log with this).
    pub async fn audit_leaves(&self, start: u64, limit: u32) -> Result<Vec<AuditLeafRow>, Error> {
        let q =
            self.sql("SELECT idx, data FROM audit_leaves WHERE idx >= $1 ORDER BY idx LIMIT $2");
        let rows = sqlx::query(&q)
            .bind(to_i64(start)?)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(leaf_from_row).collect()
    }

    /// Up to `limit` leaves visible in `scope` with an index of at least `start`, oldest first.
    pub async fn audit_events(
        &self,
        scope: &AuditScope,
        start: u64,
        limit: u32,
    ) -> Result<Vec<AuditLeafRow>, Error> {
        let mut binds: Vec<String> = Vec::new();
        let condition = match scope {
            AuditScope::All => "1 = 1".to_owned(),
            AuditScope::Subject(s) => {
                binds.push(s.as_str().to_owned());
                "subject_id = $3".to_owned()
            }
            AuditScope::Involving { actors, subjects } => {
                let mut parts = Vec::new();
                for a in actors {
                    binds.push(a.as_str().to_owned());
                    parts.push(format!("actor_id = ${}", binds.len() + 2));
                }
                for s in subjects {
                    binds.push(s.as_str().to_owned());
                    parts.push(format!("subject_id = ${}", binds.len() + 2));
                }
                if parts.is_empty() {
                    return Ok(Vec::new());
                }
                format!("({})", parts.join(" OR "))
            }
        };
        let q = self.sql(&format!(
            "SELECT idx, data FROM audit_leaves WHERE idx >= $1 AND {condition} ORDER BY idx LIMIT $2"
        ));
        let mut query = sqlx::query(&q).bind(to_i64(start)?).bind(i64::from(limit));
        for b in binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(leaf_from_row).collect()
    }

    /// Stores a signed checkpoint for tree size `size` (a second one for the same size is
    /// ignored).
    pub async fn insert_checkpoint(&self, size: u64, note: &str, now: i64) -> Result<(), Error> {
        let _lock = self.write_lock().await;
        let q = self.sql(
            "INSERT INTO audit_checkpoints (size, note, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (size) DO NOTHING",
        );
        sqlx::query(&q)
            .bind(to_i64(size)?)
            .bind(note)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The checkpoint with the largest tree size, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<CheckpointRow>, Error> {
        let row = sqlx::query(
            "SELECT size, note, created_at FROM audit_checkpoints ORDER BY size DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| checkpoint_from_row(&r)).transpose()
    }

    /// Every stored checkpoint, smallest tree first.
    pub async fn checkpoints(&self) -> Result<Vec<CheckpointRow>, Error> {
        let rows =
            sqlx::query("SELECT size, note, created_at FROM audit_checkpoints ORDER BY size")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(checkpoint_from_row).collect()
    }
}

impl Store {
    /// Recomputes the whole log from the stored leaves, in index order, and checks every stored
    /// checkpoint (signature by `verifier` and root), every stored subtree hash, every leaf's
    /// encoding, that the indexes have no gap and that the head's size matches. It stops at the
    /// first problem.
    pub async fn verify_audit_log(
        &self,
        verifier: &NoteVerifier,
    ) -> Result<StoredLogReport, Error> {
        let head_size = self.audit_size().await?;
        let checkpoints = self.checkpoints().await?;
        let mut auditor = LogAuditor::new(
            verifier,
            checkpoints.iter().map(|c| c.note.as_str()),
            AuditConfig::default(),
        );
        let mut next = 0u64;
        let mut index_gap = None;
        'pages: loop {
            let page = self.audit_leaves(next, VERIFY_PAGE).await?;
            let Some(last) = page.last() else {
                break;
            };
            // Only the stored nodes this page's leaves complete: memory stays bounded by the
            // page, whatever the size of the log. (A page with a gap stops at the gap below.)
            let end = last.index.saturating_add(1).max(next);
            let nodes = self.audit_nodes_completed_by(next, end).await?;
            for leaf in page {
                if leaf.index != next {
                    index_gap = Some(next);
                    break 'pages;
                }
                if auditor.push_leaf_checked(&leaf.data, &nodes).is_err() {
                    break 'pages;
                }
                next += 1;
            }
        }
        Ok(StoredLogReport {
            report: auditor.finish(),
            index_gap,
            head_size,
        })
    }
}

fn checkpoint_from_row(row: &AnyRow) -> Result<CheckpointRow, Error> {
    Ok(CheckpointRow {
        size: to_u64(row.try_get("size")?)?,
        note: row.try_get("note")?,
        created_at: row.try_get("created_at")?,
    })
}
