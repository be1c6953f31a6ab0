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

/// A full page of leaves' data and the nodes they complete, or `None` when the page is not full.
type FullPage = Option<(Vec<Vec<u8>>, NodeMap)>;

/// Leaves read per query by [`Store::verify_audit_log`].
const VERIFY_PAGE: u32 = 4096;

/// Rows per multi-row insert: 7 parameters a leaf and 3 a node stay far below SQLite's limit of
/// 32,766 bound parameters and PostgreSQL's 65,535.
const LEAF_ROWS_PER_INSERT: usize = 256;
const NODE_ROWS_PER_INSERT: usize = 512;

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

async fn fetch_nodes<'e, E>(store: &Store, ids: &[NodeId], executor: E) -> Result<NodeMap, Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if ids.is_empty() {
        return Ok(NodeMap::new());
    }
    // Placeholders rather than the numbers themselves: the statement's text then depends only
    // on how many nodes are read, and sqlx reuses its prepared form.
    let condition = (0..ids.len())
        .map(|i| format!("(level = ${} AND idx = ${})", 2 * i + 1, 2 * i + 2))
        .collect::<Vec<_>>()
        .join(" OR ");
    let q = store.sql(&format!(
        "SELECT level, idx, hash FROM audit_nodes WHERE {condition}"
    ));
    let mut query = sqlx::query(&q);
    for id in ids {
        query = query.bind(i64::from(id.level)).bind(to_i64(id.index)?);
    }
    let rows = query.fetch_all(executor).await?;
    node_map(&rows)
}

/// `index:hex` as the index and the bytes.
fn indexed_hex(item: &str) -> Result<(u64, Vec<u8>), Error> {
    let corrupt = || Error::new(ErrorKind::Corrupt);
    let (index, hex) = item.split_once(':').ok_or_else(corrupt)?;
    Ok((
        index.parse().map_err(|_| corrupt())?,
        hex::decode(hex).map_err(|_| corrupt())?,
    ))
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
    /// `INSERT INTO <table_and_columns> VALUES (…), (…)` with `rows` rows of `columns`
    /// placeholders: `$1, $2, …` on PostgreSQL, and plain `?` on SQLite, which binds them in
    /// order. (Numbered `?NNN` would cost SQLite a linear search per bound value, quadratic in
    /// a statement with a thousand of them.)
    fn multi_row_insert(&self, table_and_columns: &str, columns: usize, rows: usize) -> String {
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
                match self.backend {
                    Backend::Sqlite => q.push('?'),
                    // Writing to a String cannot fail.
                    Backend::Postgres => {
                        let _ = write!(q, "${n}");
                    }
                }
            }
            q.push(')');
        }
        q
    }

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
            let q = self.multi_row_insert(
                "audit_leaves (idx, data, leaf_hash, subject_id, actor_id, kind, at)",
                7,
                chunk.len(),
            );
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
            let q = self.multi_row_insert("audit_nodes (level, idx, hash)", 3, chunk.len());
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
    /// [`alcove_audit::nodes_completed_by`]).
    ///
    /// Read as one row per level, each node as `index:hex(hash)`, comma-separated: sqlx hands
    /// rows one at a time from SQLite's worker thread, and at two nodes per leaf that handoff,
    /// not SQLite, was most of a full verification's time. When a level has not exactly the
    /// expected nodes, the range is read again row by row so the caller sees which is missing.
    pub async fn audit_nodes_completed_by(&self, start: u64, end: u64) -> Result<NodeMap, Error> {
        let ranges = alcove_audit::nodes_completed_by(start, end);
        if ranges.is_empty() {
            return Ok(NodeMap::new());
        }
        // `level = l AND idx BETWEEN a AND b` for each level (integers only, nothing to escape).
        let mut conditions = Vec::with_capacity(ranges.len());
        for &(level, first, last) in &ranges {
            conditions.push(format!(
                "level = {level} AND idx BETWEEN {} AND {}",
                to_i64(first)?,
                to_i64(last)?
            ));
        }
        // One aggregate per level, each a range scan of the primary key.
        let concat = self.indexed_hex_aggregate("hash");
        let parts: Vec<String> = ranges
            .iter()
            .zip(&conditions)
            .map(|(&(level, _, _), condition)| {
                format!(
                    "SELECT CAST({level} AS BIGINT) AS level, MIN(idx) AS first, COUNT(*) AS n, \
                     {concat} AS hashes FROM audit_nodes WHERE {condition}"
                )
            })
            .collect();
        let rows = sqlx::query(&parts.join(" UNION ALL "))
            .fetch_all(&self.pool)
            .await?;
        let mut map = NodeMap::with_capacity(2 * usize::try_from(end - start).unwrap_or(0));
        let mut complete = rows.len() == ranges.len();
        for row in &rows {
            let level = u8::try_from(row.try_get::<i64, _>("level")?)
                .map_err(|_| Error::new(ErrorKind::Corrupt))?;
            let count = to_u64(row.try_get("n")?)?;
            let Some(first) = row.try_get::<Option<i64>, _>("first")? else {
                complete = false;
                break;
            };
            let first = to_u64(first)?;
            let expected = ranges.iter().find(|r| r.0 == level);
            if expected != Some(&(level, first, first.saturating_add(count).saturating_sub(1))) {
                complete = false;
                break;
            }
            let hashes: String = row.try_get("hashes")?;
            for item in hashes.split(',') {
                let (index, bytes) = indexed_hex(item)?;
                let hash = Hash::from_slice(&bytes).map_err(|_| Error::new(ErrorKind::Corrupt))?;
                map.insert(NodeId::new(level, index), hash);
            }
        }
        if complete {
            return Ok(map);
        }
        let q = format!(
            "SELECT level, idx, hash FROM audit_nodes WHERE ({})",
            conditions.join(") OR (")
        );
        let rows = sqlx::query(&q).fetch_all(&self.pool).await?;
        node_map(&rows)
    }

    /// An aggregate of the rows' `idx:hex(column)`, comma-separated (in scan order, which
    /// neither engine promises: readers check the indexes).
    fn indexed_hex_aggregate(&self, column: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("group_concat(idx || ':' || hex({column}), ',')"),
            Backend::Postgres => format!("string_agg(idx || ':' || encode({column}, 'hex'), ',')"),
        }
    }

    /// Leaves `[start, end)` in one row, when all of them are stored: `index:hex(data)` each,
    /// comma-separated (see [`Store::audit_nodes_completed_by`] for why). `None` when any is
    /// missing; the caller reads that page row by row instead.
    async fn audit_leaf_page(&self, start: u64, end: u64) -> Result<Option<Vec<Vec<u8>>>, Error> {
        let concat = self.indexed_hex_aggregate("data");
        let q = self.sql(&format!(
            "SELECT COUNT(*) AS n, MIN(idx) AS first, {concat} AS leaves \
             FROM audit_leaves WHERE idx >= $1 AND idx < $2"
        ));
        let row = sqlx::query(&q)
            .bind(to_i64(start)?)
            .bind(to_i64(end)?)
            .fetch_one(&self.pool)
            .await?;
        let count = to_u64(row.try_get("n")?)?;
        let first: Option<i64> = row.try_get("first")?;
        // `idx` is the primary key: as many rows as indexes in the range means all are there.
        if count != end - start || first != Some(to_i64(start)?) {
            return Ok(None);
        }
        let text: String = row.try_get("leaves")?;
        let mut leaves = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        // The aggregate's order is the scan's, which the SQL does not promise: each leaf
        // carries its index, and a page out of order is read row by row instead.
        for (expected, item) in (start..end).zip(text.split(',')) {
            let (index, data) = indexed_hex(item)?;
            if index != expected {
                return Ok(None);
            }
            leaves.push(data);
        }
        Ok((leaves.len() as u64 == count).then_some(leaves))
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
    /// Starts reading the full page of leaves from `start`, with the nodes they complete (see
    /// [`Store::audit_leaf_page`]); the task's result is `None` when that page is not full.
    fn read_full_page_ahead(&self, start: u64) -> tokio::task::JoinHandle<Result<FullPage, Error>> {
        let store = self.clone();
        tokio::spawn(async move {
            let end = start + u64::from(VERIFY_PAGE);
            let Some(leaves) = store.audit_leaf_page(start, end).await? else {
                return Ok(None);
            };
            let nodes = store.audit_nodes_completed_by(start, end).await?;
            Ok(Some((leaves, nodes)))
        })
    }

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
        // The next full page is read while this one is hashed: the database's worker thread
        // and the hashing each take about half the time.
        let mut ahead = Some(self.read_full_page_ahead(next));
        'pages: loop {
            // Full pages come as one row; the last page, and any page with a gap, row by row.
            let full = match ahead.take() {
                Some(task) => task.await.map_err(|_| Error::new(ErrorKind::Database))??,
                None => None,
            };
            if let Some((leaves, nodes)) = full {
                ahead = Some(self.read_full_page_ahead(next + leaves.len() as u64));
                for data in leaves {
                    if auditor.push_leaf_checked(&data, &nodes).is_err() {
                        break 'pages;
                    }
                    next += 1;
                }
                continue;
            }
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
        if let Some(task) = ahead {
            task.abort();
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
