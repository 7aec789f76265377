// Spawn: runs phases host, spawn, rootfs and process of a plan and leaves the container init waiting
// at kWaitStart; RunTeardown: the teardown phase.
//
// Processes. The runtime (R) runs the host steps and every step that writes into /proc/PID or the
// cgroup tree for the child. The container init (I) runs everything inside the container. A
// short-lived helper (H) is forked first only when something must happen in a process that is not
// the runtime before the init exists: joining namespaces by path (setns of a user or mount namespace
// cannot be undone, and a joined pid or time namespace only applies to children) and writing time
// namespace offsets (they must be set before the first process enters the namespace). H then
// clones I with CLONE_PARENT, so I is always R's child: `runc run` waits for it directly.
//
//   default plan:  R: host steps, clone ------------------> maps, cgroup.join, hooks ...
//                                  \-> I: (waits) ........................ rootfs, process, wait_start
//   with joins:    R: host steps, fork H -----------------> maps, cgroup.join, hooks ...
//                                       \-> H: setns.., time offsets, clone(CLONE_PARENT), exit
//                                                                          \-> I: ...
//
// Each step has exactly one runner (StepRunner). R and the child walk the same plan and pass a baton
// over the sync socket (executor/common/sync.h): whoever runs the current step holds it. So the steps run
// strictly in plan order, across processes, and --debug prints them in that order.
//
// Failure: the process that runs the failing step reports {step, errno, "SYSCALL OBJECT"} (a child
// over the socket, then _exit), and R undoes everything with the plan's teardown steps (Undo, traced
// like the others): kills and reaps the children, kills what is left in the cgroups it created,
// removes those cgroups deepest first and the state dir. Mounts
// happen only inside the container's mount namespace and go away with its last process; an
// idmapped one is made by R as a detached mount (attached nowhere: it lives as long as the fd R
// passes to I, see executor/runtime/idmap.h).
//
// Crash safety (a `create` killed at any moment, see SpawnOptions::state): the state dir is made
// and locked first and holds the plan and a `creating` state before any other host resource is
// made; cgroup and resctrl directories are preceded by an entry in its progress log, and the
// init's pid is logged there as soon as it exists. The children die with the runtime until the handover: a
// parent-death signal, checked right after it is armed (the runtime may have died before), and
// end of file on the socket, which the init reads after kReady until the runtime has recorded the
// container as created (kHandover).
//
// Files: this one is the runtime side (the Spawner, executor/runtime/spawner.h); the helper and the
// init start in executor/init/child.cc; executor/runtime/teardown.cc is RunTeardown;
// executor/runtime/idmap.cc the runtime's half of idmapped mounts.
#include "executor/runtime/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "executor/runtime/cgroup_bpf.h"
#include "executor/runtime/cgroup_host.h"
#include "executor/common/hooks.h"
#include "executor/common/log.h"
#include "executor/common/state.h"
#include "executor/runtime/idmap.h"
#include "executor/common/sys.h"
#include "executor/runtime/internal.h"
#include "executor/runtime/spawner.h"
#include "executor/common/sync.h"

namespace runc {

// The host id that id 0 of a user namespace maps to ("0 100000 65536\n..."); 0 when unmapped.
unsigned long HostIdOfRoot(const std::string& map) {
  size_t pos = 0;
  while (pos < map.size()) {
    size_t nl = map.find('\n', pos);
    if (nl == std::string::npos) nl = map.size();
    unsigned long inside = 0, outside = 0, count = 0;
    if (sscanf(map.substr(pos, nl - pos).c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
        count > 0) {
      return outside;
    }
    pos = nl + 1;
  }
  return 0;
}

namespace spawn {
namespace {

bool IsPermissionError(int err) { return err == EACCES || err == EPERM || err == EROFS; }

// Steps whose directory the teardown removes (cgroup.rmdir, rdt.rmdir of the same path).
// Up to 64 KiB of a small (cgroup or proc) file; false when it cannot be opened.
bool ReadSmallFile(const std::string& path, std::string& out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  char buf[4096];
  ssize_t n;
  while (out.size() < 65536 && (n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return true;
}

bool MakesDirectory(StepKind kind) { return kind == StepKind::kCgroupMkdir || kind == StepKind::kRdtGroup; }

}  // namespace

// Decides, for every step, which process runs it; rejects plans whose order cannot work.
bool Spawner::Classify(Diagnostic& error) {
  const auto& steps = plan_.steps;
  end_ = steps.size();
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].phase == Phase::kTeardown) {
      end_ = i;
      break;
    }
  }
  bool have_clone = false, have_wait = false;
  for (size_t i = 0; i < end_; ++i) {
    if (steps[i].kind == StepKind::kClone && !have_clone) {
      clone_idx_ = i;
      have_clone = true;
    }
    if (steps[i].kind == StepKind::kWaitStart && !have_wait) {
      wait_idx_ = i;
      have_wait = true;
    }
  }
  // An exec plan has no start wait: it ends in execve, with the runtime still attached.
  const bool exec = plan_.exec_pid > 0;
  if (exec) {
    for (size_t i = 0; i < end_; ++i) {
      if (steps[i].kind == StepKind::kExecve) exec_idx_ = i;
    }
  }
  if (!have_clone || (!have_wait && !exec) || (have_wait && exec) || (exec && exec_idx_ == 0)) {
    error = Diagnostic{};
    error.message = !have_clone ? "plan has no clone step"
                    : exec      ? (have_wait ? "exec plan with a wait_start step" : "exec plan has no execve step")
                                : "plan has no wait_start step";
    return false;
  }
  for (size_t i = 0; i < end_; ++i) {
    if (steps[i].kind == StepKind::kUidMap) root_uid_ = static_cast<uid_t>(HostIdOfRoot(steps[i].value));
    if (steps[i].kind == StepKind::kGidMap) root_gid_ = static_cast<gid_t>(HostIdOfRoot(steps[i].value));
  }
  // Mounts outside a mount namespace of the container's own would land on the host.
  bool mount_ns = (steps[clone_idx_].flags & CLONE_NEWNS) != 0;
  for (size_t i = 0; i < clone_idx_; ++i) {
    if (steps[i].kind == StepKind::kNsJoin && (steps[i].flags & CLONE_NEWNS)) mount_ns = true;
  }
  runners_.assign(steps.size(), Runner::kNone);
  for (size_t i = 0; i < clone_idx_; ++i) {
    StepKind k = steps[i].kind;
    if (k == StepKind::kNsJoin || k == StepKind::kTimeOffsets || k == StepKind::kUnshare) need_helper_ = true;
  }
  for (size_t i = 0; i < end_; ++i) {
    const Step& s = steps[i];
    bool before = i < clone_idx_, after = i > clone_idx_;
    Runner r = Runner::kNone;
    const char* misplaced = nullptr;
    switch (s.kind) {
      case StepKind::kSeal:
      case StepKind::kSubreaper:
      case StepKind::kStateDir:
      case StepKind::kCgroupMkdir:
      case StepKind::kCgroupWrite:
      case StepKind::kCgroupCopy:
      case StepKind::kCgroupDevices:
      case StepKind::kRdtGroup:
      case StepKind::kNsOpen:
      case StepKind::kNotifySocket:
        r = Runner::kRuntime;
        if (!before) misplaced = "host step after clone";
        break;
      case StepKind::kInitSetup:
        r = Runner::kInit;
        if (i != clone_idx_ + 1) misplaced = "init step not right after the clone";
        break;
      case StepKind::kHook:
        if (s.name == "createContainer" || s.name == "startContainer") {
          r = Runner::kInit;
          container_hooks_ = true;
          if (!after) misplaced = "container hook before clone";
        } else {
          r = Runner::kRuntime;
        }
        break;
      case StepKind::kTimeOffsets:
        r = Runner::kHelper;
        if (!before) misplaced = "time offsets after clone";
        break;
      case StepKind::kClone:
        r = need_helper_ ? Runner::kHelper : Runner::kRuntime;
        if (i != clone_idx_) misplaced = "second clone";
        break;
      case StepKind::kNsJoin:
      case StepKind::kUnshare:
        r = before ? Runner::kHelper : Runner::kInit;
        break;
      case StepKind::kCgroupJoin:
        // kSelfJoin: the init moves itself (compiler/plan.h), with the runtime's view of the
        // host's cgroup files, before it touches anything of the container.
        r = (s.flags & kSelfJoin) ? Runner::kInit : Runner::kRuntime;
        if (!after) misplaced = "needs the init, before clone";
        break;
      case StepKind::kSetgroups:
      case StepKind::kUidMap:
      case StepKind::kGidMap:
      case StepKind::kRdtJoin:
      case StepKind::kNetDevice:
      case StepKind::kCpuAffinity:
        r = Runner::kRuntime;
        if (!after) misplaced = "needs the init's pid, before clone";
        break;
      case StepKind::kIdmapMount:
      case StepKind::kMountOpen:
        r = Runner::kRuntime;
        if (!after) misplaced = "needs the init, before clone";
        if (!mount_ns) misplaced = "mount step without a mount namespace";
        if (IdmapMountTarget(plan_, i) == steps.size())
          misplaced = s.kind == StepKind::kIdmapMount ? "mount.idmap without a later mount step of its origin and path"
                                                      : "mount.open without a later mount step of its origin and path";
        break;
      case StepKind::kBecomeRoot:
        r = Runner::kInit;
        if (!after) misplaced = "container step before clone";
        break;
      case StepKind::kPropagation:
      case StepKind::kRootfsBind:
      case StepKind::kMount:
      case StepKind::kTmpCopyup:
      case StepKind::kRemount:
      case StepKind::kMknod:
      case StepKind::kDeviceBind:
      case StepKind::kSymlink:
      case StepKind::kPivotRoot:
      case StepKind::kMoveChroot:
      case StepKind::kMkdir:
      case StepKind::kMask:
      case StepKind::kReadonlyPath:
      case StepKind::kRootReadonly:
        r = Runner::kInit;
        if (!after) misplaced = "container step before clone";
        if (!mount_ns) misplaced = "mount step without a mount namespace";
        break;
      case StepKind::kKeyring:
      case StepKind::kSysctl:
      case StepKind::kHostname:
      case StepKind::kDomainname:
      case StepKind::kRlimit:
      case StepKind::kOomScoreAdj:
      case StepKind::kStdioChown:
      case StepKind::kUser:
      case StepKind::kUmask:
      case StepKind::kCaps:
      case StepKind::kNoNewPrivs:
      case StepKind::kPersonality:
      case StepKind::kScheduler:
      case StepKind::kIoPriority:
      case StepKind::kMemoryPolicy:
      case StepKind::kSeccomp:
      case StepKind::kCwd:
      case StepKind::kConsole:
      case StepKind::kHomeLookup:
      case StepKind::kExecLookup:
      case StepKind::kWaitStart:
      case StepKind::kExecve:
        r = Runner::kInit;
        if (!after) misplaced = "container step before clone";
        break;
      case StepKind::kKill:
      case StepKind::kCgroupRmdir:
      case StepKind::kRdtRemove:
      case StepKind::kStateRemove:
        misplaced = "teardown step before the teardown phase";
        break;
    }
    if (misplaced) {
      Fail(error, s, std::string("plan order: ") + misplaced, EINVAL);
      return false;
    }
    runners_[i] = r;
  }
  return true;
}

// Before the first fork: what the child needs from the host that it cannot reach later.
bool Spawner::PreFork(Diagnostic& error) {
  if (plan_.exec_pid <= 0) {
    const Step& wait = plan_.steps[wait_idx_];
    // The fifo lives in the state dir, a host path the init cannot see after pivot_root: it
    // reopens this O_PATH fd through /proc/self/fd (like runc).
    fifo_fd_ = open(wait.path.c_str(), O_PATH | O_CLOEXEC);
    if (fifo_fd_ < 0) {
      Fail(error, wait, "open " + wait.path, errno);
      return false;
    }
    fifo_fd_ = MoveFdAbove(fifo_fd_, min_fd_);
    // After the seccomp filter the init's only way to report a failed execve is a write into the
    // exec fifo, which a profile can deny. So it also stores the report in a page of a file next
    // to the fifo, mapped shared here and inherited at the clone (a mapping, not an fd: the init
    // holds no fd to a host object); start reads it when the fifo brought no report. execve
    // unmaps it.
    if (std::any_of(plan_.steps.begin(), plan_.steps.end(),
                    [](const Step& s) { return s.kind == StepKind::kSeccomp; })) {
      const std::string path = wait.path.substr(0, wait.path.find_last_of('/') + 1) + kExecReportFile;
      int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
      void* page = MAP_FAILED;
      int err = fd < 0 ? errno : 0;
      if (!err && ftruncate(fd, kExecReportSize) != 0) err = errno;
      if (!err) page = mmap(nullptr, kExecReportSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (!err && page == MAP_FAILED) err = errno;
      if (fd >= 0) close(fd);
      if (err) {
        Fail(error, wait, "open " + path, err);
        return false;
      }
      report_ = static_cast<char*>(page);
    }
  } else if (std::any_of(plan_.steps.begin(), plan_.steps.end(),
                         [](const Step& s) { return s.kind == StepKind::kSeccomp; })) {
    // An exec's process reports over the socket (sendmsg), which a profile can deny too; we stay
    // its parent, so the page need not outlive us: anonymous memory shared with the children.
    void* page = mmap(nullptr, kExecReportSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
      Fail(error, plan_.steps[clone_idx_], "mmap", errno);
      return false;
    }
    report_ = static_cast<char*>(page);
  }
  if (!options_.console_socket.empty()) {
    for (const Step& s : plan_.steps) {
      if (s.kind != StepKind::kConsole) continue;
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      const std::string& path = options_.console_socket;
      int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int err = fd < 0 ? errno : 0;
      if (!err && path.size() >= sizeof addr.sun_path) err = ENAMETOOLONG;
      if (!err) {
        memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) err = errno;
      }
      if (err) {
        if (fd >= 0) close(fd);
        Fail(error, s, "connect " + path, err);
        return false;
      }
      console_fd_ = MoveFdAbove(fd, min_fd_);
      break;
    }
  }
  ctx_.console_socket_fd = console_fd_;
  err_fd_ = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, min_fd_);
  // The clone step's cgroup2 directory (CLONE_INTO_CGROUP). An exec plan's clone has none: its
  // helper has joined the container's cgroup namespace, out of which the kernel refuses to move a
  // process (its own cgroup is outside that namespace's root); its cgroup.join steps move it.
  const Step& clone = plan_.steps[clone_idx_];
  if (!clone.path.empty() && plan_.exec_pid <= 0) {
    int fd = open(clone.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct statfs fs;
    if (fd >= 0 && fstatfs(fd, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == CGROUP2_SUPER_MAGIC) {
      cgroup_fd_ = MoveFdAbove(fd, min_fd_);
    } else if (fd >= 0) {
      close(fd);
    }
  }
  int fds[2];
  if (!SyncPair(fds)) {
    Fail(error, plan_.steps[clone_idx_], "socketpair", errno);
    return false;
  }
  sock_ = MoveFdAbove(fds[0], min_fd_);
  child_sock_ = MoveFdAbove(fds[1], min_fd_);
  return true;
}

bool Spawner::Run(SpawnResult& result, Diagnostic& error) {
  self_ = getpid();
  fault_ = FaultStep(options_.fail_at_step);
  min_fd_ = 3 + (options_.preserve_fds > 0 ? options_.preserve_fds : 0);
  MoveSealMountAbove(min_fd_);
  // A preserved fd number that is not open would otherwise be taken by one of ours (and reach the
  // container): hold it with /dev/null.
  for (int fd = 3; fd < min_fd_; ++fd) {
    if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
      int null_fd = open("/dev/null", O_RDWR);
      if (null_fd >= 0 && null_fd != fd) {
        dup2(null_fd, fd);
        close(null_fd);
      }
    }
  }
  if (!Classify(error)) return false;
  if (!PrepareContainerSteps(plan_, prepared_, error)) return false;
  ctx_.prepared = &prepared_;
  // An exec's process joins the container's mount namespace, whose root is the container's.
  ctx_.pivoted = plan_.exec_pid > 0;

  size_t i = 0;
  while (i < end_) {
    Runner r = runners_[i];
    if (!forked_ && (i == clone_idx_ || r == Runner::kHelper)) {
      if (!PreFork(error)) {
        Undo();
        return false;
      }
      forked_ = true;
    }
    if (r == Runner::kRuntime) {
      if (!RunRuntimeAt(i, error)) {
        Undo();
        return false;
      }
      ++i;
      continue;
    }
    if (r == Runner::kHelper && helper_ < 0 && init_ < 0) {
      if (!ForkHelper(i, error)) {
        Undo();
        return false;
      }
    }
    size_t next = i;
    bool ready = false;
    if (!PassBaton(i, next, ready, error)) {
      Undo();
      return false;
    }
    if (ready) {
      result.pid = init_;
      if (plan_.exec_pid > 0) {
        // The process has run execve: it is the caller's to wait for.
        init_ = -1;
        CloseAll();
        return true;
      }
      if (!HandOver(error)) {
        Undo();
        return false;
      }
      CloseAll();
      ReleaseLock();
      return true;
    }
    i = next;
  }
  // Classify() guarantees a wait_start step, which the init reports as kReady.
  error = Diagnostic{};
  error.message = "plan ended before the init reached wait_start";
  Undo();
  return false;
}

bool Spawner::RunRuntimeAt(size_t i, Diagnostic& error) {
  const Step& s = plan_.steps[i];
  // The seal step ran before the plan was compiled, and was traced then (EnsureSealedExe).
  if (s.kind != StepKind::kSeal) LogDebug("step " + std::to_string(s.index) + " " + KindName(s));
  std::string what;
  int err;
  if (fault_ == s.index) {
    what = kInjectedFault;
    err = EIO;
  } else if ((err = LogProgress(s, what)) == 0) {
    err = RuntimeStep(s, what);
  }
  if (err == 0) return true;
  Fail(error, s, what, err);
  return false;
}

int Spawner::RuntimeStep(const Step& s, std::string& what) {
  const std::string pid_dir = "/proc/" + std::to_string(init_);
  switch (s.kind) {
    case StepKind::kSeal:
      // container/create.cc re-executed us from the sealed copy before compiling this plan.
      if (!RunningFromSealedExe()) {
        what = "runtime binary is not sealed";
        return kNoErrno;
      }
      return 0;
    case StepKind::kSubreaper:
      if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        what = "prctl PR_SET_CHILD_SUBREAPER";
        return errno;
      }
      return 0;
    case StepKind::kStateDir: {
      if (int err = MakeStateDir(s, what)) return err;
      std::string fifo = s.path + "/exec.fifo";
      if (mkfifo(fifo.c_str(), 0622) != 0) {
        what = "mkfifo " + fifo;
        return errno;
      }
      // The init opens it for writing as the container's root, which a user namespace maps to
      // another host id (runc does the same).
      if (chmod(fifo.c_str(), 0622) != 0 || chown(fifo.c_str(), root_uid_, root_gid_) != 0) {
        what = "chown " + fifo;
        return errno;
      }
      return 0;
    }
    case StepKind::kCgroupMkdir: {
      std::string failed;
      int err = CgroupMkdirAll(s.path, cgroups_created_, failed);
      if (err && (s.flags & kIfPermitted) && IsPermissionError(err)) {
        // Rootless without cgroupsPath (runc's rootless cgroup manager): no cgroup here.
        cgroups_skipped_[s.path] = "mkdir " + failed + ": " + strerror(err);
        LogDebug("step " + std::to_string(s.index) + " skipped: mkdir " + failed + ": " + strerror(err));
        return 0;
      }
      if (err) {
        what = "mkdir " + failed;
        return err;
      }
      if (std::find(cgroups_created_.begin(), cgroups_created_.end(), s.path) == cgroups_created_.end()) {
        // The directory was there before us (a cgroupsPath shared with another container or made
        // by someone else). runc refuses a frozen one (the init would freeze on joining it and the
        // runtime wait for it forever) and warns about one that already has processes.
        std::string value;
        if ((ReadSmallFile(s.path + "/freezer.state", value) && value.rfind("FROZEN", 0) == 0) ||
            (ReadSmallFile(s.path + "/cgroup.freeze", value) && value.rfind("1", 0) == 0)) {
          what = "cgroup " + s.path + ": container's cgroup unexpectedly frozen";
          return EBUSY;
        }
        static bool warned = false;
        if (!warned && ReadSmallFile(s.path + "/cgroup.procs", value) && !value.empty()) {
          warned = true;
          LogWarn("container's cgroup is not empty: " +
                  std::to_string(std::count(value.begin(), value.end(), '\n')) + " process(es) found in " + s.path);
        }
      }
      return 0;
    }
    case StepKind::kCgroupCopy: {
      // Top-down, as runc's cpusetEnsureParent: every directory below the hierarchy's root down to
      // this one, whoever made it (a pod cgroup made by hand has an empty cpuset too, and then no
      // task could join its children: ENOSPC). A file that has a value is left as it is.
      const std::string dir = s.path.substr(0, s.path.find_last_of('/'));
      const std::string name = s.path.substr(dir.size() + 1);
      if (cgroups_skipped_.count(dir)) {
        LogDebug("step " + std::to_string(s.index) + " skipped: its cgroup.mkdir was skipped");
        return 0;
      }
      std::vector<std::string> dirs;
      for (std::string d = dir;;) {
        const size_t slash = d.find_last_of('/');
        if (slash == 0 || slash == std::string::npos) break;
        const std::string parent = d.substr(0, slash);
        struct statfs fs;
        if (statfs(parent.c_str(), &fs) != 0 || static_cast<unsigned long>(fs.f_type) != CGROUP_SUPER_MAGIC) break;
        dirs.push_back(d);
        d = parent;
      }
      std::reverse(dirs.begin(), dirs.end());
      std::string failed;
      for (const auto& d : dirs) {
        if (int err = CgroupInheritFile(d, name, failed)) {
          what = "write " + failed;
          return err;
        }
      }
      return 0;
    }
    case StepKind::kCgroupDevices:
      return RunCgroupDevices(s, what);
    case StepKind::kCgroupWrite: {
      auto skipped = cgroups_skipped_.find(s.path.substr(0, s.path.find_last_of('/')));
      if (skipped != cgroups_skipped_.end()) {
        // runc: "cannot set X limit: container could not join or create cgroup".
        what = "cannot set " + s.path.substr(s.path.find_last_of('/') + 1) +
               ": the rootless container could not create its cgroup (" + skipped->second +
               "); limits need a cgroup the user may write (delegated) or root";
        return EACCES;
      }
      int err = WriteFileOnce(s.path, s.value);
      if (err == EINVAL && (s.flags & kRetriedAfterQuota)) {
        LogDebug("step " + std::to_string(s.index) + " skipped: write " + s.path + ": " + strerror(err) +
                 " (written again after the quota)");
        return 0;
      }
      if (err) what = "write " + s.path;
      return err;
    }
    case StepKind::kNsOpen: {
      int fd = open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        what = "open " + s.path;
        return errno;
      }
      // try_emplace, not operator[]: a new entry must start as "no fd" (-1), not as fd 0, or
      // CloseFd would close whatever sits at 0 (our stdin, or the fd just opened there).
      auto it = ns_fds_.try_emplace(s.path, -1).first;
      CloseFd(it->second);
      it->second = MoveFdAbove(fd, min_fd_);
      // Opened after the check would prove nothing: the namespace is the init's only if the pid
      // still is the init now that the fd is open.
      if (plan_.exec_pid > 0 && options_.exec_init_start_time != 0 &&
          ProcessStartTime(plan_.exec_pid) != options_.exec_init_start_time) {
        what = "open " + s.path + ": the container's init (pid " + std::to_string(plan_.exec_pid) + ") is gone";
        return kNoErrno;
      }
      return 0;
    }
    case StepKind::kHook:
      return RunHookProcess(s, HookStateJson(plan_, "creating", init_ > 0 ? init_ : 0), what);
    case StepKind::kClone: {
      // No helper: the runtime clones the init itself, straight into its new namespaces.
      bool joined = false;
      pid_t pid = CloneMaybeIntoCgroup(s.flags, SIGCHLD, cgroup_fd_, joined);
      if (pid < 0) {
        what = "clone3";
        return errno;
      }
      if (pid == 0) init::ChildMain(ChildSetupFor(child_sock_), Runner::kInit, (s.flags & CLONE_NEWUSER) != 0);
      init_ = pid;
      CloseFd(child_sock_);
      if (int err = JoinCloneCgroup(joined, what)) return err;
      if (int err = RecordInit(what)) return err;
      Diagnostic ignored;
      return SendInitState(ignored) ? 0 : EPIPE;
    }
    case StepKind::kSetgroups: {
      int err = WriteFileOnce(pid_dir + "/setgroups", s.value);
      if (err) what = "write " + pid_dir + "/setgroups";
      return err;
    }
    case StepKind::kUidMap: {
      int err = WriteFileOnce(pid_dir + "/uid_map", s.value);
      if (err) what = "write " + pid_dir + "/uid_map";
      return err;
    }
    case StepKind::kGidMap: {
      int err = WriteFileOnce(pid_dir + "/gid_map", s.value);
      if (err) what = "write " + pid_dir + "/gid_map";
      return err;
    }
    case StepKind::kCgroupJoin: {
      if (cgroups_skipped_.count(s.path.substr(0, s.path.find_last_of('/')))) {
        LogDebug("step " + std::to_string(s.index) + " skipped: its cgroup.mkdir was skipped");
        return 0;
      }
      int err = WriteFileOnce(s.path, std::to_string(init_));
      if (err && (s.flags & kIfPermitted) && IsPermissionError(err)) {
        LogDebug("step " + std::to_string(s.index) + " skipped: write " + s.path + ": " + strerror(err));
        return 0;
      }
      if (err) what = "write " + s.path;
      return err;
    }
    case StepKind::kNetDevice:
      return MoveNetDevice(s.name, s.value, init_, what);
    case StepKind::kCpuAffinity: {
      cpu_set_t set;
      CPU_ZERO(&set);
      for (int64_t cpu : s.nums) {
        if (cpu < 0 || cpu >= CPU_SETSIZE) {
          what = "sched_setaffinity " + std::to_string(init_) + " " + s.value;
          return EINVAL;
        }
        CPU_SET(static_cast<int>(cpu), &set);
      }
      if (sched_setaffinity(init_, sizeof set, &set) != 0) {
        what = "sched_setaffinity " + std::to_string(init_) + " " + s.value;
        return errno;
      }
      return 0;
    }
    case StepKind::kIdmapMount:
    case StepKind::kMountOpen:
      return RunIdmapMount(plan_, static_cast<size_t>(&s - plan_.steps.data()), sock_, userns_cache_, ns_fds_, what);
    case StepKind::kRdtGroup:
      return RdtGroup(s, rdt_created_, what);
    case StepKind::kRdtJoin: {
      int err = WriteFileOnce(s.path, std::to_string(init_));
      if (err) what = "write " + s.path;
      return err;
    }
    case StepKind::kNotifySocket:
      // Only the runtime's own files: the directory `start` binds the socket in (runc makes it
      // 0755 for a container user to reach the socket).
      if (mkdir(s.path.c_str(), 0755) != 0) {
        what = "mkdir " + s.path;
        return errno;
      }
      return 0;
    case StepKind::kKeyring:
    case StepKind::kStdioChown:
    case StepKind::kHomeLookup:
    case StepKind::kExecLookup:
    case StepKind::kTimeOffsets:
    case StepKind::kNsJoin:
    case StepKind::kInitSetup:
    case StepKind::kBecomeRoot:
    case StepKind::kUnshare:
    case StepKind::kPropagation:
    case StepKind::kRootfsBind:
    case StepKind::kMount:
    case StepKind::kTmpCopyup:
    case StepKind::kRemount:
    case StepKind::kMknod:
    case StepKind::kDeviceBind:
    case StepKind::kSymlink:
    case StepKind::kPivotRoot:
    case StepKind::kMoveChroot:
    case StepKind::kMkdir:
    case StepKind::kMask:
    case StepKind::kReadonlyPath:
    case StepKind::kRootReadonly:
    case StepKind::kSysctl:
    case StepKind::kHostname:
    case StepKind::kDomainname:
    case StepKind::kRlimit:
    case StepKind::kOomScoreAdj:
    case StepKind::kUser:
    case StepKind::kUmask:
    case StepKind::kCaps:
    case StepKind::kNoNewPrivs:
    case StepKind::kPersonality:
    case StepKind::kScheduler:
    case StepKind::kIoPriority:
    case StepKind::kMemoryPolicy:
    case StepKind::kSeccomp:
    case StepKind::kCwd:
    case StepKind::kConsole:
    case StepKind::kWaitStart:
    case StepKind::kExecve:
    case StepKind::kKill:
    case StepKind::kCgroupRmdir:
    case StepKind::kRdtRemove:
    case StepKind::kStateRemove:
      break;
  }
  what = "not a step of the runtime";
  return EINVAL;
}

init::ChildSetup Spawner::ChildSetupFor(int sock) {
  // The child must not keep the runtime's end of the socket: it would never see the runtime's
  // death as end of file. Nor the state dir's lock: it would hold it as long as it lives.
  if (sock_ >= 0) close(sock_);
  if (lock_fd_ >= 0) close(lock_fd_);
  init::ChildSetup setup;
  setup.plan = &plan_;
  setup.runners = &runners_;
  setup.end = end_;
  setup.fault = fault_;
  setup.debug = options_.debug;
  setup.traced = traced_by_runtime_;
  setup.min_fd = min_fd_;
  setup.ctx = &ctx_;
  setup.ns_fds = &ns_fds_;
  setup.sock = sock;
  setup.fifo_fd = fifo_fd_;
  setup.err_fd = err_fd_;
  setup.report = report_;
  setup.cgroup_fd = cgroup_fd_;
  setup.runtime_pid = self_;
  return setup;
}

// The helper is forked within its first step, which the runtime therefore traces itself.
bool Spawner::ForkHelper(size_t i, Diagnostic& error) {
  const Step& s = plan_.steps[i];
  LogDebug("step " + std::to_string(s.index) + " " + KindName(s));
  traced_by_runtime_ = static_cast<int>(i);
  pid_t pid = Clone3(0, SIGCHLD);
  if (pid < 0) {
    Fail(error, plan_.steps[i], "clone3 helper", errno);
    return false;
  }
  if (pid == 0) init::ChildMain(ChildSetupFor(child_sock_), Runner::kHelper, false);
  helper_ = pid;
  CloseFd(child_sock_);
  return true;
}

bool Spawner::SendInitState(Diagnostic& error) {
  if (!container_hooks_) return true;  // only in-container hooks need it
  SyncMessage m;
  m.type = SyncType::kState;
  m.pid = 0;
  m.payload = HookStateJson(plan_, "creating", init_);
  int err = SyncSend(sock_, m);
  if (!err) {
    m.pid = 1;
    m.payload = HookStateJson(plan_, "created", init_);
    err = SyncSend(sock_, m);
  }
  if (err) {
    Fail(error, plan_.steps[clone_idx_], "send state to init", err);
    return false;
  }
  return true;
}

// Hands the baton to the child at step i and waits until it comes back.
bool Spawner::PassBaton(size_t i, size_t& next, bool& ready, Diagnostic& error) {
  if (helper_ < 0 && init_ < 0) {
    Fail(error, plan_.steps[i], "no process to run the step", EINVAL);
    return false;
  }
  SyncMessage m;
  m.type = SyncType::kRun;
  m.step = static_cast<int32_t>(i);
  if (int err = SyncSend(sock_, m)) {
    Fail(error, plan_.steps[i], "send to child", err);
    return false;
  }
  // The init has closed its copy of the seal's detached mount (its init step, right after the
  // clone) and the runtime's steps after the clone are done: the close of ours dissolves the mount
  // and waits for an RCU grace period, now while the init works (EnsureSealedExe).
  if (i > clone_idx_ + 1) ReleaseSealMount();
  size_t current = i;
  while (true) {
    int err = SyncRecv(sock_, m);
    CloseFd(m.fd);  // a child never sends one
    if (err == 0 && (m.step < 0 || static_cast<size_t>(m.step) >= plan_.steps.size())) err = EPROTO;
    if (err == -1 && plan_.exec_pid > 0 && current == exec_idx_) {
      // The exec's process closed its end (close-on-exec) in the execve step without reporting a
      // failure: it runs the program. Unless its report is in the report page: its send was
      // refused (a seccomp profile that denies sendmsg), and it has exited.
      if (report_ && report_[0] != '\0') {
        if (init_ > 0) WaitChild(init_, 1000);
        init_ = -1;
        error = Diagnostic{};
        error.message = std::string(report_, strnlen(report_, kExecReportSize));
        return false;
      }
      ready = true;
      return true;
    }
    if (err) {
      // The child died without a word (crash, killed) or the channel broke.
      std::string what;
      pid_t who = init_ > 0 ? init_ : helper_;
      if (err == -1 && who > 0) {
        const char* name = who == init_ ? "init" : "helper";
        int status = WaitChild(who, 1000);
        if (who == init_) init_ = -1;
        if (who == helper_) helper_ = -1;
        what = std::string(name) + " process " + (status == -1 ? "vanished" : DescribeWaitStatus(status));
        err = kNoErrno;
      } else {
        what = "receive from child";
      }
      Fail(error, plan_.steps[current], what, err);
      return false;
    }
    size_t at = static_cast<size_t>(m.step);
    switch (m.type) {
      case SyncType::kDebug:
        current = at;
        LogDebug("step " + std::to_string(plan_.steps[at].index) + " " + KindName(plan_.steps[at]));
        // The child waits for this before it runs the step: the trace line comes first, in time
        // order too (what tests/integration/strace_test.py relies on).
        if (int err = SyncSend(sock_, m)) {
          Fail(error, plan_.steps[at], "send to child", err);
          return false;
        }
        break;
      case SyncType::kYield:
        next = at;
        return true;
      case SyncType::kCloned: {
        init_ = m.pid;
        WaitChild(helper_, -1);
        helper_ = -1;
        next = at;
        std::string what;
        if (int err = JoinCloneCgroup(m.err == 1, what)) {
          Fail(error, plan_.steps[clone_idx_], what, err);
          return false;
        }
        if (int err = RecordInit(what)) {
          Fail(error, plan_.steps[clone_idx_], what, err);
          return false;
        }
        return SendInitState(error);
      }
      case SyncType::kReady:
        ready = true;
        return true;
      case SyncType::kError:
        Fail(error, plan_.steps[at], m.payload, m.err);
        return false;
      case SyncType::kRun:
      case SyncType::kState:
      case SyncType::kFd:
      case SyncType::kHandover:
        Fail(error, plan_.steps[current], std::string("unexpected message ") + SyncTypeName(m.type), EPROTO);
        return false;
    }
  }
}

void Spawner::KillChildren() {
  if (init_ > 0) {
    kill(init_, SIGKILL);
    WaitChild(init_, -1);
    init_ = -1;
  }
  if (helper_ > 0) {
    kill(helper_, SIGKILL);
    WaitChild(helper_, -1);
    helper_ = -1;
  }
  // Whatever the init started that outlived it (outside a pid namespace of its own) is still in
  // the cgroups we created.
  for (int round = 0; round < 100; ++round) {
    int signalled = 0;
    for (const auto& dir : cgroups_created_) signalled += CgroupSignalAll(dir, SIGKILL);
    if (signalled == 0) break;
    usleep(10000);
  }
}

// The plan's teardown steps, for what this create made (the same steps a delete runs), each
// traced with --debug like every other step; a step with nothing to undo is not run. The parents
// a cgroup.mkdir made go with its cgroup.rmdir, deepest first. What a plan without teardown steps
// (a unit test's) leaves is undone after them, the same way.
// A step that fails is reported (undo_errors_, "step N KIND (ORIGIN): ..."), and then the state dir
// stays as a `creating` container with a teardown record of the steps done, as a failed delete
// leaves it: `delete --force ID` finishes the job (removing only what this create made and the
// undo did not). Without its plan and state there (no SpawnOptions::state) nothing could name what
// is left, so the state dir goes anyway.
void Spawner::Undo() {
  auto trace = [](const Step& s) { LogDebug("step " + std::to_string(s.index) + " " + KindName(s)); };
  std::vector<int> done;  // teardown steps that did all they had to
  auto failed = [&](const Step& s, const std::string& what, int err) {
    Diagnostic d;
    Fail(d, s, what, err);
    undo_errors_.push_back(d);
  };
  bool killed = false;
  // Poststop hooks are not run for a container that never was created (as runc).
  for (size_t i = end_; i < plan_.steps.size(); ++i) {
    const Step& s = plan_.steps[i];
    if (s.kind == StepKind::kKill && !killed) {
      killed = true;
      if (init_ > 0 || helper_ > 0 || !cgroups_created_.empty()) {
        trace(s);
        KillChildren();
      }
      CloseAll();
    } else if (s.kind == StepKind::kCgroupRmdir) {
      std::vector<std::string> mine;
      for (const auto& made : cgroups_created_) {
        if (made == s.path ||
            (made.size() < s.path.size() && s.path.compare(0, made.size(), made) == 0 && s.path[made.size()] == '/'))
          mine.push_back(made);
      }
      if (mine.empty()) continue;
      trace(s);
      bool ok = true;
      for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
        const int err = FaultListed(s.index) ? EIO : CgroupRemove(*it, 2000);
        if (err && ok) failed(s, FaultListed(s.index) ? std::string(kInjectedFault) : "rmdir " + *it, err);
        ok = ok && err == 0;
        cgroups_created_.erase(std::find(cgroups_created_.begin(), cgroups_created_.end(), *it));
      }
      if (ok) done.push_back(s.index);
    } else if (s.kind == StepKind::kRdtRemove) {
      auto it = std::find(rdt_created_.begin(), rdt_created_.end(), s.path);
      if (it == rdt_created_.end()) continue;
      trace(s);
      const int err = FaultListed(s.index) ? EIO : (rmdir(s.path.c_str()) != 0 && errno != ENOENT ? errno : 0);
      if (err) {
        failed(s, FaultListed(s.index) ? std::string(kInjectedFault) : "rmdir " + s.path, err);
      } else {
        done.push_back(s.index);
      }
      rdt_created_.erase(it);
    } else if (s.kind == StepKind::kStateRemove && state_dir_created_ && s.path == state_dir_) {
      if (!undo_errors_.empty() && recording_) continue;  // kept below, for delete --force
      trace(s);
      const int err = FaultListed(s.index) ? EIO : RemoveTree(state_dir_);
      if (err) failed(s, FaultListed(s.index) ? std::string(kInjectedFault) : "remove " + state_dir_, err);
      state_dir_created_ = false;
    }
  }
  if (!killed) {
    KillChildren();
    CloseAll();
  }
  for (auto it = cgroups_created_.rbegin(); it != cgroups_created_.rend(); ++it) CgroupRemove(*it, 2000);
  cgroups_created_.clear();
  for (auto it = rdt_created_.rbegin(); it != rdt_created_.rend(); ++it) rmdir(it->c_str());
  rdt_created_.clear();
  if (state_dir_created_ && !undo_errors_.empty() && recording_) {
    Diagnostic err;  // without the record a delete --force only repeats steps
    if (done.empty() || RecordTeardownSteps(state_dir_, done, err)) {
      state_kept_ = true;
    } else {
      undo_errors_.push_back(err);
    }
    state_dir_created_ = false;
  }
  if (state_dir_created_) RemoveTree(state_dir_);
  state_dir_created_ = false;
  // A delete that waited for the lock now finds the container gone (or, kept, `creating`).
  ReleaseLock();
}

// The state dir is the container's name and its record. It is locked before anything is in it,
// so that whoever gets the lock of a `creating` container knows that its create is gone; and the
// plan and the state are in it before any other host resource is made, so that a delete --force
// knows what there may be to undo.
int Spawner::MakeStateDir(const Step& s, std::string& what) {
  if (mkdir(s.path.c_str(), 0711) != 0) {
    if (errno == EEXIST) {
      what = "container ID already exists";
      return kNoErrno;
    }
    what = "mkdir " + s.path;
    return errno;
  }
  int fd = open(s.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    what = "open " + s.path;
    return errno;
  }
  lock_fd_ = MoveFdAbove(fd, min_fd_);
  while (flock(lock_fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      what = "flock " + s.path;
      return errno;
    }
  }
  // Between our mkdir and flock the directory was an empty `creating` container that a delete
  // --force may have removed (and another create made again): then it is not ours to fill or undo.
  struct stat locked, now;
  if (fstat(lock_fd_, &locked) != 0 || locked.st_nlink == 0 || stat(s.path.c_str(), &now) != 0 ||
      now.st_dev != locked.st_dev || now.st_ino != locked.st_ino) {
    what = "state directory " + s.path + " was removed while being created";
    return kNoErrno;
  }
  state_dir_created_ = true;
  state_dir_ = s.path;
  if (!options_.state) return 0;
  ContainerState creating = *options_.state;
  creating.status = ContainerStatus::kCreating;
  creating.pid = 0;
  creating.init_start_time = 0;
  Diagnostic err;
  if (!SavePlan(s.path, plan_, err) || !SaveState(s.path, creating, err)) {
    what = err.message;
    return kNoErrno;
  }
  recording_ = true;
  return 0;
}

// Before the steps that make directories the teardown removes: a create killed after it has them
// in the log, and a delete --force removes those directories (and no directory of a step it did
// not reach: that would not be the container's). One entry covers the whole run of runtime steps
// from here (the cgroup.mkdir steps of every hierarchy come in one): a directory it names that was
// not made yet is simply missing for the teardown.
int Spawner::LogProgress(const Step& s, std::string& what) {
  if (!recording_ || !MakesDirectory(s.kind) || s.index <= logged_through_) return 0;
  int last = s.index;
  const size_t at = static_cast<size_t>(&s - plan_.steps.data());
  for (size_t j = at; j < clone_idx_ && runners_[j] == Runner::kRuntime; ++j) {
    if (MakesDirectory(plan_.steps[j].kind)) last = std::max(last, plan_.steps[j].index);
  }
  Diagnostic err;
  if (!runc::RecordProgress(state_dir_, last, err)) {
    what = err.message;
    return kNoErrno;
  }
  logged_through_ = last;
  return 0;
}

// The clone step's cgroup, when the kernel did not take CLONE_INTO_CGROUP (or the directory is not
// cgroup2 after all): the runtime writes the init's pid, still within the clone step.
// Rootless (the directory's cgroup.mkdir is if-permitted): nothing when that mkdir was skipped,
// and a permission error is not one, as for a cgroup.join.
int Spawner::JoinCloneCgroup(bool joined, std::string& what) {
  const Step& clone = plan_.steps[clone_idx_];
  if (joined || clone.path.empty()) return 0;
  if (cgroups_skipped_.count(clone.path)) {
    LogDebug("step " + std::to_string(clone.index) + ": no cgroup to join, its cgroup.mkdir was skipped");
    return 0;
  }
  int err = WriteFileOnce(clone.path + "/cgroup.procs", std::to_string(init_));
  if (err && IsPermissionError(err) && (clone.flags2 & kIfPermitted)) {
    LogDebug("step " + std::to_string(clone.index) + ": cgroup not joined: write " + clone.path +
             "/cgroup.procs: " + strerror(err));
    return 0;
  }
  if (err) what = "write " + clone.path + "/cgroup.procs";
  return err;
}

// The init exists: its pid and start time go into the progress log at once, so that a delete
// --force can kill it even when we die before the handover and before it has joined a cgroup.
int Spawner::RecordInit(std::string& what) {
  if (!recording_) return 0;
  Diagnostic err;
  if (RecordInitProgress(state_dir_, init_, ProcessStartTime(init_), err)) return 0;
  what = err.message;
  return kNoErrno;
}

// The init waits at wait_start for the handover. First `create` records the container as created
// (on_ready, the state dir still locked); then the init is told, and from then on it outlives us.
bool Spawner::HandOver(Diagnostic& error) {
  if (options_.on_ready && !options_.on_ready(init_, error)) return false;
  SyncMessage m;
  m.type = SyncType::kHandover;
  m.step = static_cast<int32_t>(wait_idx_);
  if (int err = SyncSend(sock_, m)) {
    Fail(error, plan_.steps[wait_idx_], "hand over to the init", err);
    return false;
  }
  return true;
}

void Spawner::ReleaseLock() { CloseFd(lock_fd_); }

void Spawner::CloseAll() {
  CloseFd(sock_);
  CloseFd(child_sock_);
  CloseFd(fifo_fd_);
  CloseFd(console_fd_);
  CloseFd(err_fd_);
  CloseFd(cgroup_fd_);
  if (report_) munmap(report_, kExecReportSize);
  report_ = nullptr;
  for (auto& [path, fd] : ns_fds_) CloseFd(fd);
  ns_fds_.clear();
}


}  // namespace spawn

bool Spawn(const Plan& plan, const SpawnOptions& options, SpawnResult& result, Diagnostic& error) {
  spawn::Spawner spawner(plan, options);
  if (spawner.Run(result, error)) return true;
  result.undo_errors = spawner.undo_errors();
  result.state_kept = spawner.state_kept();
  return false;
}

}  // namespace runc
