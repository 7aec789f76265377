// The child side of Spawn: the helper (H) and the container init (I), from the moment the runtime
// forks or clones them (see executor/runtime/spawn.cc for the process layout and the baton
// protocol). Everything here ends in _exit or execve. The in-container steps themselves are
// executor/init/steps.cc.
#include "executor/init/child.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <vector>

#include "executor/common/hooks.h"
#include "executor/common/seccomp.h"
#include "executor/common/state.h"
#include "executor/common/sync.h"
#include "executor/common/sys.h"
#include "executor/init/internal.h"

namespace runc::init {
namespace {

// One child of the runtime. It starts on a copy of the runtime's memory, so the references of its
// ChildSetup (the plan, the prepared steps) stay valid; what it changes stays its own.
class Child {
 public:
  Child(const ChildSetup& s, bool userns)
      : plan_(*s.plan), runners_(*s.runners), end_(s.end), fault_(s.fault), debug_(s.debug), traced_(s.traced),
        min_fd_(s.min_fd), ctx_(*s.ctx), ns_fds_(*s.ns_fds), sock_(s.sock),
        fifo_fd_(s.fifo_fd), err_fd_(s.err_fd), report_(s.report), cgroup_fd_(s.cgroup_fd),
        runtime_pid_(s.runtime_pid),
        userns_(userns) {}

  [[noreturn]] void Main(Runner role);

 private:
  size_t WaitBaton();
  [[noreturn]] void ChildFail(size_t i, int err, const std::string& what);
  int ChildStep(size_t i, std::string& what);
  int WaitStart(size_t i, std::string& what);
  void ReleaseStart();
  void DieWithRuntime();
  void BecomeInit();
  void InitSetup(const Step& s);
  void CloseHostFds();
  void EnterContainer();
  void HandOverFds();
  int PrepareExecve(size_t i, std::string& what);
  void BeforeSeccomp(size_t i);
  // Whether step i is announced before it runs: every step with --debug (the trace); in an exec,
  // the execve step, whose runtime learns so that the process reached execve (the end of file
  // that follows is its success). The others are not: a round trip each (30 in an exec of the
  // default spec) for nothing, since a failing step names itself (kError).
  bool Reports(size_t i) const {
    return debug_ || (plan_.exec_pid > 0 && plan_.steps[i].kind == StepKind::kExecve);
  }
  void ReportStep(size_t i);

  const Plan& plan_;
  const std::vector<Runner>& runners_;
  const size_t end_;
  const int fault_;
  const bool debug_;
  const int traced_;
  const int min_fd_;
  InitContext& ctx_;
  std::map<std::string, int>& ns_fds_;
  int sock_;
  int fifo_fd_;
  int err_fd_;
  char* report_;
  int cgroup_fd_;
  const pid_t runtime_pid_;
  int start_fd_ = -1;  // exec.fifo opened for writing (after wait_start)
  bool exec_prepared_ = false;
  size_t reported_ = SIZE_MAX;  // the last step announced (ReportStep)  // PrepareExecve() done: execve is all that is left

  Runner role_ = Runner::kHelper;
  bool detached_ = false;  // after kReady: nobody reads the socket any more
  bool time_unshared_ = false;
  bool userns_ = false;    // the init is in a user namespace of its own (new or joined)
  bool entered_ = false;   // EnterContainer() done
  bool helper_set_up_ = false;
  std::string state_creating_, state_created_;  // hook state documents from the runtime
};


// If the runtime dies while we are being set up, so do we (for the init: cleared before seccomp
// and at wait_start, after which the socket tells, see WaitStart). The signal is armed only from
// here on: a runtime that died since our clone sends none, so check that our parent still is the
// runtime. In a pid namespace of our own getppid() is 0 (the parent is outside it); then the socket
// tells: the runtime's end is closed (POLLHUP) only when it is gone.
void Child::DieWithRuntime() {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const pid_t parent = getppid();
  if (parent != 0) {
    if (parent != runtime_pid_) _exit(1);
    return;
  }
  pollfd p{sock_, 0, 0};
  if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) _exit(1);
}

void Child::BecomeInit() { role_ = Runner::kInit; }

// The init step, the init's first: before it the init only waits for the baton (the runtime's
// death ends that wait: end of file on the socket).
void Child::InitSetup(const Step& s) {
  // A process in the container's pid namespace (a pod sibling with shareProcessNamespace) must not
  // reach into us through /proc/1/{fd,cwd,root,mem} while we still hold the runtime's view of the
  // host: non-dumpable, only a ptracer with CAP_SYS_PTRACE over our user namespace may. The runtime
  // made itself non-dumpable before cloning us, so we were born that way; execve resets it for the
  // container process (as in runc, whose nsexec does the same). An unprivileged runtime still has
  // to write our maps (a rootless plan, kDumpableForMaps): then only from the become_root step on,
  // the first after the spawn phase (no process of the container exists yet). The helper is
  // non-dumpable from its start (Main).
  prctl(PR_SET_DUMPABLE, (s.flags & kDumpableForMaps) ? 1 : 0, 0, 0, 0);
  CloseHostFds();
  DieWithRuntime();
  // The container gets a session of its own (and can take a controlling terminal, kConsole).
  setsid();
}

// CVE-2024-21626: an fd of the runtime's that reaches the container process, or is still open
// while the init resolves a path from the config, is a way out of the rootfs:
// `/proc/self/fd/N/../../..` as process.args[0], a PATH entry or the cwd walks the host's tree from
// a directory the runtime opened (a cgroup directory, the state dir it holds locked, ...). So the
// init closes every fd it inherited except those it needs, before it runs any step: stdio and
// --preserve-fds, the sync socket, the exec fifo (an O_PATH fd of a fifo, reopened through
// /proc/self/fd at wait_start like runc's), the runtime's stderr for reports after `create`
// returns, the --console-socket and seccomp listener sockets, and the namespace files of ns.join
// steps it runs itself. Closed, not marked close-on-exec: what is open until execve is reachable
// through /proc/self/fd from every path the init resolves.
void Child::CloseHostFds() {
  std::vector<int> keep = {sock_, fifo_fd_, err_fd_};
  if (ctx_.console_socket_fd >= 0) keep.push_back(ctx_.console_socket_fd);
  if (ctx_.prepared && ctx_.prepared->seccomp) keep.push_back(ctx_.prepared->seccomp->listener_fd);
  for (size_t i = 0; i < end_; ++i) {
    const Step& s = plan_.steps[i];
    if (s.kind != StepKind::kNsJoin || runners_[i] != Runner::kInit) continue;
    if (auto it = ns_fds_.find(s.path); it != ns_fds_.end()) keep.push_back(it->second);
  }
  keep.erase(std::remove_if(keep.begin(), keep.end(), [&](int fd) { return fd < min_fd_; }), keep.end());
  std::sort(keep.begin(), keep.end());
  keep.push_back(-1);  // sentinel: close up to the end
  unsigned first = static_cast<unsigned>(min_fd_);
  for (int k : keep) {
    unsigned last = k < 0 ? ~0U : static_cast<unsigned>(k) - 1;
    if (k < 0 || static_cast<unsigned>(k) > first) {
      if (syscall(SYS_close_range, first, last, 0U) != 0) {
        // Kernels before 5.9: one by one, up to the fd limit.
        struct rlimit rl;
        unsigned max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (1U << 20)
                           ? static_cast<unsigned>(rl.rlim_cur)
                           : (1U << 20);
        for (unsigned fd = first; fd <= last && fd < max; ++fd) close(static_cast<int>(fd));
      }
    }
    if (k >= 0) first = static_cast<unsigned>(k) + 1;
  }
  // What the copy of the runtime's memory still names is gone now.
  cgroup_fd_ = -1;
  for (auto& [path, fd] : ns_fds_) {
    if (!std::binary_search(keep.begin(), keep.end() - 1, fd)) fd = -1;
  }
  if (ctx_.prepared && ctx_.prepared->rootfs_fd >= 0 &&
      !std::binary_search(keep.begin(), keep.end() - 1, ctx_.prepared->rootfs_fd))
    ctx_.prepared->rootfs_fd = -1;
}

size_t Child::WaitBaton() {
  SyncMessage m;
  while (true) {
    int err = SyncRecv(sock_, m);
    if (err) _exit(1);  // the runtime is gone: nobody to report to, nothing to set up for
    if (m.type == SyncType::kFd && m.step >= 0 && static_cast<size_t>(m.step) < end_ && m.fd >= 0) {
      // A detached idmapped mount (mount.idmap) for the kMount step at m.step.
      auto [it, added] = ctx_.mount_fds.emplace(plan_.steps[static_cast<size_t>(m.step)].index, m.fd);
      if (!added) {
        CloseFd(it->second);
        it->second = m.fd;
      }
      continue;
    }
    CloseFd(m.fd);
    if (m.type == SyncType::kState) {
      (m.pid == 0 ? state_creating_ : state_created_) = std::move(m.payload);
      SetContainerHookState(state_creating_, state_created_);
      continue;
    }
    if (m.type == SyncType::kRun && m.step >= 0 && static_cast<size_t>(m.step) < end_) {
      return static_cast<size_t>(m.step);
    }
    _exit(1);
  }
}

void Child::ChildFail(size_t i, int err, const std::string& what) {
  const Step& s = plan_.steps[i];
  if (!detached_) {
    // A seccomp filter may refuse the send (an exec's execve): the report page keeps it for the
    // runtime, which is our parent and reads it at our end of file.
    if (report_) {
      const std::string message = StepError(s, what, err);
      memcpy(report_, message.data(), std::min(message.size(), kExecReportSize - 1));
    }
    SyncMessage m;
    m.type = SyncType::kError;
    m.step = static_cast<int32_t>(i);
    m.err = err;
    m.payload = what;
    SyncSend(sock_, m);
  } else if (start_fd_ >= 0) {
    // After the start wait: `runc start` reads the exec fifo to its end (see WaitStart), and
    // reports this as its own failure. Under a seccomp filter that denies write(2) the fifo gets
    // nothing: the report page (a store, no syscall) is what start reads then.
    const std::string message = StepError(s, what, err);
    if (report_) memcpy(report_, message.data(), std::min(message.size(), kExecReportSize - 1));
    WriteAllFd(start_fd_, message);
  } else if (err_fd_ >= 0) {
    WriteAllFd(err_fd_, "runc: " + StepError(s, what, err) + "\n");
  }
  int code = 1;
  if (s.kind == StepKind::kExecve) code = err == ENOENT ? 127 : 126;
  _exit(code);
}

// Marks the init's first step inside the container (after the spawn phase). What runtimes do at
// that moment is in steps of their own: become_root (non-dumpable, root of a user namespace of its
// own) and keyring (the session keyring).
void Child::EnterContainer() { entered_ = true; }

// Only 0, 1, 2 and the --preserve-fds range reach the container process: everything else is
// marked close-on-exec (not closed: the init still uses some of it until execve). Done right
// before execve, and before the seccomp filter is loaded (it may not allow close_range).
void Child::HandOverFds() {
  if (syscall(SYS_close_range, static_cast<unsigned>(min_fd_), ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    struct rlimit rl;
    int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? static_cast<int>(rl.rlim_cur) : 65536;
    for (int fd = min_fd_; fd < max; ++fd) {
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
  }
  for (int fd = 3; fd < min_fd_; ++fd) fcntl(fd, F_SETFD, 0);
}

// The execve step (index i) but its execve: hand over the fds, release `runc start`, look the
// program up. Run by the seccomp step when execve follows it, else by the execve step.
int Child::PrepareExecve(size_t i, std::string& what) {
  exec_prepared_ = true;
  // Left set, the parent-death signal would follow the process through execve: a detached
  // `runc exec` exiting would kill it. (For the init, wait_start has cleared it already.)
  prctl(PR_SET_PDEATHSIG, 0);
  HandOverFds();
  ReleaseStart();
  return ResolveExecve(plan_.steps[i], ctx_, what);
}

// The seccomp step is the last before execve: what is left of the init's own work is done before
// the filter goes in, so that a profile need not allow any of it: the parent-death signal (left
// set, it would kill the init when `create` exits) and the execve step's preparation (its errors
// are the execve step's).
void Child::BeforeSeccomp(size_t i) {
  prctl(PR_SET_PDEATHSIG, 0);
  if (i + 1 < end_ && plan_.steps[i + 1].kind == StepKind::kExecve) {
    std::string what;
    if (int err = PrepareExecve(i + 1, what)) ChildFail(i + 1, err, what);
    // The execve step's report goes now: under the filter even a send may be refused.
    if (Reports(i + 1)) ReportStep(i + 1);
  } else {
    HandOverFds();
  }
}

void Child::ReportStep(size_t i) {
  reported_ = i;
  if (!detached_) {
    // The runtime writes the trace line and answers: the step runs after its line.
    SyncMessage m;
    m.type = SyncType::kDebug;
    m.step = static_cast<int32_t>(i);
    if (SyncSend(sock_, m) != 0 || SyncRecv(sock_, m) != 0 || m.type != SyncType::kDebug) _exit(1);
    CloseFd(m.fd);
  } else if (debug_ && err_fd_ >= 0) {
    const Step& s = plan_.steps[i];
    WriteAllFd(err_fd_, "runc: debug: step " + std::to_string(s.index) + " " + KindName(s) + "\n");
  }
}

int Child::WaitStart(size_t i, std::string& what) {
  std::string path = "/proc/self/fd/" + std::to_string(fifo_fd_);
  // Check the way back to the fifo while errors can still be reported. The reopen below goes
  // through a magic link: it must name the fifo the runtime made, nothing else (a directory there
  // would be a way out of the container, see CloseHostFds).
  struct stat st;
  if (fstat(fifo_fd_, &st) != 0) {
    what = "stat exec fifo " + path;
    return errno;
  }
  if (!S_ISFIFO(st.st_mode)) {
    what = "open exec fifo " + path + ": not a fifo";
    return kNoErrno;
  }
  int probe = open(path.c_str(), O_PATH | O_CLOEXEC);
  if (probe < 0) {
    what = "open " + path;
    return errno;
  }
  close(probe);
  // The container's root fd is not needed while we wait (RootFd reopens it if execve needs it): in
  // the created state only what CloseHostFds kept is open.
  if (ctx_.prepared) CloseFd(ctx_.prepared->rootfs_fd);
  prctl(PR_SET_PDEATHSIG, 0);
  SyncMessage m;
  m.type = SyncType::kReady;
  m.step = static_cast<int32_t>(i);
  // Without its runtime (killed before it heard of us) nobody would ever start or delete us.
  if (SyncSend(sock_, m) != 0) _exit(1);
  // Nor before it has recorded us as created (end of file instead of the handover): a `creating`
  // container is torn down by delete --force, and its init must not wait for a start meanwhile.
  SyncMessage handover;
  if (SyncRecv(sock_, handover) != 0 || handover.type != SyncType::kHandover) _exit(1);
  CloseFd(handover.fd);
  detached_ = true;
  CloseFd(sock_);
  // Blocks until `runc start` opens the fifo for reading. `start` then reads it to its end: the fd
  // is close-on-exec, so end of file comes when the container process runs (or the init died).
  // What it reads is the byte written right before execve (ReleaseStart), and the error of a step
  // that fails after this one (ChildFail): a startContainer hook, seccomp, execve. So `start` runs
  // the poststart hooks after the startContainer hooks, as the runtime-spec orders, and fails when
  // the container process could not be started.
  int fd;
  do {
    fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    what = "open exec fifo " + path;
    return errno;
  }
  CloseFd(fifo_fd_);
  start_fd_ = MoveFdAbove(fd, min_fd_);
  return 0;
}

void Child::ReleaseStart() {
  if (start_fd_ < 0) return;
  ssize_t n;
  do {
    n = write(start_fd_, "0", 1);
  } while (n < 0 && errno == EINTR);
}

int Child::ChildStep(size_t i, std::string& what) {
  const Step& s = plan_.steps[i];
  switch (s.kind) {
    case StepKind::kTimeOffsets:
      // The offsets of a time namespace can only be written before a process enters it; unshare
      // only affects our children, the init cloned next.
      if (unshare(CLONE_NEWTIME) != 0) {
        what = "unshare time";
        return errno;
      }
      time_unshared_ = true;
      if (s.value.empty()) return 0;  // a time namespace without offsets
      {
        // Through a checked procfs: after an ns.join of a mount namespace the helper's /proc is
        // that namespace's, which its containers can mount over (CVE-2025-52881).
        Fd fd;
        std::string why;
        int err = OpenProcFile(ctx_, "self/timens_offsets", O_WRONLY, fd, why);
        if (err) {
          what = "open /proc/self/timens_offsets" + (err == kNoErrno ? ": " + why : std::string());
          return err;
        }
        ssize_t n;
        do {
          n = write(fd.get(), s.value.data(), s.value.size());
        } while (n < 0 && errno == EINTR);
        if (n != static_cast<ssize_t>(s.value.size())) {
          what = "write /proc/self/timens_offsets";
          return n < 0 ? errno : EIO;
        }
      }
      return 0;
    case StepKind::kClone: {
      // The helper clones the init as a sibling (CLONE_PARENT): the runtime is its parent. clone3
      // wants exit_signal 0 with CLONE_PARENT; the init inherits the helper's (SIGCHLD).
      uint64_t flags = s.flags | CLONE_PARENT;
      if (time_unshared_) flags &= ~static_cast<uint64_t>(CLONE_NEWTIME);
      bool joined = false;
      pid_t pid = CloneMaybeIntoCgroup(flags, 0, cgroup_fd_, joined);
      if (pid < 0) {
        what = "clone3";
        return errno;
      }
      if (pid == 0) {
        if (s.flags & CLONE_NEWUSER) userns_ = true;
        BecomeInit();
        return 0;
      }
      SyncMessage m;
      m.type = SyncType::kCloned;
      m.step = static_cast<int32_t>(i + 1);
      m.pid = pid;
      m.err = joined ? 1 : 0;
      SyncSend(sock_, m);
      _exit(0);
    }
    case StepKind::kNsJoin: {
      int fd = -1;
      auto it = ns_fds_.find(s.path);
      bool own = false;
      if (it != ns_fds_.end() && it->second >= 0) {
        fd = it->second;
      } else {
        fd = open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
        own = true;
        if (fd < 0) {
          what = "open " + s.path;
          return errno;
        }
      }
      int rc = setns(fd, static_cast<int>(s.flags));
      int err = rc == 0 ? 0 : errno;
      if (own) close(fd);
      if (err) {
        what = "setns " + s.path;
        return err;
      }
      if (s.flags & CLONE_NEWUSER) userns_ = true;
      return 0;
    }
    case StepKind::kUnshare:
      if (unshare(static_cast<int>(s.flags)) != 0) {
        what = "unshare";
        return errno;
      }
      return 0;
    case StepKind::kCgroupJoin: {
      // Only kSelfJoin steps come here (Spawner::Classify): "0" moves the writing thread, which
      // is the whole init. Opened and closed here: the init keeps no fd to a host object.
      if (!(s.flags & kSelfJoin)) break;
      if (int err = WriteFileOnce(s.path, "0")) {
        what = "write " + s.path;
        return err;
      }
      return 0;
    }
    case StepKind::kInitSetup:
      InitSetup(s);
      return 0;
    case StepKind::kBecomeRoot:
      // Non-dumpable from here on, whatever InitSetup left (an unprivileged runtime's map writes are
      // done: they are spawn steps). Then root of a user namespace of its own, so that files the
      // init creates are owned by a mapped id; when root is not mapped, stay as we are: the plan's
      // own user step decides.
      prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
      if (userns_ && (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)) {
      }
      return 0;
    case StepKind::kWaitStart:
      return WaitStart(i, what);
    case StepKind::kExecve:
      if (!exec_prepared_) {
        if (int err = PrepareExecve(i, what)) return err;
      }
      return RunContainerStep(s, ctx_, what);
    case StepKind::kHook:
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
    case StepKind::kKeyring:
    case StepKind::kStdioChown:
    case StepKind::kHomeLookup:
    case StepKind::kExecLookup:
      return RunContainerStep(s, ctx_, what);
    case StepKind::kConsole: {
      int err = RunContainerStep(s, ctx_, what);
      if (err != 0) return err;
      // The pty is now our 0-2; err_fd_ is the last copy of the caller's stdio we hold. A caller
      // with a terminal container (containerd's shim) waits for end of file on create's stdout
      // and stderr before it calls start: holding a copy until execve would make it wait
      // forever. Later errors go to the container's terminal instead. The console socket has
      // done its job too (runc closes it after sending the master).
      if (err_fd_ != STDERR_FILENO) {
        CloseFd(err_fd_);
        err_fd_ = STDERR_FILENO;
      }
      CloseFd(ctx_.console_socket_fd);
      return 0;
    }
    case StepKind::kSeal:
    case StepKind::kSubreaper:
    case StepKind::kCgroupCopy:
    case StepKind::kStateDir:
    case StepKind::kCgroupMkdir:
    case StepKind::kCgroupWrite:
    case StepKind::kCgroupDevices:
    case StepKind::kRdtGroup:
    case StepKind::kNsOpen:
    case StepKind::kNotifySocket:
    case StepKind::kSetgroups:
    case StepKind::kUidMap:
    case StepKind::kGidMap:
    case StepKind::kRdtJoin:
    case StepKind::kCpuAffinity:
    case StepKind::kNetDevice:
    case StepKind::kIdmapMount:
    case StepKind::kMountOpen:
    case StepKind::kKill:
    case StepKind::kCgroupRmdir:
    case StepKind::kRdtRemove:
    case StepKind::kStateRemove:
      break;
  }
  what = "not a step of the container";
  return EINVAL;
}

void Child::Main(Runner role) {
  if (role == Runner::kInit) {
    BecomeInit();
  } else {
    role_ = role;
  }
  size_t i = WaitBaton();
  while (i < end_) {
    const Step& s = plan_.steps[i];
    Runner r = runners_[i];
    if (r == Runner::kRuntime) {
      if (detached_) {
        // After wait_start the runtime steps are `runc start`'s (poststart hooks).
        ++i;
        continue;
      }
      SyncMessage m;
      m.type = SyncType::kYield;
      m.step = static_cast<int32_t>(i);
      if (SyncSend(sock_, m) != 0) _exit(1);
      i = WaitBaton();
      continue;
    }
    if (r != role_) ChildFail(i, EINVAL, "plan order: step for another process");
    if (Reports(i) && reported_ != i && static_cast<int>(i) != traced_) ReportStep(i);
    if (role_ == Runner::kHelper && !helper_set_up_) {
      // The helper's first step (traced above) starts with this. Non-dumpable like the init
      // (InitSetup): the helper joins the container's namespaces with the runtime's fds, and the
      // init it clones is born with this setting.
      helper_set_up_ = true;
      prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
      DieWithRuntime();
    }
    if (role_ == Runner::kInit && !entered_ && s.phase != Phase::kSpawn) EnterContainer();
    if (fault_ == s.index) ChildFail(i, EIO, kInjectedFault);
    if (s.kind == StepKind::kSeccomp) BeforeSeccomp(i);
    Runner before = role_;
    std::string what;
    int err = ChildStep(i, what);
    if (err != 0) ChildFail(i, err, what);
    if (before == Runner::kHelper && role_ == Runner::kInit) {
      // We are the freshly cloned init: the runtime sends our state, then the baton.
      i = WaitBaton();
      continue;
    }
    ++i;
  }
  ReleaseStart();
  _exit(0);
}

}  // namespace

void ChildMain(const ChildSetup& setup, Runner role, bool userns) { Child(setup, userns).Main(role); }

}  // namespace runc::init
