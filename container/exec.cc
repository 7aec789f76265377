// exec: a new process inside a running container. The process is the container's config.json
// process with runc exec's flags applied (runc's getProcess), or a --process file; CompileExec
// (compiler/compile_exec.cc) turns it and the container's saved plan into an exec plan, which
// Spawn runs like create's: the same steps, the same failure contract.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "compiler/compile.h"
#include "compiler/host.h"
#include "container/internal.h"
#include "executor/runtime/spawn.h"
#include "schema/load.h"
#include "schema/names.h"

namespace runc::container {
namespace {

Diagnostics One(std::string message) {
  Diagnostic d;
  d.message = std::move(message);
  return {d};
}

bool ParseId(const std::string& text, const char* what, uint32_t& out, Diagnostics& errors) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = text.empty() ? 0 : strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0 || v > UINT32_MAX) {
    errors = One("--user: parsing " + text + " as int for " + what + " failed");
    return false;
  }
  out = static_cast<uint32_t>(v);
  return true;
}

// runc's getProcess without --process: config.json's process, overridden and extended by flags.
bool ProcessFromFlags(const Plan& container, const ExecOptions& o, ExecProcess& out, Diagnostics& errors) {
  Spec spec;
  const std::string config = container.bundle + "/config.json";
  if (!LoadSpec(config, config, spec, errors)) return false;
  Process& p = spec.process;
  out.base = "/process";
  p.args = o.args;
  out.overrides["args"] = "cli";
  if (!o.cwd.empty()) {
    p.cwd = o.cwd;
    out.overrides["cwd"] = "--cwd";
  }
  if (!o.apparmor.empty()) {
    p.apparmor_profile = o.apparmor;
    out.overrides["apparmorProfile"] = "--apparmor";
  }
  if (!o.process_label.empty()) {
    p.selinux_label = o.process_label;
    out.overrides["selinuxLabel"] = "--process-label";
  }
  if (!o.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    for (const auto& c : o.caps) {
      if (!CapabilityByName(c, /*allow_bare=*/true)) {
        errors = One("--cap: unknown capability \"" + c + "\"");
        return false;
      }
      const std::string name = c.rfind("CAP_", 0) == 0 ? c : "CAP_" + c;
      for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->inheritable,
                        &p.capabilities->permitted, &p.capabilities->ambient}) {
        set->push_back(name);
      }
    }
    out.overrides["capabilities"] = "--cap";
  }
  for (const auto& e : o.env) {
    const size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) {
      errors = One("--env: environment variable \"" + e + "\" is not NAME=VALUE");
      return false;
    }
    bool replaced = false;
    for (auto& existing : p.env) {
      if (existing.compare(0, eq + 1, e, 0, eq + 1) == 0) {
        existing = e;
        replaced = true;
      }
    }
    if (!replaced) p.env.push_back(e);
  }
  // runc: a terminal only with --tty, whatever the config says.
  p.terminal = o.tty;
  out.overrides["terminal"] = "--tty";
  if (o.no_new_privs) {
    p.no_new_privileges = true;
    out.overrides["noNewPrivileges"] = "--no-new-privs";
  }
  if (!o.user.empty()) {
    const size_t colon = o.user.find(':');
    uint32_t uid = 0, gid = 0;
    if (!ParseId(o.user.substr(0, colon), "uid", uid, errors)) return false;
    if (colon != std::string::npos && !ParseId(o.user.substr(colon + 1), "gid", gid, errors)) return false;
    p.user.uid = uid;
    if (colon != std::string::npos) p.user.gid = gid;
    out.overrides["user"] = "--user";
  }
  if (!o.additional_gids.empty()) {
    p.user.additional_gids.insert(p.user.additional_gids.end(), o.additional_gids.begin(), o.additional_gids.end());
    out.overrides["user"] = out.overrides.count("user") ? "--user,--additional-gids" : "--additional-gids";
  }
  out.process = std::move(p);
  return true;
}

// The container's state: it must be there and have a live init.
bool CheckContainer(const Context& ctx, const std::string& id, const ExecOptions& o, ContainerState& state,
                    Diagnostics& errors) {
  Diagnostic err;
  if (!State(ctx, id, state, err)) {
    errors = {err};
    return false;
  }
  switch (state.status) {
    case ContainerStatus::kCreated:
    case ContainerStatus::kRunning:
      return true;
    case ContainerStatus::kPaused:
      if (o.ignore_paused) return true;
      errors = One("cannot exec in a paused container (use --ignore-paused to override)");
      return false;
    case ContainerStatus::kStopped:
      errors = One("cannot exec in a stopped container");
      return false;
    case ContainerStatus::kCreating:
      errors = One("cannot exec in a container that is still being created");
      return false;
  }
  return false;
}

bool BuildPlan(const Context& ctx, const std::string& id, const ExecOptions& o, ContainerState& state, Plan& out,
               Diagnostics& errors) {
  if (!CheckContainer(ctx, id, o, state, errors)) return false;
  Plan container;
  Diagnostic err;
  if (!LoadContainerPlan(ctx.root, id, container, err)) {
    errors = {err};
    return false;
  }
  ExecProcess process;
  if (!o.process_file.empty()) {
    process.base = "process.json#";
    if (!LoadProcess(o.process_file, o.process_file, process.process, errors)) return false;
  } else {
    if (o.args.empty()) {
      errors = One("exec: no command: give ARGS or --process FILE");
      return false;
    }
    if (!ProcessFromFlags(container, o, process, errors)) return false;
  }
  ExecCompileOptions copts;
  copts.pid = state.pid;
  copts.detach = o.detach;
  copts.rootless = ctx.rootless;
  if (!ParseExecCgroups(o.cgroups, copts, errors)) return false;
  HostFacts host = ProbeHost();
  return CompileExec(container, process, host, copts, out, errors);
}

}  // namespace

bool ParseExecCgroups(const std::vector<std::string>& flags, ExecCompileOptions& out, Diagnostics& errors) {
  for (const auto& f : flags) {
    const size_t colon = f.find(':');
    if (colon == std::string::npos) {
      out.sub_cgroups.emplace_back("", f);
      continue;
    }
    const std::string path = f.substr(colon + 1);
    std::string ctrls = f.substr(0, colon);
    size_t pos = 0;
    while (pos <= ctrls.size()) {
      size_t comma = ctrls.find(',', pos);
      if (comma == std::string::npos) comma = ctrls.size();
      const std::string ctrl = ctrls.substr(pos, comma - pos);
      pos = comma + 1;
      if (ctrl.empty() || path.empty()) {
        errors = One("--cgroup: invalid value \"" + f + "\": expected [CONTROLLER[,CONTROLLER...]:]PATH");
        return false;
      }
      for (const auto& [c, p] : out.sub_cgroups) {
        if (c == ctrl) {
          errors = One("--cgroup: duplicate controller " + ctrl);
          return false;
        }
      }
      out.sub_cgroups.emplace_back(ctrl, path);
    }
  }
  return true;
}

bool PlanExec(const Context& ctx, const std::string& id, const ExecOptions& options, Plan& out,
              Diagnostics& errors) {
  ContainerState state;
  return BuildPlan(ctx, id, options, state, out, errors);
}

bool Exec(const Context& ctx, const std::string& id, const ExecOptions& options, int& exit_status,
          Diagnostics& errors) {
  exit_status = 0;
  Diagnostic stdio_err;
  if (!OpenMissingStdio(stdio_err)) {
    errors = {stdio_err};
    return false;
  }
  if (options.preserve_fds < 0) {
    errors = One("--preserve-fds: must not be negative");
    return false;
  }
  ContainerState state;
  Plan plan;
  if (!BuildPlan(ctx, id, options, state, plan, errors)) return false;
  // runc's rules: a pty needs somewhere to go.
  if (plan.terminal && options.console_socket.empty() && options.detach) {
    errors = One("cannot allocate tty if runc will detach without setting console socket");
    return false;
  }
  if (!plan.terminal && !options.console_socket.empty()) {
    errors = One("cannot use console socket if runc will not detach or allocate tty");
    return false;
  }

  SpawnOptions sopts;
  sopts.console_socket = options.console_socket;
  ConsoleListener console;
  if (plan.terminal && options.console_socket.empty()) {
    Diagnostic err;
    if (!console.Listen(err)) {
      errors = {err};
      return false;
    }
    sopts.console_socket = console.path();
  }
  sopts.preserve_fds = options.preserve_fds;
  sopts.debug = ctx.debug;
  sopts.exec_init_start_time = state.init_start_time;
#ifdef RUNC_FAULT_INJECTION
  if (const char* at = getenv("RUNC_FAIL_AT_STEP")) sopts.fail_at_step = atoi(at);
#endif
  SpawnResult result;
  Diagnostic err;
  if (!Spawn(plan, sopts, result, err)) {
    errors = {err};
    return false;
  }
  // From now on a signal to us is meant for the process: queued until the supervisor forwards it.
  const sigset_t forwarded = ForwardedSignals();
  if (!options.detach) sigprocmask(SIG_BLOCK, &forwarded, nullptr);
  int master = -1;
  if (!console.path().empty()) {
    master = console.ReceiveMaster(err);
    console.Close();
    if (master < 0) {
      kill(result.pid, SIGKILL);
      errors = {err};
      return false;
    }
  }
  if (!options.pid_file.empty() && !WritePidFile(options.pid_file, result.pid, err)) {
    err.message = "pid file: " + err.ToString();
    err.file.clear();
    err.line = err.col = 0;
    err.pointer.clear();
    errors = {err};
    // Nothing of a failed exec is left running.
    kill(result.pid, SIGKILL);
    waitpid(result.pid, nullptr, 0);
    if (master >= 0) close(master);
    return false;
  }
  if (options.detach) return true;
  exit_status = SuperviseForeground(result.pid, master, forwarded);
  return true;
}

}  // namespace runc::container
