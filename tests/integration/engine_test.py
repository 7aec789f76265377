#!/usr/bin/env python3
"""podman and containerd driving a runtime binary unchanged, as their users drive them.

Each engine gets private configuration, storage and state under a temporary directory, and a
busybox image made here from busybox-static (podman: `podman import` of a rootfs tarball;
containerd: `ctr image import` of a hand-made OCI image layout). The runtime under test is given
to podman as a file named `runc` (podman passes runc's flags only to a runtime of that name) and
to containerd's runc shim with `ctr run --runc-binary`. Then each engine feature that calls the
runtime is used and its effect checked from inside the container or from the host.

Usage: engine_test.py RUNC [podman|containerd ...]
Exit 0: every check passed. 1: a check failed (each failure printed with the engine's output).
77: an engine is not installed (ctest reports it as skipped, with the reason on stdout).
Run it with RUNC=/usr/sbin/runc to see the same checks pass with Debian's runc.
"""
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import hashlib
import io
import time

SKIP = 77
FAILURES = []
CHECKS = 0
BUSYBOX = "/bin/busybox"


def log(msg):
    print(msg, flush=True)


def check(name, ok, detail=""):
    global CHECKS
    CHECKS += 1
    log(("ok     " if ok else "FAILED ") + name + ("" if ok else "\n        " + detail.replace("\n", "\n        ")))
    if not ok:
        FAILURES.append(name)
    return ok


def run(argv, env=None, timeout=60, input=None):
    """(exit status, stdout, stderr) of argv; a timeout is exit status -999."""
    try:
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                           input=input, stdin=None if input is not None else subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return -999, out, "timed out after %ss" % timeout


def run_pty(argv, env=None, timeout=60):
    """Runs argv with a new pty as its stdin/stdout/stderr: (exit status, output)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvpe(argv[0], argv, env or os.environ)
        finally:
            os._exit(127)
    out = b""
    deadline = time.monotonic() + timeout
    status = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
            return -999, out.decode(errors="replace") + "\n(timed out)"
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if chunk:
                out += chunk
                continue
        if status is None:
            wpid, st = os.waitpid(pid, os.WNOHANG if r == [] else 0)
            if wpid == pid:
                status = os.waitstatus_to_exitcode(st)
                # drain
                while True:
                    r, _, _ = select.select([fd], [], [], 0.2)
                    if not r:
                        break
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    out += chunk
                os.close(fd)
                return status, out.decode(errors="replace")


def make_rootfs(path):
    for d in ("bin", "etc", "tmp", "proc", "sys", "dev", "root"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    shutil.copy2(BUSYBOX, os.path.join(path, "bin/busybox"))
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True).stdout.split()
    for a in applets:
        if a != "busybox":
            os.symlink("busybox", os.path.join(path, "bin", a))
    with open(os.path.join(path, "etc/passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    with open(os.path.join(path, "etc/group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    os.chmod(os.path.join(path, "tmp"), 0o1777)


class Runtime:
    """The runtime under test, also as a file named `runc` for podman."""

    def __init__(self, binary, tmp):
        self.binary = os.path.abspath(binary)
        self.dir = os.path.join(tmp, "runtime")
        os.makedirs(self.dir)
        self.runc = os.path.join(self.dir, "runc")
        os.symlink(self.binary, self.runc)


# ---------------------------------------------------------------------------------------------
# podman


def podman_test(runtime, tmp):
    if not shutil.which("podman") or not shutil.which("conmon"):
        return "podman or conmon is not installed"
    base = os.path.join(tmp, "podman")
    os.makedirs(base)
    rootfs = os.path.join(base, "rootfs")
    make_rootfs(rootfs)
    tarpath = os.path.join(base, "bb.tar")
    with tarfile.open(tarpath, "w") as t:
        t.add(rootfs, arcname=".")
    conf = os.path.join(base, "containers.conf")
    with open(conf, "w") as f:
        f.write('[containers]\nnetns="none"\n'
                'default_ulimits=["nofile=20000:20000","nproc=32768:32768"]\n'
                '[engine]\ncgroup_manager="cgroupfs"\nevents_logger="file"\nruntime="runc"\n'
                'volume_path="%s/volumes"\nstatic_dir="%s/libpod"\ntmp_dir="%s/tmp"\n'
                '[engine.runtimes]\nrunc=["%s"]\n' % (base, base, base, runtime.runc))
    sconf = os.path.join(base, "storage.conf")
    with open(sconf, "w") as f:
        f.write('[storage]\ndriver="overlay"\nrunroot="%s/runroot"\ngraphroot="%s/graph"\n' % (base, base))
    env = dict(os.environ, CONTAINERS_CONF=conf, CONTAINERS_STORAGE_CONF=sconf,
               XDG_CONFIG_HOME=os.path.join(base, "xdg"), TMPDIR=os.path.join(base, "tmpdir"))
    os.makedirs(env["TMPDIR"])
    P = ["podman", "--root", base + "/graph", "--runroot", base + "/runroot", "--tmpdir", base + "/tmp",
         "--runtime", runtime.runc, "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
    img = "localhost/runc-engine-test-bbox"
    started = []

    def pod(*args, timeout=60, input=None):
        return run(P + list(args), env=env, timeout=timeout, input=input)

    try:
        rc, out, err = pod("import", tarpath, img)
        if not check("podman import", rc == 0, err):
            return None
        cgparent = "/runc-engine-test-%d" % os.getpid()

        rc, out, err = pod("run", "--rm", "--cgroup-parent", cgparent, img, "sh", "-c", "echo hello; exit 3")
        check("podman run: output", out.strip() == "hello", out + err)
        check("podman run: exit status", rc == 3, "rc=%d %s" % (rc, err))

        rc, out = run_pty(P + ["run", "--rm", "-t", "--cgroup-parent", cgparent, img, "sh", "-c",
                               "tty; echo cols=$(stty size)"], env=env)
        check("podman run -t: a terminal inside", rc == 0 and "/dev/pts/" in out and "cols=" in out, "rc=%d %s" % (rc, out))

        rc, out, err = pod("run", "--rm", "--read-only", "--tmpfs", "/t", "--cgroup-parent", cgparent, img, "sh", "-c",
                           "touch /x 2>/dev/null && echo rootfs-writable; echo data > /t/f && cat /t/f")
        check("podman run --read-only --tmpfs", rc == 0 and out.strip() == "data", "rc=%d %s %s" % (rc, out, err))

        rc, out, err = pod("run", "--rm", "--init", "--cgroup-parent", cgparent, img, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '")
        check("podman run --init: podman-init (catatonit) is pid 1", rc == 0 and "podman-init" in out, "rc=%d %s %s" % (rc, out, err))

        name = "runc-engine-test-%d" % os.getpid()
        rc, out, err = pod("run", "-d", "--name", name, "--cgroup-parent", cgparent, img, "sleep", "1000")
        if not check("podman run -d", rc == 0, err):
            return None
        started.append(name)

        rc, out, err = pod("exec", name, "sh", "-c", "echo in-exec; exit 4")
        check("podman exec: output and exit status", rc == 4 and out.strip() == "in-exec", "rc=%d %s %s" % (rc, out, err))

        rc, out = run_pty(P + ["exec", "-t", name, "sh", "-c", "tty"], env=env)
        check("podman exec -t: a terminal", rc == 0 and "/dev/pts/" in out, "rc=%d %s" % (rc, out))

        rc, out, err = pod("pause", name)
        check("podman pause", rc == 0, err)
        rc, out, err = pod("inspect", "--format", "{{.State.Status}}", name)
        check("podman inspect says paused", out.strip() == "paused", out + err)
        rc, out, err = pod("unpause", name)
        check("podman unpause", rc == 0, err)
        rc, out, err = pod("exec", name, "true")
        check("podman exec after unpause", rc == 0, err)

        rc, out, err = pod("update", "--memory", "64m", name)
        check("podman update --memory", rc == 0, err)
        rc, pid, err = pod("inspect", "--format", "{{.State.Pid}}", name)
        limit = None
        try:
            with open("/proc/%s/cgroup" % pid.strip()) as f:
                for line in f:
                    _, ctrls, path = line.strip().split(":", 2)
                    if "memory" in ctrls.split(","):
                        with open("/sys/fs/cgroup/memory%s/memory.limit_in_bytes" % path) as g:
                            limit = int(g.read())
                    elif ctrls == "" and not os.path.exists("/sys/fs/cgroup/memory") and limit is None:
                        with open("/sys/fs/cgroup%s/memory.max" % path) as g:
                            limit = int(g.read())
        except (OSError, ValueError) as e:
            limit = "error: %s" % e
        check("podman update --memory reaches the cgroup", limit == 64 * 1024 * 1024, "limit=%r" % limit)

        rc, out, err = pod("top", name)
        check("podman top", rc == 0 and "sleep 1000" in out, "rc=%d %s %s" % (rc, out, err))

        rc, out, err = pod("stats", "--no-stream", "--format", "{{.MemUsage}}", name)
        check("podman stats", rc == 0 and out.strip() != "", "rc=%d %s %s" % (rc, out, err))

        rc, out, err = pod("kill", "--signal", "TERM", name)
        # sleep as pid 1 ignores TERM: the container must still be running
        time.sleep(0.3)
        rc2, out2, err2 = pod("inspect", "--format", "{{.State.Status}}", name)
        check("podman kill TERM (ignored by pid 1)", rc == 0 and out2.strip() == "running", out + err + out2 + err2)

        rc, out, err = pod("stop", "-t", "1", name)
        check("podman stop", rc == 0, err)
        rc, out, err = pod("inspect", "--format", "{{.State.Status}}", name)
        check("podman inspect says exited", out.strip() == "exited", out + err)

        rc, out, err = pod("rm", name)
        check("podman rm", rc == 0, err)
        if rc == 0:
            started.remove(name)
        return None
    finally:
        for n in started:
            pod("rm", "-f", "-t", "0", n)
        pod("rmi", "-f", img)
        # podman leaves its overlay mounts and storage; unmount what is under base.
        subprocess.run(["podman", "--root", base + "/graph", "--runroot", base + "/runroot", "system", "reset", "-f"],
                       env=env, capture_output=True)
        cleanup_mounts(base)


# ---------------------------------------------------------------------------------------------
# containerd


def oci_image(rootfs, name):
    """A hand-made OCI image layout tarball (bytes) with one layer holding rootfs."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        t.add(rootfs, arcname=".")
    layer = layer.getvalue()
    diff = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
                         "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
    cdig = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": cdig, "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                       "digest": diff, "size": len(layer)}]}).encode()
    mdig = "sha256:" + hashlib.sha256(manifest).hexdigest()
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdig, "size": len(manifest),
         "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": "latest"}}]}).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        def add(path, data):
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", index)
        for dig, data in ((diff, layer), (cdig, config), (mdig, manifest)):
            add("blobs/sha256/" + dig.split(":")[1], data)
    return out.getvalue()


def containerd_test(runtime, tmp):
    for tool in ("containerd", "ctr", "containerd-shim-runc-v2"):
        if not shutil.which(tool):
            return tool + " is not installed"
    base = os.path.join(tmp, "containerd")
    os.makedirs(base)
    sock = os.path.join(base, "containerd.sock")
    cfg = os.path.join(base, "config.toml")
    with open(cfg, "w") as f:
        f.write('version = 2\nroot = "%s/root"\nstate = "%s/state"\n'
                '[grpc]\naddress = "%s"\n[ttrpc]\naddress = "%s.ttrpc"\n'
                'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n' % (base, base, sock, sock))
    logf = open(os.path.join(base, "containerd.log"), "w")
    daemon = subprocess.Popen(["containerd", "--config", cfg], stdout=logf, stderr=logf,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    ns = "runc-engine-test-%d" % os.getpid()
    C = ["ctr", "--address", sock, "--namespace", ns]
    img = "localhost/runc-engine-test-bbox:latest"
    tasks = []

    def ctr(*args, timeout=60):
        return run(C + list(args), timeout=timeout)

    try:
        for _ in range(100):
            if os.path.exists(sock) and ctr("version")[0] == 0:
                break
            time.sleep(0.1)
        rootfs = os.path.join(base, "rootfs")
        make_rootfs(rootfs)
        ipath = os.path.join(base, "image.tar")
        with open(ipath, "wb") as f:
            f.write(oci_image(rootfs, img))
        rc, out, err = ctr("image", "import", ipath)
        if not check("ctr image import", rc == 0, out + err):
            return None
        R = ["--runc-binary", runtime.binary]
        cid = "e%d" % os.getpid()

        rc, out, err = ctr("run", "--rm", *R, img, cid + "a", "sh", "-c", "echo hello; exit 3")
        check("ctr run: output", out.strip() == "hello", out + err)
        check("ctr run: exit status", rc == 3, "rc=%d %s" % (rc, err))

        rc, out = run_pty(C + ["run", "--rm", "-t", *R, img, cid + "t", "sh", "-c", "tty"], timeout=30)
        check("ctr run -t: a terminal inside, and it ends", rc == 0 and "/dev/pts/" in out, "rc=%d %s" % (rc, out))

        rc, out, err = ctr("run", "-d", *R, img, cid, "sleep", "1000")
        if not check("ctr run -d", rc == 0, out + err):
            return None
        tasks.append(cid)

        rc, out, err = ctr("task", "exec", "--exec-id", "x1", cid, "sh", "-c", "echo in-exec; exit 5")
        check("ctr task exec: output and exit status", rc == 5 and out.strip() == "in-exec", "rc=%d %s %s" % (rc, out, err))

        rc, out = run_pty(C + ["task", "exec", "-t", "--exec-id", "x2", cid, "sh", "-c", "tty"], timeout=30)
        check("ctr task exec -t: a terminal", rc == 0 and "/dev/pts/" in out, "rc=%d %s" % (rc, out))

        rc, out, err = ctr("task", "ps", cid)
        check("ctr task ps", rc == 0 and len(out.strip().splitlines()) >= 2, "rc=%d %s %s" % (rc, out, err))

        rc, out, err = ctr("task", "pause", cid)
        check("ctr task pause", rc == 0, err)
        rc, out, err = ctr("task", "ls")
        check("ctr task ls says PAUSED", any(cid in l and "PAUSED" in l for l in out.splitlines()), out + err)
        rc, out, err = ctr("task", "resume", cid)
        check("ctr task resume", rc == 0, err)
        rc, out, err = ctr("task", "ls")
        check("ctr task ls says RUNNING", any(cid in l and "RUNNING" in l for l in out.splitlines()), out + err)

        rc, out, err = ctr("task", "kill", "-s", "SIGKILL", cid)
        check("ctr task kill", rc == 0, err)
        for _ in range(50):
            rc, out, err = ctr("task", "ls")
            if any(cid in l and "STOPPED" in l for l in out.splitlines()):
                break
            time.sleep(0.1)
        check("ctr task ls says STOPPED after kill", any(cid in l and "STOPPED" in l for l in out.splitlines()), out + err)
        rc, out, err = ctr("task", "delete", cid)
        check("ctr task delete", rc == 0, err)
        rc, out, err = ctr("container", "delete", cid)
        check("ctr container delete", rc == 0, err)
        if rc == 0:
            tasks.remove(cid)
        return None
    finally:
        for t in tasks:
            ctr("task", "kill", "-a", "-s", "SIGKILL", t)
            time.sleep(0.3)
            ctr("task", "delete", "-f", t)
            ctr("container", "delete", t)
        ctr("image", "rm", img)
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
        logf.close()
        cleanup_mounts(base)


def cleanup_mounts(base):
    with open("/proc/self/mountinfo") as f:
        points = [l.split()[4] for l in f]
    for p in reversed(points):
        if p.startswith(base + "/"):
            subprocess.run(["umount", "-l", p], capture_output=True)


def processes_naming(path):
    """Pids of processes whose command line contains path (our engines' leftovers)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if path.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def remove_cgroups(parent):
    if not parent:
        return
    with open("/proc/self/mountinfo") as f:
        mounted = {l.split()[4] for l in f}
    for root in os.listdir("/sys/fs/cgroup"):
        hierarchy = os.path.join("/sys/fs/cgroup", root)
        top = hierarchy + parent
        if not os.path.isdir(top):
            continue
        if hierarchy not in mounted:
            # A controller this host does not mount: conmon makes plain directories and `tasks`
            # files there on the /sys/fs/cgroup tmpfs.
            shutil.rmtree(top, ignore_errors=True)
            continue
        for d, dirs, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
            try:
                os.rmdir(d)
            except OSError:
                pass


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("SKIPPED: needs root")
        return SKIP
    runtime_bin = sys.argv[1]
    engines = sys.argv[2:] or ["podman", "containerd"]
    tmp = tempfile.mkdtemp(prefix="runc-engine-")
    # podman's lock memory is a fixed /dev/shm name: removed at the end unless it was there before.
    shm_lock = "/dev/shm/libpod_lock"
    shm_lock_existed = os.path.exists(shm_lock)
    skipped = []
    try:
        runtime = Runtime(runtime_bin, tmp)
        log("runtime under test: %s" % runtime.binary)
        for e in engines:
            log("== %s" % e)
            why = {"podman": podman_test, "containerd": containerd_test}[e](runtime, tmp)
            if why:
                log("SKIPPED %s: %s" % (e, why))
                skipped.append(e)
    finally:
        # conmon runs podman's exit command (`podman container cleanup`) on its own after the
        # container ends; wait for every process that names our directory before cleaning up, or
        # it recreates conmon's directories behind us.
        for _ in range(100):
            if not processes_naming(tmp):
                break
            time.sleep(0.1)
        cleanup_mounts(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        # podman's --cgroup-parent and containerd's namespace are both runc-engine-test-PID; conmon
        # puts itself under /libpod_parent (removed only when empty: another podman may use it).
        remove_cgroups("/runc-engine-test-%d" % os.getpid())
        remove_cgroups("/libpod_parent")
        if not shm_lock_existed and os.path.exists(shm_lock):
            os.unlink(shm_lock)
    log("%d checks, %d failed%s" % (CHECKS, len(FAILURES), ": " + ", ".join(FAILURES) if FAILURES else ""))
    if FAILURES:
        return 1
    if skipped:
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main())
