#!/usr/bin/env bash
# Generates a standalone client crate from every spec in tests/corpus/ and
# checks it with `cargo clippy --all-targets -- -D warnings` (so a warning
# fails too). CI compiles a representative subset instead (see
# tests/generated_clients.rs); run this after a generator change:
#   bash scripts/compile-corpus.sh [SPEC...]
# Each crate is written to target/corpus/<spec file stem>; all of them build
# in this workspace's target directory with its Cargo.lock, so dependencies
# are compiled once.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

cargo build --quiet -p openapi-clientgen
GEN="$CARGO_TARGET_DIR/debug/openapi-clientgen"

if [[ $# -gt 0 ]]; then
  specs=("$@")
else
  specs=(tests/corpus/*.yaml tests/corpus/*.yml tests/corpus/*.json)
fi

failed=()
for spec in "${specs[@]}"; do
  [[ -f "$spec" ]] || continue
  name="$(basename "${spec%.*}")"
  out="target/corpus/$name"
  start=$SECONDS
  printf '==== %s -> %s\n' "$spec" "$out"
  if "$GEN" generate "$spec" --out "$out" \
    && cp Cargo.lock "$out/Cargo.lock" \
    && (cd "$out" && cargo clippy --quiet --all-targets --offline -- -D warnings); then
    printf 'ok   %s (%ss)\n' "$name" $((SECONDS - start))
  else
    printf 'FAIL %s (%ss)\n' "$name" $((SECONDS - start))
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  printf '\n%d spec(s) failed: %s\n' "${#failed[@]}" "${failed[*]}" >&2
  exit 1
fi
printf '\nevery spec generated a crate that passes clippy -D warnings\n'
