// RunTeardown: the teardown phase of a plan (`delete`, and `create`'s undo after a late failure).
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <string>
#include <vector>

#include "executor/runtime/cgroup_host.h"
#include "executor/runtime/spawn.h"
#include "executor/common/hooks.h"
#include "executor/common/log.h"
#include "executor/common/state.h"
#include "executor/common/sys.h"
#include "executor/runtime/internal.h"

namespace runc {

// Removes a state directory and whatever is in it (exec.fifo, state.json, plan.json, ...).
int RemoveTree(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return errno == ENOENT ? 0 : errno;
  if (!S_ISDIR(st.st_mode)) return unlink(path.c_str()) == 0 ? 0 : errno;
  int err = 0;
  if (DIR* d = opendir(path.c_str())) {
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
    for (const auto& n : names) {
      int e = RemoveTree(path + "/" + n);
      if (e && !err) err = e;
    }
  }
  if (rmdir(path.c_str()) != 0 && errno != ENOENT && !err) err = errno;
  return err;
}
namespace {

// Guards against a recycled pid: when the container has cgroups, its init must be in one of them.
bool InContainerCgroup(pid_t pid, const std::vector<std::string>& cgroup_dirs) {
  if (cgroup_dirs.empty()) return true;
  std::string text;
  if (!ReadFileAll("/proc/" + std::to_string(pid) + "/cgroup", text)) return false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t colon = line.find(':', line.find(':') + 1);
    if (colon == std::string::npos) continue;
    std::string rel = line.substr(colon + 1);
    if (rel.empty() || rel == "/") continue;
    for (const auto& dir : cgroup_dirs) {
      if (dir.size() >= rel.size() && dir.compare(dir.size() - rel.size(), rel.size(), rel) == 0) return true;
    }
  }
  return false;
}

// Waits (up to `timeout_ms`) until `pid` has exited and the cgroups are empty.
void WaitGone(pid_t pid, const std::vector<std::string>& cgroup_dirs, int timeout_ms) {
  if (pid > 0) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1, timeout_ms);
      close(pidfd);
    }
    // Not reaped here even when it is our child (`run`): its parent wants the exit status.
  }
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    bool empty = true;
    for (const auto& dir : cgroup_dirs) {
      if (!CgroupPids(dir).empty()) empty = false;
    }
    if (empty) return;
    usleep(10000);
  }
}

// Signals the init when it still is the process whose start time is `start_time`: the pidfd pins
// the pid, so it cannot be recycled between the check and the signal. 0 or an errno.
int SignalVerified(pid_t pid, uint64_t start_time, int sig) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return errno;
  int err = 0;
  if (ProcessStartTime(pid) != start_time) {
    err = ESRCH;
  } else if (syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0) {
    err = errno;
  }
  close(pidfd);
  return err;
}

}  // namespace

bool TeardownStepInScope(const Plan& plan, size_t pos, const TeardownScope& scope) {
  const Step& s = plan.steps[pos];
  StepKind maker;
  switch (s.kind) {
    case StepKind::kCgroupRmdir:
      maker = StepKind::kCgroupMkdir;
      break;
    case StepKind::kRdtRemove:
      maker = StepKind::kRdtGroup;
      break;
    case StepKind::kHook:
      return scope.poststop_hooks;
    default:
      return true;
  }
  for (const Step& m : plan.steps) {
    if (m.kind == maker && m.path == s.path) return m.index <= scope.made_through;
  }
  return true;
}

bool RunTeardown(const Plan& plan, pid_t pid, Diagnostic& error, const TeardownScope& scope) {
  const int fault = FaultStep();
  std::string state_dir;
  for (const Step& s : plan.steps) {
    if (s.kind == StepKind::kStateRemove) state_dir = s.path;
  }
  // A teardown that failed kept the state dir and recorded there the steps it had done: this one
  // resumes, so that poststop hooks run once and no directory is removed (or signalled) twice: a
  // cgroup of that path made since would not be the container's.
  const std::set<int> done = state_dir.empty() ? std::set<int>() : ReadTeardownRecord(state_dir);
  std::vector<std::string> cgroup_dirs;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    if (s.kind == StepKind::kCgroupRmdir && TeardownStepInScope(plan, i, scope) && !done.count(s.index))
      cgroup_dirs.push_back(s.path);
  }
  bool ok = true;
  std::vector<int> done_now;  // recorded at the end when the state dir stays
  // Poststop hooks come after the state_remove step (the runtime-spec's order, and runc's): they
  // run with a record only when the state dir stays, after a failed step. Then a hook goes into
  // the record before it starts, with the steps done so far, not at the end: a delete killed while
  // a hook runs leaves a record that it ran, and the next delete does not run it again (it may
  // have done its work: hooks run at most once).
  auto record_now = [&](int index) {
    if (state_dir.empty()) return;
    done_now.push_back(index);
    Diagnostic ignored;  // without the record a retry only repeats steps
    RecordTeardownSteps(state_dir, done_now, ignored);
    done_now.clear();
  };
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    if (s.phase != Phase::kTeardown || !TeardownStepInScope(plan, i, scope)) continue;
    // The kill step always runs again: it is what lets the cgroups be removed.
    if (done.count(s.index) && s.kind != StepKind::kKill) {
      LogDebug("step " + std::to_string(s.index) + " skipped: done by an earlier teardown");
      continue;
    }
    // After a fatal failure the state dir stays (the container, stopped, is still listed), so that
    // a second delete can finish what this one could not.
    if (s.kind == StepKind::kStateRemove && !ok) continue;
    LogDebug("step " + std::to_string(s.index) + " " + KindName(s));
    if (s.kind == StepKind::kHook) record_now(s.index);
    std::string what;
    int err = 0;
    bool fatal = true;
    if (fault == s.index) {
      what = kInjectedFault;
      err = EIO;
      fatal = s.kind != StepKind::kHook;  // a poststop hook's failure only warns, injected or not
    } else {
      switch (s.kind) {
        case StepKind::kKill: {
          int sig = s.nums.empty() ? SIGKILL : static_cast<int>(s.nums[0]);
          // Only a pid proven to be the init is signalled and waited for.
          pid_t init = -1;
          int e = 0;
          if (pid > 0 && scope.init_start_time != 0) {
            e = SignalVerified(pid, scope.init_start_time, sig);
            if (e != ESRCH) init = pid;
          } else if (pid > 0 && InContainerCgroup(pid, cgroup_dirs)) {
            init = pid;
            if (kill(pid, sig) != 0) e = errno;
          }
          if (e != 0 && e != ESRCH) {
            what = "kill " + std::to_string(pid);
            err = e;
          }
          int signalled = 0;
          for (const auto& dir : cgroup_dirs) signalled += CgroupSignalAll(dir, sig);
          // Nothing signalled and no init: nothing to wait for (issue 10: listing every cgroup
          // tree again was about a tenth of delete's CPU). A cgroup still busy is waited for by
          // its cgroup.rmdir step.
          if (sig == SIGKILL && (init > 0 || signalled > 0)) WaitGone(init, cgroup_dirs, 5000);
          break;
        }
        case StepKind::kCgroupRmdir:
          err = CgroupRemove(s.path, 2000);
          if (err) what = "rmdir " + s.path;
          break;
        case StepKind::kStateRemove:
          err = RemoveTree(s.path);
          if (err) what = "remove " + s.path;
          break;
        case StepKind::kRdtRemove:
          if (rmdir(s.path.c_str()) != 0 && errno != ENOENT) {
            what = "rmdir " + s.path;
            err = errno;
          }
          break;
        case StepKind::kHook:
          err = RunHookProcess(s, HookStateJson(plan, "stopped", pid > 0 ? pid : 0), what);
          fatal = false;  // runtime-spec: poststop failures are logged, delete goes on
          break;
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
        case StepKind::kKeyring:
        case StepKind::kStdioChown:
        case StepKind::kHomeLookup:
        case StepKind::kExecLookup:
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
        case StepKind::kMkdir:
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
          what = "not a teardown step";
          err = EINVAL;
          break;
      }
    }
    // A poststop hook is recorded as it starts: even a failed one only warns, and runs once.
    if (s.kind == StepKind::kStateRemove && err == 0) state_dir.clear();  // and the record with it
    if (err == 0 && s.kind != StepKind::kStateRemove && s.kind != StepKind::kHook) done_now.push_back(s.index);
    if (err == 0) continue;
    std::string message = StepError(s, what, err);
    if (!fatal) {
      LogWarn(message);
      continue;
    }
    if (ok) {
      error = Diagnostic{};
      error.message = message;
      error.err = err > 0 ? err : 0;
    }
    ok = false;
  }
  if (!state_dir.empty() && !done_now.empty()) {
    Diagnostic ignored;  // without the record a retry only repeats steps
    RecordTeardownSteps(state_dir, done_now, ignored);
  }
  return ok;
}


}  // namespace runc
