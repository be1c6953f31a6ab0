//! Integration tests of alcove-deid: detectors per type, redaction, the synthetic
//! corpus floors, the hand-written clinical corpus, the Presidio research set, the
//! streaming driver and hostile input.

#[path = "../../corpus/gen.rs"]
mod gen;

mod clinical;
mod corpus;
mod detectors;
mod golden;
mod presidio;
mod stream;

use alcove_deid::{Config, Engine};
use std::sync::OnceLock;

/// One engine for all tests: building it parses the dictionaries.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Config::default()))
}
