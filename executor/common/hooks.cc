#include "executor/common/hooks.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "executor/common/log.h"
#include "executor/common/sys.h"
#include "executor/common/state.h"

namespace runc {
namespace {

// State documents for hooks run inside the container init (set once per init, before its first
// step; the init is single-threaded).
std::string g_state_creating;
std::string g_state_created;

// The state goes to the hook's stdin from a memfd rather than a pipe: a hook that never reads its
// stdin can neither block us nor make us take SIGPIPE.
int StateFd(const std::string& state_json, int& err) {
  int fd = memfd_create("runc-hook-state", MFD_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  size_t off = 0;
  while (off < state_json.size()) {
    ssize_t n = write(fd, state_json.data() + off, state_json.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      close(fd);
      return -1;
    }
    off += static_cast<size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) != 0) {
    err = errno;
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int RunHookProcess(const Step& step, const std::string& state_json, std::string& what) {
  int err = 0;
  int state_fd = StateFd(state_json, err);
  if (state_fd < 0) {
    what = "memfd_create hook state";
    return err;
  }
  std::vector<char*> argv, envp;
  for (const auto& a : step.argv) argv.push_back(const_cast<char*>(a.c_str()));
  if (argv.empty()) argv.push_back(const_cast<char*>(step.path.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : step.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, state_fd, STDIN_FILENO);
  posix_spawnattr_init(&attr);
  // The runtime may block or ignore signals (`run` forwards them); the hook starts clean.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, step.path.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(state_fd);
  if (rc != 0) {
    what = "exec " + step.path;
    return rc;
  }

  int timeout_s = !step.nums.empty() && step.nums[0] > 0 ? static_cast<int>(step.nums[0]) : 0;
  bool timed_out = false;
  int status = WaitChild(pid, timeout_s > 0 ? timeout_s * 1000 : -1, &timed_out);
  if (timed_out) {
    what = "hook " + step.path + " timed out after " + std::to_string(timeout_s) + "s";
    return kHookFailed;
  }
  if (status == -1) {
    what = "wait hook " + step.path;
    return ECHILD;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  what = "hook " + step.path + " " + DescribeWaitStatus(status);
  return kHookFailed;
}

bool RunHook(const Step& step, const std::string& state_json, Diagnostic& error) {
  LogDebug("step " + std::to_string(step.index) + " " + std::string(KindInfo(step.kind).name));
  std::string what;
  int err;
  if (FaultStep() == step.index) {
    what = kInjectedFault;
    err = EIO;
  } else {
    err = RunHookProcess(step, state_json, what);
  }
  if (err == 0) return true;
  error = Diagnostic{};
  error.message = StepError(step, what, err);
  error.err = err > 0 ? err : 0;
  return false;
}

bool RunRuntimeHooks(const Plan& plan, const std::string& hook_name, const std::string& state_json,
                     Diagnostic& error) {
  for (const Step& step : plan.steps) {
    if (step.kind != StepKind::kHook || step.name != hook_name) continue;
    if (!RunHook(step, state_json, error)) return false;
  }
  return true;
}

std::string HookStateJson(const Plan& plan, const std::string& status, int pid) {
  ContainerState s;
  s.id = plan.id;
  s.pid = pid;
  s.bundle = plan.bundle;
  s.annotations = plan.annotations;
  if (status == "creating") s.status = ContainerStatus::kCreating;
  if (status == "created") s.status = ContainerStatus::kCreated;
  if (status == "running") s.status = ContainerStatus::kRunning;
  if (status == "stopped") s.status = ContainerStatus::kStopped;
  return StateToOciJson(s).dump();
}

void SetContainerHookState(std::string creating, std::string created) {
  g_state_creating = std::move(creating);
  g_state_created = std::move(created);
}

int RunContainerHook(const Step& step, std::string& what) {
  const std::string& state = step.name == "startContainer" ? g_state_created : g_state_creating;
  return RunHookProcess(step, state, what);
}

}  // namespace runc
