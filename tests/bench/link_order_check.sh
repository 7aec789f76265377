#!/usr/bin/env bash
# The link order's tracer still sees every process of `run` (ctest link_order_check).
#
#   tests/bench/link_order_check.sh BUILD_DIR      (as root; exit 0 ok, 1 broken, 77 skipped)
#
# Runs tests/bench/link_order.sh into a temporary file and checks that it names functions that
# only the first process (EnsureSealedExe, before the sealed re-execution), only the re-executed
# runtime (Compile) and only the container's init (init::ChildMain) execute, and the entry point.
# A tracer that lost one of the processes would write an order that leaves that process's code
# spread over the text again. How much of what `run` executes the committed cmake/runc.order
# still lists is printed, not checked: a stale order costs memory, not correctness.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: link_order_check.sh BUILD_DIR}
[ "$(id -u)" = 0 ] || { echo "link_order_check: not root, skipped"; exit 77; }
for tool in cc nm python3 /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "link_order_check: no $tool, skipped"; exit 77; }
done
[ "$(od -An -tx1 -j16 -N1 "$build/runc" | tr -d ' ')" = 02 ] \
  || { echo "link_order_check: $build/runc is not a static non-PIE executable, skipped"; exit 77; }

out=$(mktemp "${TMPDIR:-/tmp}/runc-order-check.XXXXXX")
trap 'rm -f "$out"' EXIT
OUT=$out "$src/tests/bench/link_order.sh" "$build"
fail=0
for want in '_start' '_ZN4runc15EnsureSealedExe' '_ZN4runc7Compile' '_ZN4runc4init9ChildMain'; do
  if grep -q "^$want" "$out"; then
    echo "link_order_check: $want traced"
  else
    echo "link_order_check: FAIL: no $want in the traced order"
    fail=1
  fi
done
total=$(grep -vc '^#' "$out")
listed=$(grep -v '^#' "$out" | grep -cxFf <(grep -v '^#' "$src/cmake/runc.order") || true)
echo "link_order_check: $listed of the $total symbols traced now are in cmake/runc.order"
exit $fail
