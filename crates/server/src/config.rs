//! Server configuration: defaults, then `alcove.toml`, then `ALCOVE_*` variables, then flags.
//!
//! The CLI parses flags and environment variables (clap does both, flags first) into a
//! [`ConfigOverrides`]; [`Config::load`] lays them over the file and the defaults. Every key is
//! documented in `docs/configuration.md`.

use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use url::Url;

/// Everything the server needs to know to start.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Where the SQLite database, the log key and other state live.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite.
    pub database_url: Option<String>,
    /// The address people open in their browser (scheme, host, port). It is the WebAuthn origin.
    pub public_url: Option<String>,
    /// The WebAuthn relying-party id; defaults to the host of `public_url`.
    pub rp_id: Option<String>,
    /// The practice's name, shown on pages and to passkey managers.
    pub practice_name: String,
    /// How long an invitation link stays valid.
    pub invitation_ttl_secs: i64,
    /// How long the first-run setup link stays valid.
    pub setup_ttl_secs: i64,
    /// Idle timeout for admins, clinicians and supervisors.
    pub idle_timeout_staff_secs: i64,
    /// Idle timeout for clients.
    pub idle_timeout_client_secs: i64,
    /// Absolute session lifetime.
    pub session_lifetime_secs: i64,
    /// How long a passkey confirmation allows sensitive actions.
    pub reauth_window_secs: i64,
    /// PEM certificate chain; with `tls_key`, serve HTTPS and send HSTS.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// Log format: "text" or "json".
    pub log_format: String,
    /// Sign-in, setup and invitation requests allowed per client address per minute.
    pub auth_rate_per_minute: u32,
    /// Largest encrypted attachment blob accepted, in bytes.
    pub max_blob_bytes: u64,
    /// How long a message is kept after every device of its conversation has acknowledged it.
    pub delivered_retention_secs: i64,
    /// Whom a client should call in an emergency; shown in the consent document Alcove ships.
    pub crisis_line: String,
    /// Idle timeout for a client who said others use their device (shorter than the usual one).
    pub shared_device_idle_timeout_secs: i64,
    /// A browser locks its end-to-end encrypted conversations (wiping what it decrypted from
    /// the page and from memory) after this many seconds without activity.
    pub auto_lock_secs: i64,
}

/// The crisis line the shipped consent document names when a practice has not set its own.
pub const DEFAULT_CRISIS_LINE: &str =
    "your local emergency number (911 in the US and Canada, 112 in Europe, 999 in the UK)";

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./alcove-data"),
            database_url: None,
            public_url: None,
            rp_id: None,
            practice_name: "Alcove".to_owned(),
            invitation_ttl_secs: 72 * 3600,
            setup_ttl_secs: 3600,
            idle_timeout_staff_secs: 15 * 60,
            idle_timeout_client_secs: 30 * 60,
            session_lifetime_secs: 12 * 3600,
            reauth_window_secs: 5 * 60,
            tls_cert: None,
            tls_key: None,
            log_format: "text".to_owned(),
            auth_rate_per_minute: 30,
            max_blob_bytes: 25 * 1024 * 1024,
            delivered_retention_secs: 7 * 24 * 3600,
            crisis_line: DEFAULT_CRISIS_LINE.to_owned(),
            shared_device_idle_timeout_secs: 5 * 60,
            auto_lock_secs: 5 * 60,
        }
    }
}

/// Values given as flags or `ALCOVE_*` environment variables; each `Some` wins over the file.
#[derive(Debug, Clone, Default)]
pub struct ConfigOverrides {
    /// `--listen` / `ALCOVE_LISTEN`.
    pub listen: Option<SocketAddr>,
    /// `--data-dir` / `ALCOVE_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--database-url` / `ALCOVE_DATABASE_URL`.
    pub database_url: Option<String>,
    /// `--public-url` / `ALCOVE_PUBLIC_URL`.
    pub public_url: Option<String>,
    /// `--rp-id` / `ALCOVE_RP_ID`.
    pub rp_id: Option<String>,
    /// `--practice-name` / `ALCOVE_PRACTICE_NAME`.
    pub practice_name: Option<String>,
    /// `--invitation-ttl-secs` / `ALCOVE_INVITATION_TTL_SECS`.
    pub invitation_ttl_secs: Option<i64>,
    /// `--idle-timeout-staff-secs` / `ALCOVE_IDLE_TIMEOUT_STAFF_SECS`.
    pub idle_timeout_staff_secs: Option<i64>,
    /// `--idle-timeout-client-secs` / `ALCOVE_IDLE_TIMEOUT_CLIENT_SECS`.
    pub idle_timeout_client_secs: Option<i64>,
    /// `--session-lifetime-secs` / `ALCOVE_SESSION_LIFETIME_SECS`.
    pub session_lifetime_secs: Option<i64>,
    /// `--reauth-window-secs` / `ALCOVE_REAUTH_WINDOW_SECS`.
    pub reauth_window_secs: Option<i64>,
    /// `--tls-cert` / `ALCOVE_TLS_CERT`.
    pub tls_cert: Option<PathBuf>,
    /// `--tls-key` / `ALCOVE_TLS_KEY`.
    pub tls_key: Option<PathBuf>,
    /// `--log-format` / `ALCOVE_LOG_FORMAT`.
    pub log_format: Option<String>,
    /// `--auth-rate-per-minute` / `ALCOVE_AUTH_RATE_PER_MINUTE`.
    pub auth_rate_per_minute: Option<u32>,
    /// `--max-blob-bytes` / `ALCOVE_MAX_BLOB_BYTES`.
    pub max_blob_bytes: Option<u64>,
    /// `--delivered-retention-secs` / `ALCOVE_DELIVERED_RETENTION_SECS`.
    pub delivered_retention_secs: Option<i64>,
    /// `--crisis-line` / `ALCOVE_CRISIS_LINE`.
    pub crisis_line: Option<String>,
    /// `--shared-device-idle-timeout-secs` / `ALCOVE_SHARED_DEVICE_IDLE_TIMEOUT_SECS`.
    pub shared_device_idle_timeout_secs: Option<i64>,
    /// `--auto-lock-secs` / `ALCOVE_AUTO_LOCK_SECS`.
    pub auto_lock_secs: Option<i64>,
}

impl Config {
    /// Reads `file` (when given, it must exist; otherwise `./alcove.toml` is read if present),
    /// lays `overrides` over it, and checks the result.
    pub fn load(file: Option<&Path>, overrides: ConfigOverrides) -> anyhow::Result<Config> {
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None if Path::new("alcove.toml").exists() => Self::from_file(Path::new("alcove.toml"))?,
            None => Config::default(),
        };
        config.apply(overrides);
        config.validate()?;
        Ok(config)
    }

    fn from_file(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the configuration file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("the configuration file {} is not valid", path.display()))
    }

    fn apply(&mut self, o: ConfigOverrides) {
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(v) = o.$field { self.$field = v; } )* };
        }
        macro_rules! set_opt {
            ($($field:ident),*) => { $( if let Some(v) = o.$field { self.$field = Some(v); } )* };
        }
        set!(
            listen,
            data_dir,
            practice_name,
            invitation_ttl_secs,
            idle_timeout_staff_secs
        );
        set!(
            idle_timeout_client_secs,
            session_lifetime_secs,
            log_format,
            auth_rate_per_minute
        );
        set!(reauth_window_secs, max_blob_bytes, delivered_retention_secs);
        set!(crisis_line, shared_device_idle_timeout_secs, auto_lock_secs);
        set_opt!(database_url, public_url, rp_id, tls_cert, tls_key);
        if self.database_url.as_deref() == Some("") {
            self.database_url = None;
        }
    }

    /// Checks values that would make the server unsafe or unusable.
    pub fn validate(&self) -> anyhow::Result<()> {
        let positive = [
            ("invitation_ttl_secs", self.invitation_ttl_secs),
            ("setup_ttl_secs", self.setup_ttl_secs),
            ("idle_timeout_staff_secs", self.idle_timeout_staff_secs),
            ("idle_timeout_client_secs", self.idle_timeout_client_secs),
            ("session_lifetime_secs", self.session_lifetime_secs),
            ("reauth_window_secs", self.reauth_window_secs),
            ("delivered_retention_secs", self.delivered_retention_secs),
            (
                "shared_device_idle_timeout_secs",
                self.shared_device_idle_timeout_secs,
            ),
            ("auto_lock_secs", self.auto_lock_secs),
        ];
        for (name, value) in positive {
            if value <= 0 {
                bail!("{name} must be a positive number of seconds");
            }
        }
        if !(1024..=1024 * 1024 * 1024).contains(&self.max_blob_bytes) {
            bail!("max_blob_bytes must be between 1 KiB and 1 GiB");
        }
        if self.auth_rate_per_minute == 0 {
            bail!("auth_rate_per_minute must be at least 1");
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            bail!("tls_cert and tls_key must be given together");
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format must be \"text\" or \"json\"");
        }
        let origin = self.public_origin()?;
        if origin.scheme() == "http" && !is_loopback_host(origin.host_str().unwrap_or_default()) {
            bail!("public_url must use https unless the host is localhost (passkeys need a secure context)");
        }
        if self.practice_name.trim().is_empty() || self.practice_name.chars().count() > 80 {
            bail!("practice_name must have 1 to 80 characters");
        }
        if self.crisis_line.trim().is_empty()
            || self.crisis_line.chars().count() > 200
            || self.crisis_line.chars().any(char::is_control)
        {
            bail!("crisis_line must have 1 to 200 characters on one line");
        }
        Ok(())
    }

    /// Whether the server terminates TLS itself.
    pub fn tls_enabled(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// The origin browsers use: `public_url`, or `http(s)://localhost:<port>` by default.
    pub fn public_origin(&self) -> anyhow::Result<Url> {
        let text = match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let scheme = if self.tls_enabled() { "https" } else { "http" };
                format!("{scheme}://localhost:{}", self.listen.port())
            }
        };
        let url = Url::parse(&text).with_context(|| "public_url is not a valid URL".to_owned())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            bail!("public_url must be an http(s) URL with a host");
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            bail!("public_url must be an origin only (scheme, host and port), without a path");
        }
        Ok(url)
    }

    /// The origin as a string without a trailing slash, e.g. `http://localhost:8080`.
    pub fn public_origin_string(&self) -> anyhow::Result<String> {
        Ok(self.public_origin()?.origin().ascii_serialization())
    }

    /// The WebAuthn relying-party id.
    pub fn rp_id(&self) -> anyhow::Result<String> {
        match &self.rp_id {
            Some(id) => Ok(id.clone()),
            None => Ok(self
                .public_origin()?
                .host_str()
                .unwrap_or_default()
                .to_owned()),
        }
    }

    /// The database URL: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("alcove.db").display()),
        }
    }

    /// Whether cookies must carry `Secure` (everywhere but plain-HTTP localhost).
    pub fn secure_cookies(&self) -> bool {
        match self.public_origin() {
            Ok(url) => {
                url.scheme() == "https" || !is_loopback_host(url.host_str().unwrap_or_default())
            }
            Err(_) => true,
        }
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host.ends_with(".localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_file_and_file_over_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("alcove.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\npractice_name = \"Riverside\"\n",
        )
        .expect("write");
        let config = Config::load(Some(&file), ConfigOverrides::default()).expect("load");
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.practice_name, "Riverside");
        assert_eq!(config.idle_timeout_staff_secs, 900);

        let overrides = ConfigOverrides {
            listen: Some("127.0.0.1:9100".parse().expect("addr")),
            ..Default::default()
        };
        let config = Config::load(Some(&file), overrides).expect("load");
        assert_eq!(config.listen.port(), 9100);
        assert_eq!(
            config.public_origin_string().expect("origin"),
            "http://localhost:9100"
        );
        assert_eq!(config.rp_id().expect("rp"), "localhost");
        assert!(!config.secure_cookies());
    }

    #[test]
    fn bad_configurations_are_refused() {
        let check = |toml_text: &str, needle: &str| {
            let dir = tempfile::tempdir().expect("tempdir");
            let file = dir.path().join("alcove.toml");
            std::fs::write(&file, toml_text).expect("write");
            let err =
                Config::load(Some(&file), ConfigOverrides::default()).expect_err("must be refused");
            assert!(format!("{err:#}").contains(needle), "{toml_text}: {err:#}");
        };
        check("public_url = \"http://example.org\"", "https");
        check("public_url = \"https://example.org/alcove\"", "origin only");
        check("idle_timeout_staff_secs = 0", "idle_timeout_staff_secs");
        check("tls_cert = \"a.pem\"", "together");
        check("unknown_key = 1", "not valid");
        check("log_format = \"xml\"", "log_format");
        check("crisis_line = \"\"", "crisis_line");
        check(
            "shared_device_idle_timeout_secs = 0",
            "shared_device_idle_timeout_secs",
        );
    }

    #[test]
    fn https_origin_makes_cookies_secure() {
        let config = Config {
            public_url: Some("https://therapy.example.org".to_owned()),
            ..Default::default()
        };
        config.validate().expect("valid");
        assert!(config.secure_cookies());
        assert_eq!(config.rp_id().expect("rp"), "therapy.example.org");
    }
}
