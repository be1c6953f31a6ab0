//! The benchmarks run small: `alcove bench messaging --rate` delivers every message it offers,
//! and `alcove bench audit` on a small log appends, proves and verifies through the real
//! database, reports its figures on the last line, leaves a log that `alcove audit verify`
//! accepts, and refuses a data directory that already holds a database.

use std::process::Command;

fn alcove() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_alcove"));
    command.env_remove("ALCOVE_DATABASE_URL");
    command
}

/// Runs `command`, checks it succeeded, and returns what it printed.
fn run_ok(command: &mut Command) -> String {
    let out = command.output().expect("run alcove");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn audit_bench_reports_and_leaves_a_verifiable_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let stdout = run_ok(
        alcove()
            .args(["bench", "audit", "--events", "3000", "--batch", "700"])
            .args(["--checkpoint-every", "1000", "--data-dir"])
            .arg(&data),
    );
    let last = stdout.lines().last().expect("a summary line");
    let figures: Vec<(&str, f64)> = last
        .split_whitespace()
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("key=value");
            (key, value.parse().expect("a number"))
        })
        .collect();
    let keys: Vec<&str> = figures.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["events/s", "bytes/event", "proof_us", "verify_s"]);
    for (key, value) in &figures {
        assert!(*value > 0.0, "{key} = {value}");
    }
    // Stored rows cost more than the 127-byte encoding, but not unboundedly more.
    let bytes = figures[1].1;
    assert!((127.0..4096.0).contains(&bytes), "bytes/event = {bytes}");
    assert!(stdout.contains("verify: 3000 events"), "{stdout}");

    let report = run_ok(alcove().args(["audit", "verify", "--data-dir"]).arg(&data));
    assert!(report.contains("leaves read: 3000"), "{report}");
    assert!(report.contains("checkpoints verified: 3"), "{report}");

    let again = alcove()
        .args(["bench", "audit", "--events", "10", "--data-dir"])
        .arg(&data)
        .output()
        .expect("run the bench again");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("give an empty data directory"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn messaging_bench_at_a_fixed_rate_delivers_everything() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stdout = run_ok(
        alcove()
            .args(["bench", "messaging", "--clients", "3", "--messages", "30"])
            .args(["--rate", "100", "--data-dir"])
            .arg(dir.path()),
    );
    let last = stdout.lines().last().expect("a summary line");
    assert!(last.ends_with("delivered=30/30"), "{last}");
    // 30 messages offered at 100 per second take about 0.3 s: the rate is at most what was
    // offered (with slack for the last message's own latency).
    let rate: f64 = last
        .split_whitespace()
        .find_map(|pair| pair.strip_prefix("messages/s="))
        .and_then(|v| v.parse().ok())
        .expect("messages/s");
    assert!(rate > 0.0 && rate <= 110.0, "{last}");

    let refused = alcove()
        .args(["bench", "messaging", "--rate", "0", "--data-dir"])
        .arg(dir.path().join("other"))
        .output()
        .expect("run the bench");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--rate must be a positive number"));
}
