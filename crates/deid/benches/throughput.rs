//! Single-thread throughput of `Engine::redact` on generated mixed notes (~1 MB and ~100 MB).
//!
//! `cargo bench -p alcove-deid --bench throughput` prints the median (and best) MB/s of
//! several runs; `cargo bench -p alcove-deid --bench throughput -- 1MB` runs one size.

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
    ] {
        if !only.is_empty() && !only.iter().any(|o| o == label) {
            continue;
        }
        let docs = corpus(size);
        let bytes: usize = docs.iter().map(String::len).sum();
        let (median, best) = measure(&engine, &docs, runs);
        println!(
            "{label}: {:.1} MB in {} documents, {runs} runs, median {median:.1} MB/s (best {best:.1}) single thread",
            bytes as f64 / 1e6,
            docs.len()
        );
    }
}
