#!/usr/bin/env bash
# Long fuzzing run of the generator, outside CI (see generator/FUZZING.md):
# the proptest properties of generator/tests/it/fuzz_generator.rs with many cases
# and a random seed, in a release build, at the lowest CPU priority.
#
#   bash scripts/fuzz-long.sh                 # 25,000 cases per property (~101,500 in all)
#   FUZZ_CASES=2000 bash scripts/fuzz-long.sh # shorter
#   FUZZ_SEED=1234 bash scripts/fuzz-long.sh  # replay a seed printed by an earlier run
#
# The full-spec property runs FUZZ_CASES / 16 cases, the five others
# FUZZ_CASES each. Prints the seed first, each property's tally (unparsed,
# rejected with located errors, generated) as it finishes, and the total.
# Failing inputs are saved under target/fuzz-failures/. The release build
# goes to its own target directory (target/fuzz-long) so it does not evict
# the debug build. Exit status: the test's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export FUZZ_CASES="${FUZZ_CASES:-25000}"
# A number, so that a failing run can be replayed exactly.
export FUZZ_SEED="${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/fuzz-long}"
LOG="${FUZZ_LOG:-$CARGO_TARGET_DIR/fuzz-long-$FUZZ_SEED.log}"
mkdir -p "$(dirname "$LOG")"

echo "seed $FUZZ_SEED, $FUZZ_CASES cases per property; log: $LOG"
started=$(date +%s)
status=0
# One test thread: the properties run one after the other, on at most one
# core besides the per-case watchdog thread.
nice -n 19 cargo test --release -p openapi-clientgen --test it -- \
  --nocapture --test-threads=1 mutated edited 2>&1 | tee "$LOG" || status=$?

echo
echo "==== tally (seed $FUZZ_SEED, $(( $(date +%s) - started )) s) ===="
# libtest prints `test NAME ... ` before the property's own line.
grep -oE '[A-Za-z ]+: [0-9]+ cases in [^:]+: \{.*\}' "$LOG" || true
total=$(grep -oE ': [0-9]+ cases in ' "$LOG" | grep -oE '[0-9]+' | paste -sd+ | bc)
echo "total: ${total:-0} cases"
grep -E '^test result' "$LOG" || true
exit "$status"
