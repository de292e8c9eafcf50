#!/usr/bin/env bash
# Generation, ours against progenitor (newest release, benches/progenitor-baseline),
# whole process, same input, alternating runs, measured with /usr/bin/time -v:
#   bash scripts/bench-progenitor.sh            # 11 rounds per input
#   ROUNDS=5 bash scripts/bench-progenitor.sh
# Inputs: every corpus spec (tests/corpus) and the bundled Losant spec after its
# overlay (as `openapi-clientgen bundle` writes it, since progenitor reads no
# overlays). Both sides write a crate into a directory that does not exist yet,
# each run (ours: the standalone crate of `generate --out`; progenitor:
# Cargo.toml and src/lib.rs, as `cargo progenitor` lays a crate out).
# A spec progenitor refuses or panics on is reported as "not taken".
# Prints median wall time and median peak RSS per side and ours/progenitor.
# Not run by CI; nothing asserts on timings. Builds both in release first
# (progenitor's dependency tree takes a few minutes the first time): ours with
# this workspace's release profile (fat LTO, one codegen unit, panic=abort, jemalloc: how the
# tool is built from this repository), progenitor with its own defaults, as
# `cargo install cargo-progenitor` builds it. PROGENITOR_LTO=1 builds
# progenitor with our profile settings too (target/progenitor-baseline-lto; a
# panic there aborts instead of exiting 2, and still counts as "not taken").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"
ROUNDS="${ROUNDS:-11}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$TARGET/bench-progenitor"
rm -rf "$WORK" && mkdir -p "$WORK/out"

echo "==== build (release) ===="
cargo build --release -p openapi-clientgen --bin openapi-clientgen
PROG_TARGET="$TARGET/progenitor-baseline"
if [[ "${PROGENITOR_LTO:-0}" == 1 ]]; then
  PROG_TARGET="$TARGET/progenitor-baseline-lto"
  export CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort
fi
cargo build --release --manifest-path benches/progenitor-baseline/Cargo.toml --target-dir "$PROG_TARGET"
unset CARGO_PROFILE_RELEASE_LTO CARGO_PROFILE_RELEASE_CODEGEN_UNITS CARGO_PROFILE_RELEASE_PANIC
# Both sides run from fresh copies, as `cargo install` places a binary: how a
# file got into the page cache changes how fast it starts (ours as the linker
# wrote it ran 5-13 % slower than a copy of it, progenitor's took 57 % more
# CPU time; BENCHMARKS.md, stop 28).
cp "$TARGET/release/openapi-clientgen" "$WORK/openapi-clientgen"
cp "$PROG_TARGET/release/progenitor-baseline" "$WORK/progenitor-baseline"
OURS="$WORK/openapi-clientgen"
THEIRS="$WORK/progenitor-baseline"

"$OURS" bundle spec/losant-instance-api-openapi.yml --overlay spec/overlay.yml --out "$WORK/losant-bundled.yaml"
inputs=("$WORK/losant-bundled.yaml" tests/corpus/*.yaml tests/corpus/*.json)

# measure SIDE SPEC -> prints "wall_seconds max_rss_kib exit_code"
measure() {
  local side="$1" spec="$2" out="$WORK/out/$1" tv="$WORK/time.txt" code=0 start end
  rm -rf "$out"
  # Wall time from the clock in nanoseconds (time -v prints only hundredths);
  # peak RSS from time -v.
  start=$(date +%s%N)
  if [[ "$side" == ours ]]; then
    /usr/bin/time -v -o "$tv" "$OURS" generate "$spec" --out "$out" >/dev/null 2>"$WORK/err-ours.txt" || code=$?
  else
    /usr/bin/time -v -o "$tv" "$THEIRS" "$spec" "$out" >/dev/null 2>"$WORK/err-progenitor.txt" || code=$?
  fi
  end=$(date +%s%N)
  local wall rss
  wall=$(awk -v ns=$((end - start)) 'BEGIN {print ns / 1e9}')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
  echo "$wall $rss $code"
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "==== machine ===="
echo "cpus: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg); rounds: $ROUNDS; progenitor with LTO: ${PROGENITOR_LTO:-0}"
printf '\n%-28s %12s %12s %8s %11s %11s %8s\n' input "ours ms" "prog. ms" ratio "ours MiB" "prog. MiB" ratio
for spec in "${inputs[@]}"; do
  name=$(basename "$spec")
  : >"$WORK/ours.txt"
  : >"$WORK/theirs.txt"
  # One untimed probe: does progenitor take this spec at all?
  taken=1
  read -r _ _ code < <(measure theirs "$spec")
  [[ "$code" == 0 ]] || taken=0
  for ((i = 0; i < ROUNDS; i++)); do
    # Alternate which side goes first, so drift in machine load hits both.
    if ((i % 2)); then order=(theirs ours); else order=(ours theirs); fi
    for side in "${order[@]}"; do
      [[ "$side" == ours ]] || ((taken)) || continue
      read -r wall rss code < <(measure "$side" "$spec")
      if [[ "$code" != 0 ]]; then
        echo "$side failed on $spec (round $i):" >&2
        cat "$WORK/err-$([[ $side == ours ]] && echo ours || echo progenitor).txt" >&2
        exit 1
      fi
      echo "$wall $rss" >>"$WORK/$side.txt"
    done
  done
  ow=$(cut -d' ' -f1 "$WORK/ours.txt" | median)
  orss=$(cut -d' ' -f2 "$WORK/ours.txt" | median)
  if ((taken)); then
    tw=$(cut -d' ' -f1 "$WORK/theirs.txt" | median)
    trss=$(cut -d' ' -f2 "$WORK/theirs.txt" | median)
    awk -v n="$name" -v ow="$ow" -v tw="$tw" -v orss="$orss" -v trss="$trss" 'BEGIN {
      printf "%-28s %12.0f %12.0f %8.2f %11.1f %11.1f %8.2f\n", n, ow*1000, tw*1000, ow/tw, orss/1024, trss/1024, orss/trss }'
  else
    why=$(head -c 160 "$WORK/err-progenitor.txt" | tr '\n' ' ')
    awk -v n="$name" -v ow="$ow" -v orss="$orss" 'BEGIN { printf "%-28s %12.0f %12s %8s %11.1f %11s %8s\n", n, ow*1000, "not taken", "-", orss/1024, "-", "-" }'
    echo "    progenitor: $why"
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
