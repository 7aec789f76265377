// Internals of the container library (container/*.cc). Not a public header: only this folder
// includes it.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <set>
#include <string>

#include "compiler/plan.h"
#include "container/container.h"
#include "executor/common/state.h"
#include "schema/diag.h"

namespace runc::container {

std::string Errno(int e);
// A diagnostic without a place in a document: the message, and the errno behind it (0: none).
Diagnostic Error(std::string message, int err = 0);
// The user name of our effective uid (its number when it has none).
std::string CurrentUserName();
bool MkdirAll(const std::string& path, mode_t mode);
std::string Basename(const std::string& path);
std::string Dirname(const std::string& path);
// Removes a state directory holding only files (exec.fifo, temp files of an interrupted write).
bool RemoveFlatDir(const std::string& dir);
void SleepMs(int ms);

const Step* FindStep(const Plan& plan, StepKind kind);
// Whether the plan put the init into a cgroup (a cgroup.join step).
bool HasCgroup(const Plan& plan);
// Every pid in the container's cgroup(s): the cgroup.procs files the plan joined the init to.
std::set<pid_t> CgroupPids(const Plan& plan);
// Signals every process of the container's cgroup. Returns how many were signalled.
int SignalCgroup(const Plan& plan, int sig);
// After SIGKILL the kernel needs a moment before the cgroup is empty (and removable).
void WaitCgroupEmpty(const Plan& plan, int timeout_ms);
// Signals the init only while it is still the process `create` started. 0 or an errno.
int SignalInit(const ContainerState& s, int sig);


// The freezer's control file of a planned container (container/pause.cc): the v1 freezer.state of
// the cgroup the init joins, else cgroup2's cgroup.freeze; "" when it joins none.
std::string FreezerControl(const Plan& plan);
// Freezes or thaws through that file and waits until the kernel reports the new state.
bool SetFrozen(const std::string& control, bool freeze, Diagnostic& error);

class ConsoleListener;
// Create, for run as well: `foreground` allows a terminal without a console socket, whose pty
// master then goes to `console` (a private listener) when given.
bool CreateContainer(const Context& ctx, const std::string& id, const CreateOptions& options, bool foreground,
                     ConsoleListener* console, Created& out, Diagnostics& errors);

// Foreground supervision (container/supervise.cc). The signals run forwards to the init, blocked
// from the moment the container exists until the supervisor reads them.
sigset_t ForwardedSignals();
// Waits for the init, forwarding every signal in `set` (already blocked) and proxying the pty when
// `master` >= 0. Returns the init's exit status (128+signal when it was killed).
int SuperviseForeground(pid_t init, int master, const sigset_t& set);

// The plan `run` has just compiled and saved, and which plan.json that was (an `update` meanwhile
// replaces the file: a new inode, with renumbered steps).
struct KnownPlan {
  const Plan* plan = nullptr;
  dev_t dev = 0;
  ino_t ino = 0;
};
// Records `plan` as the one in the state dir of `id` now (nothing when plan.json cannot be stat'ed).
KnownPlan RememberPlan(const Context& ctx, const std::string& id, const Plan& plan);
// Start and Delete for `run`: the same as Start and Delete, but the plan is not read back from
// plan.json while that still is the file `known` was saved as (issue 10: parsing it was 0.4 ms of
// CPU each time); otherwise it is read as they do.
bool StartWithPlan(const Context& ctx, const std::string& id, const KnownPlan& known, Diagnostic& error);
bool DeleteWithPlan(const Context& ctx, const std::string& id, bool force, const KnownPlan& known, Diagnostic& error);
// The plan of `id`: `known`'s when plan.json is still the file it was saved as, else read from it
// into `loaded`. Null (and `error` set, as LoadContainerPlan sets it) when it cannot be read.
// Whether `start` needs the plan of a container: its poststart hooks or its notify socket step
// (container/start.cc; create records the answer in the state).
bool StartNeedsPlan(const Plan& plan);
const Plan* CurrentPlan(const Context& ctx, const std::string& id, const KnownPlan& known, Plan& loaded,
                        Diagnostic& error);

// A private socket a foreground `run` of a terminal container listens on when the caller gave no
// --console-socket: the init sends the pty master there and run proxies it to its own stdio.
class ConsoleListener {
 public:
  ~ConsoleListener() { Close(); }
  bool Listen(Diagnostic& err);
  const std::string& path() const { return path_; }
  // The master was sent while Spawn ran (the init connects and sends before it waits on the start
  // fifo), so it is already queued on the socket.
  int ReceiveMaster(Diagnostic& err);
  void Close();

 private:
  int fd_ = -1;
  std::string dir_, path_;
};

}  // namespace runc::container
