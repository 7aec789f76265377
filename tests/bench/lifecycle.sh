#!/usr/bin/env bash
# Issue 3's benchmark: the container lifecycle of this runtime against Debian's runc and crun, on
# one busybox bundle whose process is ["true"], in one interleaved run.
#
#   tests/bench/lifecycle.sh [BUILD_DIR_OR_RUNC_BINARY]        (as root; prints a Markdown report)
#
# Timed with hyperfine (-N, no shell): `run`, and `create`, `start`, `delete` separately (each with
# an untimed --prepare that brings the container to the state the command expects). The runtimes
# are interleaved: ROUNDS rounds, each one hyperfine call per operation with every runtime in it
# (RUNS runs each), and the medians are taken over all rounds, so that a burst of load on this
# shared machine hits every runtime alike. Peak RSS of `run` is /usr/bin/time -v's "Maximum
# resident set size" (the largest single process of the tree, not their sum), median of RSS_RUNS.
#
# crun 1.8.1 refuses hybrid cgroup hosts, so it runs in a private mount namespace where only
# cgroup2 is mounted on /sys/fs/cgroup, with --cgroup-manager=disabled (it then creates no cgroup
# at all, which the other two do). That wrapper (unshare + umount + mount) is timed on its own
# running /bin/true in the same rounds, and its median is subtracted from crun's.
#
# For comparison on crun's footing, our `run` is also timed inside the same wrapper (cgroup2 only:
# the container joins its cgroup with clone3(CLONE_INTO_CGROUP), no cgroup v1 migration).
#
# This runtime re-executes itself from a sealed copy of its binary for create and run
# (executor/runtime/seal.cc). The same binary started from a read-only overlayfs is already sealed
# and skips that; the difference of the two `run` medians is what the re-exec costs.
#
# State roots and the bundle go to a temporary directory on tmpfs (/dev/shm), as /run/runc and
# /run/crun usually are: here /tmp and /run are on an ext4 mounted with online discard, where every
# block freed (a state file replaced or removed) waits for a synchronous discard, about 3 ms per
# `run`, which measures the disk rather than the runtimes. BENCH_TMPDIR=/tmp measures that too.
#
# Knobs (environment): ROUNDS (10), RUNS (5), RSS_RUNS (5), KEEP_JSON=DIR (keep hyperfine's files),
# BENCH_TMPDIR (/dev/shm when it is a tmpfs, else /tmp).
set -euo pipefail

self=$(realpath "$0")

# ---- helper mode, used by hyperfine's --prepare (not timed) -----------------------------------
# lifecycle.sh --prep STATE ID RUNTIME-COMMAND...   brings container ID to STATE: absent, created
# or stopped. Output goes to /dev/null: a created container keeps its stdio, and a pipe held
# open by it would stall hyperfine.
if [ "${1:-}" = --prep ]; then
  state=$2 id=$3
  shift 3
  "$@" delete --force "$id" </dev/null >/dev/null 2>&1 || true
  [ "$state" = absent ] && exit 0
  "$@" create --bundle "$BENCH_BUNDLE" "$id" </dev/null >/dev/null 2>&1
  [ "$state" = created ] && exit 0
  "$@" start "$id" </dev/null >/dev/null 2>&1
  for _ in $(seq 200); do
    "$@" state "$id" 2>/dev/null | grep -q '"status": *"stopped"' && exit 0
    sleep 0.01
  done
  echo "lifecycle.sh: container $id did not stop" >&2
  exit 1
fi

# ---- set-up -----------------------------------------------------------------------------------
arg=${1:-build}
if [ -d "$arg" ]; then ours=$(realpath "$arg/runc"); else ours=$(realpath "$arg"); fi
floor=$(dirname "$ours")/floor  # tests/bench/floor.c, built beside runc
ROUNDS=${ROUNDS:-10}
RUNS=${RUNS:-5}
RSS_RUNS=${RSS_RUNS:-5}
debian_runc=/usr/sbin/runc
crun=/usr/bin/crun

[ "$(id -u)" = 0 ] || { echo "lifecycle.sh: must run as root" >&2; exit 1; }
for tool in "$ours" "$floor" "$debian_runc" "$crun" /bin/busybox /usr/bin/time; do
  [ -x "$tool" ] || { echo "lifecycle.sh: $tool not found (make deps)" >&2; exit 1; }
done
for tool in hyperfine unshare python3; do
  command -v "$tool" >/dev/null || { echo "lifecycle.sh: $tool not found" >&2; exit 1; }
done

if [ -z "${BENCH_TMPDIR:-}" ]; then
  BENCH_TMPDIR=/tmp
  [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && BENCH_TMPDIR=/dev/shm
fi
tmp=$(mktemp -d "$BENCH_TMPDIR/runc-lifecycle-bench.XXXXXX")
# A snapshot of the binaries under test: a rebuild during the run must not change (or break) them.
cp "$ours" "$tmp/runc-under-test"
cp "$floor" "$tmp/floor-under-test"
ours=$tmp/runc-under-test
floor=$tmp/floor-under-test
tag="lcb$$"
bundle=$tmp/bundle
overlay=$tmp/sealed  # read-only overlayfs holding a copy of our binary
export BENCH_BUNDLE=$bundle

# Every container id this run can create, per runtime; cleanup force-deletes each of them.
ops=(run create start delete state kill exec rss)
declare -A rt_cmd
ids_of() { local op; for op in "${ops[@]}"; do echo "$tag-$1-$op"; done; }

cleanup() {
  set +e
  local rt id
  for rt in ours sealed oursv2 runc crun; do
    [ -n "${rt_cmd[$rt]:-}" ] || continue
    for id in $(ids_of "$rt"); do
      # shellcheck disable=SC2086
      eval "${rt_cmd[$rt]}" delete --force "$id" </dev/null >/dev/null 2>&1
    done
  done
  # A runtime killed halfway could leave its cgroup; every cgroup we may create has our tag.
  for id in ${scale_ids:-}; do "$ours" --root "$tmp/root-scale" delete --force "$id" </dev/null >/dev/null 2>&1; done
  find /sys/fs/cgroup -depth -type d -name "$tag-*" -exec rmdir {} + 2>/dev/null
  mountpoint -q "$overlay" && umount "$overlay"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bundle: busybox-static, and the default spec with args ["true"] and no terminal. ociVersion
# 1.0.2 because crun 1.8.1 rejects "1.3.0" ("unknown version specified").
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/dev" "$bundle/rootfs/sys"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
ln -s busybox "$bundle/rootfs/bin/true"
ln -s busybox "$bundle/rootfs/bin/sh"
"$ours" spec --bundle "$bundle"
python3 - "$bundle/config.json" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["ociVersion"] = "1.0.2"
config["process"]["terminal"] = False
config["process"]["args"] = ["true"]
with open(path, "w") as f:
    json.dump(config, f, indent=2)
EOF

mkdir -p "$tmp/bin" "$tmp/empty" "$overlay" "$tmp/root-ours" "$tmp/root-runc" "$tmp/root-crun"
cp "$ours" "$tmp/bin/runc"
mount -t overlay -o ro,lowerdir="$tmp/bin:$tmp/empty" overlay "$overlay"

# crun's wrapper: unshare -m makes the new namespace's mounts private (--propagation private is
# `mount --make-rprivate /`), so the umount and the cgroup2 mount never reach the host.
wrap="unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec \"\$0\" \"\$@\"'"
rt_cmd[ours]="$ours --root $tmp/root-ours"
rt_cmd[sealed]="$overlay/runc --root $tmp/root-ours"
rt_cmd[oursv2]="$wrap $ours --root $tmp/root-ours"
rt_cmd[runc]="$debian_runc --root $tmp/root-runc"
rt_cmd[crun]="$wrap $crun --root $tmp/root-crun --cgroup-manager=disabled"
wrapper_true="$wrap /bin/true"

# Sanity: every runtime runs the bundle (a failure here would otherwise be timed as a fast run).
for rt in ours sealed oursv2 runc crun; do
  if ! eval "${rt_cmd[$rt]}" run --bundle "$bundle" "$tag-$rt-run" </dev/null; then
    echo "lifecycle.sh: $rt cannot run the bundle" >&2
    exit 1
  fi
done

# exec: one sleeping container per runtime, made once (the same rootfs, args ["sleep", "1000"]).
exec_ready=
mkdir -p "$tmp/sleeper"
ln -s busybox "$bundle/rootfs/bin/sleep"
python3 - "$bundle/config.json" "$tmp/sleeper/config.json" "$bundle/rootfs" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    config = json.load(f)
config["process"]["args"] = ["sleep", "1000"]
config["root"]["path"] = sys.argv[3]
with open(sys.argv[2], "w") as f:
    json.dump(config, f, indent=2)
EOF
if "$ours" exec --help >/dev/null 2>&1; then
  for rt in ours runc crun; do
    eval "${rt_cmd[$rt]}" run -d --bundle "$tmp/sleeper" "$tag-$rt-exec" </dev/null >/dev/null 2>&1 ||
      { echo "lifecycle.sh: $rt cannot start the exec sleeper" >&2; exit 1; }
  done
  exec_ready=1
else
  echo "lifecycle.sh: ours has no exec: exec not timed" >&2
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
json_dir=${KEEP_JSON:-$tmp/json}
mkdir -p "$json_dir"

# ---- timing -----------------------------------------------------------------------------------
# hyperfine's outlier warnings are expected here; its other messages matter when it fails.
hf() { hyperfine -N --style none --warmup 1 --runs "${HF_RUNS:-$RUNS}" "$@" >/dev/null 2>"$tmp/hf.err" || { cat "$tmp/hf.err" >&2; return 1; }; }
for round in $(seq "$ROUNDS"); do
  echo "round $round/$ROUNDS (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  args=()
  for rt in ours sealed oursv2 runc crun; do
    args+=(-n "$rt" "${rt_cmd[$rt]} run --bundle $bundle $tag-$rt-run")
  done
  args+=(-n wrapper "$wrapper_true")
  args+=(-n floor "$floor $bundle/rootfs $tag-floor")
  hf --export-json "$json_dir/run-$round.json" "${args[@]}"

  for op in create start delete state kill; do
    case $op in
      create) prep=absent ;;
      start | state | kill) prep=created ;;
      delete) prep=stopped ;;
    esac
    args=()
    for rt in ours runc crun; do
      id="$tag-$rt-$op"
      case $op in
        create) cmd="${rt_cmd[$rt]} create --bundle $bundle $id" ;;
        kill) cmd="${rt_cmd[$rt]} kill $id KILL" ;;
        *) cmd="${rt_cmd[$rt]} $op $id" ;;
      esac
      args+=(--prepare "bash $self --prep $prep $id ${rt_cmd[$rt]}" -n "$rt" "$cmd")
    done
    hf --export-json "$json_dir/$op-$round.json" "${args[@]}"
  done
  # What the last create/start rounds left behind.
  for rt in ours runc crun; do
    for op in create start state kill; do eval "${rt_cmd[$rt]}" delete --force "$tag-$rt-$op" >/dev/null 2>&1 || true; done
  done
  # exec into a running container (a sleeper made before the first round), when ours has exec.
  if [ -n "$exec_ready" ]; then
    args=()
    for rt in ours runc crun; do
      args+=(-n "$rt" "${rt_cmd[$rt]} exec $tag-$rt-exec true")
    done
    hf --export-json "$json_dir/exec-$round.json" "${args[@]}"
  fi
done

# ---- peak RSS of `run` ------------------------------------------------------------------------
# /usr/bin/time goes inside crun's wrapper, so that it measures crun and not unshare/sh/mount.
: >"$tmp/rss.txt"
wrap_time="unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec /usr/bin/time -v \"\$0\" \"\$@\"'"
for _ in $(seq "$RSS_RUNS"); do
  for rt in ours runc crun; do
    id="$tag-$rt-rss"
    case $rt in
      crun) cmd="$wrap_time $crun --root $tmp/root-crun --cgroup-manager=disabled run --bundle $bundle $id" ;;
      *) cmd="/usr/bin/time -v ${rt_cmd[$rt]} run --bundle $bundle $id" ;;
    esac
    kb=$(eval "$cmd" 2>&1 </dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p')
    echo "$rt $kb" >>"$tmp/rss.txt"
  done
done

# ---- scale: `run` with 100 containers running; `list` with 1,000 in the state root --------------
# Ours only (the issue's targets are relative to our own first run). SCALE=0 skips this part.
scale_root=$tmp/root-scale
scale_ids=
if [ "${SCALE:-1}" = 1 ]; then
  mkdir -p "$scale_root"
  echo "scale: run with 0 and with 100 containers running, list with 1000" >&2
  HF_RUNS=20 hf --export-json "$json_dir/scale-run0.json" -n run0 "$ours --root $scale_root run --bundle $bundle $tag-scale-run"
  for i in $(seq 100); do
    "$ours" --root "$scale_root" run -d --bundle "$tmp/sleeper" "$tag-s$i" </dev/null >/dev/null 2>&1 ||
      { echo "lifecycle.sh: sleeper $i did not start" >&2; exit 1; }
    scale_ids="$scale_ids $tag-s$i"
  done
  HF_RUNS=20 hf --export-json "$json_dir/scale-run100.json" -n run100 "$ours --root $scale_root run --bundle $bundle $tag-scale-run"
  for i in $(seq 101 1000); do
    "$ours" --root "$scale_root" create --bundle "$bundle" "$tag-s$i" </dev/null >/dev/null 2>&1 ||
      { echo "lifecycle.sh: container $i was not created" >&2; exit 1; }
    scale_ids="$scale_ids $tag-s$i"
  done
  n=$("$ours" --root "$scale_root" list -q | wc -l)
  [ "$n" = 1000 ] || { echo "lifecycle.sh: list shows $n containers, not 1000" >&2; exit 1; }
  HF_RUNS=20 hf --export-json "$json_dir/scale-list1000.json" -n list1000 "$ours --root $scale_root list"
  for id in $scale_ids; do "$ours" --root "$scale_root" delete --force "$id" </dev/null >/dev/null 2>&1; done
  scale_ids=
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -----------------------------------------------------------------------------------
python3 - "$json_dir" "$tmp/rss.txt" "$load_before" "$load_after" "$ROUNDS" "$RUNS" "$BENCH_TMPDIR" <<'EOF'
import glob, json, os, statistics, sys

json_dir, rss_file, load_before, load_after, rounds, runs, tmpdir = sys.argv[1:8]
times = {}  # (op, runtime) -> wall seconds of every run
cpu = {}  # (op, runtime) -> user+system seconds, one mean per round (hyperfine keeps no more)
for path in glob.glob(os.path.join(json_dir, "*.json")):
    op = os.path.basename(path).split("-")[0]
    with open(path) as f:
        for result in json.load(f)["results"]:
            times.setdefault((op, result["command"]), []).extend(result["times"])
            cpu.setdefault((op, result["command"]), []).append(result["user"] + result["system"])

def med(op, rt):
    return statistics.median(times[(op, rt)]) * 1000

def cpu_ms(op, rt):
    return statistics.mean(cpu[(op, rt)]) * 1000

print(f"{rounds} interleaved rounds x {runs} runs per command (n = {int(rounds) * int(runs)} each); "
      f"load average before {load_before}, after {load_after}; state roots in {tmpdir}.")
print()
print("Wall time, median:")
print()
print("| command | ours (ms) | runc 1.1.5 (ms) | crun 1.8.1 (ms, wrapper subtracted) | ours / crun | ours / runc |")
print("|---|---:|---:|---:|---:|---:|")
rows = []
wrapper = med("run", "wrapper")
ops = [op for op in ("run", "create", "start", "delete", "state", "kill", "exec") if (op, "ours") in times]
for op in ops:
    ours, runc, crun_raw = med(op, "ours"), med(op, "runc"), med(op, "crun")
    crun = crun_raw - wrapper
    rows.append((op, ours, runc, crun))
    print(f"| `{op}` | {ours:.1f} | {runc:.1f} | {crun:.1f} ({crun_raw:.1f} - {wrapper:.1f}) | "
          f"{ours / crun:.2f} | {ours / runc:.2f} |")
print()
# CPU time barely depends on how loaded the machine is, unlike wall time (which waits for a CPU
# at each hand-over between the runtime and its container process).
print("CPU time (user + system of the whole process tree hyperfine waits for), mean:")
print()
print("| command | ours (ms) | runc 1.1.5 (ms) | crun 1.8.1 (ms, wrapper subtracted) | ours / crun | ours / runc |")
print("|---|---:|---:|---:|---:|---:|")
wrapper_cpu = cpu_ms("run", "wrapper")
for op in ops:
    ours, runc, crun_raw = cpu_ms(op, "ours"), cpu_ms(op, "runc"), cpu_ms(op, "crun")
    crun = crun_raw - wrapper_cpu
    print(f"| `{op}` | {ours:.1f} | {runc:.1f} | {crun:.1f} ({crun_raw:.1f} - {wrapper_cpu:.1f}) | "
          f"{ours / crun:.2f} | {ours / runc:.2f} |")
print()
sealed = med("run", "sealed")
ours_run = med("run", "ours")
print(f"Re-exec from a sealed copy: `run` {ours_run:.1f} ms, the same binary already sealed "
      f"(read-only overlayfs, no re-exec) {sealed:.1f} ms: the re-exec costs {ours_run - sealed:.1f} ms wall "
      f"({(ours_run - sealed) / ours_run * 100:.0f} % of `run`), "
      f"{cpu_ms('run', 'ours') - cpu_ms('run', 'sealed'):.1f} ms CPU "
      f"({cpu_ms('run', 'ours'):.1f} vs {cpu_ms('run', 'sealed'):.1f}).")
v2 = med("run", "oursv2") - wrapper
v2_cpu = cpu_ms("run", "oursv2") - wrapper_cpu
print(f"Ours in crun's wrapper (cgroup2 only, wrapper subtracted): `run` {v2:.1f} ms wall "
      f"({v2 / rows[0][3]:.2f} x crun), {v2_cpu:.1f} ms CPU.")
print()
rss = {}
with open(rss_file) as f:
    for line in f:
        parts = line.split()
        if len(parts) == 2:
            rss.setdefault(parts[0], []).append(int(parts[1]))
print("| peak RSS of `run` (median of %d) | ours | runc 1.1.5 | crun 1.8.1 |" % max(len(v) for v in rss.values()))
print("|---|---:|---:|---:|")
print("| Maximum resident set size (KiB) | " +
      " | ".join(str(int(statistics.median(rss.get(rt, [0])))) for rt in ("ours", "runc", "crun")) + " |")
print()
_, ours, runc, crun = rows[0]
rss_ours, rss_crun = statistics.median(rss["ours"]), statistics.median(rss["crun"])
floor = med("run", "floor")
print(f"The floor program (tests/bench/floor.c, the same kernel calls with the same cgroup work): `run` "
      f"{floor:.1f} ms wall, {cpu_ms('run', 'floor'):.1f} ms CPU; ours is {ours / floor:.2f} x the floor.")
print()
def target(name, value, limit, unit="x"):
    return f"- {name}: {value:.2f} {unit} against at most {limit} {unit}: **{'met' if value <= limit else 'missed'}**"
by_op = {op: (o, r, c) for op, o, r, c in rows}
print("Targets (issue 10):")
print()
print(target("`run` / floor", ours / floor, 1.3))
print(target("`run` / crun on crun's footing (ours in the wrapper, both cgroup2 only; ours makes a cgroup, crun none)",
             v2 / crun, 0.7))
print(target("`create` / crun", by_op["create"][0] / by_op["create"][2], 1.0))
for op in ("start", "delete", "state", "kill", "exec"):
    if op in by_op:
        print(target(f"`{op}` / crun", by_op[op][0] / by_op[op][2], 0.7))
print(target("peak RSS of `run`", rss_ours / 1024, 2.5, "MiB"))
scale = {}
for path in glob.glob(os.path.join(json_dir, "scale-*.json")):
    with open(path) as f:
        for result in json.load(f)["results"]:
            scale[result["command"]] = statistics.median(result["times"]) * 1000
if scale:
    print(target(f"`run` with 100 containers running / the first `run` ({scale['run100']:.1f} / {scale['run0']:.1f} ms)",
                 scale["run100"] / scale["run0"], 1.1))
    print(target("`list` with 1,000 containers in the state root", scale["list1000"], 50, "ms"))
EOF
