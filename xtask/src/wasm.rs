//! `cargo xtask wasm`: builds `crates/wasm` for `wasm32-unknown-unknown` and runs
//! `wasm-bindgen` into `target/wasm-pkg/{node,web}`, installing what is missing first.
//!
//! The ordinary route is rustup's `wasm32-unknown-unknown` standard library. Where rustup
//! cannot provide it (or `ALCOVE_WASM_BUILD_STD=1` asks for it), the fallback from
//! shared/TOOLCHAIN.md builds the standard library from source with Debian's `rustc-web`
//! (`-Zbuild-std`), linking with rustup's `rust-lld`. Either way the build has its own target
//! directory, `target/wasm32`, so it never invalidates the host build.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{have, run};

const TARGET: &str = "wasm32-unknown-unknown";

/// How the wasm32 standard library is obtained.
enum Route {
    /// rustup's prebuilt `wasm32-unknown-unknown` standard library.
    Rustup,
    /// Debian's `rustc-web` building the standard library from source, linked by this `lld`.
    BuildStd { lld: PathBuf },
}

/// Builds the package and returns `target/wasm-pkg`.
pub fn wasm(root: &Path) -> Result<PathBuf> {
    let started = Instant::now();
    let route = route(root)?;
    let wasm = build(root, &route)?;
    let built = started.elapsed();
    let bindgen = wasm_bindgen_cli(root)?;
    let pkg = root.join("target/wasm-pkg");
    for (dir, target) in [("node", "nodejs"), ("web", "web")] {
        let out = pkg.join(dir);
        if out.exists() {
            std::fs::remove_dir_all(&out)
                .with_context(|| format!("could not clear {}", out.display()))?;
        }
        let out = out.display().to_string();
        let input = wasm.display().to_string();
        run(
            root,
            &bindgen.display().to_string(),
            &["--target", target, "--out-dir", &out, &input],
        )?;
    }
    std::fs::write(pkg.join("web/TOOLCHAIN"), toolchain_stamp(&route))
        .context("writing the toolchain stamp")?;
    let shipped = pkg.join("web/alcove_wasm_bg.wasm");
    let raw = std::fs::metadata(&shipped)
        .with_context(|| format!("wasm-bindgen wrote no {}", shipped.display()))?
        .len();
    eprintln!(
        "==> wasm: built in {:.0?}; {} is {} bytes ({} gzipped)",
        built,
        shipped.strip_prefix(root).unwrap_or(&shipped).display(),
        raw,
        gzipped_size(&shipped).map_or_else(|| "?".to_string(), |n| n.to_string())
    );
    Ok(pkg)
}

/// Runs the Node tests of the built package.
pub fn run_node_tests(root: &Path, pkg: &Path) -> Result<()> {
    eprintln!(
        "==> node --test crates/wasm/tests-node (ALCOVE_WASM_PKG={})",
        pkg.display()
    );
    let status = Command::new("node")
        .args(["--test", "crates/wasm/tests-node/wasm.test.mjs"])
        .current_dir(root)
        .env("ALCOVE_WASM_PKG", pkg)
        .status()
        .context("could not start node")?;
    if !status.success() {
        bail!("wasm tests in Node failed ({status})");
    }
    Ok(())
}

/// `cargo xtask wasm-bench`: builds the package and runs the Node benchmark.
pub fn wasm_bench(root: &Path) -> Result<()> {
    let pkg = wasm(root)?;
    eprintln!("==> node crates/wasm/bench/bench.mjs");
    let status = Command::new("node")
        .arg("crates/wasm/bench/bench.mjs")
        .current_dir(root)
        .env("ALCOVE_WASM_PKG", &pkg)
        .status()
        .context("could not start node")?;
    if !status.success() {
        bail!("the wasm benchmark failed ({status})");
    }
    Ok(())
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn rustup_has_target() -> bool {
    output("rustup", &["target", "list", "--installed"])
        .is_some_and(|list| list.lines().any(|l| l.trim() == TARGET))
}

fn route(root: &Path) -> Result<Route> {
    let forced = std::env::var_os("ALCOVE_WASM_BUILD_STD").is_some_and(|v| v == "1");
    if !forced {
        if rustup_has_target() {
            return Ok(Route::Rustup);
        }
        if have("rustup") {
            eprintln!("==> rustup target add {TARGET}");
            let added = Command::new("rustup")
                .args(["target", "add", TARGET])
                .status()
                .is_ok_and(|s| s.success());
            if added && rustup_has_target() {
                return Ok(Route::Rustup);
            }
        }
        eprintln!("note: rustup cannot provide the {TARGET} standard library; building it from source with Debian's rustc-web");
    }
    build_std_route(root)
}

/// Debian's `rustc-web` and its standard-library source, plus a working `rust-lld`.
fn build_std_route(root: &Path) -> Result<Route> {
    let rustc_ok = output("/usr/bin/rustc", &["--version"])
        .is_some_and(|v| v.starts_with("rustc 1.9"))
        && Path::new("/usr/bin/cargo").exists()
        && Path::new("/usr/lib/rustlib/src/rust/library").exists();
    if !rustc_ok {
        if !have("apt-get") {
            bail!("the wasm build needs rustup's {TARGET} target, or Debian's rustc-web, cargo-web and rust-web-src");
        }
        run(root, "apt-get", &["update", "-q"])?;
        run(
            root,
            "apt-get",
            &[
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "rustc-web",
                "cargo-web",
                "rust-web-src",
            ],
        )?;
    }
    // Debian's own /usr/bin/rust-lld points at an lld that may be missing; rustup ships one.
    if let Some(lld) = rustup_lld() {
        return Ok(Route::BuildStd { lld });
    }
    if !lld_works(Path::new("/usr/bin/rust-lld")) && have("apt-get") {
        run(root, "apt-get", &["install", "-y", "-q", "lld-22"])?;
    }
    Ok(Route::BuildStd {
        lld: PathBuf::from("/usr/bin/rust-lld"),
    })
}

fn lld_works(lld: &Path) -> bool {
    Command::new(lld)
        .args(["-flavor", "wasm", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn rustup_lld() -> Option<PathBuf> {
    let home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".rustup")))?;
    let mut toolchains: Vec<PathBuf> = std::fs::read_dir(home.join("toolchains"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    // Prefer stable toolchains.
    toolchains.sort_by_key(|p| !p.to_string_lossy().contains("stable"));
    toolchains
        .into_iter()
        .map(|t| t.join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"))
        .find(|lld| lld_works(lld))
}

fn rustflags() -> String {
    let mut flags = vec![r#"--cfg getrandom_backend="wasm_js""#.to_string()];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = cargo_home {
        flags.push(format!("--remap-path-prefix={}=/cargo", home.display()));
    }
    flags.join(" ")
}

/// The files of the browser package the web UI bundles (committed in `web/wasm`), and the stamp
/// naming the compiler that built the module.
const WEB_FILES: [&str; 4] = [
    "alcove_wasm.js",
    "alcove_wasm.d.ts",
    "alcove_wasm_bg.wasm",
    "TOOLCHAIN",
];

/// Which compiler and standard library built the module: its bytes are reproducible only with
/// the same ones.
fn toolchain_stamp(route: &Route) -> String {
    match route {
        Route::Rustup => format!(
            "{} with rustup's wasm32-unknown-unknown standard library\n",
            output("rustc", &["--version"]).unwrap_or_default().trim()
        ),
        Route::BuildStd { .. } => format!(
            "{} with -Zbuild-std\n",
            output("/usr/bin/rustc", &["--version"])
                .unwrap_or_default()
                .trim()
        ),
    }
}

/// Copies the browser package into `web/wasm`, where the web UI's build finds it.
pub fn sync_web(root: &Path, pkg: &Path) -> Result<()> {
    let dest = root.join("web/wasm");
    std::fs::create_dir_all(&dest).with_context(|| format!("creating {}", dest.display()))?;
    for name in WEB_FILES {
        std::fs::copy(pkg.join("web").join(name), dest.join(name))
            .with_context(|| format!("copying {name} into web/wasm"))?;
    }
    eprintln!(
        "==> copied the browser package into web/wasm (rebuild the UI with `cargo xtask web`)"
    );
    Ok(())
}

/// Fails when the committed `web/wasm` is not what `crates/wasm` builds to now. The module's
/// bytes are compared when this machine's compiler is the one that built the committed module
/// (see `TOOLCHAIN`); otherwise only its JavaScript glue and types are, and a note says so.
pub fn check_web(root: &Path, pkg: &Path) -> Result<()> {
    let same_toolchain = std::fs::read(pkg.join("web/TOOLCHAIN")).ok()
        == std::fs::read(root.join("web/wasm/TOOLCHAIN")).ok();
    let mut stale = Vec::new();
    for name in WEB_FILES {
        if !same_toolchain && (name == "alcove_wasm_bg.wasm" || name == "TOOLCHAIN") {
            continue;
        }
        let built = std::fs::read(pkg.join("web").join(name))
            .with_context(|| format!("reading the built {name}"))?;
        let committed = std::fs::read(root.join("web/wasm").join(name)).unwrap_or_default();
        if built != committed {
            stale.push(name);
        }
    }
    if !stale.is_empty() {
        bail!(
            "web/wasm is not what crates/wasm builds to ({} differ): run `cargo xtask wasm`, then `cargo xtask web`, and commit web/wasm and web/dist",
            stale.join(", ")
        );
    }
    if same_toolchain {
        eprintln!("==> web/wasm matches the wasm build");
    } else {
        eprintln!(
            "note: web/wasm was built by another compiler than this machine's (see web/wasm/TOOLCHAIN); its JavaScript glue and types match, the module's bytes were not compared"
        );
    }
    Ok(())
}

/// `cargo build --release -p alcove-wasm --target wasm32-unknown-unknown`; returns the `.wasm`.
fn build(root: &Path, route: &Route) -> Result<PathBuf> {
    let target_dir = root.join("target/wasm32");
    let mut args = vec![
        "build",
        "--release",
        "-p",
        "alcove-wasm",
        "--target",
        TARGET,
    ];
    let mut cmd = match route {
        Route::Rustup => Command::new("cargo"),
        Route::BuildStd { lld } => {
            args.push("-Zbuild-std=std,panic_abort");
            let mut c = Command::new("/usr/bin/cargo");
            c.env("RUSTC", "/usr/bin/rustc")
                .env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", lld)
                .env_remove("RUSTUP_TOOLCHAIN");
            c
        }
    };
    cmd.args(&args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target_dir)
        // getrandom's JavaScript backend (crypto.getRandomValues); see crates/wasm/Cargo.toml.
        // Workspace crates are compiled with relative paths; the remap keeps the machine's
        // Cargo home out of the binary too, so every checkout builds the same bytes (web/wasm
        // is committed and compared with them) and the flags do not depend on the checkout.
        .env("RUSTFLAGS", rustflags())
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER");
    eprintln!(
        "==> cargo {} (target dir {})",
        args.join(" "),
        target_dir.display()
    );
    let status = cmd.status().context("could not start cargo")?;
    if !status.success() {
        bail!("the wasm build failed ({status})");
    }
    let wasm = target_dir.join(TARGET).join("release/alcove_wasm.wasm");
    if !wasm.exists() {
        bail!("the wasm build produced no {}", wasm.display());
    }
    Ok(wasm)
}

/// The `wasm-bindgen` crate's version in Cargo.lock.
fn locked_wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == r#"name = "wasm-bindgen""# {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(v.to_string());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

fn cargo_bin_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs
}

/// A `wasm-bindgen` binary whose version matches the crate's in Cargo.lock (they must be
/// equal), installed with `cargo install` when there is none (several minutes, then cached).
fn wasm_bindgen_cli(root: &Path) -> Result<PathBuf> {
    let version = locked_wasm_bindgen_version(root)?;
    let wanted = format!("wasm-bindgen {version}");
    let candidates = || {
        cargo_bin_dirs()
            .into_iter()
            .map(|d| d.join("wasm-bindgen"))
            .chain([PathBuf::from("wasm-bindgen")])
    };
    let matching = || {
        candidates().find(|bin| {
            output(&bin.display().to_string(), &["--version"]).is_some_and(|v| v.trim() == wanted)
        })
    };
    if let Some(bin) = matching() {
        return Ok(bin);
    }
    eprintln!("note: installing wasm-bindgen-cli {version} (it must match the wasm-bindgen crate; this takes several minutes once)");
    let started = Instant::now();
    eprintln!("==> cargo install wasm-bindgen-cli --version {version}");
    // Without a target directory of ours, cargo builds it in a temporary one and removes it.
    let status = Command::new("cargo")
        .args(["install", "wasm-bindgen-cli", "--version", &version])
        .current_dir(root)
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .context("could not start cargo")?;
    if !status.success() {
        bail!("installing wasm-bindgen-cli {version} failed ({status})");
    }
    eprintln!(
        "==> wasm-bindgen-cli installed in {:.0?}",
        started.elapsed()
    );
    matching().with_context(|| format!("no {wanted} found after installing it"))
}

fn gzipped_size(file: &Path) -> Option<u64> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"gzip -9 -c "$1" | wc -c"#)
        .arg("sh")
        .arg(file)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}
