// Process phase: kernel parameters, identity, limits, credentials and the terminal of the init.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "executor/common/sys.h"
#include "executor/init/internal.h"
#include "schema/names.h"

namespace runc {
namespace {

int Fail(std::string& what, std::string text, int err) {
  what = std::move(text);
  return err;
}

int64_t Num(const Step& step, size_t i, int64_t fallback = 0) {
  return i < step.nums.size() ? step.nums[i] : fallback;
}

int WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    off += static_cast<size_t>(n);
  }
  return 0;
}

// sched_setattr(2)'s argument; glibc has no declaration of it.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

struct CapState {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

  uint64_t Effective() const { return data[0].effective | (uint64_t{data[1].effective} << 32); }
  uint64_t Permitted() const { return data[0].permitted | (uint64_t{data[1].permitted} << 32); }
  uint64_t Inheritable() const {
    return data[0].inheritable | (uint64_t{data[1].inheritable} << 32);
  }
  void Set(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    data[0].effective = static_cast<uint32_t>(effective);
    data[1].effective = static_cast<uint32_t>(effective >> 32);
    data[0].permitted = static_cast<uint32_t>(permitted);
    data[1].permitted = static_cast<uint32_t>(permitted >> 32);
    data[0].inheritable = static_cast<uint32_t>(inheritable);
    data[1].inheritable = static_cast<uint32_t>(inheritable >> 32);
  }
};

int CapGet(CapState& s) { return syscall(SYS_capget, &s.header, s.data) == 0 ? 0 : errno; }
int CapSet(CapState& s) { return syscall(SYS_capset, &s.header, s.data) == 0 ? 0 : errno; }

std::string CapLabel(int cap) {
  std::string_view name = CapabilityName(cap);
  return name.empty() ? std::to_string(cap) : std::string(name);
}

// A joined user namespace may have "deny" in /proc/self/setgroups without the plan saying so.
bool SetgroupsDenied(InitContext& ctx) {
  Fd fd;
  std::string why;
  if (OpenProcFile(ctx, "self/setgroups", O_RDONLY, fd, why) != 0) return false;
  char buf[8] = {};
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

// A write to procfs (a sysctl, oom_score_adj) through OpenProcFile: `path` is the /proc/... path
// the plan names.
int WriteProc(InitContext& ctx, const std::string& path, const std::string& data, std::string& what) {
  if (path.rfind("/proc/", 0) != 0) return Fail(what, "open " + path + ": not under /proc", kNoErrno);
  Fd fd;
  std::string why;
  int err = OpenProcFile(ctx, path.substr(6), O_WRONLY | O_TRUNC, fd, why);
  if (err == kNoErrno) return Fail(what, "open " + path + ": " + why, err);
  if (err) return Fail(what, "open " + path, err);
  err = WriteAll(fd.get(), data);
  if (err) return Fail(what, "write " + path, err);
  return 0;
}

}  // namespace

int RunSysctl(const Step& step, InitContext& ctx, std::string& what) {
  return WriteProc(ctx, step.path, step.value, what);
}

int RunHostname(const Step& step, InitContext&, std::string& what) {
  if (sethostname(step.value.data(), step.value.size()) != 0)
    return Fail(what, "sethostname " + step.value, errno);
  return 0;
}

int RunDomainname(const Step& step, InitContext&, std::string& what) {
  if (setdomainname(step.value.data(), step.value.size()) != 0)
    return Fail(what, "setdomainname " + step.value, errno);
  return 0;
}

int RunRlimit(const Step& step, InitContext&, std::string& what) {
  auto limit = [](int64_t v) { return v < 0 ? RLIM_INFINITY : static_cast<rlim_t>(v); };
  rlimit rl{limit(Num(step, 1)), limit(Num(step, 2))};
  if (setrlimit(static_cast<__rlimit_resource>(Num(step, 0)), &rl) != 0)
    return Fail(what, "setrlimit " + (step.name.empty() ? std::to_string(Num(step, 0)) : step.name),
                errno);
  return 0;
}

int RunOomScoreAdj(const Step& step, InitContext& ctx, std::string& what) {
  return WriteProc(ctx, "/proc/self/oom_score_adj", std::to_string(Num(step, 0)), what);
}

int RunUser(const Step& step, InitContext& ctx, std::string& what) {
  if (step.nums.size() < 2) return Fail(what, "setresuid (bad step)", EINVAL);
  auto uid = static_cast<uid_t>(step.nums[0]);
  auto gid = static_cast<gid_t>(step.nums[1]);
  std::vector<gid_t> groups;
  for (size_t i = 2; i < step.nums.size(); ++i) groups.push_back(static_cast<gid_t>(step.nums[i]));

  // Keep the permitted set across the uid change; the caps step then sets the final sets.
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Fail(what, "prctl PR_SET_KEEPCAPS", errno);
  // With "deny" in /proc/PID/setgroups (rootless user namespaces) setgroups always fails; the
  // supplementary groups are then those the runtime had, as in runc.
  if (!ctx.prepared->container->setgroups_denied && setgroups(groups.size(), groups.data()) != 0) {
    int setgroups_err = errno;
    if (!(setgroups_err == EPERM && SetgroupsDenied(ctx))) {
      std::string list;
      for (gid_t g : groups) list += (list.empty() ? "" : ",") + std::to_string(g);
      return Fail(what, "setgroups " + (list.empty() ? std::string("[]") : list), setgroups_err);
    }
  }
  if (setresgid(gid, gid, gid) != 0) return Fail(what, "setresgid " + std::to_string(gid), errno);
  if (setresuid(uid, uid, uid) != 0) return Fail(what, "setresuid " + std::to_string(uid), errno);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return Fail(what, "prctl PR_SET_KEEPCAPS", errno);
  return 0;
}

// Like runc's fixStdioPermissions: the container user must be able to reopen its stdio
// (/proc/self/fd/N) after the uid change. Only the owner changes (the group may be one the mount
// prefers); /dev/null is shared with everyone and stays as it is; stdio whose owner cannot be
// changed (unmapped, read-only filesystem) is left alone.
int RunStdioChown(const Step& step, InitContext&, std::string& what) {
  const auto uid = static_cast<uid_t>(Num(step, 0));
  for (int fd = 0; fd <= 2; ++fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) continue;
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) continue;
    if (st.st_uid == uid) continue;
    if (fchown(fd, uid, static_cast<gid_t>(-1)) != 0) {
      if (errno == EINVAL || errno == EPERM || errno == EROFS) continue;
      return Fail(what, "fchown stdio " + std::to_string(fd), errno);
    }
  }
  return 0;
}

// runc's standard init: join a new session keyring and make it searchable (keys.ModKeyringPerm:
// the permissions read back with KEYCTL_DESCRIBE, the step's bits added). A kernel without
// keyrings (ENOSYS) is no error, as in runc: the protection is best effort.
int RunKeyring(const Step& step, InitContext&, std::string& what) {
  long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, step.name.c_str());
  if (id < 0) {
    if (errno == ENOSYS) return 0;
    return Fail(what, "keyctl join session keyring " + step.name, errno);
  }
  const uint32_t add = static_cast<uint32_t>(Num(step, 0));
  if (add == 0) return 0;
  // "type;uid;gid;perm;description"
  char desc[4096] = {};
  long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof desc - 1);
  if (n < 0) return Fail(what, "keyctl describe " + step.name, errno);
  const char* p = desc;
  for (int field = 0; field < 3 && p; ++field) {
    p = strchr(p, ';');
    if (p) ++p;
  }
  if (!p) return Fail(what, "keyctl describe " + step.name + ": unexpected \"" + std::string(desc) + "\"", kNoErrno);
  const auto perm = static_cast<uint32_t>(strtoul(p, nullptr, 16));
  if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm | add) != 0)
    return Fail(what, "keyctl setperm " + step.name, errno);
  return 0;
}

int RunUmask(const Step& step, InitContext&, std::string&) {
  umask(static_cast<mode_t>(Num(step, 0, 022)));
  return 0;
}

int RunCaps(const Step& step, InitContext& ctx, std::string& what) {
  auto mask = [&](size_t i) { return static_cast<uint64_t>(Num(step, i)); };
  uint64_t bounding = mask(0), effective = mask(1), inheritable = mask(2), permitted = mask(3),
           ambient = mask(4), keep = mask(5);
  int last_cap = ctx.prepared->container->last_cap;

  CapState cur;
  int err = CapGet(cur);
  if (err) return Fail(what, "capget", err);
  // A uid change (kUser) empties the effective set; what is permitted can be made effective
  // again, and dropping from the bounding set needs CAP_SETPCAP effective.
  if (cur.Effective() != cur.Permitted()) {
    cur.Set(cur.Permitted(), cur.Permitted(), cur.Inheritable());
    err = CapSet(cur);
    if (err) return Fail(what, "capset", err);
  }
  for (int cap = 0; cap <= last_cap; ++cap) {
    if (bounding & (uint64_t{1} << cap)) continue;
    int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in <= 0) continue;  // already gone (or unknown to this kernel)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
      return Fail(what, "prctl PR_CAPBSET_DROP " + CapLabel(cap), errno);
  }
  // Capabilities the init still needs until execve (CAP_SYS_ADMIN to load a seccomp filter
  // without no_new_privs) stay effective and permitted: execve does not carry those two sets over,
  // it computes the new ones from the bounding, inheritable and ambient sets. One that is not
  // permitted any more cannot be kept; the seccomp step then fails as it would have anyway.
  keep &= cur.Permitted();
  CapState next;
  next.Set(effective | keep, permitted | keep, inheritable);
  err = CapSet(next);
  if (err) return Fail(what, "capset", err);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return Fail(what, "prctl PR_CAP_AMBIENT_CLEAR_ALL", errno);
  // The kernel keeps a capability ambient only while it is permitted and inheritable; one the
  // config lists without those cannot be raised, and runc skips it rather than failing (runc's
  // default spec asks for three ambient capabilities and no inheritable ones).
  ambient &= permitted & inheritable;
  for (int cap = 0; cap <= last_cap; ++cap) {
    if (!(ambient & (uint64_t{1} << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
      return Fail(what, "prctl PR_CAP_AMBIENT_RAISE " + CapLabel(cap), errno);
  }
  return 0;
}

int RunNoNewPrivs(const Step&, InitContext&, std::string& what) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return Fail(what, "prctl PR_SET_NO_NEW_PRIVS", errno);
  return 0;
}

int RunPersonality(const Step& step, InitContext&, std::string& what) {
  auto persona = static_cast<unsigned long>(Num(step, 0));
  if (personality(persona) == -1) {
    char buf[32];
    snprintf(buf, sizeof buf, "0x%lx", persona);
    return Fail(what, std::string("personality ") + buf, errno);
  }
  return 0;
}

int RunScheduler(const Step& step, InitContext&, std::string& what) {
  SchedAttr attr{};
  attr.size = sizeof attr;
  attr.sched_policy = static_cast<uint32_t>(Num(step, 0));
  attr.sched_nice = static_cast<int32_t>(Num(step, 1));
  attr.sched_priority = static_cast<uint32_t>(Num(step, 2));
  attr.sched_flags = static_cast<uint64_t>(Num(step, 3));
  attr.sched_runtime = static_cast<uint64_t>(Num(step, 4));
  attr.sched_deadline = static_cast<uint64_t>(Num(step, 5));
  attr.sched_period = static_cast<uint64_t>(Num(step, 6));
  if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0)
    return Fail(what, "sched_setattr policy " + std::to_string(attr.sched_policy), errno);
  return 0;
}

int RunIoPriority(const Step& step, InitContext&, std::string& what) {
  constexpr int kWhoProcess = 1;   // IOPRIO_WHO_PROCESS
  constexpr int kClassShift = 13;  // IOPRIO_CLASS_SHIFT
  long cls = static_cast<long>(Num(step, 0));
  long prio = static_cast<long>(Num(step, 1));
  if (syscall(SYS_ioprio_set, kWhoProcess, 0, (cls << kClassShift) | prio) != 0)
    return Fail(what,
                "ioprio_set class " + std::to_string(cls) + " priority " + std::to_string(prio),
                errno);
  return 0;
}

int RunMemoryPolicy(const Step& step, InitContext& ctx, std::string& what) {
  const auto& masks = ctx.prepared->container->node_masks;
  auto it = masks.find(step.index);
  const unsigned long* nodes = nullptr;
  unsigned long maxnode = 0;
  if (it != masks.end() && !it->second.empty()) {
    nodes = it->second.data();
    maxnode = it->second.size() * sizeof(unsigned long) * 8 + 1;
  }
  if (syscall(SYS_set_mempolicy, static_cast<int>(Num(step, 0)), nodes, maxnode) != 0)
    return Fail(what,
                "set_mempolicy " + (step.value.empty() ? std::to_string(Num(step, 0)) : step.value),
                errno);
  return 0;
}

int RunCwd(const Step& step, InitContext& ctx, std::string& what) {
  int err = 0;
  int root_fd = RootFd(ctx, err);
  if (root_fd < 0) return Fail(what, "open /", err);
  Fd dir;
  err = OpenInRoot(root_fd, step.path, O_PATH | O_DIRECTORY, dir);
  if (err == ENOENT) {
    // runc creates a missing working directory rather than failing (with a mount namespace the
    // plan's mkdir step has done so already, before the root became read-only).
    err = MkdirAllInRoot(root_fd, step.path);
    if (err) return Fail(what, "mkdir " + step.path, err);
    err = OpenInRoot(root_fd, step.path, O_PATH | O_DIRECTORY, dir);
  }
  if (err) return Fail(what, "chdir " + step.path, err);
  if (fchdir(dir.get()) != 0) return Fail(what, "chdir " + step.path, errno);
  // CVE-2024-21626: the working directory must be inside the container's root. The kernel says
  // "(unreachable)" for one that is not, which glibc's getcwd turns into ENOENT.
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf)) {
    if (errno == ENOENT) return Fail(what, "chdir " + step.path + ": outside the container", kNoErrno);
    return Fail(what, "getcwd after chdir " + step.path, errno);
  }
  if (buf[0] != '/') return Fail(what, "chdir " + step.path + ": outside the container", kNoErrno);
  return 0;
}

int RunConsole(const Step& step, InitContext& ctx, std::string& what) {
  const std::string path = step.path.empty() ? "/dev/pts/ptmx" : step.path;
  if (ctx.console_socket_fd < 0) return Fail(what, "send console (no --console-socket)", EBADF);
  int err = 0;
  int root_fd = RootFd(ctx, err);
  if (root_fd < 0) return Fail(what, "open /", err);
  Fd master;
  err = OpenInRoot(root_fd, path, O_RDWR | O_NOCTTY, master);
  if (err) return Fail(what, "open " + path, err);
  int unlock = 0;
  if (ioctl(master.get(), TIOCSPTLCK, &unlock) != 0)
    return Fail(what, "ioctl TIOCSPTLCK " + path, errno);
  // The slave straight from the master: no /dev/pts/N path that the image could have replaced.
  Fd slave(ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave.ok()) return Fail(what, "ioctl TIOCGPTPEER " + path, errno);
  if (step.nums.size() >= 2) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(step.nums[0]);
    ws.ws_col = static_cast<unsigned short>(step.nums[1]);
    if (ioctl(slave.get(), TIOCSWINSZ, &ws) != 0) return Fail(what, "ioctl TIOCSWINSZ", errno);
  }
  if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid()))
    return Fail(what, "setsid", errno);
  if (ioctl(slave.get(), TIOCSCTTY, 0) != 0) return Fail(what, "ioctl TIOCSCTTY", errno);
  for (int fd = 0; fd <= 2; ++fd) {
    if (dup3(slave.get(), fd, 0) < 0)
      return Fail(what, "dup3 console to " + std::to_string(fd), errno);
  }

  iovec iov{const_cast<char*>(path.c_str()), path.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  int mfd = master.get();
  memcpy(CMSG_DATA(cmsg), &mfd, sizeof(int));
  ssize_t sent;
  do {
    sent = sendmsg(ctx.console_socket_fd, &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return Fail(what, "sendmsg console socket", errno);
  return 0;
}

}  // namespace runc
