// kill: a signal to the container's init, or to every process of its cgroup.
#include <signal.h>

#include <cerrno>

#include "container/internal.h"

namespace runc::container {
namespace {

// A frozen process does not act on SIGKILL until it is thawed (cgroup v1; v2 kills frozen tasks,
// but thawing there is harmless): runc thaws a paused container it has SIGKILLed.
void ThawAfterKill(const ContainerState& state, int signal) {
  if (signal != SIGKILL || state.status != ContainerStatus::kPaused) return;
  Diagnostic ignored;
  SetFrozen(state.freezer, false, ignored);
}

}  // namespace

bool Kill(const Context& ctx, const std::string& id, int signal, bool all, Diagnostic& error) {
  ContainerLock lock;
  if (!lock.Lock(ctx.root, id, error)) return false;
  ContainerState state;
  if (!LoadState(ctx.root, id, state, error)) return false;
  if (all) {
    Plan plan;
    if (!LoadContainerPlan(ctx.root, id, plan, error)) return false;
    if (HasCgroup(plan)) {
      SignalCgroup(plan, signal);
      ThawAfterKill(state, signal);
      return true;
    }
    // No cgroup to enumerate: the init is all we know of.
  }
  error = Diagnostic{};
  if (state.status == ContainerStatus::kStopped || state.status == ContainerStatus::kCreating) {
    if (all) return true;
    error.message = "container not running";
    return false;
  }
  if (int e = SignalInit(state, signal); e != 0) {
    error.message = e == ESRCH ? "container not running" : "kill " + std::to_string(state.pid) + ": " + Errno(e);
    return false;
  }
  ThawAfterKill(state, signal);
  return true;
}

}  // namespace runc::container
