//! Rate limits for sign-in, setup and invitation endpoints, per client address and per token.

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// The limiters; each answers "allowed" or "retry after N seconds".
pub struct RateLimits {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_token: DefaultKeyedRateLimiter<String>,
}

impl RateLimits {
    /// `per_minute` attempts per address; a fifth of that (at least 5) per token.
    pub fn new(per_minute: u32) -> RateLimits {
        let per_address = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let per_token = NonZeroU32::new((per_minute / 5).max(5)).unwrap_or(NonZeroU32::MIN);
        RateLimits {
            by_address: RateLimiter::keyed(Quota::per_minute(per_address)),
            by_token: RateLimiter::keyed(Quota::per_minute(per_token)),
        }
    }

    /// Counts one attempt from `addr`; `Err(seconds)` when over the limit.
    pub fn check_address(&self, addr: IpAddr) -> Result<(), u64> {
        self.by_address.check_key(&addr).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                + 1
        })
    }

    /// Counts one attempt with a token (keyed by its hash); `Err(seconds)` when over the limit.
    pub fn check_token(&self, token_hash: &str) -> Result<(), u64> {
        self.by_token
            .check_key(&token_hash.to_owned())
            .map_err(|not_until| {
                not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs()
                    + 1
            })
    }

    /// Forgets idle keys so the maps do not grow without bound.
    pub fn shrink(&self) {
        self.by_address.retain_recent();
        self.by_token.retain_recent();
        self.by_address.shrink_to_fit();
        self.by_token.shrink_to_fit();
    }
}
