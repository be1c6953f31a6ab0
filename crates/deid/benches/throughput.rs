//! Single-thread throughput of `Engine::redact` on generated mixed notes (~1 MB and ~100 MB),
//! and on the hand-written clinical corpus repeated to ~1 MB and ~10 MB.
//!
//! The generated notes are dense with identifiers (most sentences hold two or three); the
//! hand-written ones read like real notes and messages. `cargo bench -p alcove-deid --bench
//! throughput` prints the median (and best) MB/s of several runs; `cargo bench -p alcove-deid
//! --bench throughput -- 1MB` runs one size, `-- written-1MB` one of the hand-written.

#[path = "../corpus/gen.rs"]
mod gen;

use alcove_deid::{Config, Engine};
use std::time::Instant;

fn corpus(bytes: usize) -> Vec<String> {
    let mut docs = Vec::new();
    let mut total = 0;
    let mut seed = 1;
    while total < bytes {
        for split in [gen::Split::Dev, gen::Split::Heldout] {
            for d in gen::generate(400, seed, split) {
                total += d.text.len();
                docs.push(d.text);
            }
        }
        seed += 1;
    }
    docs
}

/// Median and best MB/s of `runs` passes of `Engine::redact` over `docs`.
fn measure(engine: &Engine, docs: &[String], runs: usize) -> (f64, f64) {
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut rates: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let mut out = 0usize;
            for d in docs {
                out += engine.redact(d).len();
            }
            std::hint::black_box(out);
            bytes as f64 / 1e6 / t.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    (rates[rates.len() / 2], rates[rates.len() - 1])
}

/// The hand-written corpus's documents (gold marks cut out), repeated to at least `bytes`.
fn written(bytes: usize) -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/clinical");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    paths.sort();
    let mut one: Vec<String> = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for d in alcove_deid::eval::read_inline(&text).unwrap_or_default() {
            one.push(d.text);
        }
    }
    let size: usize = one.iter().map(String::len).sum();
    if size == 0 {
        return Vec::new();
    }
    let mut docs = Vec::new();
    for _ in 0..bytes.div_ceil(size) {
        docs.extend(one.iter().cloned());
    }
    docs
}

fn main() {
    let t = Instant::now();
    let engine = Engine::new(Config::default());
    println!("engine build: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for (label, size, runs) in [
        ("1MB", 1_000_000, 15),
        ("10MB", 10_000_000, 5),
        ("100MB", 100_000_000, 3),
        ("written-1MB", 1_000_000, 15),
        ("written-10MB", 10_000_000, 5),
    ] {
        if !only.is_empty() && !only.iter().any(|o| o == label) {
            continue;
        }
        let docs = if label.starts_with("written") {
            written(size)
        } else {
            corpus(size)
        };
        if docs.is_empty() {
            println!("{label}: skipped, the hand-written corpus is not readable");
            continue;
        }
        let bytes: usize = docs.iter().map(String::len).sum();
        let (median, best) = measure(&engine, &docs, runs);
        println!(
            "{label}: {:.1} MB in {} documents, {runs} runs, median {median:.1} MB/s (best {best:.1}) single thread",
            bytes as f64 / 1e6,
            docs.len()
        );
    }
}
