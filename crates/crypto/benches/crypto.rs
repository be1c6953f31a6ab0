//! Benchmarks of the encryption core (run with `cargo bench -p alcove-crypto`):
//! MLS encrypt and decrypt of a 1 KiB message, and attachment encryption and
//! decryption throughput. Prints medians; std::time only.

use std::time::{Duration, Instant};

use alcove_crypto::{
    decrypt_attachment, encrypt_attachment, ConversationKind, Device, DeviceId, DeviceIdentity,
    Payload, UserId,
};

/// CPU time of this thread in nanoseconds (Linux), so that numbers stay
/// meaningful on a machine shared with other builds; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn device(user: &str, dev: &str) -> Device {
    let id = DeviceIdentity::new(
        UserId::new(user).expect("user"),
        DeviceId::new(dev).expect("device"),
    );
    Device::new(id).expect("device")
}

fn main() {
    let mut alice = device("alice", "a1");
    let mut bob = device("bob", "b1");
    let conv = alice
        .create_conversation(ConversationKind::CareRelationship)
        .expect("create");
    let commit = alice
        .add_devices(&conv, &[bob.key_package().expect("kp")])
        .expect("add");
    alice.merge_pending_commit(&conv).expect("merge");
    bob.join(&commit.welcome.expect("welcome")).expect("join");

    let text = "x".repeat(1024);
    let payload = Payload::text(text);
    let rounds = 2000;
    let mut enc = Vec::with_capacity(rounds);
    let mut dec = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let msg = alice.encrypt(&conv, &payload).expect("encrypt");
        enc.push(t.elapsed());
        let t = Instant::now();
        let got = bob.process(&conv, &msg).expect("process");
        dec.push(t.elapsed());
        std::hint::black_box(got);
    }
    println!(
        "mls_encrypt_1KiB_us={:.1} mls_decrypt_1KiB_us={:.1}",
        median(enc).as_secs_f64() * 1e6,
        median(dec).as_secs_f64() * 1e6
    );

    let size = 10 * 1024 * 1024;
    let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
    let mut enc = Vec::new();
    let mut dec = Vec::new();
    let mut enc_cpu = Vec::new();
    let mut dec_cpu = Vec::new();
    for _ in 0..15 {
        let (t, c) = (Instant::now(), thread_cpu_ns());
        let (key, blob, sha) = encrypt_attachment(&data).expect("encrypt");
        enc.push(t.elapsed());
        if let (Some(a), Some(b)) = (c, thread_cpu_ns()) {
            enc_cpu.push(Duration::from_nanos(b - a));
        }
        let (t, c) = (Instant::now(), thread_cpu_ns());
        let plain = decrypt_attachment(&key, &blob).expect("decrypt");
        dec.push(t.elapsed());
        if let (Some(a), Some(b)) = (c, thread_cpu_ns()) {
            dec_cpu.push(Duration::from_nanos(b - a));
        }
        std::hint::black_box((sha, plain));
    }
    let mbs = |d: Duration| size as f64 / 1e6 / d.as_secs_f64();
    println!(
        "attachment_encrypt_sha256_MBps={:.0} attachment_decrypt_MBps={:.0} (10 MiB, wall-clock medians)",
        mbs(median(enc)),
        mbs(median(dec))
    );
    // SHA-256 alone, to show how the encryption figure splits.
    let mut sha_cpu = Vec::new();
    for _ in 0..15 {
        let c = thread_cpu_ns();
        std::hint::black_box(<sha2::Sha256 as sha2::Digest>::digest(&data));
        if let (Some(a), Some(b)) = (c, thread_cpu_ns()) {
            sha_cpu.push(Duration::from_nanos(b - a));
        }
    }
    if !sha_cpu.is_empty() {
        println!("sha256_MBps_cpu={:.0}", mbs(median(sha_cpu)));
    }
    if !enc_cpu.is_empty() && !dec_cpu.is_empty() {
        println!(
            "attachment_encrypt_sha256_MBps_cpu={:.0} attachment_decrypt_MBps_cpu={:.0} (per CPU-second)",
            mbs(median(enc_cpu)),
            mbs(median(dec_cpu))
        );
    }
}
