// create: load, validate and compile the bundle, spawn the container up to its start wait, record
// its state.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>

#include "compiler/compile.h"
#include "compiler/host.h"
#include "container/internal.h"
#include "executor/runtime/spawn.h"
#include "schema/load.h"

namespace runc::container {
namespace {

Diagnostics One(std::string message) {
  Diagnostic d;
  d.message = std::move(message);
  return {d};
}

}  // namespace

bool SealRuntime(Diagnostic& error) { return EnsureSealedExe(error); }

void SealRuntimeEarly() {
  Diagnostic ignored;
  EnsureSealedExe(ignored, true);
}

bool Create(const Context& ctx, const std::string& id, const CreateOptions& options, Created& out,
            Diagnostics& errors) {
  return CreateContainer(ctx, id, options, false, nullptr, out, errors);
}

bool CreateContainer(const Context& ctx, const std::string& id, const CreateOptions& options, bool foreground,
                     ConsoleListener* console, Created& out, Diagnostics& errors) {
  Diagnostic stdio_err;
  if (!OpenMissingStdio(stdio_err)) {
    errors = {stdio_err};
    return false;
  }
  std::string id_error;
  if (!ValidContainerId(id, id_error)) {
    errors = One(id_error);
    return false;
  }
  char bundle_buf[PATH_MAX];
  if (!realpath(options.bundle.c_str(), bundle_buf)) {
    errors = One("bundle " + options.bundle + ": " + Errno(errno));
    return false;
  }
  const std::string bundle = bundle_buf;
  const std::string state_dir = StateDir(ctx.root, id);
  struct stat st;
  if (lstat(state_dir.c_str(), &st) == 0) {
    errors = One("container with id exists: " + id);
    return false;
  }

  Spec spec;
  Diagnostics diags;
  if (!LoadSpec(bundle + "/" + options.config_name, options.config_name, spec, diags)) {
    errors = std::move(diags);
    return false;
  }
  // runc's rules: a pty needs somewhere to go.
  if (spec.process.terminal && options.console_socket.empty() && !foreground) {
    errors = One("cannot allocate tty if runc will detach without setting console socket");
    return false;
  }
  if (!spec.process.terminal && !options.console_socket.empty()) {
    errors = One("cannot use console socket if runc will not detach or allocate tty");
    return false;
  }
  if (options.preserve_fds < 0) {
    errors = One("--preserve-fds: must not be negative");
    return false;
  }
  if (!options.notify_socket.empty() && options.notify_socket[0] != '/') {
    errors = One("NOTIFY_SOCKET: expected an absolute path, got \"" + options.notify_socket + "\"");
    return false;
  }

  HostFacts host = ProbeHost();
  host.state_root = ctx.root;
  // Fields the host cannot honour (an LSM it does not have) are refused, as runc and crun do.
  if (!CheckHostSupport(spec, host, diags)) {
    errors = std::move(diags);
    return false;
  }
  CompileOptions copts;
  copts.id = id;
  copts.bundle = bundle;
  copts.no_pivot = options.no_pivot;
  copts.systemd_cgroup = ctx.systemd_cgroup;
  copts.rootless = ctx.rootless;
  copts.subreaper = options.subreaper;
  copts.no_new_keyring = options.no_new_keyring;
  copts.foreground = foreground;
  copts.notify_socket = options.notify_socket;
  out.plan = Compile(spec, host, copts);

  if (!MkdirAll(ctx.root, 0700)) {
    errors = One("mkdir " + ctx.root + ": " + Errno(errno));
    return false;
  }

  SpawnOptions sopts;
  sopts.console_socket = options.console_socket;
  if (spec.process.terminal && options.console_socket.empty() && console) {
    Diagnostic err;
    if (!console->Listen(err)) {
      errors = {err};
      return false;
    }
    sopts.console_socket = console->path();
  }
  sopts.preserve_fds = options.preserve_fds;
  sopts.debug = ctx.debug;
#ifdef RUNC_FAULT_INJECTION
  if (const char* at = getenv("RUNC_FAIL_AT_STEP")) sopts.fail_at_step = atoi(at);
#endif

  // Recorded by Spawn as `creating` in the state dir before any other host resource exists, with
  // the plan (SpawnOptions::state): a create killed at any moment leaves what delete --force needs.
  ContainerState& s = out.state;
  s.id = id;
  s.status = ContainerStatus::kCreating;
  s.bundle = bundle;
  s.rootfs = out.plan.rootfs;
  s.annotations = out.plan.annotations;
  s.created = NowRfc3339();
  s.owner = CurrentUserName();
  if (const Step* wait = FindStep(out.plan, StepKind::kWaitStart)) s.fifo = wait->path;
  s.start_reads_plan = StartNeedsPlan(out.plan);
  sopts.state = &s;
  // The init waits at wait_start and the state dir is still locked: the container becomes
  // `created`, and only then is the init handed over (a failure here undoes everything).
  sopts.on_ready = [&](pid_t pid, Diagnostic& err) {
    s.pid = pid;
    s.status = ContainerStatus::kCreated;
    s.init_start_time = ProcessStartTime(pid);
    s.freezer = FreezerControl(out.plan);  // the cgroups exist now
    if (!SaveState(state_dir, s, err)) return false;
    if (!options.pid_file.empty() && !WritePidFile(options.pid_file, pid, err)) {
      err.message = "pid file: " + err.ToString();
      err.file.clear();
      err.line = err.col = 0;
      err.pointer.clear();
      return false;
    }
    return true;
  };
  SpawnResult result;
  Diagnostic err;
  if (!Spawn(out.plan, sopts, result, err)) {
    // The failure first (the message callers match), then what its undo could not do.
    errors = {err};
    for (auto& e : result.undo_errors) {
      e.message = "undo: " + e.message;
      errors.push_back(e);
    }
    if (result.state_kept) {
      errors.push_back(Error("undo: container " + id + " kept (status creating) with what its undo left: `runc delete --force " + id + "` removes it"));
    }
    return false;
  }
  return true;
}

}  // namespace runc::container
