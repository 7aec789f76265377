#!/usr/bin/env python3
"""Issue 10's step-by-step profile: where the time of one `runc run` (or create, start, delete,
kill) goes, part by part, from a system-wide `perf record` (see tests/bench/profile.sh) of
raw_syscalls, sched_switch, sched_process_{exec,fork,exit} and uprobes on the runtime's own
functions (perf probe -x, group `runcprof`). Reads `perf script` text on stdin.

For every traced command (a process that exec'd the binary under test), the runtime process's
timeline is cut at markers (its execs, probe hits, landmark syscalls: clone3, the init's
pivot_root, ...) into parts. Each part gets its wall time and the CPU time that the command's
processes (the runtime, its children: the init, the container's `true`) spent on a CPU within it,
from sched_switch. Medians over the runs. The tracing itself adds about 1 us per syscall (two
events), so parts made of many syscalls are a little inflated; shares are what to read.
"""
import collections
import re
import statistics
import sys

NR = {0: "read", 1: "write", 3: "close", 7: "poll", 46: "sendmsg", 47: "recvmsg", 59: "execve", 61: "wait4",
      73: "flock", 82: "rename", 83: "mkdir", 84: "rmdir", 87: "unlink", 155: "pivot_root", 165: "mount",
      257: "openat", 322: "execveat", 435: "clone3", 231: "exit_group", 62: "kill", 424: "pidfd_send_signal",
      434: "pidfd_open", 230: "clock_nanosleep", 35: "nanosleep", 428: "move_mount", 442: "mount_setattr",
      133: "mknod", 259: "mknodat", 88: "symlink", 266: "symlinkat", 157: "prctl", 4: "stat", 262: "newfstatat",
      9: "mmap", 11: "munmap", 12: "brk", 13: "rt_sigaction", 14: "rt_sigprocmask", 56: "clone", 57: "fork",
      39: "getpid", 110: "getppid", 72: "fcntl", 16: "ioctl", 89: "readlink", 137: "statfs", 138: "fstatfs",
      430: "fsopen", 431: "fsconfig", 432: "fsmount", 436: "close_range", 318: "getrandom", 302: "prlimit64"}

line_re = re.compile(r"^\s*(\S.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$")

events = []  # (time, cpu, pid, tid, event, text)
for line in sys.stdin:
    m = line_re.match(line)
    if not m:
        continue
    comm, pid, tid, cpu, t, ev, rest = m.groups()
    events.append((float(t), int(cpu), int(pid), int(tid), ev.rstrip(":"), rest, comm))
events.sort(key=lambda e: e[0])

binary = sys.argv[1] if len(sys.argv) > 1 else None
only = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--only" else None

# Process trees: roots are processes that exec'd the binary under test (by filename).
parent = {}
roots = []
root_of = {}
for t, cpu, pid, tid, ev, rest, comm in events:
    if ev == "sched:sched_process_fork":
        m = re.search(r"pid=(\d+) .*child_pid=(\d+)", rest)
        if m:
            p, c = int(m.group(1)), int(m.group(2))
            parent[c] = p
            if p in root_of:
                root_of[c] = root_of[p]
    elif ev == "sched:sched_process_exec":
        m = re.search(r"filename=(\S+) pid=(\d+)", rest)
        if m and binary and m.group(1) == binary and tid not in root_of:
            roots.append(tid)
            root_of[tid] = tid

# On-CPU intervals per tid from sched_switch (system-wide).
oncpu = collections.defaultdict(list)  # tid -> [(start, end)]
running = {}  # cpu -> (tid, since)
sw_re = re.compile(r"prev_pid=(\d+) .*==> next_comm=.* next_pid=(\d+)")
for t, cpu, pid, tid, ev, rest, comm in events:
    if ev != "sched:sched_switch":
        continue
    m = sw_re.search(rest)
    if not m:
        continue
    prev, nxt = int(m.group(1)), int(m.group(2))
    if cpu in running:
        r_tid, since = running[cpu]
        if r_tid == prev:
            oncpu[prev].append((since, t))
    running[cpu] = (nxt, t)


def cpu_in(tids, a, b):
    total = 0.0
    for tid in tids:
        for s, e in oncpu.get(tid, ()):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
    return total


def parts_of(root):
    """The marker list of one command: [(name_of_part_that_ends_here, time)]."""
    tree = {tid for tid, r in root_of.items() if r == root}
    evs = [e for e in events if e[3] in tree]
    marks = []
    execs = 0
    probe_seen = collections.Counter()
    init = None
    last_sys = {}
    pending_enter = {}
    state = {"cloned": False, "spawned": False, "send": 0, "recv": 0}
    for t, cpu, pid, tid, ev, rest, comm in evs:
        if ev == "sched:sched_process_exec":
            if tid == root:
                execs += 1
                marks.append(("exec", t, f"exec{execs}"))
            else:
                marks.append(("child_exec", t, "container process execve"))
        elif ev.startswith("runcprof:"):
            name = ev.split(":", 1)[1]
            if tid == root:
                probe_seen[name] += 1
                marks.append(("probe", t, name))
                if name == "Spawn__return":
                    state["spawned"] = True
        elif ev == "raw_syscalls:sys_enter":
            m = re.match(r"NR (-?\d+)", rest)
            nr = int(m.group(1))
            pending_enter[tid] = (nr, t)
            if tid == root and nr == 435:
                marks.append(("sys", t, "clone3 enter"))
            # The baton between the runtime and the init, after the clone (spawn.cc PassBaton).
            if tid == root and nr == 46 and state["cloned"] and not state["spawned"] and state["send"] < 2:
                state["send"] += 1
                marks.append(("sys", t, f"runtime passes the baton ({state['send']})"))
        elif ev == "raw_syscalls:sys_exit":
            m = re.match(r"NR (-?\d+) = (-?\d+)", rest)
            nr = int(m.group(1))
            ent = pending_enter.pop(tid, None)
            if tid == root and nr == 435 and int(m.group(2)) > 0:
                init = int(m.group(2))
                state["cloned"] = True
                marks.append(("sys", t, "clone3 exit"))
            if tid == root and nr == 47 and state["cloned"] and not state["spawned"] and state["recv"] < 2:
                state["recv"] += 1
                marks.append(("sys", t, f"baton back ({state['recv']})"))
            if tid != root and nr == 155:
                marks.append(("sys", t, "init pivot_root"))
            if ent and ent[1] and t - ent[1] > 0.0005:
                last = [m for m in marks if m[0] != "wait"]
                where = last[-1][2] if last else "?"
                marks.append(("wait", t, f"{NR.get(nr, nr)} by {'runtime' if tid == root else 'child'} after {where}: {1000 * (t - ent[1]):.2f} ms"))
        elif ev == "sched:sched_process_exit" and tid == root:
            marks.append(("exit", t, "runtime exit"))
        elif ev == "sched:sched_process_exit" and tid == init:
            marks.append(("exit", t, "container process exit"))
    return tree, marks


def main():
    if not roots:
        print("no traced command found", file=sys.stderr)
        sys.exit(1)
    cmd_of = {}
    # The command of each root: from its probes (which entry points it hit).
    table = collections.OrderedDict()
    waits = collections.defaultdict(list)
    nruns = collections.Counter()
    for root in roots:
        tree, marks = parts_of(root)
        names = [m[2] for m in marks]
        if "SuperviseForeground" in names:
            cmd = "run"
        elif "Spawn" in names:
            cmd = "create"
        elif "Start" in names or "StartWithPlan" in names:
            cmd = "start"
        elif "Delete" in names or "DeleteWithPlan" in names:
            cmd = "delete"
        elif "Kill" in names:
            cmd = "kill"
        else:
            continue
        if only and cmd != only:
            continue
        nruns[cmd] += 1
        # Cut points: the first occurrence of each marker name, in time order, named by what ends.
        cuts = []
        seen = set()
        for kind, t, name in marks:
            if kind == "wait":
                waits[cmd].append(name)
                continue
            key = name
            if key in seen and key not in ("exec2",):
                continue
            seen.add(key)
            cuts.append((t, name))
        cuts.sort()
        prev_t, prev_name = None, None
        for t, name in cuts:
            if prev_t is not None:
                label = f"{prev_name} -> {name}"
                table.setdefault(cmd, collections.OrderedDict()).setdefault(label, []).append(
                    (t - prev_t, cpu_in(tree, prev_t, t)))
            prev_t, prev_name = t, name
    for cmd, rows in table.items():
        n = nruns[cmd]
        total_wall = sum(statistics.median([w for w, c in v]) for v in rows.values())
        print(f"\n## {cmd} (n = {n}; median per part; total of medians {1000 * total_wall:.2f} ms)\n")
        print("| part (from marker -> to marker) | wall ms | share | CPU ms (all processes) | runs |")
        print("|---|---:|---:|---:|---:|")
        for label, v in rows.items():
            w = statistics.median([x for x, _ in v])
            c = statistics.median([y for _, y in v])
            print(f"| {label} | {1000 * w:.3f} | {100 * w / total_wall:.1f} % | {1000 * c:.3f} | {len(v)} |")
        ws = collections.defaultdict(list)
        for x in waits[cmd]:
            k, ms = x.rsplit(": ", 1)
            ws[k].append(float(ms.split()[0]))
        if ws:
            print("\nSyscalls that blocked more than 0.5 ms (where: how many times in all runs, median ms):\n")
            for k, v in sorted(ws.items(), key=lambda kv: -sum(kv[1])):
                print(f"- {k}: {len(v)}x, {statistics.median(v):.2f} ms")


main()
