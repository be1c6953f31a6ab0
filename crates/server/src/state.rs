//! Shared server state: the store, configuration, WebAuthn verifier, rate limiters and clock.

use crate::config::Config;
use crate::limits::RateLimits;
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
}

impl AppState {
    /// Builds the state for a configuration and an opened store.
    pub fn new(config: Config, store: Store, clock: Clock) -> anyhow::Result<AppState> {
        let origin = config.public_origin_string()?;
        let origin_url = Url::parse(&origin)?;
        let webauthn = WebauthnBuilder::new(&config.rp_id()?, &origin_url)?
            .rp_name(&config.practice_name)
            .build()?;
        let limits = RateLimits::new(config.auth_rate_per_minute);
        Ok(AppState {
            store,
            origin: origin.into(),
            config: Arc::new(config),
            webauthn: Arc::new(webauthn),
            limits: Arc::new(limits),
            clock,
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
