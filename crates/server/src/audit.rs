//! The server's side of the audit log: the log key in the data directory, building events from
//! the server's ids, and signing checkpoints.
//!
//! Events are appended by the store in the same transaction as the change they record; this
//! module only builds them. Checkpoints are signed after the fact: on demand (the audit
//! endpoints) and by a background task whenever the log has grown.

use crate::state::AppState;
use alcove_audit::{
    root, root_nodes, ActorId, AuditEvent, Checkpoint, EventKind, LogSigner, ObjectId, ObjectKind,
    SubjectId,
};
use alcove_store::{CheckpointRow, Store};
use alcove_types::UserId;
use std::path::Path;

/// The log key's file name inside the data directory.
pub const LOG_KEY_FILE: &str = "audit-log.key";

/// Loads the log's signing key from `<data_dir>/audit-log.key`, creating it (mode 0600) with a
/// fresh random seed and the key name `<rp_id>/alcove-audit` when it does not exist yet.
pub fn load_or_create_log_key(data_dir: &Path, rp_id: &str) -> anyhow::Result<LogSigner> {
    let path = data_dir.join(LOG_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => LogSigner::parse(text.trim())
            .map_err(|e| anyhow::anyhow!("the audit log key file is damaged: {e}")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)?;
            let seed: [u8; 32] = rand::random();
            let signer = LogSigner::from_seed(&format!("{rp_id}/alcove-audit"), &seed)
                .map_err(|e| anyhow::anyhow!("cannot name the audit log key: {e}"))?;
            write_private(&path, &signer.to_secret_string())?;
            Ok(signer)
        }
        Err(e) => Err(e.into()),
    }
}

/// Loads an existing log key (for the CLI's verifier: it never creates one).
pub fn load_log_key(data_dir: &Path) -> anyhow::Result<LogSigner> {
    let text = std::fs::read_to_string(data_dir.join(LOG_KEY_FILE))
        .map_err(|e| anyhow::anyhow!("cannot read {LOG_KEY_FILE} in the data directory: {e}"))?;
    LogSigner::parse(text.trim())
        .map_err(|e| anyhow::anyhow!("the audit log key file is damaged: {e}"))
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}

/// Builds one event from the server's own ids (which always have the log's id shape; an id that
/// did not would be left out rather than fail the request).
#[derive(Debug, Clone)]
pub struct Event(AuditEvent);

impl Event {
    /// An event of `kind` at `at` (milliseconds).
    pub fn new(kind: EventKind, at: i64) -> Event {
        Event(AuditEvent::new(kind, at))
    }

    /// Who did it.
    pub fn actor(mut self, user: &UserId) -> Event {
        if let Ok(id) = ActorId::new(user.as_str()) {
            self.0 = self.0.with_actor(id);
        }
        self
    }

    /// Whose record it concerns.
    pub fn subject(mut self, user: &UserId) -> Event {
        if let Ok(id) = SubjectId::new(user.as_str()) {
            self.0 = self.0.with_subject(id);
        }
        self
    }

    /// Something it touched.
    pub fn object(mut self, kind: ObjectKind, id: &str) -> Event {
        if let Ok(id) = ObjectId::new(id) {
            self.0 = self.0.with_object(kind, id);
        }
        self
    }

    /// The finished event.
    pub fn done(self) -> AuditEvent {
        self.0
    }
}

/// Signs and stores a checkpoint for the current log size unless one exists; returns the latest
/// checkpoint (`None` only for an empty log that has never been signed).
pub async fn checkpoint_now(state: &AppState) -> anyhow::Result<Option<CheckpointRow>> {
    sign_checkpoint(&state.store, &state.log, state.now()).await
}

/// [`checkpoint_now`] for any store and key (the CLI's benchmark signs with it too).
pub async fn sign_checkpoint(
    store: &Store,
    log: &LogSigner,
    now: i64,
) -> anyhow::Result<Option<CheckpointRow>> {
    let size = store.audit_size().await?;
    if let Some(latest) = store.latest_checkpoint().await? {
        if latest.size >= size {
            return Ok(Some(latest));
        }
    }
    let nodes = store.audit_nodes(&root_nodes(size)).await?;
    let root = root(&nodes, size)?;
    let checkpoint = Checkpoint::new(log.name(), size, root)?;
    let note = log.sign_checkpoint(&checkpoint)?;
    store.insert_checkpoint(size, &note, now).await?;
    Ok(store.latest_checkpoint().await?)
}

/// Signs a checkpoint every second while the log grows.
pub fn spawn_checkpointer(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = checkpoint_now(&state).await {
                tracing::warn!(error = %e, "signing an audit checkpoint failed");
            }
        }
    });
}
