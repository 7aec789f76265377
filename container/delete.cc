// delete: tear a container down from the plan saved at create time.
#include <signal.h>

#include <cerrno>

#include "container/internal.h"
#include "executor/runtime/spawn.h"

namespace runc::container {

bool Delete(const Context& ctx, const std::string& id, bool force, Diagnostic& error) {
  return DeleteWithPlan(ctx, id, force, KnownPlan{}, error);
}

bool DeleteWithPlan(const Context& ctx, const std::string& id, bool force, const KnownPlan& known, Diagnostic& error) {
  std::string id_error;
  if (!ValidContainerId(id, id_error)) {
    error = Diagnostic{};
    error.message = id_error;
    return false;
  }
  ContainerLock lock;
  if (!lock.Lock(ctx.root, id, error)) {
    // runc: `delete --force` of a container that does not exist is not an error (podman cleans up
    // with it after the container may already be gone).
    return force && error.err == ENOENT;
  }
  ContainerState state;
  if (!LoadState(ctx.root, id, state, error)) return false;
  // The OCI runtime spec says delete of a container that is not stopped MUST fail; runc 1.1 also
  // deletes a `created` container without --force. We follow the spec: created, running (and
  // creating) need --force. A create in progress holds the lock: Lock() above waited for it.
  if (state.status != ContainerStatus::kStopped && !force) {
    error = Diagnostic{};
    error.message = "cannot delete container " + id + " that is not stopped: " + std::string(StatusName(state.status));
    return false;
  }
  Plan loaded;
  const Plan* current = CurrentPlan(ctx, id, known, loaded, error);
  if (!current) {
    if (state.status == ContainerStatus::kCreating && error.err == ENOENT) {
      // A create killed before it wrote the plan: it had made nothing but the state dir (and it
      // held the lock, which we now have: it is gone).
      if (!RemoveFlatDir(lock.dir())) {
        error = Diagnostic{};
        error.message = "remove " + lock.dir() + ": " + Errno(errno);
        return false;
      }
      return true;
    }
    return false;
  }
  const Plan& plan = *current;
  if (state.status == ContainerStatus::kCreating) {
    // `create` holds the lock until the container is created, so a `creating` one whose lock we
    // hold is what a killed create left: undo what it may have made (its progress log says how far
    // it got), as its own failure path would have, and kill its init if it had one (which dies
    // with its runtime, but may not have yet). A create still running was waited for by the lock.
    TeardownScope scope;
    scope.made_through = ReadProgress(lock.dir()).made_through;
    scope.poststop_hooks = false;
    scope.init_start_time = state.init_start_time;
    return RunTeardown(plan, state.init_start_time != 0 ? state.pid : -1, error, scope);
  }
  const bool alive = state.status == ContainerStatus::kCreated || state.status == ContainerStatus::kRunning ||
                     state.status == ContainerStatus::kPaused;
  // Without a pid namespace the init's death does not take the rest of the container with it;
  // kill whatever is left in the cgroup so that it can be removed. Frozen processes die only once
  // thawed.
  if (HasCgroup(plan)) {
    const int killed = SignalCgroup(plan, SIGKILL);
    if (state.status == ContainerStatus::kPaused) {
      Diagnostic ignored;
      SetFrozen(state.freezer, false, ignored);
    }
    if (killed > 0) WaitCgroupEmpty(plan, 2000);
  }
  return RunTeardown(plan, alive ? state.pid : -1, error);
}

}  // namespace runc::container
