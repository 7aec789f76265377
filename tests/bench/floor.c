// The floor: the kernel calls of our default plan (`runc plan` of `runc spec` with args ["true"]),
// made directly, with no JSON, no plan, no state files, no re-exec and no error reporting beyond
// the failing call. It is what a container start costs the kernel here; tests/bench/lifecycle.sh
// times it in the same interleaved rounds as ours, runc and crun, and tests/bench/floor_check.py
// (a ctest case) compares an strace summary of it with one of `runc run`, so that it keeps doing
// what the plan does.
//
//   floor ROOTFS ID [--no-cgroup]        (as root; exit status of the container's process)
//
// Steps, in the plan's order: state directory; cgroup mkdir in every hierarchy this process is in
// (cpuset.cpus/mems copied from the parent), the v1 device rules; clone3 into the new mount, pid,
// net, ipc and uts namespaces (CLONE_INTO_CGROUP for the cgroup2 hierarchy); in the child: no-dump,
// parent-death signal, setsid, the v1 cgroup joins (the child writes 0 to each tasks file), session keyring, rslave, rootfs bind,
// the default mounts (proc, /dev tmpfs, devpts, shm, mqueue, sysfs, a tmpfs on /sys/fs/cgroup with
// each hierarchy's container cgroup bound read-only), device nodes, /dev symlinks, pivot_root, the
// read-only root, hostname, read-only and masked paths, rlimit, umask, no_new_privs, cwd, user,
// capabilities, execve. Teardown: wait, rmdir the cgroups and the state directory.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#define MAX_CG 32

static void die(const char* what, const char* obj) {
  fprintf(stderr, "floor: %s %s: %s\n", what, obj ? obj : "", strerror(errno));
  _exit(1);
}

struct cg {
  char mount[256];    // host mount point of the hierarchy
  char dir[512];      // the container's cgroup directory
  char name[64];      // the hierarchy's name inside the container (/sys/fs/cgroup/NAME)
  int v2;
};
static struct cg cgs[MAX_CG];
static int ncg;

static void write_file(const char* path, const char* value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, value, strlen(value)) < 0) die("write", path);
  close(fd);
}

static void copy_file(const char* from, const char* to) {
  char buf[256];
  int fd = open(from, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open", from);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) die("read", from);
  while (n > 0 && buf[n - 1] == '\n') n--;
  buf[n] = 0;
  write_file(to, buf);
}

// The hierarchies from /proc/self/mountinfo (the runtime reads it too, to learn the host).
static void find_cgroups(const char* id) {
  FILE* f = fopen("/proc/self/mountinfo", "re");
  if (!f) die("open", "/proc/self/mountinfo");
  char line[1024];
  while (fgets(line, sizeof line, f) && ncg < MAX_CG) {
    char mp[256], opts[512], fstype[64], src[256], sopts[512];
    char* dash = strstr(line, " - ");
    if (!dash) continue;
    if (sscanf(line, "%*s %*s %*s %*s %255s %511s", mp, opts) != 2) continue;
    if (sscanf(dash + 3, "%63s %255s %511s", fstype, src, sopts) != 3) continue;
    if (strncmp(mp, "/sys/fs/cgroup", 14) != 0) continue;
    struct cg* c = &cgs[ncg];
    if (strcmp(fstype, "cgroup2") == 0) {
      c->v2 = 1;
    } else if (strcmp(fstype, "cgroup") != 0) {
      continue;
    }
    snprintf(c->mount, sizeof c->mount, "%s", mp);
    snprintf(c->dir, sizeof c->dir, "%s/%s", mp, id);
    const char* base = strrchr(mp, '/') + 1;
    snprintf(c->name, sizeof c->name, "%s", strcmp(mp, "/sys/fs/cgroup") == 0 ? "" : base);
    ncg++;
  }
  fclose(f);
}

static const char* const kDeviceRules[] = {"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm",
                                           "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm",
                                           "c 5:2 rwm", "c 10:200 rwm"};

static void make_cgroups(void) {
  char p[600], q[600];
  for (int i = 0; i < ncg; i++) {
    if (mkdir(cgs[i].dir, 0755) < 0) die("mkdir", cgs[i].dir);
    if (strstr(cgs[i].mount, "cpuset") && !cgs[i].v2) {
      snprintf(p, sizeof p, "%s/cpuset.cpus", cgs[i].mount);
      snprintf(q, sizeof q, "%s/cpuset.cpus", cgs[i].dir);
      copy_file(p, q);
      snprintf(p, sizeof p, "%s/cpuset.mems", cgs[i].mount);
      snprintf(q, sizeof q, "%s/cpuset.mems", cgs[i].dir);
      copy_file(p, q);
    }
    if (strstr(cgs[i].mount, "devices") && !cgs[i].v2) {
      snprintf(p, sizeof p, "%s/devices.deny", cgs[i].dir);
      write_file(p, "a");
      snprintf(p, sizeof p, "%s/devices.allow", cgs[i].dir);
      for (size_t r = 0; r < sizeof kDeviceRules / sizeof *kDeviceRules; r++) write_file(p, kDeviceRules[r]);
    }
  }
}

static void at(const char* rootfs, const char* rel, char* out, size_t n) { snprintf(out, n, "%s%s", rootfs, rel); }

static void do_mount(const char* src, const char* target, const char* type, unsigned long flags, const char* data) {
  if (mount(src, target, type, flags, data) < 0) die("mount", target);
}

static void ensure_dir(const char* path) {
  if (mkdir(path, 0755) < 0 && errno != EEXIST) die("mkdir", path);
}

static int child(const char* rootfs, int no_cgroup) {
  char p[600], q[600];
  prctl(PR_SET_DUMPABLE, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  setsid();
  /* The plan's cgroup.join steps on v1: the child moves itself (writes 0 to each tasks file). */
  for (int i = 0; i < ncg; i++) {
    if (cgs[i].v2) continue;
    snprintf(p, sizeof p, "%s/tasks", cgs[i].dir);
    write_file(p, "0");
  }
  {
    /* runc's keyring step: join, then add KEY_USR_SEARCH to the permissions read back. */
    long key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "_ses.floor");
    char desc[256] = {0};
    if (key >= 0 && syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, desc, sizeof desc - 1) >= 0) {
      const char* perm = desc;
      for (int f = 0; f < 3 && perm; ++f) {
        perm = strchr(perm, ';');
        if (perm) ++perm;
      }
      if (perm) syscall(SYS_keyctl, KEYCTL_SETPERM, key, (unsigned)strtoul(perm, NULL, 16) | 0x80000u);
    }
  }
  do_mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
  do_mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
  at(rootfs, "/proc", p, sizeof p), ensure_dir(p), do_mount("proc", p, "proc", 0, NULL);
  at(rootfs, "/dev", p, sizeof p), ensure_dir(p);
  do_mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  at(rootfs, "/dev/pts", p, sizeof p), ensure_dir(p);
  do_mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  at(rootfs, "/dev/shm", p, sizeof p), ensure_dir(p);
  do_mount("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
  at(rootfs, "/dev/mqueue", p, sizeof p), ensure_dir(p);
  do_mount("mqueue", p, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  at(rootfs, "/sys", p, sizeof p), ensure_dir(p);
  do_mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  at(rootfs, "/sys/fs/cgroup", p, sizeof p);
  if (!no_cgroup && ncg == 1 && cgs[0].v2) {
    do_mount("cgroup", p, "cgroup2", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, NULL);
  } else {
    do_mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
    for (int i = 0; !no_cgroup && i < ncg; i++) {
      if (cgs[i].v2) continue;  // runc's default mounts only the v1 hierarchies on a hybrid host
      snprintf(q, sizeof q, "%s/sys/fs/cgroup/%s", rootfs, cgs[i].name);
      ensure_dir(q);
      do_mount(cgs[i].dir, q, NULL, MS_BIND | MS_REC, NULL);
      do_mount(NULL, q, NULL, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REMOUNT | MS_BIND | MS_RELATIME, NULL);
    }
  }
  static const struct { const char* name; int major, minor; } devs[] = {
      {"null", 1, 3}, {"random", 1, 8}, {"full", 1, 7}, {"tty", 5, 0}, {"zero", 1, 5}, {"urandom", 1, 9}};
  mode_t old = umask(0);
  for (size_t i = 0; i < sizeof devs / sizeof *devs; i++) {
    snprintf(p, sizeof p, "%s/dev/%s", rootfs, devs[i].name);
    if (mknod(p, S_IFCHR | 0666, makedev(devs[i].major, devs[i].minor)) < 0) die("mknod", p);
  }
  umask(old);
  static const char* const links[][2] = {{"pts/ptmx", "ptmx"}, {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
                                         {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
  for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
    snprintf(p, sizeof p, "%s/dev/%s", rootfs, links[i][1]);
    if (symlink(links[i][0], p) < 0) die("symlink", p);
  }
  if (chdir(rootfs) < 0) die("chdir", rootfs);
  if (syscall(SYS_pivot_root, ".", ".") < 0) die("pivot_root", rootfs);
  do_mount(NULL, ".", NULL, MS_REC | MS_SLAVE, NULL);
  if (umount2(".", MNT_DETACH) < 0) die("umount2", "old root");
  if (chdir("/") < 0) die("chdir", "/");
  do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
  if (sethostname("runc", 4) < 0) die("sethostname", "runc");
  static const char* const ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  for (size_t i = 0; i < sizeof ro / sizeof *ro; i++) {
    struct stat st;
    if (stat(ro[i], &st) < 0) continue;  // the runtime skips a path the kernel does not have
    do_mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL);
    do_mount(NULL, ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
  }
  static const char* const masked[] = {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                       "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                       "/proc/sched_debug", "/sys/firmware", "/proc/scsi"};
  for (size_t i = 0; i < sizeof masked / sizeof *masked; i++) {
    struct stat st;
    if (stat(masked[i], &st) < 0) continue;
    if (S_ISDIR(st.st_mode))
      do_mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
    else
      do_mount("/dev/null", masked[i], NULL, MS_BIND, NULL);
  }
  struct rlimit rl = {1024, 1024};
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die("setrlimit", "NOFILE");
  umask(022);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("prctl", "no_new_privs");
  if (chdir("/") < 0) die("chdir", "/");
  if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) die("set*id", "0");
  const unsigned long keep = (1UL << CAP_KILL) | (1UL << CAP_NET_BIND_SERVICE) | (1UL << CAP_AUDIT_WRITE);
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
    if (!(keep & (1UL << cap)) && prctl(PR_CAPBSET_READ, cap) == 1) prctl(PR_CAPBSET_DROP, cap);
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {{(unsigned)keep, (unsigned)keep, 0}, {0, 0, 0}};
  if (syscall(SYS_capset, &hdr, data) < 0) die("capset", "");
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, 0);
  char* const argv[] = {"true", NULL};
  char* const envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL};
  execve("/bin/true", argv, envp);
  die("execve", "/bin/true");
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: floor ROOTFS ID [--no-cgroup]\n");
    return 2;
  }
  const char* rootfs = argv[1];
  const char* id = argv[2];
  int no_cgroup = argc > 3 && strcmp(argv[3], "--no-cgroup") == 0;
  char state[256];
  snprintf(state, sizeof state, "/run/floor-%s", id);
  if (mkdir(state, 0711) < 0) die("mkdir", state);
  if (!no_cgroup) {
    find_cgroups(id);
    make_cgroups();
  }
  int v2fd = -1;
  for (int i = 0; i < ncg; i++)
    if (cgs[i].v2) v2fd = open(cgs[i].dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  args.exit_signal = SIGCHLD;
  if (v2fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (unsigned)v2fd;
  }
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) die("clone3", "");
  if (pid == 0) {
    return child(rootfs, no_cgroup);
  }
  int status = 0;
  if (waitpid((pid_t)pid, &status, 0) < 0) die("waitpid", "");
  for (int i = 0; i < ncg; i++)
    if (rmdir(cgs[i].dir) < 0) die("rmdir", cgs[i].dir);
  if (rmdir(state) < 0) die("rmdir", state);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
