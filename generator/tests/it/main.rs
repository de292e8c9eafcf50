//! The generator's integration tests: the CLI, diagnostics on the broken-spec
//! corpus, naming, fixtures compiled for real, API diffs, the fuzzer, and
//! the code generated for the Losant spec (per operation and per schema).
//! One crate, so one test binary to build and link; each module was a test
//! file of its own. The data they read (`tests/broken-specs`, `tests/fixtures`,
//! `tests/naming`, `tests/diff`, `spec/`) is in the repository root.
//!
//! Run one module with `cargo test -p openapi-clientgen --test it -- lint_corpus::`;
//! update its snapshots (in `generator/tests/it/snapshots/`) with
//! `INSTA_UPDATE=always cargo test -p openapi-clientgen --test it -- lint_corpus::`.

mod support;

mod api_diff;
mod chunked_format;
mod cli;
mod diff_cli;
mod fixtures;
mod fuzz_generator;
mod generate_cli;
mod generated_clients;
mod lint_corpus;
mod naming_table;
mod openai_corpus;
mod openai_wire;
mod operations;
mod schemas;
mod yaml_one_pass;
