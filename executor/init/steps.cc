// The steps the container init runs, prepared before clone.
//
// ORDER. The init runs the steps exactly in plan order and never reorders them; the compiler
// (compiler/compile.cc) emits them in an order these steps rely on, and checked against it:
//   rootfs:  propagation, rootfs bind, mounts (each followed by its remount; the compiler expands a
//            "cgroup" mount into runc's tmpfs + one mount per hierarchy), mknod or device binds,
//            symlinks, [createContainer hooks], pivot_root | move+chroot, mkdir of the cwd.
//   process: keyring, console, root read-only, hostname, domainname, sysctl, read-only paths,
//            masked paths, rlimits, oom_score_adj, personality, scheduler, ioPriority,
//            memoryPolicy, umask, no_new_privs, cwd, env.home (as root), stdio.chown, user (keeps
//            the permitted set with PR_SET_KEEPCAPS), caps (re-raises CAP_SETPCAP from the kept
//            permitted set to shrink the bounding set, then capset, then ambient; without
//            no_new_privs and with a seccomp step it keeps CAP_SYS_ADMIN effective and permitted
//            for it, which execve then drops), exec.lookup (as the container user, before the
//            start wait, so that a missing program fails `create`).
//   start:   wait_start, startContainer hooks, seccomp, execve. The seccomp step is the last before
//            execve with or without no_new_privs: before the filter the init hands over its fds,
//            clears its parent-death signal and releases `start` (child.cc BeforeSeccomp), so that
//            after it only execve runs and a profile need not allow any syscall of the init's
//            (runc loads it earlier, and its profiles must).
// kUser before kCaps is required: setresuid needs CAP_SETUID/CAP_SETGID, which the caps step may
// drop; the other way round the caps step would also lose the effective set to the uid change.
#include "executor/init/steps.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "executor/init/internal.h"
#include "executor/common/hooks.h"
#include "executor/common/seccomp.h"

namespace runc {
namespace {

Diagnostic StepDiag(const Step& step, std::string message) {
  Diagnostic d;
  d.pointer = step.origin;
  d.message = std::move(message);
  return d;
}

int ReadCapLastCap() {
  int last = 40;
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return last;
  char buf[16] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n > 0) {
    int v = atoi(buf);
    if (v > 0 && v < 64) last = v;
  }
  return last;
}

// "0-3,7" -> bit mask words for set_mempolicy.
bool ParseNodeList(const std::string& text, std::vector<unsigned long>& mask, std::string& error) {
  mask.clear();
  constexpr unsigned kBits = sizeof(unsigned long) * 8;
  constexpr unsigned long kMaxNode = 4096;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    std::string item =
        text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() : comma + 1;
    unsigned long lo = 0, hi = 0;
    char extra = 0;
    if (sscanf(item.c_str(), "%lu-%lu%c", &lo, &hi, &extra) == 2) {
    } else if (sscanf(item.c_str(), "%lu%c", &lo, &extra) == 1) {
      hi = lo;
    } else {
      error = "bad memory policy node list " + text;
      return false;
    }
    if (lo > hi || hi >= kMaxNode) {
      error = "bad memory policy node list " + text;
      return false;
    }
    if (mask.size() < hi / kBits + 1) mask.resize(hi / kBits + 1, 0);
    for (unsigned long n = lo; n <= hi; ++n) mask[n / kBits] |= 1UL << (n % kBits);
  }
  return true;
}

// The container's PATH (not the runtime's: the exec.lookup step's value, or for a plan without that
// step the execve step's env), split like Go's filepath.SplitList (an empty entry is the current
// directory).
std::vector<std::string> PathCandidates(const std::string& program, const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t colon = path.find(':', pos);
    std::string dir =
        path.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
    if (dir.empty()) dir = ".";
    out.push_back(dir + "/" + program);
    if (colon == std::string::npos) break;
    pos = colon + 1;
  }
  return out;
}

bool PrepareSeccomp(const Plan& plan, const Step& step, PreparedPlan& out, Diagnostic& error) {
  if (!plan.seccomp) {
    error = StepDiag(step, "seccomp step without a filter in the plan");
    return false;
  }
  auto sc = std::make_shared<PreparedSeccomp>();
  if (!BuildSeccomp(*plan.seccomp, *sc, error)) return false;
  if (sc->notify) {
    const std::string& listener = plan.seccomp->listener_path;
    if (listener.empty()) {
      error = StepDiag(step, "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
      error.pointer = "/linux/seccomp/listenerPath";
      return false;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (listener.size() >= sizeof addr.sun_path) {
      error = StepDiag(step, "seccomp listener path too long: " + listener);
      error.pointer = "/linux/seccomp/listenerPath";
      return false;
    }
    memcpy(addr.sun_path, listener.c_str(), listener.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      int err = errno;
      if (fd >= 0) close(fd);
      error = StepDiag(step, "connect " + listener + ": " + strerror(err));
      error.pointer = "/linux/seccomp/listenerPath";
      error.err = err;
      return false;
    }
    sc->listener_fd = fd;
    nlohmann::json state = {{"ociVersion", "1.3.0"}, {"id", plan.id},
                            {"status", "creating"},  {"pid", "%PID%"},
                            {"bundle", plan.bundle}, {"annotations", plan.annotations}};
    nlohmann::json msg = {{"ociVersion", "1.3.0"},
                          {"fds", {"seccompFd"}},
                          {"pid", "%PID%"},
                          {"metadata", plan.seccomp->listener_metadata},
                          {"state", state}};
    std::string text = msg.dump();
    for (size_t pos; (pos = text.find("\"%PID%\"")) != std::string::npos;)
      text.replace(pos, 7, "%PID%");
    sc->notify_state = text;
  }
  out.seccomp = std::move(sc);
  return true;
}

}  // namespace

int RunSeccomp(const Step&, InitContext& ctx, std::string& what) {
  if (!ctx.prepared->seccomp) {
    what = "seccomp (filter not prepared)";
    return EINVAL;
  }
  int pid = ctx.prepared->container->host_pid;
  return LoadSeccomp(*ctx.prepared->seccomp, pid > 0 ? pid : getpid(), what);
}

void Fd::Reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

bool PrepareContainerSteps(const Plan& plan, PreparedPlan& out, Diagnostic& error) {
  out.plan = &plan;
  out.seccomp.reset();
  out.exec_argv.clear();
  out.exec_envp.clear();
  auto prep = std::make_shared<PreparedContainer>();
  prep->last_cap = ReadCapLastCap();
  bool has_lookup_step = false;

  for (const Step& step : plan.steps) {
    if (step.kind == StepKind::kSetgroups && step.value == "deny") prep->setgroups_denied = true;
    if (step.kind == StepKind::kMemoryPolicy) {
      std::vector<unsigned long> mask;
      std::string message;
      if (!ParseNodeList(step.value, mask, message)) {
        error = StepDiag(step, message);
        return false;
      }
      prep->node_masks[step.index] = std::move(mask);
    }
    if (step.kind == StepKind::kSeccomp && !PrepareSeccomp(plan, step, out, error)) return false;
    if (step.kind == StepKind::kExecLookup) {
      prep->exec_file = step.path;
      prep->exec_lookup = step.path.find('/') == std::string::npos;
      prep->exec_candidates.clear();
      if (prep->exec_lookup) prep->exec_candidates = PathCandidates(step.path, step.value);
      has_lookup_step = true;
    }
    if (step.kind == StepKind::kExecve) {
      if (!has_lookup_step) {
        prep->exec_file = step.path;
        prep->exec_lookup = step.path.find('/') == std::string::npos;
        prep->exec_candidates.clear();
        std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (const auto& e : step.env) {
          if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
        }
        if (prep->exec_lookup) prep->exec_candidates = PathCandidates(step.path, path);
      }
      out.exec_argv.clear();
      out.exec_envp.clear();
      for (const auto& a : step.argv) out.exec_argv.push_back(const_cast<char*>(a.c_str()));
      if (step.argv.empty()) out.exec_argv.push_back(const_cast<char*>(step.path.c_str()));
      out.exec_argv.push_back(nullptr);
      for (const auto& e : step.env) out.exec_envp.push_back(const_cast<char*>(e.c_str()));
      out.exec_envp.push_back(nullptr);
    }
  }
  out.container = std::move(prep);
  return true;
}

int RunContainerStep(const Step& step, InitContext& ctx, std::string& what) {
  if (!ctx.prepared || !ctx.prepared->plan || !ctx.prepared->container) {
    what = "container steps not prepared";
    return EINVAL;
  }
  PreparedContainer& prep = *ctx.prepared->container;
  if (prep.host_pid == 0 && !ctx.pivoted) {
    // Still seeing the runtime's /proc: remember our pid there for a seccomp notify listener.
    char buf[32] = {};
    ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
    prep.host_pid = n > 0 ? atoi(buf) : -1;
  }
  switch (step.kind) {
    case StepKind::kPropagation:
      return RunPropagation(step, ctx, what);
    case StepKind::kRootfsBind:
      return RunRootfsBind(step, ctx, what);
    case StepKind::kMount:
      return RunMount(step, ctx, what);
    case StepKind::kTmpCopyup:
      return RunTmpCopyup(step, ctx, what);
    case StepKind::kRemount:
      return RunRemount(step, ctx, what);
    case StepKind::kMknod:
      return RunMknod(step, ctx, what);
    case StepKind::kDeviceBind:
      return RunDeviceBind(step, ctx, what);
    case StepKind::kSymlink:
      return RunSymlink(step, ctx, what);
    case StepKind::kPivotRoot:
      return RunPivotRoot(step, ctx, what);
    case StepKind::kMoveChroot:
      return RunMoveChroot(step, ctx, what);
    case StepKind::kMkdir:
      return RunMkdir(step, ctx, what);
    case StepKind::kMask:
      return RunMask(step, ctx, what);
    case StepKind::kReadonlyPath:
      return RunReadonlyPath(step, ctx, what);
    case StepKind::kRootReadonly:
      return RunRootReadonly(step, ctx, what);
    case StepKind::kSysctl:
      return RunSysctl(step, ctx, what);
    case StepKind::kHostname:
      return RunHostname(step, ctx, what);
    case StepKind::kDomainname:
      return RunDomainname(step, ctx, what);
    case StepKind::kRlimit:
      return RunRlimit(step, ctx, what);
    case StepKind::kOomScoreAdj:
      return RunOomScoreAdj(step, ctx, what);
    case StepKind::kUser:
      return RunUser(step, ctx, what);
    case StepKind::kUmask:
      return RunUmask(step, ctx, what);
    case StepKind::kCaps:
      return RunCaps(step, ctx, what);
    case StepKind::kNoNewPrivs:
      return RunNoNewPrivs(step, ctx, what);
    case StepKind::kPersonality:
      return RunPersonality(step, ctx, what);
    case StepKind::kScheduler:
      return RunScheduler(step, ctx, what);
    case StepKind::kIoPriority:
      return RunIoPriority(step, ctx, what);
    case StepKind::kMemoryPolicy:
      return RunMemoryPolicy(step, ctx, what);
    case StepKind::kSeccomp:
      return RunSeccomp(step, ctx, what);
    case StepKind::kCwd:
      return RunCwd(step, ctx, what);
    case StepKind::kConsole:
      return RunConsole(step, ctx, what);
    case StepKind::kKeyring:
      return RunKeyring(step, ctx, what);
    case StepKind::kStdioChown:
      return RunStdioChown(step, ctx, what);
    case StepKind::kHomeLookup:
      return RunHomeLookup(step, ctx, what);
    case StepKind::kExecLookup:
      return RunExecLookup(step, ctx, what);
    case StepKind::kExecve:
      return RunExecve(step, ctx, what);
    case StepKind::kHook:
      // runc runs createContainer hooks from the rootfs (before pivot_root): a hook may use paths
      // relative to it (`touch ./lib/x`). The init resolves nothing through its cwd, so moving it
      // changes no later step.
      if (step.name == "createContainer" && !ctx.pivoted && ctx.prepared && ctx.prepared->rootfs_fd >= 0 &&
          fchdir(ctx.prepared->rootfs_fd) != 0) {
        what = "fchdir rootfs";
        return errno;
      }
      return RunContainerHook(step, what);  // executor/common/hooks.h
    case StepKind::kSeal:
    case StepKind::kSubreaper:
    case StepKind::kCgroupCopy:
    case StepKind::kInitSetup:
    case StepKind::kBecomeRoot:
    case StepKind::kStateDir:
    case StepKind::kCgroupMkdir:
    case StepKind::kCgroupWrite:
    case StepKind::kCgroupDevices:
    case StepKind::kRdtGroup:
    case StepKind::kNsOpen:
    case StepKind::kNotifySocket:
    case StepKind::kTimeOffsets:
    case StepKind::kClone:
    case StepKind::kNsJoin:
    case StepKind::kSetgroups:
    case StepKind::kUidMap:
    case StepKind::kGidMap:
    case StepKind::kCgroupJoin:
    case StepKind::kRdtJoin:
    case StepKind::kCpuAffinity:
    case StepKind::kUnshare:
    case StepKind::kNetDevice:
    case StepKind::kIdmapMount:
    case StepKind::kMountOpen:
    case StepKind::kWaitStart:
    case StepKind::kKill:
    case StepKind::kCgroupRmdir:
    case StepKind::kRdtRemove:
    case StepKind::kStateRemove:
      what = "step of the runtime run in the container init";
      return EINVAL;
  }
  what = "unknown step kind";
  return EINVAL;
}

}  // namespace runc
