//! Tests of the `alcove` binary as a user runs it.

mod canary;
mod deid;
