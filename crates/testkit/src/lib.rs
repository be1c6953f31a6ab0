//! A software passkey authenticator for Alcove's tests.
//!
//! Alcove signs people in with passkeys only. Its HTTP tests run without a
//! browser, so they need something that answers WebAuthn ceremonies with
//! real, correctly signed responses. [`SoftAuthenticator`] is that: a browser
//! and a platform authenticator in one value. It holds discoverable
//! [`Credential`]s (ES256 keys on P-256, each scoped to a relying party id and
//! a user handle) and turns the options JSON a server sends into the JSON a
//! browser would post back:
//!
//! - [`SoftAuthenticator::register`] answers `navigator.credentials.create`
//!   (webauthn-rs `CreationChallengeResponse` in, `RegisterPublicKeyCredential`
//!   out), with `none` attestation;
//! - [`SoftAuthenticator::authenticate`] answers `navigator.credentials.get`
//!   (`RequestChallengeResponse` in, `PublicKeyCredential` out), including
//!   discoverable sign-in with an empty `allowCredentials`.
//!
//! Like a browser it refuses to use a relying party id that does not belong
//! to its origin, which is why passkeys resist phishing. Knobs make it
//! misbehave for negative tests: no user verification, a moved origin,
//! counters set back, credentials cloned into another authenticator. Every
//! refusal is an [`Error`] with an [`ErrorKind`].
//!
//! ```
//! use alcove_testkit::SoftAuthenticator;
//! use serde_json::json;
//!
//! let mut authenticator = SoftAuthenticator::new("https://alcove.example");
//! let options = json!({"publicKey": {
//!     "rp": {"id": "alcove.example", "name": "Alcove"},
//!     "user": {"id": "AQID", "name": "c", "displayName": "C"},
//!     "challenge": "AAAA",
//!     "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
//! }});
//! let credential = authenticator.register(&options)?;
//! assert_eq!(credential["type"], "public-key");
//!
//! authenticator.set_origin("https://alcove-example.com");
//! assert!(authenticator.register(&options).is_err());
//! # Ok::<(), alcove_testkit::Error>(())
//! ```
//!
//! This crate is a dev-dependency only; nothing in it is fit for production.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod authenticator;
mod encoding;
mod error;
mod options;
mod origin;

pub use authenticator::{Credential, SoftAuthenticator};
pub use encoding::b64url;
pub use error::{Error, ErrorKind};
