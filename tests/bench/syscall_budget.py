#!/usr/bin/env python3
"""`runc run` of the default bundle keeps its syscall count near the floor program's (issue 10).

Runs `strace -f` over `runc run` of a busybox bundle (the default spec with args ["true"]) and over
the floor program (tests/bench/floor.c: the same kernel calls and nothing else) and checks:
- the runtime makes at most BUDGET times the floor's syscalls (every call of the process tree,
  strace -f -c). At commit 3830881: 1,190 calls against 321 (3.7 x); with a mount destination opened by one
  openat2 when no symlink is on the way, cgroups made and removed without a look first and no time
  zone read: about 850 (2.65 x);
- it reads no time-zone file (/etc/localtime, /usr/share/zoneinfo): a timestamp in UTC needs none;
- it lists no cgroup directory of the container (getdents64): they have no child cgroups here, and
  a cgroup's link count says so.

Usage: syscall_budget.py [--no-count] FLOOR RUNC   (as root; exit 0 within, 1 over, 77 no strace /
       not root; --no-count: only the last two checks, for a sanitizer build)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floor_check  # noqa: E402  (the same bundle)

BUDGET = 3.0


def total_calls(argv, out):
    subprocess.run(["strace", "-f", "-c", "-o", out] + argv, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    with open(out) as f:
        for line in f:
            m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d*)\s*total\s*$", line)
            if m:
                return int(m.group(1))
    raise RuntimeError("no total in " + out)


def main():
    parsed = floor_check.parse_args("--no-count", __doc__)
    if isinstance(parsed, int):
        return parsed
    no_count, floor, runc = parsed
    count = not no_count
    tmp = tempfile.mkdtemp(prefix="runc-syscall-budget-")
    try:
        bundle, rootfs = floor_check.make_bundle(runc, tmp)
        state = os.path.join(tmp, "state")
        cid = "budget%d" % os.getpid()
        run = [runc, "--root", state, "run", "--bundle", bundle]
        problems = []
        if count:
            ours = total_calls(run + [cid + "a"], os.path.join(tmp, "ours.txt"))
            base = total_calls([floor, rootfs, cid + "f"], os.path.join(tmp, "floor.txt"))
            print("runc run: %d syscalls, floor: %d (%.2f x, budget %.1f x)" % (ours, base, ours / base, BUDGET))
            if ours > BUDGET * base:
                problems.append("%d syscalls, more than %.1f x the floor's %d" % (ours, BUDGET, base))
        trace = os.path.join(tmp, "trace.txt")
        subprocess.run(["strace", "-f", "-y", "-qq", "-o", trace, "-e", "trace=openat,openat2,getdents64"] +
                       run + [cid + "b"], check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        with open(trace) as f:
            lines = f.readlines()
        for line in lines:
            if "/etc/localtime" in line or "/usr/share/zoneinfo" in line:
                problems.append("a time-zone file is read: " + line.strip())
                break
        for line in lines:
            m = re.search(r"getdents64\(\d+<(/sys/fs/cgroup/[^>]*)>", line)
            if m and (cid + "b") in m.group(1):
                problems.append("a cgroup directory without children is listed: " + m.group(1))
                break
        for p in problems:
            print("FAILED: " + p)
        return 1 if problems else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
