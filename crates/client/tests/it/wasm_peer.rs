//! A browser-side device (the WebAssembly build of the crypto core, run by Node) and a native
//! client exchange messages through a real server.
//!
//! Needs Node and the wasm package that `cargo xtask wasm` builds into `target/wasm-pkg`. The
//! test command builds it first and sets `ALCOVE_REQUIRE_WASM=1`, so there a missing package
//! fails the test; elsewhere the test says it was skipped.

use crate::harness::{texts, Practice};
use alcove_client::Client;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn wasm_entry() -> Option<PathBuf> {
    let pkg = std::env::var_os("ALCOVE_WASM_PKG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm-pkg"));
    let entry = pkg.join("node/alcove_wasm.js");
    let have_node = Command::new("node").arg("--version").output().is_ok();
    if entry.exists() && have_node {
        return Some(entry);
    }
    let why = if have_node {
        format!("{} is missing (run `cargo xtask wasm`)", entry.display())
    } else {
        "node is not installed".to_owned()
    };
    if std::env::var_os("ALCOVE_REQUIRE_WASM").is_some() {
        panic!("the wasm peer test cannot run: {why}");
    }
    eprintln!("skipped the wasm peer test: {why}");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wasm_device_in_node_talks_with_a_native_client() {
    let Some(entry) = wasm_entry() else { return };
    let mut p = Practice::sqlite().await;
    let mut clinician_person = p.clinician("Dr Casey").await;
    let client_person = p.client_of(&mut clinician_person, "Robin").await;
    let mut clinician = Client::register(clinician_person.account, "Laptop")
        .await
        .expect("register");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node/wasm_peer.mjs");
    let mut node = Command::new("node")
        .arg(&script)
        .env("ALCOVE_ORIGIN", &p.origin)
        .env("ALCOVE_COOKIE", client_person.account.session_cookie())
        .env("ALCOVE_USER_ID", client_person.account.user_id.as_str())
        .env("ALCOVE_WASM_ENTRY", &entry)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start node");
    let mut lines = BufReader::new(node.stdout.take().expect("stdout")).lines();
    let ready = tokio::task::spawn_blocking(move || {
        let first = lines.next().and_then(Result::ok);
        (first, lines)
    })
    .await
    .expect("read");
    let (first, lines) = ready;
    assert_eq!(first.as_deref(), Some("READY"));

    // The native client verifies the wasm device's key in the log, adds it, and writes.
    let conv = clinician
        .start_conversation(&client_person.account.user_id)
        .await
        .expect("start a conversation with the wasm device");
    clinician
        .send_text(&conv, "hello from native 🌱")
        .await
        .expect("send");
    let done = tokio::task::spawn_blocking(move || {
        let mut lines = lines;
        lines.next().and_then(Result::ok)
    })
    .await
    .expect("read");
    assert_eq!(done.as_deref(), Some("DONE hello from native 🌱"));
    let status = node.wait().expect("node exits");
    assert!(status.success());
    let events = clinician.sync().await.expect("sync");
    assert_eq!(texts(&events), ["wasm heard: hello from native 🌱"]);
    p.cleanup().await;
}
