// start: release a created container's init (it goes on to execve) and run the poststart hooks.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "container/internal.h"
#include "executor/common/hooks.h"
#include "executor/common/log.h"

namespace runc::container {
namespace {

// Runs the poststart hooks of the plan. Per the runtime spec a failing poststart hook is only
// logged: the container keeps running.
void RunPoststartHooks(const Plan& plan, const ContainerState& state) {
  ContainerState running = state;
  running.status = ContainerStatus::kRunning;
  const std::string state_json = StateToOciJson(running).dump();
  for (const auto& step : plan.steps) {
    if (step.kind != StepKind::kHook || step.name != "poststart") continue;
    Diagnostic err;
    if (!RunHook(step, state_json, err)) LogWarn(err.ToString());
  }
}

// The init waits in open(2) of exec.fifo for writing; opening it for reading lets it through, and
// it writes one byte before it goes on to execve. The lock must be held.
bool ReleaseInit(const ContainerLock& lock, ContainerState& state, Diagnostic& err) {
  const std::string fifo = state.fifo.empty() ? lock.dir() + "/" + kExecFifo : state.fifo;
  // O_NONBLOCK so that a dead init (no writer ever) cannot hang us: we poll and check it is alive.
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    err.message = "open " + fifo + ": " + Errno(errno);
    return false;
  }
  bool released = false;
  while (!released) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) {
      err.message = "poll " + fifo + ": " + Errno(errno);
      break;
    }
    if (r > 0) {
      char buf[16];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        released = true;
        break;
      }
      if (n == 0) SleepMs(10);  // no writer connected yet (or it closed): check the init below
    }
    const uint64_t start = ProcessStartTime(state.pid);
    if (start == 0 || (state.init_start_time != 0 && start != state.init_start_time)) {
      err.message = "cannot start a container that has stopped";
      break;
    }
  }
  close(fd);
  if (released) unlink(fifo.c_str());
  return released;
}

}  // namespace

bool Start(const Context& ctx, const std::string& id, Diagnostic& error) {
  ContainerLock lock;
  if (!lock.Lock(ctx.root, id, error)) return false;
  ContainerState state;
  if (!LoadState(ctx.root, id, state, error)) return false;
  error = Diagnostic{};
  switch (state.status) {
    case ContainerStatus::kCreated:
      break;
    case ContainerStatus::kStopped:
      error.message = "cannot start a container that has stopped";
      return false;
    case ContainerStatus::kRunning:
      error.message = "cannot start an already running container";
      return false;
    case ContainerStatus::kPaused:
      error.message = "cannot start a paused container";
      return false;
    case ContainerStatus::kCreating:
      error.message = "cannot start a container in the creating state";
      return false;
  }
  Plan plan;
  if (!LoadContainerPlan(ctx.root, id, plan, error)) return false;
  if (!ReleaseInit(lock, state, error)) return false;
  state.status = ContainerStatus::kRunning;
  RunPoststartHooks(plan, state);
  return true;
}

}  // namespace runc::container
