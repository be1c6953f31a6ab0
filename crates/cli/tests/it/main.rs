//! Tests of the `alcove` binary as a user runs it.

mod bench;
mod canary;
mod deid;
