//! `alcove deid`: the de-identification contract of DESIGN.md on stdin and stdout.
//!
//! `alcove deid [--mode redact|pseudonymize] < note.txt` prints the de-identified text;
//! `--jsonl` reads `{"id", "text"}` lines and writes `{"id", "text", "spans"}` lines with byte
//! offsets into the input; `--jobs N` processes JSON lines on N threads; `alcove deid eval
//! --gold FILE.jsonl` prints token-level recall, precision and F2 against gold spans.

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
    let engine = Engine::new(Config::default());
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
