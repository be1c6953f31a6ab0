//! Integration tests of `alcove-audit`, built as one binary.

mod audit;
mod event;
mod note;
mod proofs;
mod support;
mod vectors;
mod witness;
