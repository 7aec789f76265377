#!/usr/bin/env python3
"""Every state change of `runc run` happens inside a step of the plan that allows it.

Runs `strace -f` over `runc --debug run` of golden configs that can run here (a busybox rootfs is
made for them) and splits the trace into step windows: with --debug every step writes its line
"runc: debug: step N KIND" with one write(2) before it starts (a child's step is written by the
runtime, which the child waits for), so the strace log, in time order, holds these writes between
the syscalls. Each state-changing syscall of the runtime and its children must fall into the
window of a step whose kind allows it (KINDS below), and its namespace flags (clone, clone3,
unshare, setns) must be among that step's (from `runc plan --format json`). What a process does
after it executed a program that is not the runtime (the container process, a hook) is not the
runtime's. The runtime's housekeeping in its state directory (--root) is allowed in any window
(README, "What the plan does not show").

Usage: strace_test.py RUNC                (as root; exit 0 pass, 1 fail, 77 no strace / not root)
       strace_test.py --self-test RUNC    (doctored traces: an unlisted call, a call in the
                                           wrong step, a missing trace line must be caught)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "..", "golden")

# Configs of golden/ that run here, with what they add: the default (v1 and cgroup2 hierarchies,
# the rootfs, masks, read-only paths, caps, rlimit), a user and a cgroup namespace with the
# default mounts, bind and tmpfs mounts, a seccomp profile, raised and lowered rlimits, joined
# namespaces.
# joined-namespaces joins the host's pid and network namespaces (its paths become this test's /proc/PID/ns/*),
# which takes the helper process.
CASES = ["default", "userns-cgroupns", "mounts-bind", "seccomp", "rlimits", "joined-namespaces"]
# `runc --debug exec` of `true` into a detached container of these (the exec plan's steps).
EXEC_CASES = ["default", "userns-cgroupns", "rlimits"]  # (seccomp's profile stops a sleeping init)
NS_FILES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt", "user": "user",
            "cgroup": "cgroup", "time": "time"}

MOUNT = {"mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
         "open_tree", "mount_setattr", "chroot"}
FILES = {"mkdir", "mkdirat", "rmdir", "mknod", "mknodat", "symlink", "symlinkat", "chown", "fchown",
         "fchownat", "lchown", "chmod", "fchmod", "fchmodat", "unlink", "unlinkat", "rename",
         "renameat", "renameat2", "link", "linkat"}
WRITES = {"write", "pwrite64", "writev", "pwritev", "pwritev2"}
NAMESPACES = {"clone", "clone3", "unshare", "setns", "fork", "vfork"}
CREDS = {"capset", "prctl", "seccomp", "setrlimit", "prlimit64", "sethostname", "setdomainname",
         "keyctl", "add_key", "setsid", "setuid", "setgid", "setreuid", "setregid", "setresuid",
         "setresgid", "setfsuid", "setfsgid", "setgroups", "execve", "execveat", "umask", "chdir",
         "fchdir", "personality", "sched_setattr", "sched_setscheduler", "ioprio_set",
         "set_mempolicy", "bpf", "kill", "tgkill", "pidfd_send_signal", "close_range"}
CHECKED = MOUNT | FILES | WRITES | NAMESPACES | CREDS

# Step kind -> the state-changing syscalls it may make. "write" means a write to a file under /proc,
# /sys or a cgroup mount (other writes change nothing outside the runtime).
# The mount API calls a mount-making step may use (a mount by fd: fsopen ... move_mount).
NEW_MOUNT_API = {"fsopen", "fsconfig", "fsmount", "move_mount", "open_tree", "mount_setattr"}
KINDS = {
    "seal": {"fsopen", "fsconfig", "fsmount", "open_tree", "execveat", "execve"},
    "subreaper": {"prctl"},
    "notify.dir": {"mkdir", "mkdirat"},
    "state_dir": set(),  # housekeeping only: the state dir, its exec fifo
    "cgroup.mkdir": {"mkdir", "write"},
    "cgroup.write": {"write"},
    "cgroup.copy": {"write"},
    "cgroup.device": {"bpf"},
    "rdt.group": {"mkdir", "write"},
    "ns.open": set(),
    "hook": {"clone", "clone3", "fork", "vfork", "execve"},
    # the helper (before the clone) is forked in its first step, which also makes it non-dumpable
    # and arms its pdeathsig
    "time_offsets": {"unshare", "write", "prctl", "clone", "clone3"},
    "clone": {"clone", "clone3", "write"},
    "init": {"prctl", "close_range", "setsid"},
    "ns.join": {"setns", "prctl", "clone", "clone3"},
    "setgroups": {"write"},
    "uid_map": {"write"},
    "gid_map": {"write"},
    "cgroup.join": {"write"},
    "rdt.join": {"write"},
    "unshare": {"unshare", "prctl", "clone", "clone3"},
    "net_device": set(),
    "mount.idmap": {"open_tree", "mount_setattr", "clone", "clone3", "write"},
    "keyring": {"keyctl"},
    "stdio.chown": {"fchown", "fchownat"},
    "env.home": set(),     # reads the container's /etc/passwd
    "exec.lookup": set(),  # looks the program up
    "become_root": {"prctl", "setresgid", "setresuid"},
    "propagation": {"mount", "mount_setattr"},
    "rootfs_bind": {"mount"} | NEW_MOUNT_API,
    "mount": {"mount", "mkdirat", "mkdir"} | NEW_MOUNT_API,
    "tmpcopyup": {"mkdirat", "mkdir", "mknodat", "symlinkat", "fchownat", "fchown", "fchmodat", "fchmod",
                  "linkat"},
    "remount": {"mount"} | NEW_MOUNT_API,
    # umask 0 around the mknod, restored after
    "mknod": {"mknodat", "mknod", "fchownat", "fchown", "fchmodat", "fchmod", "umask"},
    "device_bind": {"mount", "mknodat"} | NEW_MOUNT_API,
    "symlink": {"symlinkat", "symlink"},
    "pivot_root": {"pivot_root", "umount2", "mount", "chdir", "fchdir"},
    "move_chroot": {"mount", "chroot", "chdir", "fchdir"},
    "mkdir": {"mkdirat", "mkdir"},
    "mask": {"mount"} | NEW_MOUNT_API,
    "readonly_path": {"mount"} | NEW_MOUNT_API,
    "root_readonly": {"mount"} | NEW_MOUNT_API,
    "sysctl": {"write"},
    "hostname": {"sethostname"},
    "domainname": {"setdomainname"},
    "rlimit": {"prlimit64", "setrlimit"},
    "oom_score_adj": {"write"},
    "user": {"setgroups", "setresgid", "setresuid", "prctl"},
    "umask": {"umask"},
    "caps": {"capset", "prctl"},
    "no_new_privs": {"prctl"},
    "personality": {"personality"},
    "scheduler": {"sched_setattr", "sched_setscheduler"},
    "io_priority": {"ioprio_set"},
    "memory_policy": {"set_mempolicy"},
    "seccomp": {"seccomp", "prctl", "close_range"},
    "cwd": {"chdir", "fchdir", "mkdirat"},
    "console": {"setsid"},
    "wait_start": {"prctl"},
    # prctl: the parent-death signal cleared (PrepareExecve: an exec's process has no wait_start).
    "execve": {"execve", "close_range", "prctl"},
    "kill": {"kill", "pidfd_send_signal", "tgkill"},
    "cgroup.rmdir": {"rmdir"},
    "rdt.rmdir": {"rmdir"},
    "state_remove": set(),
}

TRACE_RE = re.compile(r'^(\d+) +write\(\d+(?:<[^>]*>)?, "runc: debug: step (\d+) ([\w.]+)\\n"')
LINE_RE = re.compile(r'^(\d+) +(?:<\.\.\. (\w+) resumed>|(\w+)\()(.*)$')
RESULT_RE = re.compile(r'\) += (-?\d+|0x[0-9a-f]+)')
PATH_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
FDPATH_RE = re.compile(r'^\(?(-?\d+|AT_FDCWD)(?:<([^>]*)>)?')
CLONE_NEW = {"CLONE_NEWNS": 0x20000, "CLONE_NEWCGROUP": 0x2000000, "CLONE_NEWUTS": 0x4000000,
             "CLONE_NEWIPC": 0x8000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
             "CLONE_NEWNET": 0x40000000, "CLONE_NEWTIME": 0x80}


def ns_flags(args):
    """CLONE_NEW* bits named in a syscall's arguments (strace decodes them by name)."""
    bits = 0
    for name, bit in CLONE_NEW.items():
        if re.search(r"\b%s\b" % name, args):
            bits |= bit
    return bits


def first_path(args):
    """The path a file syscall acts on, joined with its dirfd's path (strace -y) when relative."""
    m = FDPATH_RE.match(args)
    dir_path = m.group(2) if m else None
    p = PATH_RE.search(args)
    if p is None:
        return dir_path or ""
    path = p.group(1)
    if not path.startswith("/") and dir_path:
        path = dir_path.rstrip("/") + "/" + path
    return path


def is_checked_write(args):
    """A write to a file under /proc, /sys or a cgroup mount (strace -y names the fd's file)."""
    m = re.match(r"^(\d+)<([^>]*)>", args)
    if not m:
        return False
    path = m.group(2)
    return path.startswith("/proc/") or path.startswith("/sys/") or "/cgroup" in path


def check(trace_lines, plan, state_root, runtime_exe):
    """Returns the violations (strings) found in a strace -f log of `runc --debug run`."""
    kinds = {s["index"]: s["kind"] for s in plan["steps"]}
    flags = {s["index"]: s.get("flags", 0) for s in plan["steps"]}
    violations = []
    step = None  # (index, kind) of the current window, by time order
    seen_steps = []
    foreign = set()  # pids that executed another program (the container process, hooks)
    pending = {}  # pid -> (name, args, step) of an unfinished call
    for raw in trace_lines:
        line = raw.rstrip("\n")
        t = TRACE_RE.match(line)
        if t:
            idx, kind = int(t.group(2)), t.group(3)
            if kinds.get(idx) != kind:
                violations.append("trace line of step %d %s, the plan says %s" % (idx, kind, kinds.get(idx)))
            step = (idx, kind)
            seen_steps.append(idx)
            continue
        m = LINE_RE.match(line)
        if not m:
            continue
        pid = int(m.group(1))
        if m.group(2):  # "<... name resumed>"
            name = m.group(2)
            if pid not in pending:
                continue
            _, args, at = pending.pop(pid)
            args = args + m.group(4)
        else:
            name = m.group(3)
            args = m.group(4)
            at = step
            if "<unfinished ...>" in args:
                pending[pid] = (name, args.replace("<unfinished ...>", ""), at)
                continue
        if name in ("clone", "clone3", "fork", "vfork"):
            r = RESULT_RE.search(args)
            if r and pid in foreign and int(r.group(1), 0) > 0:
                foreign.add(int(r.group(1), 0))
        if pid in foreign or name not in CHECKED:
            continue
        r = RESULT_RE.search(args)
        if r is None or r.group(1).startswith("-"):
            continue  # failed: changed nothing
        kind = at[1] if at else None
        where = "before step 1" if at is None else "in step %d %s" % at
        what = "%d %s(%s" % (pid, name, args[:160])
        if name in WRITES:
            if not is_checked_write(args):
                continue
        elif name in FILES:
            path = first_path(args)
            if path == state_root or path.startswith(state_root + "/"):
                continue  # housekeeping: the state dir, its files and the exec fifo
        elif name in ("kill", "tgkill", "pidfd_send_signal") and re.search(r",\s*0\s*[,)]", args):
            continue  # signal 0: an existence check
        elif name == "seccomp" and args.startswith("SECCOMP_GET_"):
            continue  # libseccomp asking the kernel what it supports
        elif name == "prctl" and re.match(r"^(PR_GET_\w+|PR_CAPBSET_READ|PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET)", args):
            continue  # a read
        elif name == "prlimit64":
            if re.match(r"^\d+, RLIMIT_\w+, NULL,", args):
                continue  # a read
        elif name in ("execve", "execveat"):
            if at is None and name == "execve" and args.startswith('"%s"' % runtime_exe):
                continue  # strace starting the runtime
            if kind in ("execve", "hook"):
                foreign.add(pid)
            elif kind == "seal" and name == "execve":
                # only the sealed copy of ourselves
                if not re.match(r'^"(/proc/self/fd/\d+|%s)"' % re.escape(runtime_exe), args):
                    violations.append("%s: execve of another program %s" % (what, where))
                    continue
        if kind is None:
            violations.append("%s: %s" % (what, where))
            continue
        if kind not in KINDS:
            violations.append("%s: %s, a kind the test does not know" % (what, where))
            continue
        if (name == "seccomp" and kind == "execve" and at[0] > 1 and kinds.get(at[0] - 1) == "seccomp"
                and args.startswith("SECCOMP_SET_MODE_FILTER")):
            # The execve step's trace line goes out right before the filter of the seccomp step
            # just before it is loaded: under the filter even that write or send may be refused
            # (executor/init/child.cc, BeforeSeccomp). The filter is that step's.
            continue
        if name not in KINDS[kind] and not (name in WRITES and "write" in KINDS[kind]):
            violations.append("%s: %s, which does not make that call" % (what, where))
            continue
        if name in ("clone", "clone3", "unshare", "setns"):
            bits = ns_flags(args)
            if name != "setns" and bits & ~flags.get(at[0], 0):
                violations.append("%s: %s, namespaces outside the step's flags" % (what, where))
    if not seen_steps:
        violations.append("no step trace line in the log")
    return violations


def make_rootfs(rootfs):
    for d in ("bin", "proc", "dev", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(rootfs, d), exist_ok=True)
    shutil.copy2("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
    for name in ("sh", "true", "sleep"):
        os.symlink("busybox", os.path.join(rootfs, "bin", name))


def make_bundle(case, tmp, golden=None):
    """The golden config of `golden` (default: `case`) in a bundle of its own, running `true`
    without a terminal."""
    bundle = os.path.join(tmp, case)
    os.makedirs(bundle)
    make_rootfs(os.path.join(bundle, "rootfs"))
    with open(os.path.join(GOLDEN, golden or case, "config.json")) as f:
        config = json.load(f)
    config["root"]["path"] = "rootfs"
    config["process"]["terminal"] = False
    config["process"]["args"] = ["true"]
    config["process"]["env"] = ["PATH=/bin"]
    config.setdefault("linux", {})["cgroupsPath"] = "/strace-test-%d-%s" % (os.getpid(), case)
    for ns in config["linux"].get("namespaces", []):
        if ns.get("path"):
            ns["path"] = "/proc/%d/ns/%s" % (os.getpid(), NS_FILES[ns["type"]])
    # Mounts under a read-only /sys cannot get a mount point here (mounts-bind's /sys/fs/cgroup2).
    config["mounts"] = [m for m in config.get("mounts", [])
                        if not m["destination"].startswith("/sys/") or m["destination"] == "/sys/fs/cgroup"]
    for m in config.get("mounts", []):
        if m.get("type") == "bind" or "bind" in m.get("options", []) or "rbind" in m.get("options", []):
            src = os.path.join(bundle, "src" + m["destination"].replace("/", "-"))
            os.makedirs(src, exist_ok=True)
            m["source"] = src
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f)
    return bundle


def trace_run(runc, case, tmp):
    """(trace lines, plan, state root, exit status) of strace -f runc --debug run of the case."""
    bundle = make_bundle(case, tmp)
    root = os.path.join(tmp, "state")
    os.makedirs(root, exist_ok=True)
    cid = "strace-%d-%s" % (os.getpid(), case)
    plan = json.loads(subprocess.run([runc, "--root", root, "plan", "--run", "--format", "json", "--id", cid,
                                      "--bundle", bundle], check=True, capture_output=True, text=True).stdout)
    out = os.path.join(tmp, case + ".strace")
    # The session keyring is a step of its own: its keyctl calls must fall into it (KINDS["keyring"]).
    cmd = ["strace", "-f", "-qq", "-y", "-s", "256", "-o", out, "-e", "trace=" + ",".join(sorted(CHECKED)),
           runc, "--debug", "--root", root, "run", "--bundle", bundle, cid]
    with open(os.path.join(tmp, case + ".stderr"), "w") as err:
        status = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err).returncode
    with open(out) as f:
        lines = f.readlines()
    return lines, plan, root, status


def trace_exec(runc, case, tmp):
    """(trace lines, exec plan, state root, exit status) of strace -f runc --debug exec of `true`
    into a detached container of the case (killed and deleted afterwards)."""
    bundle = make_bundle(case + "-exec", tmp, case)
    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    config["process"]["args"] = ["sleep", "60"]
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f)
    root = os.path.join(tmp, "state")
    os.makedirs(root, exist_ok=True)
    cid = "strace-%d-%s-exec" % (os.getpid(), case)
    process = os.path.join(tmp, case + "-exec.process.json")
    with open(process, "w") as f:
        json.dump({"args": ["true"], "env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}, f)
    subprocess.run([runc, "--root", root, "run", "-d", "--bundle", bundle, cid], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        plan = json.loads(subprocess.run([runc, "--root", root, "plan", "--exec", process, "--format", "json", cid],
                                         check=True, capture_output=True, text=True).stdout)
        out = os.path.join(tmp, case + "-exec.strace")
        cmd = ["strace", "-f", "-qq", "-y", "-s", "256", "-o", out, "-e", "trace=" + ",".join(sorted(CHECKED)),
               runc, "--debug", "--root", root, "exec", "--process", process, cid]
        with open(os.path.join(tmp, case + "-exec.stderr"), "w") as err:
            status = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err).returncode
        with open(out) as f:
            lines = f.readlines()
    finally:
        subprocess.run([runc, "--root", root, "delete", "--force", cid],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return lines, plan, root, status


def window_start(lines, kind):
    for i, line in enumerate(lines):
        t = TRACE_RE.match(line)
        if t and t.group(3) == kind:
            return i, int(t.group(1))
    raise AssertionError("no %s step in the trace" % kind)


def self_test(runc, tmp):
    lines, plan, root, status = trace_run(runc, "default", tmp)
    exe = os.path.realpath(runc)
    if status != 0:
        print("run failed (status %d)" % status)
        return 1
    print("the real trace: %d lines, %d of them step trace lines" % (len(lines), sum(1 for l in lines if TRACE_RE.match(l))))
    base = check(lines, plan, root, exe)
    if base:
        print("the real trace already fails:\n  " + "\n  ".join(base))
        return 1
    doctored = {}
    # An unlisted call: a sethostname in the state_dir step.
    i, pid = window_start(lines, "state_dir")
    doctored["an unlisted sethostname"] = lines[:i + 1] + ['%d sethostname("evil", 4) = 0\n' % pid] + lines[i + 1:]
    # A call of a real kind in the wrong step: a mount in the hostname step.
    i, pid = window_start(lines, "hostname")
    doctored["a mount in the hostname step"] = lines[:i + 1] + [
        '%d mount("/x", "/y", NULL, MS_BIND, NULL) = 0\n' % pid] + lines[i + 1:]
    # A step that runs without its trace line: the clone's calls land in the step before it.
    i, _ = window_start(lines, "clone")
    doctored["a clone without its trace line"] = lines[:i] + lines[i + 1:]
    # A cgroup write outside the cgroup steps: in the propagation step.
    i, pid = window_start(lines, "propagation")
    doctored["a cgroup write in the propagation step"] = lines[:i + 1] + [
        '%d write(5</sys/fs/cgroup/memory/x/memory.limit_in_bytes>, "1", 1) = 1\n' % pid] + lines[i + 1:]
    failed = False
    for what, trace in doctored.items():
        v = check(trace, plan, root, exe)
        print("%-40s %s" % (what, "caught: " + v[0] if v else "NOT CAUGHT"))
        failed = failed or not v
    return 1 if failed else 0


def main():
    # LeakSanitizer cannot run under ptrace: in the ASan build the traced runtime runs without it
    # (the rest of the suite keeps leak checking on), and without ASan's own setrlimit(RLIMIT_CORE)
    # at start-up, a call of the sanitizer's that no step makes.
    os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0:disable_coredump=0").lstrip(":")
    args = sys.argv[1:]
    selftest = bool(args) and args[0] == "--self-test"
    if selftest:
        args = args[1:]
    if len(args) != 1:
        print(__doc__)
        return 2
    runc = os.path.abspath(args[0])
    if os.geteuid() != 0:
        print("SKIPPED: needs root")
        return 77
    if not shutil.which("strace"):
        print("SKIPPED: strace is not installed (make deps)")
        return 77
    tmp = tempfile.mkdtemp(prefix="runc-strace-test-")
    os.chmod(tmp, 0o755)  # the user namespace's root reaches the rootfs
    keep = os.environ.get("KEEP_STRACE")
    try:
        if selftest:
            return self_test(runc, tmp)
        failed = False
        exe = os.path.realpath(runc)
        runs = [(case, trace_run) for case in CASES] + [(case + "-exec", trace_exec) for case in EXEC_CASES]
        for name, tracer in runs:
            case = name[:-5] if name.endswith("-exec") else name
            lines, plan, root, status = tracer(runc, case, tmp)
            v = check(lines, plan, root, exe)
            case = name
            with open(os.path.join(tmp, case + ".stderr")) as f:
                errors = [l for l in f.read().splitlines() if l.startswith("runc: ") and " debug: " not in l]
            if errors:
                v.append("run failed (exit %d): %s" % (status, errors[-1]))
            n = sum(1 for l in lines if TRACE_RE.match(l))
            print("%-16s %4d trace lines, %5d strace lines: %s" % (case, n, len(lines), "ok" if not v else "FAILED"))
            for x in v:
                print("    " + x)
            failed = failed or bool(v)
        return 1 if failed else 0
    finally:
        if keep:
            print("traces kept in " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
