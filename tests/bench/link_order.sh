#!/usr/bin/env bash
# Writes cmake/runc.order, the link order of runc's hot code (issue 10, peak RSS of `run`).
#
#   tests/bench/link_order.sh [BUILD_DIR]        (as root; BUILD_DIR defaults to build; OUT=FILE)
#
# The kernel maps page-cached text 64 KiB around every page fault (fault_around_bytes), so the
# text a process has resident is every 64 KiB window it executes anything in. With runc's
# functions in link order, `run` executed code in nearly every window of the 3.3 MB of text. This
# script records which functions the commands execute, with tests/bench/fntrace.c (a breakpoint
# at every function start of BUILD_DIR/runc, in every process of the tree: the first process, the
# sealed re-execution and the container's init), on a busybox bundle (default spec, args
# ["true"]): `run` three times, then create, start, state, exec, kill and delete, so that the
# functions of `run` come first, then the ones only the other commands execute. Each function
# appears once, in the order it was first executed. The CMake build (Release or RelWithDebInfo,
# static, with ld.lld) passes the file to --symbol-ordering-file.
#
# The names are the binary's symbols (mangled). A function renamed or removed since the file was
# written is skipped by the linker, and a new one is placed after the listed ones: a stale file
# costs memory, not correctness. Run this again after changes to the paths of `run`
# (tests/bench/lifecycle.sh's peak RSS says when).
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
runc=$(realpath "$build/runc")
out=${OUT:-$src/cmake/runc.order}  # OUT=FILE writes elsewhere (the link_order_check test)

[ "$(id -u)" = 0 ] || { echo "link_order.sh: must run as root" >&2; exit 1; }
for tool in cc nm python3 /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "link_order.sh: $tool not found" >&2; exit 1; }
done
file_type=$(od -An -tx1 -j16 -N1 "$runc" | tr -d ' ')
[ "$file_type" = 02 ] || { echo "link_order.sh: $runc is not a static non-PIE executable (ET_EXEC)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/runc-link-order.XXXXXX")
tag="lo$$"
root=$tmp/root
cleanup() {
  set +e
  for id in run1 run2 run3 c e; do "$runc" --root "$root" delete --force "$tag-$id" </dev/null >/dev/null 2>&1; done
  find /sys/fs/cgroup -depth -type d -name "$tag-*" -exec rmdir {} + 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -Wall -Wextra -Werror -o "$tmp/fntrace" "$src/tests/bench/fntrace.c"
# Function symbols: text (t, T), weak (w, W) and indirect functions (i). Every name at an address.
nm --defined-only "$runc" | awk '$2 ~ /^[tTwWi]$/ { print $1, $3 }' | sort -u >"$tmp/symbols"
awk '{ print $1 }' "$tmp/symbols" | sort -u >"$tmp/addrs"

bundle=$tmp/bundle
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/dev" "$bundle/rootfs/sys"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for cmd in true sh sleep; do ln -s busybox "$bundle/rootfs/bin/$cmd"; done
"$runc" spec --bundle "$bundle"
set_args() {  # set_args ARG...: the bundle's process.args, and no terminal
  python3 - "$bundle/config.json" "$@" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["process"]["terminal"] = False
config["process"]["args"] = sys.argv[2:]
with open(path, "w") as f:
    json.dump(config, f, indent=2)
EOF
}
set_args true

trace() {  # trace COMMAND-ARGS...: runc's functions executed by `runc --root ROOT ARGS...`
  "$tmp/fntrace" "$tmp/addrs" "$tmp/hits.one" "$runc" "$runc" --root "$root" "$@" </dev/null >/dev/null 2>"$tmp/err" \
    || { echo "link_order.sh: runc $*: failed" >&2; cat "$tmp/err" >&2; exit 1; }
  cat "$tmp/hits.one" >>"$tmp/hits"
}
: >"$tmp/hits"
# The bundle named by an absolute path, a relative one, and as the working directory (the paths
# differ a little: getcwd, path joins).
trace run --bundle "$bundle" "$tag-run1"
(cd "$tmp" && trace run --bundle bundle "$tag-run2")
(cd "$bundle" && trace run "$tag-run3")
trace create --bundle "$bundle" "$tag-c"
trace start "$tag-c"
trace state "$tag-c"
trace delete "$tag-c"
# A running container for exec and kill: args ["sleep", "10"].
set_args sleep 10
"$runc" --root "$root" create --bundle "$bundle" "$tag-e" </dev/null >/dev/null 2>&1
"$runc" --root "$root" start "$tag-e"
trace exec "$tag-e" true
trace kill "$tag-e" KILL
sleep 0.2
trace delete --force "$tag-e"

{
  echo "# The link order of runc's hot code: written by tests/bench/link_order.sh, see there and"
  echo "# CMakeLists.txt. Functions executed by \`runc run\` (busybox, default spec), then by create,"
  echo "# start, state, exec, kill and delete, in the order first executed."
  # First occurrence of each address, in order; then every name at that address.
  awk 'NR == FNR { names[$1] = names[$1] " " $2; next }
       !seen[$1]++ { n = split(names[$1], a, " "); for (i = 1; i <= n; i++) print a[i] }' \
    "$tmp/symbols" "$tmp/hits"
} >"$out.new"
mv "$out.new" "$out"
echo "link_order.sh: $(grep -vc '^#' "$out") symbols of $(sort -u "$tmp/hits" | wc -l) functions -> $out" >&2
