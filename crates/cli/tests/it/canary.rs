//! The plaintext canary: native clients exchange messages and an attachment containing a random
//! string through a real `alcove serve` process, then the test looks for that string in every
//! file of the data directory (the SQLite database, its WAL), in a PostgreSQL dump, and in
//! everything the server printed with debug logging on. It must occur nowhere.

use alcove_client::{Account, Client};
use alcove_testkit::SoftAuthenticator;
use alcove_types::Role;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    origin: String,
    setup_token: String,
    log: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

fn start(data_dir: &Path, database_url: Option<&str>) -> Server {
    let port = free_port();
    let origin = format!("http://localhost:{port}");
    let log = data_dir.with_extension("log");
    let stderr = std::fs::File::create(&log).expect("log file");
    let mut command = Command::new(env!("CARGO_BIN_EXE_alcove"));
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--public-url", &origin])
        .arg("--data-dir")
        .arg(data_dir)
        .env("ALCOVE_LOG", "debug")
        .env_remove("ALCOVE_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(stderr);
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    let mut child = command.spawn().expect("start alcove serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut setup_token = String::new();
    let mut printed = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read stdout");
        printed.push_str(&line);
        printed.push('\n');
        if let Some((_, token)) = line.trim().split_once("/setup#") {
            setup_token = token.to_owned();
        }
        if line.contains("is listening") {
            break;
        }
    }
    assert!(!setup_token.is_empty(), "no setup link in: {printed}");
    Server {
        child,
        origin,
        setup_token,
        log,
    }
}

impl Server {
    fn stop(mut self) -> Vec<u8> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        std::fs::read(&self.log).expect("read the server's log")
    }
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Sends the canary both ways and in an attachment, and checks it arrived (so the search below
/// looks for something that really went through the server).
async fn converse(server: &Server, canary: &str) {
    let mut admin_key = SoftAuthenticator::new(&server.origin);
    let admin = Account::redeem(
        &server.origin,
        &server.setup_token,
        "Avery Admin",
        "green lantern",
        &mut admin_key,
    )
    .await
    .expect("setup");
    admin.reauth(&mut admin_key).await.expect("reauth");
    let token = admin.invite(Role::Clinician).await.expect("invite");
    let mut clinician_key = SoftAuthenticator::new(&server.origin);
    let clinician = Account::redeem(
        &server.origin,
        &token,
        "Dr Casey",
        "blue harbour",
        &mut clinician_key,
    )
    .await
    .expect("clinician");
    clinician.reauth(&mut clinician_key).await.expect("reauth");
    let token = clinician.invite(Role::Client).await.expect("invite");
    let mut client_key = SoftAuthenticator::new(&server.origin);
    let client = Account::redeem(
        &server.origin,
        &token,
        "Robin",
        "quiet meadow",
        &mut client_key,
    )
    .await
    .expect("client");
    client
        .accept_consent(&mut client_key)
        .await
        .expect("informed consent");
    let mut a = Client::register(clinician, "Laptop").await.expect("device");
    let mut b = Client::register(client, "Phone").await.expect("device");
    let conv = a
        .start_conversation(&b.account().user_id)
        .await
        .expect("conversation");
    b.sync().await.expect("join");
    b.connect().await.expect("live");
    let texts = [
        format!("My secret is {canary}."),
        format!("{canary}{canary}"),
        canary.to_owned(),
    ];
    for text in &texts {
        a.send_text(&conv, text).await.expect("send");
    }
    let mut got = Vec::new();
    for _ in 0..40 {
        if got.len() == texts.len() {
            break;
        }
        let events = b
            .next_events(Duration::from_millis(250))
            .await
            .expect("events");
        for e in events {
            if let alcove_client::Event::Message { payload, .. } = e {
                if let alcove_crypto::PayloadKind::Text(t) = payload.kind {
                    got.push(t);
                }
            }
        }
    }
    assert_eq!(got, texts);
    b.send_text(&conv, &format!("reply with {canary}"))
        .await
        .expect("reply");
    let file = format!("attachment body {canary} ")
        .repeat(5000)
        .into_bytes();
    let reference = b
        .send_attachment(&conv, &file, &format!("{canary}.txt"), "text/plain")
        .await
        .expect("attachment");
    let events = a.sync().await.expect("clinician syncs");
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        a.download_attachment(&reference).await.expect("download"),
        file
    );
}

fn canary() -> String {
    format!("CANARY{:016x}", rand::random::<u64>())
}

fn scan_dir(dir: &Path, canary: &str) -> usize {
    let mut found = 0;
    for entry in std::fs::read_dir(dir).expect("data dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            let bytes = std::fs::read(&path).expect("read");
            let n = occurrences(&bytes, canary.as_bytes());
            if n > 0 {
                eprintln!("canary found {n}× in {}", path.display());
            }
            found += n;
        }
    }
    found
}

#[test]
fn no_plaintext_in_sqlite_files_or_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let server = start(&data, None);
    let canary = canary();
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(converse(&server, &canary));
    // Look at the WAL before the shutdown checkpoints it into the database, and after.
    let wal = data.join("alcove.db-wal");
    assert!(wal.exists(), "SQLite runs in WAL mode");
    // The scan finds what is stored in clear (a device label), so it would find the canary.
    assert!(
        scan_dir(&data, "Laptop") > 0,
        "control: the scan sees stored text"
    );
    assert_eq!(scan_dir(&data, &canary), 0);
    let log = server.stop();
    assert!(
        occurrences(&log, b"DEBUG") + occurrences(&log, b"INFO") > 10,
        "the server logged (at debug level)"
    );
    assert_eq!(occurrences(&log, canary.as_bytes()), 0, "the server's log");
    assert_eq!(scan_dir(&data, &canary), 0);
}

#[test]
fn no_plaintext_in_a_postgres_dump_or_the_log() {
    let Ok(admin_url) = std::env::var("ALCOVE_TEST_POSTGRES_URL") else {
        eprintln!("skipped the PostgreSQL canary: ALCOVE_TEST_POSTGRES_URL is not set");
        return;
    };
    if Command::new("pg_dump").arg("--version").output().is_err() {
        eprintln!("skipped the PostgreSQL canary: pg_dump is not installed");
        return;
    }
    let name = format!("alcove_canary_{:016x}", rand::random::<u64>());
    let psql = |sql: &str| {
        let status = Command::new("psql")
            .args([admin_url.as_str(), "-q", "-c", sql])
            .status()
            .expect("psql");
        assert!(status.success(), "{sql}");
    };
    psql(&format!("CREATE DATABASE {name}"));
    let (base, _) = admin_url.rsplit_once('/').expect("URL has a path");
    let url = format!("{base}/{name}");
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let server = start(&data, Some(&url));
    let canary = canary();
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(converse(&server, &canary));
    let log = server.stop();
    let dump = Command::new("pg_dump").arg(&url).output().expect("pg_dump");
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    assert!(dump.status.success(), "pg_dump failed");
    assert!(
        occurrences(&dump.stdout, b"COPY public.messages") == 1,
        "the dump holds the messages table"
    );
    assert!(
        occurrences(&dump.stdout, b"Laptop") > 0,
        "control: the dump holds stored text"
    );
    assert_eq!(occurrences(&dump.stdout, canary.as_bytes()), 0, "the dump");
    // bytea columns are dumped in hex.
    let hex = hex::encode(canary.as_bytes());
    assert_eq!(
        occurrences(&dump.stdout, hex.as_bytes()),
        0,
        "the dump, in hex"
    );
    assert_eq!(occurrences(&log, canary.as_bytes()), 0, "the server's log");
    assert_eq!(scan_dir(&data, &canary), 0);
}
