//! Benchmarks of the audit log at a million leaves: append throughput,
//! inclusion and consistency proofs, full verification, bytes per event.
//!
//! Run with `cargo bench -p alcove-audit --bench proofs`. Reports medians.
//! Targets from issue 5: proof generation and verification ≤ 50 µs each,
//! full verify of 1 M events ≤ 5 s.

use std::hint::black_box;
use std::time::{Duration, Instant};

use alcove_audit::sample::sample_event;
use alcove_audit::{
    consistency_proof, inclusion_proof, inclusion_proof_nodes, leaf_hash, verify_consistency,
    verify_inclusion, verify_log, AuditConfig, AuditEvent, Checkpoint, HashStore, LogSigner,
    MemoryLog, NodeMap,
};

const LEAVES: u64 = 1_000_000;
const SAMPLES: usize = 10_001;
const CHECKPOINT_EVERY: u64 = 10_000;

/// A small deterministic generator, so runs are comparable.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A realistic event: UUID actor (one of 500) and subject, one UUID object.
fn event(i: u64) -> Option<AuditEvent> {
    sample_event(i, 500).ok()
}

fn main() {
    let signer = match LogSigner::from_seed("bench.alcove/audit", &[42; 32]) {
        Ok(s) => s,
        Err(e) => panic!("bench key refused: {e}"),
    };
    let verifier = signer.verifier();

    // Encoding.
    let events: Vec<AuditEvent> = (0..100_000).filter_map(event).collect();
    let start = Instant::now();
    let encoded: Vec<Vec<u8>> = events
        .iter()
        .filter_map(|e| black_box(e).encode().ok())
        .collect();
    let encode_ns = start.elapsed().as_nanos() as f64 / events.len() as f64;
    let start = Instant::now();
    let valid = encoded
        .iter()
        .filter(|b| AuditEvent::validate(black_box(b)).is_ok())
        .count();
    let validate_ns = start.elapsed().as_nanos() as f64 / events.len() as f64;
    let start = Instant::now();
    let decoded = encoded
        .iter()
        .filter(|b| AuditEvent::decode(black_box(b)).is_ok())
        .count();
    let decode_ns = start.elapsed().as_nanos() as f64 / events.len() as f64;
    assert_eq!((valid, decoded), (events.len(), events.len()));
    drop((events, encoded));
    let leaves: Vec<Vec<u8>> = (0..LEAVES)
        .map(|i| event(i).and_then(|e| e.encode().ok()).unwrap_or_default())
        .collect();
    let total_bytes: usize = leaves.iter().map(Vec::len).sum();
    println!(
        "encoding: {:.1} bytes/event (UUID actor, subject, 1 object); encode {encode_ns:.0} ns, validate {validate_ns:.0} ns, decode {decode_ns:.0} ns per event",
        total_bytes as f64 / LEAVES as f64,
    );
    // Append throughput (hash + frontier + in-memory store), 3 runs.
    let mut runs = Vec::new();
    let mut log = MemoryLog::new();
    for _ in 0..3 {
        let mut fresh = MemoryLog::new();
        let start = Instant::now();
        for leaf in &leaves {
            if fresh.push(leaf).is_err() {
                panic!("log full");
            }
        }
        runs.push(start.elapsed());
        log = fresh;
    }
    let t = median(runs);
    println!(
        "append: {:.0} events/s into the in-memory store ({:.0} ns/event, median of 3 × 1M)",
        LEAVES as f64 / t.as_secs_f64(),
        t.as_nanos() as f64 / LEAVES as f64
    );

    let store = log.store();
    let root = log.root();
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);

    // Inclusion proofs at 1M leaves.
    let mut gen = Vec::with_capacity(SAMPLES);
    let mut gen_prefetch = Vec::with_capacity(SAMPLES);
    let mut ver = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let index = rng.below(LEAVES);
        let start = Instant::now();
        let proof = black_box(inclusion_proof(store, black_box(index), LEAVES));
        gen.push(start.elapsed());
        let Ok(proof) = proof else {
            panic!("generation failed")
        };

        // The database path: list the nodes, "fetch" them into a map, generate.
        let start = Instant::now();
        let ids = inclusion_proof_nodes(index, LEAVES).unwrap_or_default();
        let map: NodeMap = ids
            .iter()
            .filter_map(|&id| store.node(id).map(|h| (id, h)))
            .collect();
        let from_map = black_box(inclusion_proof(&map, index, LEAVES));
        gen_prefetch.push(start.elapsed());
        assert_eq!(from_map.as_ref().ok(), Some(&proof));

        let leaf = leaf_hash(&leaves[index as usize]);
        let start = Instant::now();
        let ok = black_box(verify_inclusion(
            &leaf,
            index,
            LEAVES,
            black_box(&proof),
            &root,
        ));
        ver.push(start.elapsed());
        assert_eq!(ok, Ok(()));
    }
    println!(
        "inclusion proof at 1M leaves: generate {:.2} µs, generate via node list + map {:.2} µs, verify {:.2} µs (medians of {SAMPLES})",
        median(gen).as_secs_f64() * 1e6,
        median(gen_prefetch).as_secs_f64() * 1e6,
        median(ver).as_secs_f64() * 1e6
    );

    // Consistency proofs to 1M leaves.
    let mut gen = Vec::with_capacity(SAMPLES);
    let mut ver = Vec::with_capacity(SAMPLES);
    let roots: Vec<_> = (0..SAMPLES)
        .map(|_| {
            let size1 = 1 + rng.below(LEAVES - 1);
            (size1, alcove_audit::root(store, size1).unwrap_or_default())
        })
        .collect();
    for &(size1, root1) in &roots {
        let start = Instant::now();
        let proof = black_box(consistency_proof(store, size1, LEAVES));
        gen.push(start.elapsed());
        let Ok(proof) = proof else {
            panic!("generation failed")
        };
        let start = Instant::now();
        let ok = black_box(verify_consistency(size1, LEAVES, &proof, &root1, &root));
        ver.push(start.elapsed());
        assert_eq!(ok, Ok(()));
    }
    println!(
        "consistency proof to 1M leaves: generate {:.2} µs, verify {:.2} µs (medians of {SAMPLES})",
        median(gen).as_secs_f64() * 1e6,
        median(ver).as_secs_f64() * 1e6
    );

    // Checkpoints: one every CHECKPOINT_EVERY leaves.
    let mut sign_times = Vec::new();
    let notes: Vec<String> = (1..=LEAVES / CHECKPOINT_EVERY)
        .map(|k| {
            let size = k * CHECKPOINT_EVERY;
            let cp = Checkpoint {
                origin: signer.name().to_owned(),
                size,
                root: alcove_audit::root(store, size).unwrap_or_default(),
            };
            let start = Instant::now();
            let note = signer.sign_checkpoint(&cp);
            sign_times.push(start.elapsed());
            note.unwrap_or_default()
        })
        .collect();
    let mut open_times = Vec::new();
    for note in &notes {
        let start = Instant::now();
        let ok = black_box(verifier.verify_checkpoint(note));
        open_times.push(start.elapsed());
        assert!(ok.is_ok());
    }
    println!(
        "checkpoint: sign {:.1} µs, verify {:.1} µs (medians of {})",
        median(sign_times).as_secs_f64() * 1e6,
        median(open_times).as_secs_f64() * 1e6,
        notes.len()
    );

    // Full verification of 1M events against 100 checkpoints.
    for (label, config) in [
        ("with event decoding", AuditConfig::default()),
        (
            "hashes only",
            AuditConfig {
                check_event_encoding: false,
            },
        ),
    ] {
        let mut runs = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let report = verify_log(&verifier, &leaves, &notes, config);
            runs.push(start.elapsed());
            assert!(report.is_intact());
            assert_eq!(report.checkpoints_verified, notes.len());
        }
        println!(
            "full verify of 1M events, {} checkpoints, {label}: {:.2} s (median of 3)",
            notes.len(),
            median(runs).as_secs_f64()
        );
    }
}
