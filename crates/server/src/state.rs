//! Shared server state: the store, configuration, WebAuthn verifier, rate limiters, clock and
//! audit log key.

use crate::config::Config;
use crate::hub::Hub;
use crate::limits::RateLimits;
use alcove_audit::LogSigner;
use alcove_store::Store;
use std::sync::Arc;
use webauthn_rs::prelude::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// A source of "now" in milliseconds since the Unix epoch; tests substitute their own.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

/// Everything a request handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Persistence.
    pub store: Store,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// Origin as a string, for links and the CSRF check.
    pub origin: Arc<str>,
    /// Passkey verification bound to the configured relying party and origin.
    pub webauthn: Arc<Webauthn>,
    /// Per-address and per-token attempt limits.
    pub limits: Arc<RateLimits>,
    /// "Now".
    pub clock: Clock,
    /// The audit log's checkpoint signing key.
    pub log: Arc<LogSigner>,
    /// Open WebSocket connections, for live delivery.
    pub hub: Arc<Hub>,
    /// When each (reader, conversation) pair last logged a `RecordViewed` event.
    pub views: Arc<crate::routes::conversations::ViewLog>,
}

impl AppState {
    /// Builds the state for a configuration and an opened store; loads the audit log key from
    /// the data directory, creating it there on first start.
    pub fn new(config: Config, store: Store, clock: Clock) -> anyhow::Result<AppState> {
        let origin = config.public_origin_string()?;
        let origin_url = Url::parse(&origin)?;
        let webauthn = WebauthnBuilder::new(&config.rp_id()?, &origin_url)?
            .rp_name(&config.practice_name)
            .build()?;
        let limits = RateLimits::new(config.auth_rate_per_minute);
        let log = crate::audit::load_or_create_log_key(&config.data_dir, &config.rp_id()?)?;
        Ok(AppState {
            store,
            origin: origin.into(),
            config: Arc::new(config),
            webauthn: Arc::new(webauthn),
            limits: Arc::new(limits),
            clock,
            log: Arc::new(log),
            hub: Arc::new(Hub::default()),
            views: Arc::default(),
        })
    }

    /// The current time in milliseconds.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// A link to a page of this instance with a secret in its fragment.
    pub fn link(&self, page: &str, token: &str) -> String {
        format!("{}/{page}#{token}", self.origin)
    }
}
