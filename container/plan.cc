// plan: what `runc plan` prints, without running anything: the plan a bundle compiles into (and the
// exec or update plan of a container compiled from it), or the plan a created container saved.
// The plans of an exec into, or an update of, a created container are PlanExec (exec.cc) and
// PlanUpdate (update.cc).
#include <limits.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>

#include "compiler/compile.h"
#include "compiler/host.h"
#include "container/container.h"
#include "container/internal.h"
#include "executor/common/state.h"
#include "schema/load.h"

namespace runc::container {

bool PlanBundle(const Context& ctx, const BundlePlanOptions& options, Plan& out, Diagnostics& errors) {
  HostFacts host;
  if (options.host.empty()) {
    host = ProbeHost();
  } else {
    std::string error;
    if (!LoadHostFacts(options.host, host, error)) {
      errors.push_back(Error("--host: " + error));
      return false;
    }
  }
  host.state_root = ctx.root;
  Spec spec;
  if (!LoadSpec(options.bundle + "/config.json", BundleConfigName(options.bundle), spec, errors) ||
      !CheckHostSupport(spec, host, errors)) {
    return false;
  }
  CompileOptions copts;
  if (!options.id.empty()) copts.id = options.id;
  char bundle[PATH_MAX];
  if (!realpath(options.bundle.c_str(), bundle)) {
    errors.push_back(Error(options.bundle + ": " + std::strerror(errno)));
    return false;
  }
  copts.bundle = bundle;
  copts.no_pivot = options.no_pivot;
  copts.subreaper = options.run;
  copts.foreground = options.run;  // a foreground run passes the caller's stdio through (no stdio.chown)
  copts.no_new_keyring = options.no_new_keyring;
  copts.notify_socket = options.notify_socket;
  copts.systemd_cgroup = ctx.systemd_cgroup;
  copts.rootless = ctx.rootless;
  Plan plan = Compile(spec, host, copts);
  if (!options.exec_process_file.empty()) {
    ExecProcess process;
    process.base = "process.json#";
    ExecCompileOptions eopts;
    eopts.pid = options.exec_pid;
    eopts.rootless = ctx.rootless;
    Plan exec;
    if (!ParseExecCgroups(options.exec_cgroups, eopts, errors) ||
        !LoadProcess(options.exec_process_file, options.exec_process_file, process.process, errors) ||
        !CompileExec(plan, process, host, eopts, exec, errors)) {
      return false;
    }
    plan = std::move(exec);
  }
  if (options.update) {
    Resources update;
    if (!LoadResourcesText(options.update->resources, options.update->display_name, update, errors)) return false;
    plan = CompileUpdate(update, spec.linux.resources.value_or(Resources{}), plan, copts.rootless);
  }
  out = std::move(plan);
  return true;
}

bool SavedPlan(const Context& ctx, const std::string& id, Plan& out, Diagnostic& error) {
  return LoadContainerPlan(ctx.root, id, out, error);
}

}  // namespace runc::container
