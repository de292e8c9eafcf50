#!/usr/bin/env bash
# Build cost of the client, side by side (see BENCHMARKS.md):
#   - the root crate `losant-instance-api`, whose build.rs runs the generator;
#   - the standalone crate written by `openapi-clientgen generate --out DIR`
#     (no build script, no dependency on the generator).
#
#   bash scripts/bench-build.sh             # dev profile (what `cargo build` does)
#   bash scripts/bench-build.sh --release   # release profile
#
# For each crate: a clean build (own CARGO_TARGET_DIR under target/bench-build/,
# dependencies included), a no-op rebuild, a rebuild after the spec is touched
# (same content) and one after it is edited (the description of the shared
# `instanceId` parameter, so the doc comments of most operations change). The
# root crate is built from a scratch copy of the repository
# (target/bench-build/root-src), so the working tree's spec is never touched
# or edited; the standalone crate is generated into target/bench-standalone
# with the repository's Cargo.lock (same dependency versions). For the
# standalone crate a spec change means: regenerate (only changed files are
# rewritten), then build.
#
# Prints wall time and CPU time (user + system, all processes) per build, and
# (with jq) the cargo --timings breakdown of the units that matter. Takes
# ~10-20 min on 2 cores. Needs the crates.io index (cargo fetches nothing new
# if ~/.cargo/registry already has the dependencies).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$TARGET/bench-build"
STANDALONE="$TARGET/bench-standalone"

PROFILE_ARGS=()
PROFILE=dev
for arg in "$@"; do
  case "$arg" in
    --release)
      PROFILE_ARGS=(--release)
      PROFILE=release
      ;;
    -h | --help)
      sed -n '2,25p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

section() { printf '\n==== %s ====\n' "$*"; }
command -v /usr/bin/time >/dev/null || { echo "ERROR: /usr/bin/time (GNU time) is required" >&2; exit 1; }

declare -A WALL CPU

# measure KEY LOG command...: runs the command, records wall and CPU seconds.
measure() {
  local key="$1" log="$2"
  shift 2
  local timing="$WORK/.time"
  if ! /usr/bin/time -o "$timing" -f '%e %U %S' "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "ERROR: $* failed (log: $log)" >&2
    exit 1
  fi
  read -r wall user sys <"$timing"
  WALL[$key]="$wall"
  CPU[$key]="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')"
  printf '  %-28s wall %7.1f s   cpu %7.1f s\n' "$key" "$wall" "${CPU[$key]}"
}

# The duration of one unit in a cargo --timings report: timing_of FILE NAME MODE
# (MODE: `todo` = compile the library, `run-custom-build` = run build.rs).
timing_of() {
  local html="$1" name="$2" mode="$3" d
  [[ -f "$html" ]] && command -v jq >/dev/null || { echo "-"; return; }
  # The report embeds the units as `const UNIT_DATA = [ ... ];`.
  d="$(awk '/const UNIT_DATA = \[/ { f = 1; sub(/.*const UNIT_DATA = /, "") } f { print } f && /^\];/ { exit }' "$html" |
    sed 's/;$//' |
    jq -r --arg n "$name" --arg m "$mode" \
      '[.[] | select(.name == $n and .mode == $m and (.target == "" or .target == " build-script (run)"))][0].duration // empty')"
  if [[ -n "$d" ]]; then printf '%.1f s' "$d"; else echo "-"; fi
}

latest_timings() {
  ls -t "$1"/cargo-timings/cargo-timing-*.html 2>/dev/null | head -1
}

section "machine"
echo "cpus:   $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') MHz)"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "rustc:  $(rustc --version)"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "profile: $PROFILE"

mkdir -p "$WORK"

section "root crate (build.rs generates the client)"
SRC="$WORK/root-src"
ROOT_TARGET="$WORK/root-target-$PROFILE"
rm -rf "$SRC" "$ROOT_TARGET"
mkdir -p "$SRC"
tar -C "$ROOT" --exclude=./target --exclude=./tools/node_modules --exclude=./.git -cf - . | tar -C "$SRC" -xf -
BUILD_ROOT=(env CARGO_TARGET_DIR="$ROOT_TARGET" cargo build --manifest-path "$SRC/Cargo.toml" -p losant-instance-api
  "${PROFILE_ARGS[@]}")
measure "root: clean build" "$WORK/root-clean.log" "${BUILD_ROOT[@]}" --timings
ROOT_TIMINGS="$(latest_timings "$ROOT_TARGET")"
measure "root: no-op rebuild" "$WORK/root-noop.log" "${BUILD_ROOT[@]}"
touch "$SRC/spec/losant-instance-api-openapi.yml"
measure "root: spec touched" "$WORK/root-touch.log" "${BUILD_ROOT[@]}" --timings
ROOT_TOUCH_TIMINGS="$(latest_timings "$ROOT_TARGET")"
# Edit the scratch copy's spec: the shared instanceId parameter's description.
EDITED_SPEC="$SRC/spec/losant-instance-api-openapi.yml"
sed -i '0,/description: ID associated with the instance$/s//description: ID associated with the instance (edited)/' \
  "$EDITED_SPEC"
grep -q 'ID associated with the instance (edited)' "$EDITED_SPEC" || { echo "ERROR: the spec edit did not apply" >&2; exit 1; }
measure "root: spec edited" "$WORK/root-edit.log" "${BUILD_ROOT[@]}" --timings
ROOT_EDIT_TIMINGS="$(latest_timings "$ROOT_TARGET")"

section "standalone crate (openapi-clientgen generate --out $STANDALONE)"
cargo build --release -p openapi-clientgen --bin openapi-clientgen >"$WORK/generator-build.log" 2>&1 || {
  cat "$WORK/generator-build.log" >&2
  exit 1
}
GENERATOR="$TARGET/release/openapi-clientgen"
if ! "$GENERATOR" generate --help >/dev/null 2>&1; then
  echo "ERROR: this openapi-clientgen has no 'generate' command" >&2
  exit 1
fi
STANDALONE_TARGET="$WORK/standalone-target-$PROFILE"
rm -rf "$STANDALONE" "$STANDALONE_TARGET"
GENERATE=("$GENERATOR" generate "$ROOT/spec/losant-instance-api-openapi.yml" --overlay "$ROOT/spec/overlay.yml"
  --out "$STANDALONE")
measure "standalone: generate" "$WORK/standalone-generate.log" "${GENERATE[@]}"
cp "$ROOT/Cargo.lock" "$STANDALONE/Cargo.lock"
BUILD_STANDALONE=(env CARGO_TARGET_DIR="$STANDALONE_TARGET" cargo build --manifest-path "$STANDALONE/Cargo.toml"
  "${PROFILE_ARGS[@]}")
measure "standalone: clean build" "$WORK/standalone-clean.log" "${BUILD_STANDALONE[@]}" --timings
STANDALONE_TIMINGS="$(latest_timings "$STANDALONE_TARGET")"
measure "standalone: no-op rebuild" "$WORK/standalone-noop.log" "${BUILD_STANDALONE[@]}"
measure "standalone: regenerate" "$WORK/standalone-regen.log" "${GENERATE[@]}"
measure "standalone: rebuild after it" "$WORK/standalone-regen-build.log" "${BUILD_STANDALONE[@]}"
measure "standalone: regen. edited" "$WORK/standalone-edit-generate.log" \
  "$GENERATOR" generate "$EDITED_SPEC" --overlay "$ROOT/spec/overlay.yml" --out "$STANDALONE"
measure "standalone: build edited" "$WORK/standalone-edit.log" "${BUILD_STANDALONE[@]}" --timings
STANDALONE_EDIT_TIMINGS="$(latest_timings "$STANDALONE_TARGET")"

sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a + b }'; }

section "summary ($PROFILE profile; wall seconds, CPU seconds in parentheses)"
printf '  %-34s %-26s %-26s\n' "" "root crate (build.rs)" "standalone crate"
row() { printf '  %-34s %-26s %-26s\n' "$1" "$2" "$3"; }
cell() { printf '%s s (%s s)' "${WALL[$1]}" "${CPU[$1]}"; }
row "generate (CLI, release binary)" "(inside the build)" "$(cell 'standalone: generate')"
row "clean build, dependencies included" "$(cell 'root: clean build')" "$(cell 'standalone: clean build')"
row "no-op rebuild" "$(cell 'root: no-op rebuild')" "$(cell 'standalone: no-op rebuild')"
row "spec touched (same content)" "$(cell 'root: spec touched')" \
  "$(sum "${WALL[standalone: regenerate]}" "${WALL[standalone: rebuild after it]}") s (regenerate + build)"
row "spec edited (doc comments change)" "$(cell 'root: spec edited')" \
  "$(sum "${WALL[standalone: regen. edited]}" "${WALL[standalone: build edited]}") s (regenerate + build)"
echo
echo "  cargo --timings, wall seconds per unit:"
row "generator (build dependency)" "$(timing_of "$ROOT_TIMINGS" openapi-clientgen todo)" "-"
row "build.rs run: clean" "$(timing_of "$ROOT_TIMINGS" losant-instance-api run-custom-build)" "-"
row "build.rs run: spec touched" "$(timing_of "$ROOT_TOUCH_TIMINGS" losant-instance-api run-custom-build)" "-"
row "build.rs run: spec edited" "$(timing_of "$ROOT_EDIT_TIMINGS" losant-instance-api run-custom-build)" "-"
row "client crate compile: clean" "$(timing_of "$ROOT_TIMINGS" losant-instance-api todo)" \
  "$(timing_of "$STANDALONE_TIMINGS" bench-standalone todo)"
row "client crate compile: spec touched" "$(timing_of "$ROOT_TOUCH_TIMINGS" losant-instance-api todo)" "(not rebuilt)"
row "client crate compile: spec edited" "$(timing_of "$ROOT_EDIT_TIMINGS" losant-instance-api todo)" \
  "$(timing_of "$STANDALONE_EDIT_TIMINGS" bench-standalone todo)"
echo
echo "  timings reports: $ROOT_TIMINGS"
echo "                   $STANDALONE_TIMINGS"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
