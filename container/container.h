// The container library: one function per container operation, as runc's libcontainer, youki's
// libcontainer/src/container and crun's libcrun/container.c have them. The command line (cli/) parses
// flags, calls one of these and prints the result; a test, a shim or a daemon can call them
// directly.
//
// Rules of this layer: typed options in, typed results or a Diagnostic out; no argv, no flag
// parsing, nothing printed to stdout (the only output is the runtime log, executor/common/log.h,
// for warnings that do not fail the operation, and a foreground container's own terminal, which
// Run proxies to this process' stdio). State lives in <root>/<id>/ (executor/common/state.h); the
// container is set up by Spawn() and torn down by RunTeardown() (executor/runtime/spawn.h) from the
// plan saved at create time.
//
// Files: create.cc, start.cc, run.cc (with supervise.cc: the foreground wait, signal forwarding
// and the terminal proxy), exec.cc, state.cc (state and list), pause.cc (pause and resume), kill.cc,
// delete.cc, update.cc, ps.cc, events.cc, checkpoint.cc (checkpoint and restore), util.cc.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/plan.h"
#include "executor/common/state.h"
#include "schema/diag.h"

namespace runc {
struct ExecCompileOptions;  // compiler/compile.h
}  // namespace runc

namespace runc::container {

// CVE-2019-5736: a process that is going to create containers first re-executes itself from a
// sealed copy of its binary (EnsureSealedExe, executor/runtime/spawn.h), so that no container
// process can reach the runtime binary through /proc/PID/exe. Returns true when already sealed; on
// success of the re-exec it does not return.
bool SealRuntime(Diagnostic& error);
// The same, as early as possible: before the command line is parsed (issue 10: the process that
// re-executes itself then spends nothing on it; the re-executed one parses it anyway). Silent: when
// it cannot seal, it returns and the command's own SealRuntime reports why.
void SealRuntimeEarly();

// The container's fds 0-2 are exactly the caller's 0-2 (without a terminal). A caller may start
// us with one of them closed (containerd's CRI plugin closes stdin): then the container would
// have no fd 0 (a non-root user step fails on it, a server's first socket becomes its stdin), and
// the first fd we open would take that number. So every one of 0-2 that is not open is opened on
// /dev/null, as Go's runtime does for runc at start. Called first thing by the command line, and
// by Create and Run for other callers. false with `error` when /dev/null cannot be opened.
bool OpenMissingStdio(Diagnostic& error);

// What every operation needs to know, from runc's global flags.
struct Context {
  std::string root = "/run/runc";  // --root: the state root
  bool debug = false;              // --debug: log each step as it runs
  bool systemd_cgroup = false;     // --systemd-cgroup
  bool rootless = false;           // --rootless
};

// create (and run, which creates first).
struct CreateOptions {
  std::string bundle = ".";
  std::string config_name = "config.json";  // the 2015 `start path/to/file.json` form names another
  std::string pid_file;                      // write the init's pid here
  std::string console_socket;                // send the pty master here (process.terminal)
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  bool subreaper = false;  // set by a foreground Run: the plan's subreaper step
  // The caller's NOTIFY_SOCKET (absolute host path; "" = none): bound into the container, and
  // `start` relays the container's READY=1 to it (runc's notify_socket.go).
  std::string notify_socket;
};

struct Created {
  Plan plan;             // the compiled plan, as saved in plan.json
  ContainerState state;  // as saved in state.json
};

// Loads, validates and compiles the bundle, spawns the container up to its start wait and records
// state.json, plan.json and the pid file. On failure every diagnostic is in `errors` and nothing is
// left behind. Killed at any moment, it leaves a `creating` container (locked until then) that
// Delete with `force` removes completely.
bool Create(const Context& ctx, const std::string& id, const CreateOptions& options, Created& out,
            Diagnostics& errors);

// Releases a created container (its init goes on to execve) and runs the poststart hooks.
bool Start(const Context& ctx, const std::string& id, Diagnostic& error);

// run = create + start (+ wait, unless detached).
struct RunOptions {
  CreateOptions create;
  bool detach = false;
  bool keep = false;          // do not delete the container after it exits
  bool no_subreaper = false;  // do not become a child subreaper to wait for the init
};
// Returns false with `errors` when the container could not be created or started (and is gone);
// otherwise true with the container's exit status (128+signal when killed; 0 when detached).
bool Run(const Context& ctx, const std::string& id, const RunOptions& options, int& exit_status,
         Diagnostics& errors);

// The 2015 README's `runc start` in a bundle directory (`config_path` "config.json"), or
// `runc start path/to/config.json`: run in the foreground with the bundle directory's name as the
// id; when a container of that id exists, start it instead. Same result as Run.
bool LegacyStart(const Context& ctx, const std::string& config_path, int& exit_status, Diagnostics& errors);

// The state of one container (live status: the init's death shows as stopped).
bool State(const Context& ctx, const std::string& id, ContainerState& out, Diagnostic& error);

// Every container under the root whose state can be read, in ListContainerIds' order.
std::vector<ContainerState> List(const Context& ctx);

// Freezes every process of the container (the v1 freezer, or cgroup2's cgroup.freeze) and waits
// until the kernel reports them frozen; `state` and `list` then say paused. Created or running
// containers only.
bool Pause(const Context& ctx, const std::string& id, Diagnostic& error);
// Thaws a paused container.
bool Resume(const Context& ctx, const std::string& id, Diagnostic& error);

// Sends `signal` to the init, or with `all` to every process of the container's cgroup. A paused
// container is thawed after a SIGKILL, as runc does, so that its processes can die.
bool Kill(const Context& ctx, const std::string& id, int signal, bool all, Diagnostic& error);

// Tears the container down from its saved plan. Without `force` only a stopped container is
// deleted (the runtime-spec's rule; runc 1.1 also deletes a created one); with it a running one is
// killed first (a paused one thawed so that it can die), and a container that does not exist is
// not an error. A create in progress is waited for (it holds the container's lock); a `creating`
// container, what a killed create left, is undone as far as that create got (its init killed, the
// cgroups it made removed).
bool Delete(const Context& ctx, const std::string& id, bool force, Diagnostic& error);

// exec: a new process in a running (or created) container, as `runc exec`.
struct ExecOptions {
  // --process FILE: the whole OCI process (the other process flags are then ignored, as by runc).
  std::string process_file;
  // Without it: the container's config.json process with these applied.
  std::vector<std::string> args;             // replaces process.args
  std::string cwd;                           // --cwd
  std::vector<std::string> env;              // --env K=V: appended; an existing K is overridden
  std::string user;                          // --user UID[:GID]
  std::vector<uint32_t> additional_gids;     // --additional-gids, appended
  std::vector<std::string> caps;             // --cap: added to every capability set
  bool no_new_privs = false;                 // --no-new-privs
  std::string apparmor;                      // --apparmor
  std::string process_label;                 // --process-label
  bool tty = false;                          // --tty (process.terminal)
  // Either way:
  std::string console_socket;  // --console-socket: the pty master goes there
  bool detach = false;         // --detach: return once the process runs
  std::string pid_file;        // --pid-file
  int preserve_fds = 0;        // --preserve-fds
  bool ignore_paused = false;  // --ignore-paused
  std::vector<std::string> cgroups;  // --cgroup [CTRL[,CTRL...]:]PATH, relative to the container's
};

// The plan Exec runs (`runc plan --exec FILE ID`): checks the container (it must be created or
// running; paused only with ignore_paused), builds the process and compiles it (CompileExec).
// --cgroup values ([CONTROLLER[,CONTROLLER...]:]PATH) into out.sub_cgroups; false with errors on a
// malformed value or a controller named twice.
bool ParseExecCgroups(const std::vector<std::string>& flags, ExecCompileOptions& out, Diagnostics& errors);

bool PlanExec(const Context& ctx, const std::string& id, const ExecOptions& options, Plan& out,
              Diagnostics& errors);

// Runs that plan: the process joins the container's namespaces and cgroups and execs. Detached:
// returns once it runs (exit_status 0, its pid in the pid file); else waits for it, forwarding
// signals (and proxying its terminal when --tty has no console socket) and returns its exit status
// (128+signal when killed). False with `errors` when it could not be started: then nothing of it
// is left (its steps fail as create's: "step N KIND (ORIGIN): SYSCALL OBJECT: strerror").
bool Exec(const Context& ctx, const std::string& id, const ExecOptions& options, int& exit_status,
          Diagnostics& errors);
// update: new resource limits for a created, running or paused container (runc update).
struct UpdateOptions {
  std::string resources;                   // a linux.resources JSON document (--resources, or the flags')
  std::string display_name = "resources";  // its name in diagnostics
  std::string l3_cache_schema;             // --l3-cache-schema: Intel RDT schemata line
  std::string mem_bw_schema;               // --mem-bw-schema
};
struct Updated {
  Plan plan;                // the update plan that ran (cgroup.write steps, origins in the document)
  nlohmann::json resources;  // the container's resources now, as saved in state.json
};
// Validates the document (diagnostics point into it), compiles it for the container's cgroups
// (CompileUpdate), applies it and saves it: state.json's resources and plan.json's cgroup.write
// steps. On a validation error nothing is written; on a failed write the files written before it
// get their old values back and nothing is saved.
bool Update(const Context& ctx, const std::string& id, const UpdateOptions& options, Updated& out,
            Diagnostics& errors);
// The plan Update would run (`runc plan --update FILE ID`), without running it.
bool PlanUpdate(const Context& ctx, const std::string& id, const UpdateOptions& options, Plan& out,
                Diagnostics& errors);

// ps: the pids of every process in the container's cgroup(s), sorted (runc ps --format json).
bool Processes(const Context& ctx, const std::string& id, std::vector<pid_t>& out, Diagnostic& error);
// runc ps (table): runs the host's `ps` with `ps_args` (runc's default "-ef") and keeps its header
// and the lines whose PID column is a process of the container, as runc does.
bool ProcessTable(const Context& ctx, const std::string& id, const std::vector<std::string>& ps_args,
                  std::string& out, Diagnostic& error);

// events: runc's event documents ({"type": "stats"|"oom", "id": ID, "data": ...}, field names as
// runc's types/events.go) for the container's cgroups, v1 or v2.
struct EventsOptions {
  bool stats_only = false;  // --stats: one stats event, then return
  int interval_ms = 5000;   // --interval
};
using EventSink = std::function<void(const nlohmann::ordered_json& event)>;
// With stats_only one stats event; otherwise a stats event every interval and an oom event when
// the kernel's OOM killer acts in the container (v1 memory.oom_control through
// cgroup.event_control, v2 memory.events' oom_kill), until the container stops (true then).
bool Events(const Context& ctx, const std::string& id, const EventsOptions& options, const EventSink& sink,
            Diagnostic& error);
// The stats document alone (the "data" of a stats event).
bool Stats(const Context& ctx, const std::string& id, nlohmann::ordered_json& out, Diagnostic& error);

// checkpoint / restore through CRIU (runc's flags).
struct CriuOptions {
  std::string criu = "criu";  // the global --criu: the CRIU binary
  std::string image_path;     // --image-path (checkpoint default: ./checkpoint)
  std::string work_path;
  std::string parent_path;
  bool leave_running = false;
  bool tcp_established = false;
  bool ext_unix_sk = false;
  bool shell_job = false;
  bool lazy_pages = false;
  bool file_locks = false;
  bool pre_dump = false;
  bool auto_dedup = false;
  bool no_subreaper = false;
  bool no_pivot = false;
  bool detach = false;
  int status_fd = -1;
  std::string page_server;
  std::string manage_cgroups_mode;
  std::vector<std::string> empty_ns;
  // restore only
  std::string bundle = ".";
  std::string console_socket;
  std::string pid_file;
};
// Whether CRIU can be used here: the binary is found and `criu check` passes. false with an error
// that names CRIU, the check and what it said.
bool CheckCriu(const std::string& criu, Diagnostic& error);
// Checkpoints a running container into options.image_path / restores one from it. Both check CRIU
// first and fail, changing nothing, where it cannot run.
bool Checkpoint(const Context& ctx, const std::string& id, const CriuOptions& options, Diagnostic& error);
bool Restore(const Context& ctx, const std::string& id, const CriuOptions& options, int& exit_status,
             Diagnostic& error);

// The runtime-spec's features document for this build (`runc features`).
nlohmann::ordered_json Features();

}  // namespace runc::container
