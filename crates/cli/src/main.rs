//! The `alcove` binary: `serve` runs the server, `deid` de-identifies text on this machine,
//! `audit` checks and exports the audit log; `admin` and `bench` follow.

mod bench_audit;
mod bench_cmd;
mod deid_cmd;

use alcove_server::{Config, ConfigOverrides};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// Alcove: a self-hostable platform for online counseling.
#[derive(Parser)]
#[command(name = "alcove", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (SQLite in ./alcove-data by default).
    Serve(Box<ServeArgs>),
    /// De-identify text (stdin to stdout): the 18 HIPAA Safe Harbor identifiers.
    Deid(deid_cmd::DeidArgs),
    /// Check, publish or export the tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Measure Alcove on this machine.
    #[command(subcommand)]
    Bench(bench_cmd::BenchCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the log from its stored events and check every signed checkpoint; exits
    /// non-zero at the first divergence.
    Verify(LogArgs),
    /// Print the latest signed checkpoint (to publish or give to a witness).
    Checkpoint(LogArgs),
    /// Print one person's accounting of disclosures, with inclusion proofs.
    Export(ExportArgs),
}

/// Where the log is.
#[derive(clap::Args)]
struct LogArgs {
    /// Data directory with the log key (and the SQLite database) [default: ./alcove-data].
    #[arg(long, env = "ALCOVE_DATA_DIR", default_value = "./alcove-data")]
    data_dir: PathBuf,
    /// PostgreSQL URL, when the server uses PostgreSQL.
    #[arg(long, env = "ALCOVE_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

#[derive(clap::Args)]
struct ExportArgs {
    #[command(flatten)]
    log: LogArgs,
    /// The person's user id.
    #[arg(long)]
    subject: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Csv,
    Json,
}

/// Flags win over `ALCOVE_*` environment variables, which win over `alcove.toml`.
#[derive(clap::Args)]
struct ServeArgs {
    /// Configuration file (default: ./alcove.toml when present).
    #[arg(long, env = "ALCOVE_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ALCOVE_LISTEN")]
    listen: Option<SocketAddr>,
    /// Directory for the SQLite database and server keys [default: ./alcove-data].
    #[arg(long, env = "ALCOVE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Use PostgreSQL (postgres://…) instead of the embedded SQLite.
    #[arg(long, env = "ALCOVE_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The address people open, e.g. https://therapy.example.org [default: http://localhost:PORT].
    #[arg(long, env = "ALCOVE_PUBLIC_URL")]
    public_url: Option<String>,
    /// WebAuthn relying-party id [default: the host of the public URL].
    #[arg(long, env = "ALCOVE_RP_ID")]
    rp_id: Option<String>,
    /// The practice's name shown on pages.
    #[arg(long, env = "ALCOVE_PRACTICE_NAME")]
    practice_name: Option<String>,
    /// How long invitation links stay valid, in seconds [default: 259200 = 72 h].
    #[arg(long, env = "ALCOVE_INVITATION_TTL_SECS")]
    invitation_ttl_secs: Option<i64>,
    /// Idle timeout for staff, in seconds [default: 900].
    #[arg(long, env = "ALCOVE_IDLE_TIMEOUT_STAFF_SECS")]
    idle_timeout_staff_secs: Option<i64>,
    /// Idle timeout for clients, in seconds [default: 1800].
    #[arg(long, env = "ALCOVE_IDLE_TIMEOUT_CLIENT_SECS")]
    idle_timeout_client_secs: Option<i64>,
    /// Absolute session lifetime, in seconds [default: 43200].
    #[arg(long, env = "ALCOVE_SESSION_LIFETIME_SECS")]
    session_lifetime_secs: Option<i64>,
    /// How long a passkey confirmation allows sensitive actions, in seconds [default: 300].
    #[arg(long, env = "ALCOVE_REAUTH_WINDOW_SECS")]
    reauth_window_secs: Option<i64>,
    /// PEM certificate chain for HTTPS (with --tls-key).
    #[arg(long, env = "ALCOVE_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    #[arg(long, env = "ALCOVE_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// Log format: text or json [default: text].
    #[arg(long, env = "ALCOVE_LOG_FORMAT")]
    log_format: Option<String>,
    /// Sign-in, setup and invitation attempts per client address per minute [default: 30].
    #[arg(long, env = "ALCOVE_AUTH_RATE_PER_MINUTE")]
    auth_rate_per_minute: Option<u32>,
    /// Largest encrypted attachment accepted, in bytes [default: 26214400 (25 MiB)].
    #[arg(long, env = "ALCOVE_MAX_BLOB_BYTES")]
    max_blob_bytes: Option<u64>,
    /// How long messages are kept after every device acknowledged them, in seconds [default: 604800].
    #[arg(long, env = "ALCOVE_DELIVERED_RETENTION_SECS")]
    delivered_retention_secs: Option<i64>,
    /// Whom clients should call in an emergency, named in the default consent document.
    #[arg(long, env = "ALCOVE_CRISIS_LINE")]
    crisis_line: Option<String>,
    /// Idle timeout for clients who share their device, in seconds [default: 300].
    #[arg(long, env = "ALCOVE_SHARED_DEVICE_IDLE_TIMEOUT_SECS")]
    shared_device_idle_timeout_secs: Option<i64>,
    /// Seconds without activity before a browser locks its conversations [default: 300].
    #[arg(long, env = "ALCOVE_AUTO_LOCK_SECS")]
    auto_lock_secs: Option<i64>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Deid(args) => deid_cmd::run(args),
        Command::Audit(command) => audit(command),
        Command::Bench(command) => bench_cmd::run(command),
    }
}

fn audit(command: AuditCommand) -> anyhow::Result<()> {
    use alcove_server::audit_tool::{self, ExportFormat, LogLocation};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut out = std::io::stdout().lock();
    let location = |args: &LogArgs| -> (PathBuf, Option<String>) {
        (args.data_dir.clone(), args.database_url.clone())
    };
    match command {
        AuditCommand::Verify(args) => {
            let (dir, url) = location(&args);
            let loc = LogLocation {
                data_dir: &dir,
                database_url: url.as_deref(),
            };
            if !runtime.block_on(audit_tool::verify(&loc, &mut out))? {
                std::process::exit(1);
            }
        }
        AuditCommand::Checkpoint(args) => {
            let (dir, url) = location(&args);
            let loc = LogLocation {
                data_dir: &dir,
                database_url: url.as_deref(),
            };
            if !runtime.block_on(audit_tool::checkpoint(&loc, &mut out))? {
                anyhow::bail!("the audit log has no signed checkpoint yet");
            }
        }
        AuditCommand::Export(args) => {
            let (dir, url) = location(&args.log);
            let loc = LogLocation {
                data_dir: &dir,
                database_url: url.as_deref(),
            };
            let format = match args.format {
                Format::Csv => ExportFormat::Csv,
                Format::Json => ExportFormat::Json,
            };
            runtime.block_on(audit_tool::export(&loc, &args.subject, format, &mut out))?;
        }
    }
    Ok(())
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let overrides = ConfigOverrides {
        listen: args.listen,
        data_dir: args.data_dir,
        database_url: args.database_url,
        public_url: args.public_url,
        rp_id: args.rp_id,
        practice_name: args.practice_name,
        invitation_ttl_secs: args.invitation_ttl_secs,
        idle_timeout_staff_secs: args.idle_timeout_staff_secs,
        idle_timeout_client_secs: args.idle_timeout_client_secs,
        session_lifetime_secs: args.session_lifetime_secs,
        reauth_window_secs: args.reauth_window_secs,
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        log_format: args.log_format,
        auth_rate_per_minute: args.auth_rate_per_minute,
        max_blob_bytes: args.max_blob_bytes,
        delivered_retention_secs: args.delivered_retention_secs,
        crisis_line: args.crisis_line,
        shared_device_idle_timeout_secs: args.shared_device_idle_timeout_secs,
        auto_lock_secs: args.auto_lock_secs,
    };
    let config = Config::load(args.config.as_deref(), overrides)?;
    init_logging(&config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(alcove_server::run(config))
}

fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_env("ALCOVE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
