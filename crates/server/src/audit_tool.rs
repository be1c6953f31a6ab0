//! The logic behind `alcove audit verify | checkpoint | export`, kept here so it is tested
//! without spawning the binary.
//!
//! Each function opens the store itself (the data directory's SQLite file, or a PostgreSQL URL),
//! reads the log key from the data directory, writes its report to `out`, and never changes the
//! log.

use crate::audit::load_log_key;
use alcove_audit::{inclusion_proof, inclusion_proof_nodes, AuditEvent, Divergence, Hash};
use alcove_store::{AuditScope, Store, StoredLogReport};
use alcove_types::UserId;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::io::Write;
use std::path::Path;

/// Where the log lives: the data directory (for the key, and the SQLite file unless a database
/// URL is given).
#[derive(Debug, Clone)]
pub struct LogLocation<'a> {
    /// The data directory.
    pub data_dir: &'a Path,
    /// A PostgreSQL (or SQLite) URL overriding `<data_dir>/alcove.db`.
    pub database_url: Option<&'a str>,
}

impl LogLocation<'_> {
    async fn open(&self) -> anyhow::Result<Store> {
        let url = match self.database_url {
            Some(url) => url.to_owned(),
            None => {
                let file = self.data_dir.join("alcove.db");
                if !file.exists() {
                    anyhow::bail!("no database in the data directory (alcove.db is missing)");
                }
                format!("sqlite://{}", file.display())
            }
        };
        Ok(Store::open(&url).await?)
    }
}

/// Output formats of [`export`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One header line, then one line per event.
    Csv,
    /// One JSON document.
    Json,
}

/// Recomputes the log and checks it completely (see [`Store::verify_audit_log`]); writes a
/// report and returns whether the log is intact.
pub async fn verify(location: &LogLocation<'_>, out: &mut dyn Write) -> anyhow::Result<bool> {
    let signer = load_log_key(location.data_dir)?;
    let store = location.open().await?;
    let report = store.verify_audit_log(&signer.verifier()).await?;
    store.close().await;
    write_report(&report, out)?;
    Ok(report.is_intact())
}

fn write_report(r: &StoredLogReport, out: &mut dyn Write) -> std::io::Result<()> {
    let a = &r.report;
    writeln!(
        out,
        "leaves read: {} (the log's head says {})",
        a.leaves, r.head_size
    )?;
    writeln!(out, "checkpoints verified: {}", a.checkpoints_verified)?;
    if let Some(size) = a.latest_verified_size {
        writeln!(
            out,
            "latest verified checkpoint: size {size}; leaves after it: {}",
            a.unsigned_leaves()
        )?;
    }
    if let Some(gap) = r.index_gap {
        writeln!(
            out,
            "DIVERGENCE: leaf {gap} is missing (leaves were deleted or renumbered)"
        )?;
    }
    match &a.divergence {
        None => {}
        Some(Divergence::CheckpointInvalid { checkpoint, error }) => {
            writeln!(
                out,
                "DIVERGENCE: stored checkpoint #{checkpoint} does not verify: {error}"
            )?;
        }
        Some(Divergence::CheckpointRootMismatch {
            size,
            first_suspect_leaf,
            ..
        }) => writeln!(
            out,
            "DIVERGENCE: the stored leaves do not produce the signed root at size {size}; \
             a leaf from {first_suspect_leaf} to {} was altered, removed, inserted or moved",
            size.saturating_sub(1)
        )?,
        Some(Divergence::MissingLeaves { size, leaves, .. }) => writeln!(
            out,
            "DIVERGENCE: a checkpoint signed {size} leaves but only {leaves} are stored (truncated)"
        )?,
        Some(Divergence::MalformedLeaf { index, error }) => {
            writeln!(
                out,
                "DIVERGENCE: leaf {index} is not a well-formed event: {error}"
            )?;
        }
        Some(Divergence::StoredNodeMismatch { node, first_leaf }) => writeln!(
            out,
            "DIVERGENCE: the stored hash of subtree (level {}, index {}) starting at leaf \
             {first_leaf} differs from the recomputed one",
            node.level, node.index
        )?,
        Some(other) => writeln!(out, "DIVERGENCE: {other:?}")?,
    }
    if r.index_gap.is_none() && a.divergence.is_none() && a.leaves != r.head_size {
        writeln!(
            out,
            "DIVERGENCE: {} leaves are stored but the head says {}",
            a.leaves, r.head_size
        )?;
    }
    writeln!(
        out,
        "{}",
        if r.is_intact() {
            "OK: the audit log is intact"
        } else {
            "FAILED"
        }
    )
}

/// Writes the latest stored signed checkpoint; `false` when there is none.
pub async fn checkpoint(location: &LogLocation<'_>, out: &mut dyn Write) -> anyhow::Result<bool> {
    let store = location.open().await?;
    let latest = store.latest_checkpoint().await?;
    store.close().await;
    match latest {
        Some(cp) => {
            out.write_all(cp.note.as_bytes())?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// One exported event.
#[derive(Debug, serde::Serialize)]
struct Exported {
    index: u64,
    kind: String,
    at: i64,
    actor: Option<String>,
    subject: Option<String>,
    objects: Vec<String>,
    leaf: String,
    /// Against `checkpoint_size`; `None` for events after the latest checkpoint.
    proof: Option<Vec<String>>,
}

/// Writes the accounting of disclosures for `subject`: every event whose subject they are, with
/// an inclusion proof against the latest stored checkpoint (printed first).
pub async fn export(
    location: &LogLocation<'_>,
    subject: &str,
    format: ExportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let subject = UserId::parse(subject).ok_or_else(|| anyhow::anyhow!("that is not a user id"))?;
    let store = location.open().await?;
    let latest = store.latest_checkpoint().await?;
    let size = latest.as_ref().map_or(0, |c| c.size);
    let scope = AuditScope::Subject(subject);
    let mut events = Vec::new();
    let mut cursor = 0;
    loop {
        let page = store.audit_events(&scope, cursor, 1000).await?;
        let Some(last) = page.last() else { break };
        cursor = last.index + 1;
        for row in page {
            let event = AuditEvent::decode(&row.data)?;
            let proof = if row.index < size {
                let nodes = store
                    .audit_nodes(&inclusion_proof_nodes(row.index, size)?)
                    .await?;
                Some(b64(&inclusion_proof(&nodes, row.index, size)?))
            } else {
                None
            };
            events.push(Exported {
                index: row.index,
                kind: event.kind.as_str().to_owned(),
                at: event.at_ms,
                actor: event.actor.map(|a| a.as_str().to_owned()),
                subject: event.subject.map(|s| s.as_str().to_owned()),
                objects: event
                    .objects
                    .iter()
                    .map(|(k, id)| format!("{}:{}", k.as_str(), id.as_str()))
                    .collect(),
                leaf: STANDARD.encode(&row.data),
                proof,
            });
        }
    }
    store.close().await;
    let note = latest.map(|c| c.note);
    match format {
        ExportFormat::Json => {
            let doc = serde_json::json!({ "checkpoint": note, "checkpoint_size": size, "events": events });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        ExportFormat::Csv => {
            writeln!(
                out,
                "index,kind,at,actor,subject,objects,leaf,checkpoint_size,proof"
            )?;
            for e in &events {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    e.index,
                    e.kind,
                    e.at,
                    e.actor.as_deref().unwrap_or(""),
                    e.subject.as_deref().unwrap_or(""),
                    e.objects.join(";"),
                    e.leaf,
                    if e.proof.is_some() { size } else { 0 },
                    e.proof.as_ref().map(|p| p.join(";")).unwrap_or_default(),
                )?;
            }
        }
    }
    Ok(())
}

fn b64(hashes: &[Hash]) -> Vec<String> {
    hashes
        .iter()
        .map(|h| STANDARD.encode(h.as_bytes()))
        .collect()
}
