#!/usr/bin/env bash
# Issue 10's step-by-step profile of `run`, `create`, `start`, `delete` and `kill` (as root):
#
#   tests/bench/profile.sh [BUILD_DIR_OR_RUNC_BINARY]      (RUNS=20 by default)
#
# A snapshot of the binary runs the lifecycle.sh bundle (busybox, default spec, args ["true"],
# state root on /dev/shm) RUNS times per command while a system-wide `perf record` takes the
# runtime's syscalls, the scheduler's switches, execs and forks, and uprobes on the runtime's own
# entry points (RuncMain, EnsureSealedExe, LoadSpec, ProbeHost, Compile, Spawn, SaveState, Start,
# StartWithPlan, SuperviseForeground, Delete, DeleteWithPlan, RunTeardown, Kill,
# ContainerLock::Lock, LoadState, LoadContainerPlan); tests/bench/profile.py cuts each command's timeline at them and prints, per
# part, the median wall time, its share and the CPU time of the command's processes in it. tracefs
# is mounted in a private mount namespace; the probes are removed at the end. Needs linux-perf.
set -euo pipefail
arg=${1:-build}
if [ -d "$arg" ]; then bin=$(realpath "$arg/runc"); else bin=$(realpath "$arg"); fi
RUNS=${RUNS:-20}
here=$(dirname "$(realpath "$0")")
[ "$(id -u)" = 0 ] || { echo "profile.sh: must run as root" >&2; exit 1; }
command -v perf >/dev/null || { echo "profile.sh: perf not found (apt-get install linux-perf)" >&2; exit 1; }

if [ "${_PROFILE_INNER:-}" != 1 ]; then
  exec unshare -m --propagation private env _PROFILE_INNER=1 "$0" "$@"
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs none /sys/kernel/tracing

tmp=$(mktemp -d /dev/shm/runc-profile.XXXXXX)
cp "$bin" "$tmp/runc"
runc=$tmp/runc
# The timed commands run through a hard link (the same inode, so the same probes): its name tells
# them from the untraced preparation in the exec events.
mkdir "$tmp/timed"
ln "$runc" "$tmp/timed/runc"
timed=$tmp/timed/runc
root=$tmp/root
cleanup() {
  set +e
  for id in $("$runc" --root "$root" list -q 2>/dev/null); do "$runc" --root "$root" delete --force "$id" >/dev/null 2>&1; done
  perf probe -q -d 'runcprof:*' >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/bundle/rootfs/bin" "$tmp/bundle/rootfs/proc" "$tmp/bundle/rootfs/dev" "$tmp/bundle/rootfs/sys" "$root"
cp /bin/busybox "$tmp/bundle/rootfs/bin/busybox"
ln -s busybox "$tmp/bundle/rootfs/bin/true"
"$runc" spec --bundle "$tmp/bundle"
python3 - "$tmp/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
json.dump(c, open(p, "w"), indent=2)
PY

# Entry (and for some, return) probes, by mangled name (C++ names confuse perf probe's parser).
perf probe -q -d 'runcprof:*' >/dev/null 2>&1 || true
nm "$runc" >"$tmp/syms"
add() {  # add NAME REGEX [return]
  local sym
  sym=$(awk -v re="$2" '$2 == "T" && $3 ~ re { print $3; exit }' "$tmp/syms")
  [ -n "$sym" ] || { echo "profile.sh: no symbol for $1 ($2)" >&2; return; }
  perf probe -q -x "$runc" --no-demangle -a "runcprof:$1=$sym" >/dev/null
  [ "${3:-}" = return ] && perf probe -q -x "$runc" --no-demangle -a "runcprof:$1=$sym%return" >/dev/null
  return 0
}
add RuncMain '^_ZN4runc8RuncMainEiPPc$'
add EnsureSealedExe '^_ZN4runc15EnsureSealedExeE'
add LoadSpec '^_ZN4runc8LoadSpecE' return
add ProbeHost '^_ZN4runc9ProbeHostEv$' return
add Compile '^_ZN4runc7CompileERKNS_4SpecE' return
add Spawn '^_ZN4runc5SpawnERKNS_4PlanE' return
add SaveState '^_ZN4runc9SaveStateE'
add Start '^_ZN4runc9container5StartE' return
add StartWithPlan '^_ZN4runc9container13StartWithPlanE' return
add SuperviseForeground '^_ZN4runc9container19SuperviseForegroundE' return
add Delete '^_ZN4runc9container6DeleteE' return
add DeleteWithPlan '^_ZN4runc9container14DeleteWithPlanE' return
add RunTeardown '^_ZN4runc11RunTeardownE' return
add Kill '^_ZN4runc9container4KillE' return
add Lock '^_ZN4runc13ContainerLock4LockE' return
add LoadState '^_ZN4runc9LoadStateE' return
add LoadContainerPlan '^_ZN4runc17LoadContainerPlanE' return

prep() {  # prep STATE ID: bring the container to STATE (absent, created, stopped), untraced
  "$runc" --root "$root" delete --force "$2" >/dev/null 2>&1 || true
  [ "$1" = absent ] && return
  "$runc" --root "$root" create --bundle "$tmp/bundle" "$2" </dev/null >/dev/null 2>&1
  [ "$1" = created ] && return
  "$runc" --root "$root" start "$2" </dev/null >/dev/null 2>&1
  for _ in $(seq 200); do
    "$runc" --root "$root" state "$2" 2>/dev/null | grep -q '"status": *"stopped"' && return
    sleep 0.01
  done
}

"$runc" --root "$root" run --bundle "$tmp/bundle" warm </dev/null >/dev/null  # page cache, first-run costs
perf record -q -a -o "$tmp/perf.data" -e raw_syscalls:sys_enter -e raw_syscalls:sys_exit \
  -e sched:sched_switch -e sched:sched_process_exec -e sched:sched_process_fork -e sched:sched_process_exit \
  -e 'runcprof:*' -- sh -c '
    runc=$1 root=$2 bundle=$3 runs=$4
    for i in $(seq "$runs"); do "$runc" --root "$root" run --bundle "$bundle" r$i </dev/null >/dev/null 2>&1; done
  ' sh "$timed" "$root" "$tmp/bundle" "$RUNS" "$0" 2>/dev/null &
perf_pid=$!
wait "$perf_pid"
perf script -i "$tmp/perf.data" -F comm,pid,tid,cpu,time,event,trace 2>/dev/null | tee "${SAVE_SCRIPT:-/dev/null}" | python3 "$here/profile.py" "$timed"

# create / start / kill / delete: each timed alone, the container brought to its state untraced.
for op in create start kill delete; do
  : >"$tmp/ids"
  perf record -q -a -o "$tmp/perf-$op.data" -e raw_syscalls:sys_enter -e raw_syscalls:sys_exit \
    -e sched:sched_switch -e sched:sched_process_exec -e sched:sched_process_fork -e sched:sched_process_exit \
    -e 'runcprof:*' -- sleep 1000000 2>/dev/null &
  perf_pid=$!
  sleep 1
  for i in $(seq "$RUNS"); do
    id=$op$i
    case $op in
      create) prep absent "$id"; "$timed" --root "$root" create --bundle "$tmp/bundle" "$id" </dev/null >/dev/null 2>&1 ;;
      start) prep created "$id"; "$timed" --root "$root" start "$id" </dev/null >/dev/null 2>&1 ;;
      kill) prep created "$id"; "$timed" --root "$root" kill "$id" KILL </dev/null >/dev/null 2>&1 ;;
      delete) prep stopped "$id"; "$timed" --root "$root" delete "$id" </dev/null >/dev/null 2>&1 ;;
    esac
    "$runc" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
  done
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
  perf script -i "$tmp/perf-$op.data" -F comm,pid,tid,cpu,time,event,trace 2>/dev/null |
    python3 "$here/profile.py" "$timed" --only "$op"
done
