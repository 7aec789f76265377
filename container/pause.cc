// pause and resume: freeze and thaw every process of the container's cgroup (the v1 freezer, or
// cgroup2's cgroup.freeze), waiting until the kernel reports the new state.
#include <cerrno>
#include <fstream>
#include <sstream>

#include "container/internal.h"
#include "executor/common/sys.h"

namespace runc::container {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// What the freezer reports now: true when frozen. v1: freezer.state says FROZEN (FREEZING while
// tasks are still being stopped); v2: cgroup.events says "frozen 1".
bool ReadFrozen(const std::string& control, bool& frozen, Diagnostic& error) {
  std::string text;
  const bool v1 = EndsWith(control, "/freezer.state");
  const std::string file = v1 ? control : control.substr(0, control.rfind('/')) + "/cgroup.events";
  if (!ReadFileAll(file, text)) {
    error = Diagnostic{};
    error.message = "read " + file + ": " + Errno(errno);
    error.err = errno;
    return false;
  }
  if (v1) {
    frozen = text.rfind("FROZEN", 0) == 0;
    return true;
  }
  frozen = text.find("frozen 1") != std::string::npos;
  return true;
}

}  // namespace

std::string FreezerControl(const Plan& plan) {
  std::string v2;
  for (const auto& dir : JoinedCgroupDirs(plan)) {
    std::string ignored;
    if (ReadFileAll(dir + "/freezer.state", ignored)) return dir + "/freezer.state";
    if (v2.empty() && ReadFileAll(dir + "/cgroup.freeze", ignored)) v2 = dir + "/cgroup.freeze";
  }
  return v2;
}

bool SetFrozen(const std::string& control, bool freeze, Diagnostic& error) {
  const bool v1 = EndsWith(control, "/freezer.state");
  const std::string want = v1 ? (freeze ? "FROZEN" : "THAWED") : (freeze ? "1" : "0");
  // v1: a cgroup can stay FREEZING while a task is in an uninterruptible sleep; like runc, write
  // the request again (thawing in between now and then) until it takes. v2 reports the change in
  // cgroup.events once every task has stopped.
  for (int attempt = 0; attempt < 2000; ++attempt) {
    if (v1 && freeze && attempt > 0 && attempt % 50 == 0) WriteFileOnce(control, "THAWED");
    if (attempt == 0 || v1) {
      if (int err = WriteFileOnce(control, want)) {
        error = Diagnostic{};
        error.message = "write " + control + ": " + Errno(err);
        error.err = err;
        return false;
      }
    }
    bool frozen = false;
    if (!ReadFrozen(control, frozen, error)) return false;
    if (frozen == freeze) return true;
    SleepMs(1);
  }
  error = Diagnostic{};
  error.message = std::string(freeze ? "freeze " : "thaw ") + control + ": the cgroup did not settle";
  return false;
}

bool Pause(const Context& ctx, const std::string& id, Diagnostic& error) {
  ContainerLock lock;
  if (!lock.Lock(ctx.root, id, error)) return false;
  ContainerState state;
  if (!LoadState(ctx.root, id, state, error)) return false;
  error = Diagnostic{};
  if (state.status != ContainerStatus::kRunning && state.status != ContainerStatus::kCreated) {
    error.message = "container not running";
    return false;
  }
  if (state.freezer.empty()) {
    error.message = "cannot pause container " + id + ": it has no freezer cgroup";
    return false;
  }
  return SetFrozen(state.freezer, true, error);
}

bool Resume(const Context& ctx, const std::string& id, Diagnostic& error) {
  ContainerLock lock;
  if (!lock.Lock(ctx.root, id, error)) return false;
  ContainerState state;
  if (!LoadState(ctx.root, id, state, error)) return false;
  error = Diagnostic{};
  if (state.status != ContainerStatus::kPaused) {
    error.message = "container not paused";
    return false;
  }
  return SetFrozen(state.freezer, false, error);
}

}  // namespace runc::container
