//! `deid`: the `alcove deid` command for development, with the same flags.
//!
//! ```text
//! deid [--mode redact|pseudonymize] [--case-key KEY] [--jsonl] [--jobs N] [--lossy] < in > out
//! deid eval --gold FILE.jsonl
//! deid eval-inline [--all] FILE.txt...  (the hand-written corpus's inline gold)
//! deid corpus [--heldout] [-n N] > gold.jsonl
//! ```

#[path = "../corpus/gen.rs"]
mod gen;

use alcove_deid::stream::{self, Mode, Options};
use alcove_deid::{eval, CaseKey, Config, Engine};
use std::io::{self, BufReader, Write};
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: deid [--mode redact|pseudonymize] [--case-key KEY] [--jsonl] [--jobs N] [--lossy]\n       deid eval --gold FILE.jsonl\n       deid eval-inline [--all] FILE.txt...\n       deid corpus [--heldout] [-n N]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = Engine::new(Config::default());
    match args.first().map(String::as_str) {
        Some("eval") => {
            let Some(path) = args
                .iter()
                .position(|a| a == "--gold")
                .and_then(|i| args.get(i + 1))
            else {
                return usage();
            };
            let file = match std::fs::File::open(path) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("cannot open the gold file: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match eval::evaluate(&engine, BufReader::new(file)) {
                Ok(report) => {
                    print!("{report}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("eval-inline") => {
            let all = args.iter().any(|a| a == "--all");
            let mut docs = Vec::new();
            for path in args[1..].iter().filter(|a| *a != "--all") {
                let read = std::fs::read_to_string(path)
                    .map_err(|e| e.to_string())
                    .and_then(|s| eval::read_inline(&s).map_err(|e| e.to_string()));
                match read {
                    Ok(d) => docs.extend(d),
                    Err(e) => {
                        eprintln!("{path}: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            for d in &mut docs {
                d.predicted = engine.find(&d.text);
            }
            let mut report = eval::score(&docs);
            if all {
                // Every miss and false alarm, document by document, instead of the first few.
                report.misses.clear();
                report.false_alarms.clear();
                for d in &docs {
                    let one = eval::score(std::slice::from_ref(d));
                    report.misses.extend(one.misses);
                    report.false_alarms.extend(one.false_alarms);
                }
            }
            print!("{report}");
            ExitCode::SUCCESS
        }
        Some("corpus") => {
            let split = if args.iter().any(|a| a == "--heldout") {
                gen::Split::Heldout
            } else {
                gen::Split::Dev
            };
            let n = args
                .iter()
                .position(|a| a == "-n")
                .and_then(|i| args.get(i + 1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(600);
            let seed = if split == gen::Split::Dev { 7 } else { 11 };
            let stdout = io::stdout();
            let mut out = stdout.lock();
            for doc in gen::generate(n, seed, split) {
                if writeln!(out, "{}", gen::to_json_line(&doc)).is_err() {
                    return ExitCode::FAILURE;
                }
            }
            ExitCode::SUCCESS
        }
        _ => {
            let mut options = Options::default();
            let mut jsonl = false;
            let mut key = String::from("development-case");
            let mut pseudo = false;
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--jsonl" => jsonl = true,
                    "--lossy" => options.lossy = true,
                    "--jobs" => match it.next().and_then(|v| v.parse().ok()) {
                        Some(n) => options.jobs = n,
                        None => return usage(),
                    },
                    "--mode" => match it.next().map(String::as_str) {
                        Some("redact") => pseudo = false,
                        Some("pseudonymize") => pseudo = true,
                        _ => return usage(),
                    },
                    "--case-key" => match it.next() {
                        Some(k) => key = k.clone(),
                        None => return usage(),
                    },
                    _ => return usage(),
                }
            }
            if pseudo {
                options.mode = Mode::Pseudonymize(CaseKey::new(key.as_bytes()));
            }
            let stdin = io::stdin();
            let input = stdin.lock();
            let stdout = io::stdout();
            let output = io::BufWriter::new(stdout.lock());
            let result = if jsonl {
                stream::run_jsonl_parallel(&engine, input, output, &options)
            } else {
                stream::run_text(&engine, input, output, &options)
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
