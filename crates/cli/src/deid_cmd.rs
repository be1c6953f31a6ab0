//! `alcove deid`: the de-identification contract of DESIGN.md on stdin and stdout.
//!
//! `alcove deid [--mode redact|pseudonymize] < note.txt` prints the de-identified text;
//! `--jsonl` reads `{"id", "text"}` lines and writes `{"id", "text", "spans"}` lines with byte
//! offsets into the input; `--jobs N` processes JSON lines on N threads; `alcove deid eval
//! --gold FILE.jsonl` prints token-level recall, precision and F2 against gold spans.
//! `--allow FILE` and `--deny FILE` load the practice's lists (see `Config::from_lists`).

use alcove_deid::stream::{self, Mode, Options};
use alcove_deid::{eval, CaseKey, Config, Engine};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::PathBuf;

/// Flags of `alcove deid`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DeidArgs {
    #[command(subcommand)]
    command: Option<DeidCommand>,
    /// Replace identifiers with their type (`[NAME]`) or with consistent surrogates.
    #[arg(long, value_enum, default_value_t = DeidMode::Redact)]
    mode: DeidMode,
    /// Secret that keeps surrogates and date shifts consistent across a case's documents.
    #[arg(long, env = "ALCOVE_DEID_CASE_KEY", hide_env_values = true)]
    case_key: Option<String>,
    /// Read and write JSON lines with spans instead of plain text.
    #[arg(long)]
    jsonl: bool,
    /// Worker threads for --jsonl batches.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping with an error.
    #[arg(long)]
    lossy: bool,
    /// The practice's allow list: words and phrases never to flag, one a line.
    #[arg(long, value_name = "FILE")]
    allow: Option<PathBuf>,
    /// The practice's deny list: `TYPE phrase` a line (`ORGANIZATION Riverside Counseling`),
    /// always flagged with that type.
    #[arg(long, value_name = "FILE")]
    deny: Option<PathBuf>,
}

#[derive(Subcommand)]
enum DeidCommand {
    /// Score the engine against gold spans: token-level recall, precision and F2.
    Eval {
        /// JSON lines with `id`, `text` and gold `spans`.
        #[arg(long)]
        gold: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DeidMode {
    Redact,
    Pseudonymize,
}

/// Runs `alcove deid`.
pub fn run(args: DeidArgs) -> anyhow::Result<()> {
    let read = |path: &Option<PathBuf>, what: &str| -> anyhow::Result<String> {
        match path {
            Some(p) => std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the {what} list {}", p.display())),
            None => Ok(String::new()),
        }
    };
    let (allow, deny) = (read(&args.allow, "allow")?, read(&args.deny, "deny")?);
    let config = Config::from_lists(&allow, &deny).with_context(|| {
        format!(
            "in the deny list {}",
            args.deny
                .as_deref()
                .unwrap_or(std::path::Path::new("-"))
                .display()
        )
    })?;
    let engine = Engine::new(config);
    if let Some(DeidCommand::Eval { gold }) = args.command {
        let file = std::fs::File::open(&gold)
            .with_context(|| format!("cannot open the gold file {}", gold.display()))?;
        let report = eval::evaluate(&engine, BufReader::new(file))?;
        print!("{report}");
        return Ok(());
    }
    let mode = match args.mode {
        DeidMode::Redact => Mode::Redact,
        DeidMode::Pseudonymize => match args.case_key {
            Some(key) => Mode::Pseudonymize(CaseKey::new(key.as_bytes())),
            // Without a case key, surrogates are consistent within this run only.
            None => Mode::Pseudonymize(CaseKey::new(&rand::random::<[u8; 32]>())),
        },
    };
    let options = Options {
        mode,
        lossy: args.lossy,
        jobs: args.jobs.max(1),
    };
    let input = io::stdin().lock();
    let mut output = BufWriter::new(io::stdout().lock());
    if args.jsonl {
        stream::run_jsonl_parallel(&engine, input, &mut output, &options)?;
    } else {
        stream::run_text(&engine, input, &mut output, &options)?;
    }
    output.flush()?;
    Ok(())
}
