#!/usr/bin/env bash
# The project's test command (used by CI via .ci/run):
#   bash scripts/test.sh
# Installs the pinned Node tools, then runs rustfmt, clippy, rustdoc and all tests.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"

section() { printf '\n==== %s ====\n' "$*"; }

section "install tools (scripts/install-tools.sh)"
bash scripts/install-tools.sh

# Absolute paths to the tools for tests (tests/support/tools.rs reads these).
export PRISM_BIN="$ROOT/tools/node_modules/.bin/prism"
export REDOCLY_BIN="$ROOT/tools/node_modules/.bin/redocly"
# Snapshot tests must fail on mismatch, never write/accept snapshots.
export INSTA_UPDATE=no
# Keep CI (e.g. CI=true) exported if the caller set it.
if [[ -n "${CI:-}" ]]; then
  export CI
  # Fresh CI checkouts gain nothing from incremental compilation.
  export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
fi
# No network calls from Redocly (telemetry, update checks).
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

section "toolchain"
cargo --version
rustc --version
cargo fmt --version || { echo "ERROR: rustfmt is not installed (rustup component add rustfmt)" >&2; exit 1; }
cargo clippy --version || { echo "ERROR: clippy is not installed (rustup component add clippy)" >&2; exit 1; }

section "cargo fmt --all -- --check"
cargo fmt --all -- --check

# clippy and test share target/ (same profile, same env), so build scripts and
# proc-macros are compiled once.
section "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

# Public docs that link to private items render as plain text on docs.rs.
section "cargo doc --workspace --no-deps (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

section "cargo test --workspace --all-targets"
cargo test --workspace --all-targets

section "cargo test --workspace --doc"
cargo test --workspace --doc

section "all checks passed"
