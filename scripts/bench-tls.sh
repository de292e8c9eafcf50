#!/usr/bin/env bash
# Clean debug build of the generated standalone crate for each TLS choice
# (see BENCHMARKS.md, "Build cost per TLS stack"):
#
#   bash scripts/bench-tls.sh                 # a clean build per choice (own target dir each)
#   bash scripts/bench-tls.sh --incremental   # one clean build without TLS, then each
#                                             # choice built on a copy of that target dir
#
# The crate is generated into target/bench-tls/losant-instance-api with the
# repository's Cargo.lock (by `cargo run -p openapi-clientgen`, or the binary
# OPENAPI_CLIENTGEN names). Prints wall and CPU time (user + system, all
# processes, from /usr/bin/time -v) and the load average before and after
# each build: on a shared machine, compare CPU times.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"
WORK="${CARGO_TARGET_DIR:-$ROOT/target}/bench-tls"
CRATE="$WORK/losant-instance-api"
MODE="clean"
case "${1:-}" in
  "") ;;
  --incremental) MODE="incremental" ;;
  *) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
command -v /usr/bin/time >/dev/null || { echo "ERROR: /usr/bin/time (GNU time) is required" >&2; exit 1; }

mkdir -p "$WORK"
# OPENAPI_CLIENTGEN=path/to/openapi-clientgen: an already built generator.
if [[ -n "${OPENAPI_CLIENTGEN:-}" ]]; then
  "$OPENAPI_CLIENTGEN" generate --out "$CRATE"
else
  cargo run --quiet -p openapi-clientgen -- generate --out "$CRATE"
fi
cp Cargo.lock "$CRATE/"
# Every TLS choice's crates in cargo's cache before the timed (offline) builds:
# a fresh machine that only ever built the default has no aws-lc-rs yet.
(cd "$CRATE" && cargo fetch >/dev/null)

# build NAME TARGET_DIR cargo-args...: one build, timed.
build() {
  local name="$1" target="$2"
  shift 2
  local before after
  before="$(cut -d' ' -f1-3 /proc/loadavg)"
  if ! (cd "$CRATE" && CARGO_TARGET_DIR="$target" /usr/bin/time -v -o "$WORK/$name.time" \
    cargo build --offline "$@" >"$WORK/$name.log" 2>&1); then
    cat "$WORK/$name.log" >&2
    exit 1
  fi
  after="$(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v name="$name" -v before="$before" -v after="$after" -v units="$(grep -c Compiling "$WORK/$name.log")" '
    /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
    /User time/ { user = $NF } /System time/ { sys = $NF }
    END { printf "%-18s wall %7.1f s   cpu %7.1f s   %3d units   load %s -> %s\n", name, wall, user + sys, units, before, after }
  ' "$WORK/$name.time"
}

CHOICES=("rustls-ring" "rustls-aws-lc-rs" "native-tls")
if [[ "$MODE" == clean ]]; then
  for choice in "${CHOICES[@]}"; do
    rm -rf "$WORK/target-$choice"
    build "$choice" "$WORK/target-$choice" --no-default-features --features "$choice"
  done
  rm -rf "$WORK/target-none"
  build "none" "$WORK/target-none" --no-default-features
else
  rm -rf "$WORK/target-none"
  build "none" "$WORK/target-none" --no-default-features
  for choice in "${CHOICES[@]}"; do
    rm -rf "$WORK/target-$choice"
    cp -a "$WORK/target-none" "$WORK/target-$choice"
    build "+$choice" "$WORK/target-$choice" --no-default-features --features "$choice"
  done
fi
