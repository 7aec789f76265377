#!/usr/bin/env bash
# `make bench`: every benchmark of the README's "Performance" section.
#   1. compile_bench (Google Benchmark): load + validate + compile in one process, default and
#      podman configs, whole pipeline and stage by stage (issue 2: >= 10,000 default configs/s);
#   2. the wall time of a `runc plan` process, median (hyperfine -N; issue 2: < 3 ms), next to the
#      floors any process pays here (`runc --version`, /bin/true);
#   3. tests/bench/lifecycle.sh: run/create/start/delete and peak RSS against runc and crun
#      (issue 3; needs root, skipped otherwise or with SKIP_LIFECYCLE=1).
# Usage: tests/bench/run.sh [BUILD_DIR]   (a Release or RelWithDebInfo build with compile_bench)
set -euo pipefail
build=$(realpath "${1:-build}")
top=$(cd "$(dirname "$0")/../.." && pwd)
runc=$build/runc

echo "# $(date -u +%F), $(nproc) cores, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); runc binary $(stat -c %s "$runc") bytes, $(ldd "$runc" >/dev/null 2>&1 && echo dynamic || echo static)"
echo

echo "## compile_bench: load + validate + compile, one process (items_per_second = configs/s)"
# The headline figures, repeated so that the median says something on a noisy machine; the stages
# once each, to see where the time goes (their sum is the whole minus the shared set-up).
"$build/compile_bench" --benchmark_filter='/all$' --benchmark_min_time=1 --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true 2>&1 | grep -E '^(Benchmark|-|default|fixture)' | grep -v -E '_(mean|stddev|cv)\b'
"$build/compile_bench" --benchmark_filter='/(parse|schema|semantic|spec|compile)$' --benchmark_min_time=0.5 2>&1 |
  grep -E '^(default|fixture)'
echo

echo "## runc plan: wall time of the whole process (hyperfine -N), median"
json=$(mktemp /tmp/runc-bench-plan.XXXXXX.json)
trap 'rm -f "$json" "$json.err"' EXIT
hyperfine -N --style none --warmup 20 --runs "${PLAN_RUNS:-500}" --export-json "$json" \
  -n "runc plan (default config)" "$runc plan --bundle $top/golden/default --host v1" \
  -n "runc plan (podman config)" "$runc plan --bundle $top/golden/fixture-podman --host v1" \
  -n "runc --version (start-up floor)" "$runc --version" \
  -n "/bin/true (process floor)" "/bin/true" >/dev/null 2>"$json.err" || { cat "$json.err" >&2; exit 1; }
python3 - "$json" <<'EOF'
import json, statistics, sys
with open(sys.argv[1]) as f:
    results = json.load(f)["results"]
print("| command | median (ms) | mean (ms) | min (ms) | user+sys mean (ms) |")
print("|---|---:|---:|---:|---:|")
for r in results:
    print(f"| {r['command']} | {r['median'] * 1000:.2f} | {r['mean'] * 1000:.2f} | {r['min'] * 1000:.2f} | "
          f"{(r['user'] + r['system']) * 1000:.2f} |")
EOF
echo

if [ "${SKIP_LIFECYCLE:-0}" = 1 ]; then
  echo "## lifecycle: skipped (SKIP_LIFECYCLE=1)"
elif [ "$(id -u)" != 0 ]; then
  echo "## lifecycle: skipped (needs root)"
else
  echo "## lifecycle: ours vs runc 1.1.5 vs crun 1.8.1 (tests/bench/lifecycle.sh)"
  "$top/tests/bench/lifecycle.sh" "$build"
fi
