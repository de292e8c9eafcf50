#!/usr/bin/env bash
# Runs the benchmarks and prints a summary (see BENCHMARKS.md):
#   bash scripts/bench.sh           # full run: ~35-45 min on 2 cores (the ×100 generation dominates)
#   bash scripts/bench.sh --quick   # smoke run: criterion --quick, generation at ×1 and ×10 only (~5 min)
#   bash scripts/bench.sh --summary # only print the summary of the last run
#   add --clock cpu to measure CPU time instead of wall time (for a loaded
#   machine; see generator/benches/support/clock.rs), e.g. --quick --clock cpu
#   add --callgrind to also count instructions per request with valgrind
#   (deterministic, unaffected by load; ~2 min)
#   add --only requests|generation|memory (comma-separated) to run a part
#
# 1. requests: the generated client vs hand-written reqwest + serde against the
#    same local server, and typed vs serde_json::Value decoding
#    (benches/requests.rs, criterion);
# 2. generation: per-stage times for the Losant spec ×1, ×10, ×100
#    (generator/benches/generate.rs, criterion; GEN_BENCH_SCALES overrides);
# 3. peak memory: one generation per fresh process (generator/examples/gen_mem.rs);
# 4. with --callgrind, instructions per request of both clients (valgrind);
# 5. a summary table with ratios, read from criterion's estimates.json files
#    and from the interleaved A/B comparison the requests benchmark ends with.
#
# Criterion keeps its results under $CARGO_TARGET_DIR/criterion (default
# target/criterion); the memory results go to target/bench-mem.txt, the
# instruction counts to target/bench-callgrind.txt.
# Compilation (bench profile) is not timed. Nothing here asserts on timings.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
CRITERION="${CRITERION_HOME:-$TARGET/criterion}"
MEM_OUT="$TARGET/bench-mem.txt"
CALLGRIND_OUT="$TARGET/bench-callgrind.txt"

QUICK=0
SUMMARY_ONLY=0
CALLGRIND=0
ONLY="requests,generation,memory"
CLOCK="${BENCH_CLOCK:-wall}"
while (($#)); do
  arg="$1"
  shift
  case "$arg" in
    --quick) QUICK=1 ;;
    --summary) SUMMARY_ONLY=1 ;;
    --callgrind) CALLGRIND=1 ;;
    --only)
      ONLY="${1:-}"
      shift || true
      ;;
    --clock)
      CLOCK="${1:-}"
      shift || true
      ;;
    -h | --help)
      sed -n '2,22p' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done
case "$CLOCK" in
  wall) SUFFIX="" ;;
  cpu) SUFFIX="_cpu" ;;
  *)
    echo "--clock must be wall or cpu, not '$CLOCK'" >&2
    exit 2
    ;;
esac
export BENCH_CLOCK="$CLOCK"

section() { printf '\n==== %s ====\n' "$*"; }

machine() {
  section "machine"
  echo "cpus:   $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') MHz)"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "rustc:  $(rustc --version)"
  echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
}

# `mean lower upper` (ns) of a criterion benchmark GROUP/ID (GROUP gets the
# clock's suffix), from new/estimates.json.
estimate() {
  local file="$CRITERION/${1%%/*}$SUFFIX/${1#*/}/new/estimates.json"
  [[ -f "$file" ]] || return 1
  sed -E 's/.*"mean":\{"confidence_interval":\{"confidence_level":[^,]*,"lower_bound":([^,]*),"upper_bound":([^}]*)\},"point_estimate":([^,]*),.*/\3 \1 \2/' "$file"
}

# A duration in ns, printed in a readable unit.
human() {
  awk -v ns="$1" 'BEGIN {
    if (ns >= 1e9) printf "%.2f s", ns / 1e9;
    else if (ns >= 1e6) printf "%.1f ms", ns / 1e6;
    else printf "%.1f us", ns / 1e3 }'
}

# "mean [lower, upper]" of a benchmark, or "-" when it was not measured.
cell() {
  local e
  e="$(estimate "$1")" || { echo "-"; return; }
  read -r mean lo hi <<<"$e"
  echo "$(human "$mean") [$(human "$lo") .. $(human "$hi")]"
}

ratio() {
  local a b
  a="$(estimate "$1")" && b="$(estimate "$2")" || { echo "-"; return; }
  awk -v a="${a%% *}" -v b="${b%% *}" 'BEGIN { printf "%.3f", a / b }'
}

summary() {
  section "summary: $CLOCK clock (criterion means, 95% confidence interval; ratios of means)"
  printf '\nRequests: generated client vs hand-written reqwest + serde (same server, same request)\n'
  printf '  %-28s %-34s %-34s %s\n' "" "generated" "hand-written" "ratio"
  for g in request_orgs_page request_orgs_empty; do
    printf '  %-28s %-34s %-34s %s\n' "$g" "$(cell "$g/generated")" "$(cell "$g/handwritten")" \
      "$(ratio "$g/generated" "$g/handwritten")"
  done
  if [[ -f "$CRITERION/requests_ab.txt" ]]; then
    printf '\n  interleaved A/B, last run: ratio = median of per-round ratios (ratio of totals); time = mean per request\n'
    printf '  %-28s %-16s %-24s %-16s %-24s\n' "" "wall ratio" "wall gen / hand (us)" "cpu ratio" "cpu gen / hand (us)"
    while read -r line; do
      declare -A f=()
      for kv in $line; do f["${kv%%=*}"]="${kv#*=}"; done
      printf '  %-28s %-16s %-24s %-16s %-24s\n' "${f[group]}" "${f[wall_ratio]} (${f[wall_total_ratio]:-?})" \
        "${f[generated_wall_us]} / ${f[handwritten_wall_us]}" "${f[cpu_ratio]} (${f[cpu_total_ratio]:-?})" \
        "${f[generated_cpu_us]} / ${f[handwritten_cpu_us]}"
      unset f
    done <"$CRITERION/requests_ab.txt"
  fi
  if [[ -f "$CALLGRIND_OUT" ]]; then
    printf '\n  instructions per request (valgrind --tool=callgrind, client and server threads)\n'
    sed 's/^/  /' "$CALLGRIND_OUT"
  fi

  printf '\nDecoding a 10,000-item audit log page\n'
  printf '  %-28s %-34s %-34s %s\n' "" "types::InstanceAuditLogs" "serde_json::Value" "ratio"
  printf '  %-28s %-34s %-34s %s\n' "decode_audit_logs" "$(cell decode_audit_logs/typed)" \
    "$(cell decode_audit_logs/value)" "$(ratio decode_audit_logs/typed decode_audit_logs/value)"

  printf '\nGeneration, mean time per run (growth relative to ×1)\n'
  printf '  %-22s %-12s %-22s %-22s\n' "stage" "×1" "×10" "×100"
  for stage in analyze_with_overlay load analyze lower emit format_file generate_code generate; do
    local row=() base="" e mean
    for n in 1 10 100; do
      if e="$(estimate "generate_x$n/$stage")"; then
        mean="${e%% *}"
        if [[ "$n" == 1 ]]; then
          base="$mean"
          row+=("$(human "$mean")")
        elif [[ -n "$base" ]]; then
          row+=("$(human "$mean") ($(awk -v a="$mean" -v b="$base" 'BEGIN { printf "%.0f×", a / b }'))")
        else
          row+=("$(human "$mean")")
        fi
      else
        row+=("-")
      fi
    done
    printf '  %-22s %-12s %-22s %-22s\n' "$stage" "${row[@]}"
  done

  printf '\nPeak memory, one generation per fresh process (analyze + lower + emit + format)\n'
  if [[ -f "$MEM_OUT" ]]; then
    printf '  %-8s %7s %8s %6s %11s %10s %10s %14s\n' input paths schemas ops "code (MB)" "analyze" total "peak RSS (MB)"
    while read -r line; do
      declare -A f=()
      for kv in $line; do f["${kv%%=*}"]="${kv#*=}"; done
      local label="${f[input]}"
      label="${label##*/}"
      label="${label%.yml}"
      printf '  %-8s %7s %8s %6s %11.1f %8s ms %8s ms %14.1f\n' "$label" "${f[paths]}" "${f[schemas]}" \
        "${f[operations]}" "$(awk -v b="${f[code_bytes]}" 'BEGIN { print b / 1e6 }')" "${f[analyze_ms]}" \
        "${f[total_ms]}" "$(awk -v k="${f[peak_rss_kib]}" 'BEGIN { print k / 1024 }')"
      unset f
    done <"$MEM_OUT"
  else
    echo "  (not measured: $MEM_OUT is missing)"
  fi
}

if [[ "$SUMMARY_ONLY" == 1 ]]; then
  summary
  exit 0
fi

machine

CRITERION_ARGS=()
SCALES="${GEN_BENCH_SCALES:-1,10,100}"
if [[ "$QUICK" == 1 ]]; then
  CRITERION_ARGS=(--quick)
  SCALES="${GEN_BENCH_SCALES:-1,10}"
fi

wanted() { [[ ",$ONLY," == *",$1,"* ]]; }

if wanted requests; then
  section "requests: cargo bench -p losant-instance-api --bench requests"
  cargo bench -p losant-instance-api --bench requests -- "${CRITERION_ARGS[@]}"
fi

if [[ "$CALLGRIND" == 1 ]] && wanted requests; then
  section "instructions per request: valgrind --tool=callgrind"
  command -v valgrind >/dev/null || { echo "ERROR: valgrind is not installed" >&2; exit 1; }
  BIN="$(cargo bench -p losant-instance-api --bench requests --no-run 2>&1 |
    sed -n 's/.*Executable benches\/requests.rs (\(.*\))$/\1/p')"
  [[ -x "$BIN" ]] || { echo "ERROR: cannot find the requests benchmark binary" >&2; exit 1; }
  # Instructions of N requests minus those of 0 (setup), divided by N.
  count() {
    REQUESTS_PROFILE="$1" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" 2>&1 |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  : >"$CALLGRIND_OUT"
  for payload in page empty; do
    n=300
    [[ "$payload" == empty ]] && n=2000
    g0="$(count "generated:0:$payload")" g="$(count "generated:$n:$payload")"
    h0="$(count "handwritten:0:$payload")" h="$(count "handwritten:$n:$payload")"
    awk -v p="$payload" -v n="$n" -v g0="$g0" -v g="$g" -v h0="$h0" -v h="$h" 'BEGIN {
      gi = (g - g0) / n; hi = (h - h0) / n
      printf "%-26s generated %9.0f   hand-written %9.0f   ratio %.3f\n", "request_orgs_" p, gi, hi, gi / hi }' |
      tee -a "$CALLGRIND_OUT"
  done
fi

if wanted generation; then
  section "generation: GEN_BENCH_SCALES=$SCALES cargo bench -p openapi-clientgen --bench generate"
  GEN_BENCH_SCALES="$SCALES" cargo bench -p openapi-clientgen --bench generate -- "${CRITERION_ARGS[@]}"
fi

if wanted memory; then
  section "peak memory: generator/examples/gen_mem.rs, one fresh process per input"
  cargo build --release -p openapi-clientgen --example gen_mem
  GEN_MEM="$TARGET/release/examples/gen_mem"
  SPECS="$TARGET/bench-specs"
  : >"$MEM_OUT"
  "$GEN_MEM" real | tee -a "$MEM_OUT"
  IFS=',' read -r -a scales <<<"$SCALES"
  for n in "${scales[@]}"; do
    "$GEN_MEM" write "$n" "$SPECS/x$n.yml"
    "$GEN_MEM" file "$SPECS/x$n.yml" | tee -a "$MEM_OUT"
  done
fi

summary
echo
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
