#!/usr/bin/env bash
# Installs the pinned Node-based test tools (Prism mock server, Redocly CLI)
# into tools/node_modules from tools/package-lock.json.
#
# Idempotent: `npm ci` only runs when tools/node_modules is missing or when
# tools/package.json, tools/package-lock.json or the Node version changed since
# the last successful install (tracked by a hash stamp inside node_modules).
# Always verifies that both binaries run and report the pinned versions.
# Exits non-zero with a clear message on any failure; it never skips.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"
TOOLS="$ROOT/tools"
NODE_MODULES="$TOOLS/node_modules"
STAMP="$NODE_MODULES/.install-tools.stamp"
MIN_NODE="20.19.0" # @redocly/cli 2.x: ">=22.12.0 || >=20.19.0 <21.0.0"

log() { printf '[install-tools] %s\n' "$*"; }
die() { printf '[install-tools] ERROR: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node not found on PATH (Node >= $MIN_NODE is required)"
command -v npm >/dev/null 2>&1 || die "npm not found on PATH"
[[ -f "$TOOLS/package.json" && -f "$TOOLS/package-lock.json" ]] \
  || die "tools/package.json or tools/package-lock.json is missing"

NODE_VERSION="$(node --version)"
node -e '
  const [a, b] = [process.versions.node, process.argv[1]].map(v => v.split(".").map(Number));
  const ok = a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] >= b[2];
  process.exit(ok ? 0 : 1);
' "$MIN_NODE" || die "Node $NODE_VERSION is too old: @redocly/cli needs Node >= $MIN_NODE (20.x) or >= 22.12.0"
log "node $NODE_VERSION, npm $(npm --version 2>/dev/null)"

# Hash of everything that determines the contents of node_modules.
want_stamp="$(node -e '
  const crypto = require("crypto"), fs = require("fs");
  const h = crypto.createHash("sha256");
  for (const f of process.argv.slice(1)) h.update(fs.readFileSync(f));
  h.update(process.version);
  console.log(h.digest("hex"));
' "$TOOLS/package.json" "$TOOLS/package-lock.json")"

run_npm_ci() {
  local attempt
  for attempt in 1 2; do
    log "running: npm ci --prefix tools --no-audit --no-fund (attempt $attempt)"
    local start=$SECONDS
    if npm ci --prefix "$TOOLS" --no-audit --no-fund; then
      log "npm ci finished in $((SECONDS - start))s"
      return 0
    fi
    log "npm ci failed (attempt $attempt)"
  done
  die "npm ci failed; see npm output above (registry reachable? lockfile in sync with package.json?)"
}

# Prints "<bin> --version" output; fails if the binary is missing, does not
# run, or does not report the version pinned in tools/package.json.
check_tool() {
  local bin="$1" pkg="$2" path="$NODE_MODULES/.bin/$1" want got
  [[ -x "$path" ]] || { log "$path is missing or not executable"; return 1; }
  want="$(node -p 'require(process.argv[1]).devDependencies[process.argv[2]]' "$TOOLS/package.json" "$pkg")"
  local err
  err="$(mktemp)"
  if ! got="$("$path" --version 2>"$err")"; then
    log "'$path --version' failed:"
    cat "$err" >&2
    rm -f "$err"
    return 1
  fi
  rm -f "$err"
  got="$(printf '%s\n' "$got" | head -n1 | tr -d '[:space:]')"
  if [[ "$got" != "$want" ]]; then
    log "$bin reports version '$got', expected '$want' (from tools/package.json)"
    return 1
  fi
  log "ok: $bin $got ($path)"
}

verify() { check_tool prism @stoplight/prism-cli && check_tool redocly @redocly/cli; }

have_stamp=""
[[ -f "$STAMP" ]] && have_stamp="$(cat "$STAMP")"

if [[ ! -d "$NODE_MODULES" ]]; then
  log "tools/node_modules is missing: installing"
  run_npm_ci
elif [[ "$have_stamp" != "$want_stamp" ]]; then
  log "tools/package*.json or Node version changed since last install: reinstalling"
  run_npm_ci
elif verify; then
  log "tools/node_modules up to date (stamp matches); nothing to install"
  exit 0
else
  log "stamp matches but the installed tools are broken: reinstalling"
  run_npm_ci
fi

verify || die "tools failed verification after 'npm ci' (see messages above)"
printf '%s\n' "$want_stamp" > "$STAMP"
log "installed; stamp written to ${STAMP#"$ROOT"/}"
