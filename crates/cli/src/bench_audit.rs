//! `alcove bench audit`: appends events to the audit log of a real database in batched
//! transactions, then measures what people and auditors do with it: inclusion proofs served
//! from the database, and a full `alcove audit verify`.
//!
//! Prints one line per measurement and ends with
//! `events/s=… bytes/event=… proof_us=… verify_s=…`.

use alcove_audit::sample::sample_event;
use alcove_audit::{inclusion_proof, inclusion_proof_nodes, AuditEvent};
use alcove_server::audit::{load_or_create_log_key, sign_checkpoint};
use alcove_server::audit_tool::{self, LogLocation};
use alcove_store::Store;
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `alcove bench audit` options.
#[derive(clap::Args)]
pub struct AuditArgs {
    /// Events to append in all.
    #[arg(long, default_value_t = 100_000)]
    events: u64,
    /// Events per transaction.
    #[arg(long, default_value_t = 1000)]
    batch: u64,
    /// Sign a checkpoint after every this many events (as the server's checkpointer does
    /// while the log grows).
    #[arg(long, default_value_t = 100_000)]
    checkpoint_every: u64,
    /// An empty directory for the log key (and the SQLite database unless --database-url).
    #[arg(long)]
    data_dir: PathBuf,
    /// `postgres://…` (an empty database) to measure PostgreSQL instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
}

/// A typical event: one of 50 staff acts on one of 5,000 clients' records.
fn event(i: u64) -> Result<AuditEvent> {
    Ok(sample_event(i, 50)?)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Runs the benchmark.
pub async fn audit(args: AuditArgs) -> Result<()> {
    if args.events == 0 || args.batch == 0 || args.checkpoint_every == 0 {
        bail!("--events, --batch and --checkpoint-every must be at least 1");
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let sqlite_file = args.data_dir.join("alcove.db");
    if args.database_url.is_none() && sqlite_file.exists() {
        bail!(
            "{} exists: give an empty data directory",
            sqlite_file.display()
        );
    }
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", sqlite_file.display()),
    };
    let store = Store::open(&url).await.context("opening the database")?;
    if store.audit_size().await? != 0 {
        bail!("the database already holds audit events: give an empty one");
    }
    let signer = load_or_create_log_key(&args.data_dir, "bench.localhost")?;
    let bytes_before = store.audit_storage_bytes().await?;

    // Appends: events are encoded and hashed inside the timed region, as in the server.
    let mut appended = 0u64;
    let mut next_checkpoint = args.checkpoint_every;
    let mut batch = Vec::with_capacity(usize::try_from(args.batch).unwrap_or(1000));
    let started = Instant::now();
    while appended < args.events {
        let take = args.batch.min(args.events - appended);
        batch.clear();
        for i in appended..appended + take {
            batch.push(event(i)?);
        }
        store.log_events(&batch).await?;
        appended += take;
        if appended >= next_checkpoint || appended == args.events {
            sign_checkpoint(&store, &signer, 0).await?;
            next_checkpoint = appended + args.checkpoint_every;
        }
    }
    let append_time = started.elapsed();
    let events_per_s = appended as f64 / append_time.as_secs_f64();
    println!(
        "append: {appended} events in batches of {} in {:.2} s ({events_per_s:.0} events/s, checkpoints included)",
        args.batch,
        append_time.as_secs_f64()
    );

    let bytes_after = store.audit_storage_bytes().await?;
    let bytes_per_event = (bytes_after.saturating_sub(bytes_before)) as f64 / appended as f64;
    println!(
        "storage: {bytes_per_event:.0} bytes per event (leaves, subtree hashes and their indexes)"
    );

    // Inclusion proofs served from the database: the O(log n) node reads plus the hashing.
    let size = store.audit_size().await?;
    let mut samples = Vec::with_capacity(1001);
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..1001 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let index = x % size;
        let t = Instant::now();
        let nodes = store
            .audit_nodes(&inclusion_proof_nodes(index, size)?)
            .await?;
        let proof = inclusion_proof(&nodes, index, size)?;
        samples.push(t.elapsed());
        std::hint::black_box(proof);
    }
    let proof = median(samples);
    println!(
        "inclusion proof from the database at {size} leaves: median {:.1} µs",
        proof.as_secs_f64() * 1e6
    );
    store.close().await;

    // The full verifier, exactly as `alcove audit verify` runs it.
    let location = LogLocation {
        data_dir: &args.data_dir,
        database_url: args.database_url.as_deref(),
    };
    let mut report = Vec::new();
    let t = Instant::now();
    let intact = audit_tool::verify(&location, &mut report).await?;
    let verify_time = t.elapsed();
    if !intact {
        bail!(
            "the verifier reported a problem:\n{}",
            String::from_utf8_lossy(&report)
        );
    }
    println!(
        "verify: {size} events in {:.2} s",
        verify_time.as_secs_f64()
    );
    println!(
        "events/s={events_per_s:.0} bytes/event={bytes_per_event:.0} proof_us={:.1} verify_s={:.2}",
        proof.as_secs_f64() * 1e6,
        verify_time.as_secs_f64()
    );
    Ok(())
}
