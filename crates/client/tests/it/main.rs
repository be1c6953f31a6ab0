//! Native clients talking through a real Alcove server on loopback (SQLite, and PostgreSQL when
//! `ALCOVE_TEST_POSTGRES_URL` is set).

mod harness;
mod hostile;
mod messaging;
mod nodes;
mod safety;
mod wasm_peer;
