//! The root package's integration tests: the generated Losant client on the
//! wire, its models and runtime, the Prism mock server and Redocly, and
//! packaging. One crate, so one test binary to build and link; each module
//! was a test file of its own. The generator's own tests are in
//! `generator/tests/it`.
//!
//! Run one module with `cargo test --test it -- wire::`; update its
//! snapshots (in `tests/it/snapshots/`) with
//! `INSTA_UPDATE=always cargo test --test it -- wire::`.

#[path = "../support/mod.rs"]
mod support;

mod build_rs;
mod bundle_validate;
mod client_behaviour;
mod client_faults;
mod hostile_responses;
mod models;
mod prism;
mod runtime;
mod sse;
mod standalone_crate;
mod tools_smoke;
mod wire;
