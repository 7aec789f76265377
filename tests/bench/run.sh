#!/usr/bin/env bash
# Benchmarks of issue 2: in-process load+validate+compile (Google Benchmark), and the wall time of a
# `runc plan` process (hyperfine). Usage: tests/bench/run.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
echo "== $(date -u +%F) $(nproc) cores, $(uname -r)"
"$build/compile_bench" --benchmark_min_time=2 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
cd "$top/golden/default"
hyperfine -N --warmup 20 --runs 300 "$build/runc plan --host v1" "$build/runc validate" 2>&1
