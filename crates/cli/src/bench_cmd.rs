//! `alcove bench messaging`: an Alcove server on loopback over the given storage, N native
//! clients in care relationships with clinicians, and M end-to-end encrypted messages through
//! it, each checked to be delivered and decrypted. Prints one line:
//! `messages/s=… p50_ms=… p99_ms=… delivered=…/…`.
//!
//! Clients send to their clinician over their WebSocket, each waiting for the server's answer
//! before sending the next (or, with `--rate`, when each message is due); clinicians' devices
//! receive, decrypt and time every message (the send time travels inside the encrypted text).
//! Setting up accounts, devices and conversations is not timed.

use alcove_client::{Account, Client, Event};
use alcove_crypto::PayloadKind;
use alcove_server::{issue_setup_link, serve, system_clock, AppState, Config};
use alcove_store::Store;
use alcove_testkit::SoftAuthenticator;
use alcove_types::{ConversationId, Role};
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Benchmarks.
#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// End-to-end encrypted messages through a server on loopback.
    Messaging(MessagingArgs),
    /// Audit log appends, proofs from the database and a full verify.
    Audit(crate::bench_audit::AuditArgs),
}

/// `alcove bench messaging` options.
#[derive(clap::Args)]
pub struct MessagingArgs {
    /// Connected client devices (each in a care relationship).
    #[arg(long, default_value_t = 10)]
    clients: usize,
    /// Messages to send in all.
    #[arg(long, default_value_t = 1000)]
    messages: usize,
    /// An empty directory for the server's data (the SQLite database unless --database-url).
    #[arg(long)]
    data_dir: PathBuf,
    /// `postgres://…` (an empty database) to measure PostgreSQL instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Put this text into every message (to look for it in the storage afterwards).
    #[arg(long)]
    canary: Option<String>,
    /// Clients per clinician.
    #[arg(long, default_value_t = 100)]
    clients_per_clinician: usize,
    /// Offer this many messages per second in all, spread evenly over the clients (an open
    /// loop: latency counts from when each message was due, so a server that falls behind
    /// shows it). Without it each client sends its next message as soon as the server
    /// acknowledged the last (a closed loop, which measures the most the server can take).
    #[arg(long)]
    rate: Option<f64>,
}

/// Runs a benchmark.
pub fn run(command: BenchCommand) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match command {
        BenchCommand::Messaging(args) => runtime.block_on(messaging(args)),
        BenchCommand::Audit(args) => runtime.block_on(crate::bench_audit::audit(args)),
    }
}

struct Clinic {
    origin: String,
    state: AppState,
    admin: Account,
    admin_key: SoftAuthenticator,
}

impl Clinic {
    async fn person(
        &mut self,
        role: Role,
        inviter: Option<(&Account, &mut SoftAuthenticator)>,
    ) -> Result<(Account, SoftAuthenticator)> {
        let (account, key) = match inviter {
            Some((a, k)) => (a, k),
            None => (&self.admin, &mut self.admin_key),
        };
        account.reauth(key).await?;
        let token = account.invite(role).await?;
        let mut passkey = SoftAuthenticator::new(&self.origin);
        let account = Account::redeem(
            &self.origin,
            &token,
            "Bench person",
            "bench harbour",
            &mut passkey,
        )
        .await?;
        Ok((account, passkey))
    }
}

async fn messaging(args: MessagingArgs) -> Result<()> {
    if args.clients == 0 || args.messages == 0 || args.clients_per_clinician == 0 {
        bail!("--clients, --messages and --clients-per-clinician must be at least 1");
    }
    if let Some(rate) = args.rate {
        if !(rate.is_finite() && rate > 0.0) {
            bail!("--rate must be a positive number of messages per second");
        }
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", args.data_dir.join("alcove.db").display()));
    let store = Store::open(&url).await.context("opening the storage")?;
    if store.has_admin().await? {
        bail!("the storage already has accounts: give the benchmark an empty data directory or database");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let origin = format!("http://localhost:{}", addr.port());
    let config = Config {
        listen: addr,
        data_dir: args.data_dir.clone(),
        public_url: Some(origin.clone()),
        auth_rate_per_minute: 1_000_000,
        ..Config::default()
    };
    let state = AppState::new(config, store, system_clock())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));

    let setup_started = Instant::now();
    let link = issue_setup_link(&state)
        .await?
        .context("the storage has an administrator already")?;
    let token = link.rsplit_once('#').map(|(_, t)| t).unwrap_or_default();
    let mut admin_key = SoftAuthenticator::new(&origin);
    let admin = Account::redeem(
        &origin,
        token,
        "Bench admin",
        "bench harbour",
        &mut admin_key,
    )
    .await?;
    let mut clinic = Clinic {
        origin: origin.clone(),
        state: state.clone(),
        admin,
        admin_key,
    };

    let clinician_count = args.clients.div_ceil(args.clients_per_clinician);
    let mut clinicians = Vec::new();
    let mut pairs: Vec<(Client, ConversationId, usize)> = Vec::new();
    for c in 0..clinician_count {
        let (account, mut key) = clinic.person(Role::Clinician, None).await?;
        let mut device = Client::register_with(account.clone(), "Bench clinician", 1).await?;
        let first = c * args.clients_per_clinician;
        let last = (first + args.clients_per_clinician).min(args.clients);
        for _ in first..last {
            let (client_account, mut client_key) = clinic
                .person(Role::Client, Some((&account, &mut key)))
                .await?;
            client_account.accept_consent(&mut client_key).await?;
            let mut client = Client::register_with(client_account, "Bench client", 1).await?;
            let conversation = device.start_conversation(&client.account().user_id).await?;
            client.sync().await?;
            pairs.push((client, conversation, c));
        }
        clinicians.push(device);
    }
    for device in &mut clinicians {
        device.connect().await?;
    }
    for (client, _, _) in &mut pairs {
        client.connect().await?;
    }
    eprintln!(
        "set up {} clinicians and {} clients in {:.1} s; sending {} messages",
        clinician_count,
        args.clients,
        setup_started.elapsed().as_secs_f64(),
        args.messages
    );

    // Each clinician expects the messages of their clients.
    let per_client =
        |i: usize| args.messages / args.clients + usize::from(i < args.messages % args.clients);
    let mut expected = vec![0usize; clinician_count];
    for (i, (_, _, c)) in pairs.iter().enumerate() {
        expected[*c] += per_client(i);
    }
    let base = Instant::now();
    let canary = Arc::new(args.canary.clone().unwrap_or_default());
    let mut receivers = Vec::new();
    for (mut device, want) in clinicians.into_iter().zip(expected) {
        let canary = canary.clone();
        receivers.push(tokio::spawn(async move {
            receive(&mut device, want, base, &canary).await
        }));
    }
    let mut senders = Vec::new();
    let clients_count = args.clients;
    for (i, (mut client, conversation, _)) in pairs.into_iter().enumerate() {
        let count = per_client(i);
        let canary = canary.clone();
        // Open loop: client i's n-th message is due at (n · clients + i) / rate seconds.
        let schedule = args.rate.map(|rate| {
            (
                Duration::from_secs_f64(i as f64 / rate),
                Duration::from_secs_f64(clients_count as f64 / rate),
            )
        });
        senders.push(tokio::spawn(async move {
            for n in 0..count {
                let sent_us = match schedule {
                    Some((offset, every)) => {
                        let due = offset + every.mul_f64(n as f64);
                        tokio::time::sleep_until((base + due).into()).await;
                        due.as_micros()
                    }
                    None => base.elapsed().as_micros(),
                };
                let text = format!("{canary} bench {i}/{n} t={sent_us}");
                client.send_text(&conversation, &text).await?;
            }
            Ok::<Client, alcove_client::Error>(client)
        }));
    }
    let mut clients = Vec::new();
    for sender in senders {
        clients.push(sender.await??);
    }
    let mut latencies_us = Vec::with_capacity(args.messages);
    let mut last_us = 0u128;
    for receiver in receivers {
        let (lat, last) = receiver.await??;
        latencies_us.extend(lat);
        last_us = last_us.max(last);
    }
    let delivered = latencies_us.len();
    latencies_us.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((latencies_us.len() as f64 - 1.0) * p).round() as usize;
        latencies_us[i] as f64 / 1000.0
    };
    let seconds = (last_us as f64 / 1e6).max(1e-9);
    println!(
        "messages/s={:.0} p50_ms={:.2} p99_ms={:.2} delivered={}/{}",
        delivered as f64 / seconds,
        pct(0.5),
        pct(0.99),
        delivered,
        args.messages
    );
    drop(clients);
    let _ = stop.send(());
    let _ = server.await;
    clinic.state.store.close().await;
    if delivered != args.messages {
        bail!(
            "only {delivered} of {} messages were delivered and decrypted",
            args.messages
        );
    }
    Ok(())
}

/// Receives `want` messages on a clinician's device; returns their latencies (µs) and when
/// the last one arrived (µs since `base`).
async fn receive(
    device: &mut Client,
    want: usize,
    base: Instant,
    canary: &str,
) -> Result<(Vec<u64>, u128)> {
    let mut latencies = Vec::with_capacity(want);
    let mut last = 0;
    let mut idle = 0;
    while latencies.len() < want {
        let events = device.next_events(Duration::from_millis(500)).await?;
        if events.is_empty() {
            idle += 1;
            if idle > 60 {
                break;
            }
            continue;
        }
        idle = 0;
        let now = base.elapsed().as_micros();
        for event in events {
            let Event::Message { payload, .. } = event else {
                continue;
            };
            let PayloadKind::Text(text) = payload.kind else {
                continue;
            };
            if !text.starts_with(canary) {
                bail!("a message decrypted to something else than was sent");
            }
            let sent: u128 = text
                .rsplit_once("t=")
                .and_then(|(_, t)| t.parse().ok())
                .context("a message without its send time")?;
            latencies.push(u64::try_from(now.saturating_sub(sent)).unwrap_or(u64::MAX));
            last = now;
        }
    }
    device.ack_all().await?;
    Ok((latencies, last))
}
