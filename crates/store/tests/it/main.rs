//! Storage conformance suite: every test runs against SQLite and, when
//! `ALCOVE_TEST_POSTGRES_URL` is set, against PostgreSQL (each test in a fresh database).

mod audit_log;
mod backends;
mod batching;
mod conformance;
mod consent;
mod delivery;
