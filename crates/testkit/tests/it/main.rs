//! Integration tests: the software authenticator against real webauthn-rs 0.5.
//!
//! Every challenge is serialised with `serde_json::to_value` and every answer
//! parsed with `serde_json::from_value`, exactly as Alcove's server does over
//! HTTP.

mod counters;
mod hostile_input;
mod phishing;
mod registration;
mod sign_in;
mod support;
