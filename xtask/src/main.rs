//! Project chores, run as `cargo xtask <task>`: `test` runs every test (installing what the
//! tests need first), `web` rebuilds the committed UI bundle, `wasm` builds the WebAssembly
//! package, `wasm-bench` measures it, `tidy` checks source conventions.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

mod wasm;
use wasm::{check_web, run_node_tests, sync_web, wasm, wasm_bench};

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = project_root();
    match task.as_str() {
        "test" => test(&root),
        "web" => web_build(&root),
        "tidy" => tidy(&root),
        "setup" => setup(&root),
        "wasm" => wasm(&root).and_then(|pkg| sync_web(&root, &pkg)),
        "wasm-bench" => wasm_bench(&root),
        _ => {
            eprintln!("usage: cargo xtask <test|setup|web|wasm|wasm-bench|tidy>");
            eprintln!("  test   install what the tests need, then run every test (what CI runs)");
            eprintln!("  setup  only install what the tests need (Chromium, npm packages)");
            eprintln!("  web    rebuild the committed web UI bundle in web/dist");
            eprintln!("  wasm   build crates/wasm for wasm32 into target/wasm-pkg/{{node,web}} and copy the browser package into web/wasm");
            eprintln!("  wasm-bench  build the wasm package, then benchmark it in Node");
            eprintln!("  tidy   check that every Rust module starts with a //! doc line");
            bail!("unknown task {task:?}")
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Result<()> {
    eprintln!("==> {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .with_context(|| format!("could not start {program}"))?;
    if !status.success() {
        bail!("{program} {} failed ({status})", args.join(" "));
    }
    Ok(())
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Installs what the tests need on a fresh Debian machine: Chromium for the browser tests,
/// the C libraries some crates link, and the npm packages of `web/` and `e2e/`.
fn setup(root: &Path) -> Result<()> {
    let mut missing = Vec::new();
    if !Path::new("/usr/bin/chromium").exists() {
        missing.push("chromium");
    }
    if !have("pkg-config") {
        missing.push("pkg-config");
    }
    if !Path::new("/usr/include/openssl/ssl.h").exists() {
        missing.push("libssl-dev");
    }
    if !missing.is_empty() {
        if !have("apt-get") {
            bail!("please install: {}", missing.join(" "));
        }
        run(root, "apt-get", &["update", "-q"])?;
        let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
        args.extend(missing.iter().copied());
        run(root, "apt-get", &args)?;
    }
    run(&root.join("web"), "npm", &["ci", "--no-audit", "--no-fund"])?;
    run(&root.join("e2e"), "npm", &["ci", "--no-audit", "--no-fund"])?;
    Ok(())
}

fn test(root: &Path) -> Result<()> {
    setup(root)?;
    tidy(root)?;
    // The committed bundle must be exactly what the sources build to.
    run(&root.join("web"), "npm", &["run", "--silent", "check-dist"])?;
    // The web UI's unit tests (tests-unit/, Node's test runner).
    run(&root.join("web"), "npm", &["run", "--silent", "test"])?;
    run(root, "cargo", &["fmt", "--all", "--check"])?;
    run(
        root,
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    // The browser's Rust core: build it for wasm32 and run it in Node.
    let pkg = wasm(root)?;
    check_web(root, &pkg)?;
    run_node_tests(root, &pkg)?;
    if std::env::var_os("ALCOVE_TEST_POSTGRES_URL").is_none() {
        eprintln!("note: ALCOVE_TEST_POSTGRES_URL is not set; the PostgreSQL tests will say they were skipped");
    }
    // The native client's tests run the wasm package in Node against a native client; with
    // ALCOVE_REQUIRE_WASM they fail rather than skip when it is missing.
    eprintln!(
        "==> cargo test --workspace (ALCOVE_WASM_PKG={})",
        pkg.display()
    );
    let status = Command::new("cargo")
        .args(["test", "--workspace"])
        .current_dir(root)
        .env("ALCOVE_WASM_PKG", &pkg)
        .env("ALCOVE_REQUIRE_WASM", "1")
        .status()
        .context("could not start cargo")?;
    if !status.success() {
        bail!("cargo test --workspace failed ({status})");
    }
    // `cargo test` built the binary for the CLI's own tests, with the same features; building it
    // again with `cargo build -p alcove-cli` would re-resolve features and recompile many crates.
    let bin = root.join("target/debug/alcove");
    if !bin.exists() {
        run(root, "cargo", &["build", "-p", "alcove-cli"])?;
    }
    eprintln!("==> node --test (e2e, ALCOVE_BIN={})", bin.display());
    let status = Command::new("node")
        .args(["--test", "--test-concurrency=1"])
        .current_dir(root.join("e2e"))
        .env("ALCOVE_BIN", &bin)
        .status()
        .context("could not start node")?;
    if !status.success() {
        bail!("end-to-end tests failed ({status})");
    }
    Ok(())
}

fn web_build(root: &Path) -> Result<()> {
    run(&root.join("web"), "npm", &["ci", "--no-audit", "--no-fund"])?;
    run(&root.join("web"), "npm", &["run", "build"])
}

/// Every Rust module starts with a `//!` line saying what it is.
fn tidy(root: &Path) -> Result<()> {
    let mut bad = Vec::new();
    for dir in ["crates", "xtask"] {
        visit(&root.join(dir), &mut |path| {
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let first = text
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or_default();
                if !first.starts_with("//!") {
                    bad.push(
                        path.strip_prefix(root)
                            .unwrap_or(path)
                            .display()
                            .to_string(),
                    );
                }
            }
        });
    }
    if !bad.is_empty() {
        bail!(
            "these Rust files do not start with a //! doc line:\n  {}",
            bad.join("\n  ")
        );
    }
    eprintln!("==> tidy: every Rust module has a //! doc line");
    Ok(())
}

fn visit(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name == "node_modules" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            visit(&path, f);
        } else {
            f(&path);
        }
    }
}
