//! Detection and removal of the 18 HIPAA Safe Harbor identifiers in English
//! clinical and therapy prose, on the clinician's own device.
//!
//! The main types:
//!
//! - [`Engine`] is built once from a [`Config`] (dictionaries are embedded in
//!   the binary, so building needs no I/O) and then reused for every text.
//!   [`Engine::find`] returns the identifiers it found as [`Span`]s: byte
//!   offsets into the input (end exclusive), an [`EntityType`] and a score.
//! - [`Engine::redact`] replaces each span by its type (`[NAME]`, `[DATE]` …);
//!   ZIP codes keep their first three digits and ages of 90 and over become
//!   `90+`, as Safe Harbor allows.
//! - [`Engine::pseudonymize`] replaces identifiers by consistent surrogates
//!   ("Person A", "Location 2") and shifts every date by one offset derived
//!   from a [`CaseKey`], so intervals survive. A [`Pseudonymizer`] keeps the
//!   mapping across several documents of the same case.
//! - [`stream`] drives the engine over `BufRead`/`Write` (plain text or JSON
//!   lines) for the `alcove deid` command; [`eval`] scores predictions against
//!   gold spans at the token level.
//!
//! The engine is pure: no file or network I/O and no threads (only
//! [`stream::run_jsonl_parallel`] spawns workers), and it builds for wasm32.
//! Every scanner is a linear-time `regex` or a hand-written loop, so hostile
//! input cannot trigger catastrophic backtracking.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod dates;
mod dict;
mod engine;
mod entity;
mod error;
pub mod eval;
mod names;
mod starts;
pub mod stream;
mod structured;
mod surrogate;
mod text;

pub use engine::{Config, Engine};
pub use entity::{EntityType, Span};
pub use error::{Error, ErrorKind};
pub use surrogate::{CaseKey, Pseudonymizer};
