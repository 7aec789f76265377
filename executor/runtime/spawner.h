// The runtime side of Spawn (executor/runtime/spawn.cc): the Spawner walks the plan, runs the
// runtime's steps and passes the baton to its children (executor/init/child.h). Not a public
// header: only this folder includes it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/plan.h"
#include "executor/init/child.h"
#include "executor/init/steps.h"
#include "executor/runtime/spawn.h"
#include "executor/runtime/idmap.h"

namespace runc::spawn {

using init::Runner;

class Spawner {
 public:
  Spawner(const Plan& plan, const SpawnOptions& options) : plan_(plan), options_(options) {}
  ~Spawner() {
    CloseAll();
    ReleaseLock();
  }

  bool Run(SpawnResult& result, Diagnostic& error);
  // After a failed Run: what its undo could not do, and whether it kept the state dir for that.
  const std::vector<Diagnostic>& undo_errors() const { return undo_errors_; }
  bool state_kept() const { return state_kept_; }

 private:
  // --- set-up
  bool Classify(Diagnostic& error);
  bool PreFork(Diagnostic& error);
  // --- runtime side
  bool RunRuntimeAt(size_t i, Diagnostic& error);
  int RuntimeStep(const Step& step, std::string& what);
  bool ForkHelper(size_t i, Diagnostic& error);
  bool PassBaton(size_t i, size_t& next, bool& ready, Diagnostic& error);
  bool SendInitState(Diagnostic& error);
  // Crash safety (SpawnOptions::state): the locked state dir with the plan and a `creating` state,
  // the progress log, the init's pid; then the handover once the init waits at wait_start.
  int MakeStateDir(const Step& step, std::string& what);
  int LogProgress(const Step& step, std::string& what);
  int RecordInit(std::string& what);
  int JoinCloneCgroup(bool joined, std::string& what);
  bool HandOver(Diagnostic& error);
  // A failed create's teardown: the plan's teardown steps for what this create made, traced.
  void Undo();
  void KillChildren();
  // Closes every fd but the state dir's lock, which goes last (ReleaseLock): after the state dir
  // is removed (Undo) or the container recorded as created (HandOver).
  void CloseAll();
  void ReleaseLock();
  // What a child starts with (executor/init/child.h); `sock` is its end of the socket.
  init::ChildSetup ChildSetupFor(int sock);

  void Fail(Diagnostic& error, const Step& step, const std::string& what, int err) {
    error = Diagnostic{};
    error.message = StepError(step, what, err);
    error.err = err > 0 ? err : 0;
  }

  const Plan& plan_;
  const SpawnOptions& options_;
  int fault_ = 0;
  std::vector<Runner> runners_;
  size_t clone_idx_ = 0, wait_idx_ = 0, exec_idx_ = 0, end_ = 0;
  bool need_helper_ = false;
  bool container_hooks_ = false;  // createContainer / startContainer hooks: the init needs its state
  int min_fd_ = 3;  // our own fds stay at or above 3 + preserve_fds
  uid_t root_uid_ = 0;  // host ids of the container's root (user namespace maps)
  gid_t root_gid_ = 0;

  PreparedPlan prepared_;
  InitContext ctx_;

  // Host resources to undo on failure.
  bool state_dir_created_ = false;
  std::string state_dir_;
  int lock_fd_ = -1;        // the state dir, flock'ed from its mkdir until the handover
  bool recording_ = false;  // plan.json and the `creating` state.json are in the state dir
  std::vector<Diagnostic> undo_errors_;  // the teardown steps Undo could not do
  bool state_kept_ = false;              // ... and so it kept the state dir for delete --force
  int logged_through_ = 0;  // the last step index in its progress log
  pid_t self_ = -1;         // our pid: the children check that their parent still is us
  std::vector<std::string> cgroups_created_;
  // if-permitted cgroup.mkdir steps skipped on a permission error: directory -> the error.
  std::map<std::string, std::string> cgroups_skipped_;
  std::vector<std::string> rdt_created_;  // resctrl group directories, in creation order
  std::map<std::string, int> ns_fds_;
  UsernsCache userns_cache_;  // user namespaces made for idmapped mounts (executor/runtime/idmap.h)

  int sock_ = -1;        // the runtime's end of the sync socket
  int child_sock_ = -1;  // the children's end, closed here after the first fork
  int fifo_fd_ = -1;     // exec.fifo, O_PATH, reopened by the init via /proc/self/fd
  int console_fd_ = -1;  // connected --console-socket
  int err_fd_ = -1;      // the runtime's stderr, for the init once nobody reads the socket
  char* report_ = nullptr;  // kExecReportFile, mapped shared for the init (PreFork)
  // A cgroup2 join done by clone3(CLONE_INTO_CGROUP): a migration through cgroup.procs waits for
  // an RCU grace period (the cgroup_threadgroup_rwsem write side, ~20 ms here), a clone into the
  // cgroup does not. v1 hierarchies have no such way in.
  int cgroup_fd_ = -1;
  bool forked_ = false;
  int traced_by_runtime_ = -1;  // the helper's first step: traced by us, before the fork
  pid_t helper_ = -1, init_ = -1;
};

}  // namespace runc::spawn
