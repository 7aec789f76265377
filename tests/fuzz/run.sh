#!/usr/bin/env bash
# Runs the libFuzzer targets of a RUNC_FUZZ build one after the other (what `make fuzz` does after
# building them):
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]      (default: load_fuzz validate_fuzz compile_fuzz)
#
# Seeds: ../shared/fixtures/*.json (when present), golden/*/config.json and tests/data/**/*.json,
# copied to a temporary BUILD_DIR/fuzz-seeds.* (the sources are never written to). Each target keeps the inputs
# it finds in BUILD_DIR/fuzz-corpus/TARGET, so a second run goes on from the first, and writes
# crash-*, leak-*, timeout-* and oom-* inputs to BUILD_DIR/fuzz-artifacts/TARGET/ and its whole
# output to BUILD_DIR/fuzz-logs/TARGET.log. Stops at the first target that finds something
# (exit status 1); `TARGET -runs=1 FILE` replays an input, `TARGET -minimize_crash=1 -runs=10000
# FILE` shrinks it.
#
# Environment: FUZZ_NICE (19: the machine is shared), FUZZ_TIMEOUT (10 s per input),
# FUZZ_MAX_LEN (32768 bytes), FUZZ_ARGS (more libFuzzer flags), FUZZ_CPU_SECONDS (when set, each
# target runs until it has used that much CPU time, user + system, instead of SECONDS of wall time:
# at nice 19 on a busy machine a wall-clock budget buys little CPU).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load_fuzz validate_fuzz compile_fuzz)
src=$(cd "$(dirname "$0")/../.." && pwd)

# One seed directory per run (two runs may go on side by side), removed at the end.
seeds=$(mktemp -d "$build/fuzz-seeds.XXXXXX")
trap 'rm -rf "$seeds"' EXIT
shopt -s nullglob
for f in "$src"/../shared/fixtures/*.json; do cp "$f" "$seeds/fixture-$(basename "$f")"; done
for f in "$src"/golden/*/config.json; do cp "$f" "$seeds/golden-$(basename "$(dirname "$f")").json"; done
for f in "$src"/tests/data/*/*.json "$src"/tests/data/*/*/*.json; do
  rel=${f#"$src"/tests/data/}
  cp "$f" "$seeds/data-${rel//\//-}"
done
echo "fuzz: $(ls "$seeds" | wc -l) seed configs"

mkdir -p "$build/fuzz-logs"
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/$t
  [ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; exit 2; }
  corpus=$build/fuzz-corpus/$t
  artifacts=$build/fuzz-artifacts/$t
  log=$build/fuzz-logs/$t.log
  mkdir -p "$corpus" "$artifacts"
  echo "fuzz: $t for ${seconds} s (log: $log)"
  status=0
  budget=$seconds
  [ -z "${FUZZ_CPU_SECONDS:-}" ] || budget=$((FUZZ_CPU_SECONDS * 100))  # wall-clock backstop
  # shellcheck disable=SC2086
  nice -n "${FUZZ_NICE:-19}" "$bin" -max_total_time="$budget" -timeout="${FUZZ_TIMEOUT:-10}" \
    -max_len="${FUZZ_MAX_LEN:-32768}" -dict="$src/tests/fuzz/config.dict" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} "$corpus" "$seeds" >"$log" 2>&1 &
  pid=$!
  # CPU time of the fuzzer (utime + stime of /proc/PID/stat, in clock ticks), polled; with
  # FUZZ_CPU_SECONDS it is stopped with SIGINT (libFuzzer prints its final stats, exits 72).
  ticks=$(getconf CLK_TCK)
  cpu=0
  interrupted=0
  while kill -0 "$pid" 2>/dev/null; do
    if stat=$(cat "/proc/$pid/stat" 2>/dev/null); then
      read -r -a fields <<<"${stat##*) }"
      cpu=$(((fields[11] + fields[12]) / ticks))
      if [ -n "${FUZZ_CPU_SECONDS:-}" ] && [ "$cpu" -ge "$FUZZ_CPU_SECONDS" ] && [ "$interrupted" = 0 ]; then
        kill -INT "$pid" 2>/dev/null || true
        interrupted=1
      fi
    fi
    sleep 2
  done
  wait "$pid" || status=$?
  if [ "$interrupted" = 1 ] && [ "$status" = 72 ]; then status=0; fi
  echo "  $t: about ${cpu} s of CPU time"
  # The coverage at the start and at the end (the last status line), and libFuzzer's final stats.
  { grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | head -n 1
    grep -E '^#[0-9]+[[:space:]]+[A-Z]+ +cov:' "$log" | tail -n 1 | cut -d ' ' -f 1-12
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log"; } |
    sed "s/^/  $t: /" || true
  echo "  $t: corpus $(ls "$corpus" | wc -l) files"
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $t found something (exit $status): $(ls "$artifacts")" >&2
    grep -E 'ERROR|SUMMARY|broken invariant|terminate called' "$log" | head -5 >&2 || true
    exit 1
  fi
done
