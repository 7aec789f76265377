// Internals of Spawn (executor/executor.cc: the runtime side, executor/spawn_child.cc: the helper
// and the container init). Not a public header.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/plan.h"
#include "executor/container_steps.h"
#include "executor/executor.h"
#include "executor/spawn_idmap.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

namespace runc::spawn {

// Who runs a step: the runtime, the helper (forked before the init exists when setns or time
// offsets need a process of their own), the container init; kNone for the teardown phase.
enum class Runner { kRuntime, kHelper, kInit, kNone };

// fork-like clone3 (the child continues on a copy of our stack), optionally straight into a
// cgroup2 directory (CLONE_INTO_CGROUP).
pid_t Clone3(uint64_t flags, int exit_signal, int cgroup_fd = -1);
// Clones into `cgroup_fd` when given and the kernel accepts it, else plainly; `joined` says which.
pid_t CloneMaybeIntoCgroup(uint64_t flags, int exit_signal, int cgroup_fd, bool& joined);
// Moves `fd` to the lowest free number >= `min` (close-on-exec), closing the old one.
int MoveFdAbove(int fd, int min);
void CloseFd(int& fd);
void WriteAllFd(int fd, const std::string& text);
std::string KindName(const Step& step);
// Removes a directory tree (the state dir). Returns 0 or the first errno.
int RemoveTree(const std::string& path);
// The host id that id 0 of a user namespace maps to ("0 100000 65536\n..."); 0 when unmapped.
unsigned long HostIdOfRoot(const std::string& map);

class Spawner {
 public:
  Spawner(const Plan& plan, const SpawnOptions& options) : plan_(plan), options_(options) {}
  ~Spawner() { CloseAll(); }

  bool Run(SpawnResult& result, Diagnostic& error);

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
  void Undo();
  void CloseAll();
  // --- child side (never return)
  [[noreturn]] void ChildMain(Runner role);
  size_t WaitBaton();
  [[noreturn]] void ChildFail(size_t i, int err, const std::string& what);
  int ChildStep(size_t i, std::string& what);
  int WaitStart(size_t i, std::string& what);
  void ReleaseStart();
  void BecomeInit();
  void EnterContainer();
  void HandOverFds();
  void BeforeSeccomp();

  void Fail(Diagnostic& error, const Step& step, const std::string& what, int err) {
    error = Diagnostic{};
    error.message = StepError(step, what, err);
    error.err = err > 0 ? err : 0;
  }

  const Plan& plan_;
  const SpawnOptions& options_;
  int fault_ = 0;
  std::vector<Runner> runners_;
  size_t clone_idx_ = 0, wait_idx_ = 0, end_ = 0;
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
  std::vector<std::string> cgroups_created_;
  std::vector<std::string> rdt_created_;  // resctrl group directories, in creation order
  std::map<std::string, int> ns_fds_;
  UsernsCache userns_cache_;  // user namespaces made for idmapped mounts (executor/spawn_idmap.h)

  int sock_ = -1;        // runtime end (in R), child end (in H and I)
  int child_sock_ = -1;  // child end, R closes it after the first fork
  int fifo_fd_ = -1;     // exec.fifo, O_PATH, reopened by the init via /proc/self/fd
  int console_fd_ = -1;  // connected --console-socket
  int err_fd_ = -1;      // the runtime's stderr, for the init once nobody reads the socket
  int start_fd_ = -1;    // exec.fifo opened for writing (init, after wait_start)
  // A cgroup2 join done by clone3(CLONE_INTO_CGROUP): a migration through cgroup.procs waits for
  // an RCU grace period (the cgroup_threadgroup_rwsem write side, ~20 ms here), a clone into the
  // cgroup does not. v1 hierarchies have no such way in.
  int cgroup_fd_ = -1;
  size_t into_cgroup_idx_ = 0;
  bool cloned_into_cgroup_ = false;
  bool forked_ = false;
  pid_t helper_ = -1, init_ = -1;

  // Child state.
  Runner role_ = Runner::kRuntime;
  bool detached_ = false;    // after kReady: nobody reads the socket any more
  bool time_unshared_ = false;
  bool userns_ = false;      // the init is in a user namespace of its own (new or joined)
  bool entered_ = false;     // EnterContainer() done
  std::string state_creating_, state_created_;  // hook state documents from the runtime
};

}  // namespace runc::spawn
