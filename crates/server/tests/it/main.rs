//! HTTP tests of the whole application through `app().oneshot`, with a software passkey
//! authenticator standing in for the browser.

mod accounts;
mod audit;
mod consent;
mod hardening;
mod harness;
mod invitations;
