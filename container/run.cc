// run: create, start and (unless detached) wait for the container, forwarding signals and its
// terminal; then delete it (unless kept). Also the 2015 README's `runc start` form.
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

#include "container/internal.h"
#include "executor/runtime/spawn.h"

namespace runc::container {

bool Run(const Context& ctx, const std::string& id, const RunOptions& options, int& exit_status,
         Diagnostics& errors) {
  exit_status = 0;
  // Whatever Spawn forks in between, the init ends up our child, so we can wait for it and report
  // its exit status: the plan's subreaper step.
  CreateOptions create = options.create;
  create.subreaper = !options.detach && !options.no_subreaper;
  ConsoleListener console;
  Created created;
  if (!CreateContainer(ctx, id, create, !options.detach, &console, created, errors)) return false;
  // From now on a signal to us is meant for the container: queue it until the supervisor forwards
  // it. (Not before Spawn: the init would inherit the blocked mask through execve.)
  const sigset_t forwarded = ForwardedSignals();
  if (!options.detach) sigprocmask(SIG_BLOCK, &forwarded, nullptr);

  int master = -1;
  if (!console.path().empty()) {
    Diagnostic err;
    master = console.ReceiveMaster(err);
    console.Close();
    if (master < 0) {
      errors = {err};
      Diagnostic ignored;
      Delete(ctx, id, true, ignored);
      return false;
    }
  }
  Diagnostic err;
  const KnownPlan known = RememberPlan(ctx, id, created.plan);
  if (!StartWithPlan(ctx, id, known, err)) {
    errors = {err};
    if (master >= 0) close(master);
    Diagnostic ignored;
    DeleteWithPlan(ctx, id, true, known, ignored);
    return false;
  }
  // Released by Spawn when the plan has runtime steps after the clone (maps, cgroup v1 joins by
  // the runtime, a network device); else here, while the container runs (executor/runtime/spawn.h).
  // The default plan on a v1 host has none since the init joins its v1 cgroups itself.
  ReleaseSealMount();
  if (options.detach) return true;

  exit_status = SuperviseForeground(created.state.pid, master, forwarded);
  if (!options.keep) {
    // The init is gone; tear down like `delete` (hooks, cgroup, state). A failure is reported but
    // the container's exit status is what run returns.
    Diagnostic delete_err;
    if (!DeleteWithPlan(ctx, id, true, known, delete_err)) errors = {delete_err};
  }
  return true;
}

bool LegacyStart(const Context& ctx, const std::string& config_path, int& exit_status, Diagnostics& errors) {
  exit_status = 0;
  const std::string bundle = Dirname(config_path);
  const std::string config_name = Basename(config_path);
  char buf[PATH_MAX];
  if (!realpath(bundle.c_str(), buf)) {
    Diagnostic d;
    d.message = "bundle " + bundle + ": " + Errno(errno);
    errors = {d};
    return false;
  }
  const std::string id = Basename(buf);
  ContainerState existing;
  Diagnostic err;
  if (LoadState(ctx.root, id, existing, err)) {
    // A container of that id exists: a modern `start` of it.
    if (Start(ctx, id, err)) return true;
    errors = {err};
    return false;
  }
  if (!SealRuntime(err)) {
    errors = {err};
    return false;
  }
  RunOptions options;
  options.create.bundle = buf;
  options.create.config_name = config_name;
  return Run(ctx, id, options, exit_status, errors);
}

}  // namespace runc::container
