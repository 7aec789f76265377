#!/usr/bin/env python3
"""The floor program (tests/bench/floor.c) keeps doing what the default plan does.

Runs `strace -f -c` over `floor ROOTFS ID` and over `runc run` of the same busybox bundle (the
default spec with args ["true"]) and compares, class by class, the number of *successful*
state-changing calls: mounts attached (mount, move_mount, mount_setattr), directories made
(cgroups, state, mount points), device nodes, symlinks, rmdir, pivot_root, umount2, sethostname,
keyctl, setsid, capset, setgroups, setresuid, setresgid, clone. The runtime's own housekeeping is
allowed for by name: its exec fifo (one mknod). Any other difference fails the check, so a floor
that skips work the plan does (and would look faster for it) cannot stay in the benchmark.

Usage: floor_check.py FLOOR RUNC         (as root; exit 0 equal, 1 different, 77 no strace/root)
       floor_check.py --self-test FLOOR RUNC   (a floor run with --no-cgroup must be caught)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CLASSES = {
    "mount": ("mount", "move_mount", "mount_setattr"),
    "mkdir": ("mkdir", "mkdirat"),
    "mknod": ("mknod", "mknodat"),
    "symlink": ("symlink", "symlinkat"),
    "rmdir": ("rmdir",),
    "pivot_root": ("pivot_root",),
    "umount2": ("umount2",),
    "sethostname": ("sethostname",),
    "keyctl": ("keyctl",),
    "setsid": ("setsid",),
    "capset": ("capset",),
    "setgroups": ("setgroups",),
    "setresuid": ("setresuid",),
    "setresgid": ("setresgid",),
    "clone": ("clone", "clone3"),
}
# What the runtime does for its own state and nothing else (README, "What the plan does not show").
HOUSEKEEPING = {"mknod": 1}  # the exec fifo in the state directory


def summary(argv, out):
    """{class: successful calls} from strace -f -c of argv."""
    subprocess.run(["strace", "-f", "-c", "-o", out] + argv, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    counts = {}
    with open(out) as f:
        for line in f:
            m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d*)\s*(\w+)\s*$", line)
            if not m:
                continue
            calls, errors, name = int(m.group(1)), int(m.group(2) or 0), m.group(3)
            for cls, names in CLASSES.items():
                if name in names:
                    counts[cls] = counts.get(cls, 0) + calls - errors
    return counts


def make_bundle(runc, tmp):
    """A busybox bundle in tmp/bundle (the default spec, args ["true"], no terminal) and the state
    root tmp/state; returns (bundle, rootfs). syscall_budget.py uses it too."""
    rootfs = os.path.join(tmp, "bundle", "rootfs")
    bundle = os.path.join(tmp, "bundle")
    # An image's usual top-level directories, and the state root, exist before either run, so
    # that neither finds them made by the other.
    for d in ("bin", "proc", "dev", "sys"):
        os.makedirs(os.path.join(rootfs, d))
    os.makedirs(os.path.join(tmp, "state"))
    shutil.copy2("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
    os.symlink("busybox", os.path.join(rootfs, "bin", "true"))
    subprocess.run([runc, "spec", "--bundle", bundle], check=True)
    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    config["process"]["terminal"] = False
    config["process"]["args"] = ["true"]
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f)
    return bundle, rootfs


def compare(floor_args, runc, tmp):
    bundle, rootfs = make_bundle(runc, tmp)
    cid = "floorcheck%d" % os.getpid()
    ours = summary([runc, "--root", os.path.join(tmp, "state"), "run", "--bundle", bundle, cid],
                   os.path.join(tmp, "ours.txt"))
    floor = summary(floor_args(rootfs, cid + "f"), os.path.join(tmp, "floor.txt"))
    diffs = []
    for cls in CLASSES:
        want = ours.get(cls, 0) - HOUSEKEEPING.get(cls, 0)
        got = floor.get(cls, 0)
        print("%-12s runc run %3d (housekeeping %d)   floor %3d%s" %
              (cls, ours.get(cls, 0), HOUSEKEEPING.get(cls, 0), got, "" if got == want else "   DIFFERENT"))
        if got != want:
            diffs.append(cls)
    return diffs


def parse_args(flag, doc):
    """(whether `flag` came first, FLOOR, RUNC) from the command line, or an exit status: 2 for a
    usage error, 77 when not root or without strace. syscall_budget.py uses it too."""
    # LeakSanitizer cannot run under ptrace: in the ASan build the traced runtime runs without it
    # (the rest of the suite keeps leak checking on).
    os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    args = sys.argv[1:]
    given = bool(args) and args[0] == flag
    if given:
        args = args[1:]
    if len(args) != 2:
        print(doc)
        return 2
    if os.geteuid() != 0:
        print("SKIPPED: needs root")
        return 77
    if not shutil.which("strace"):
        print("SKIPPED: strace is not installed (make deps)")
        return 77
    return (given,) + tuple(os.path.abspath(a) for a in args)


def main():
    parsed = parse_args("--self-test", __doc__)
    if isinstance(parsed, int):
        return parsed
    self_test, floor, runc = parsed
    tmp = tempfile.mkdtemp(prefix="runc-floor-check-")
    try:
        if self_test:
            diffs = compare(lambda r, i: [floor, r, i, "--no-cgroup"], runc, tmp)
            if not diffs:
                print("self-test FAILED: a floor without its cgroup work was not caught")
                return 1
            print("self-test ok: a floor without its cgroup work differs in " + ", ".join(diffs))
            return 0
        diffs = compare(lambda r, i: [floor, r, i], runc, tmp)
        if diffs:
            print("the floor program no longer does what the plan does: " + ", ".join(diffs))
            return 1
        print("the floor program makes the plan's state-changing calls")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
