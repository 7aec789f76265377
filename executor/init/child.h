// The entry point of the runtime's children (executor/init/child.cc): the helper (H) and the
// container init (I). The runtime (executor/runtime/spawn.cc) fills a ChildSetup and, in the child
// that fork/clone returns 0 to, calls ChildMain, which never returns.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "compiler/plan.h"
#include "executor/init/steps.h"

namespace runc::init {

// Who runs a step: the runtime, the helper (forked before the init exists when setns or time
// offsets need a process of their own), the container init; kNone for the teardown phase.
enum class Runner { kRuntime, kHelper, kInit, kNone };

// What a child starts with. It runs on a copy of the runtime's memory: the pointers stay valid.
struct ChildSetup {
  const Plan* plan = nullptr;
  const std::vector<Runner>* runners = nullptr;  // one per step
  size_t end = 0;                                // first step of the teardown phase
  int fault = 0;                                 // runc-faulty: the step index to fail
  bool debug = false;
  int traced = -1;  // a step (index into the plan) the runtime traced itself: the helper's first, forked in it
  int min_fd = 3;  // the child's own fds stay at or above 3 + preserve_fds
  InitContext* ctx = nullptr;
  std::map<std::string, int>* ns_fds = nullptr;  // namespaces opened by ns.open steps
  int sock = -1;       // the child end of the sync socket
  int fifo_fd = -1;    // exec.fifo, O_PATH, reopened via /proc/self/fd at wait_start
  int err_fd = -1;     // the runtime's stderr, for the init once nobody reads the socket
  char* report = nullptr;  // kExecReportFile mapped shared (kExecReportSize bytes), or null
  int cgroup_fd = -1;  // cgroup2 directory for CLONE_INTO_CGROUP (the helper's clone of the init)
  pid_t runtime_pid = 0;  // the runtime (host pid): the parent a child checks it still has
};

// Walks the plan as `role` (kHelper or kInit) in lock step with the runtime; `userns`: the child
// was cloned into a new user namespace. Ends in _exit or execve.
[[noreturn]] void ChildMain(const ChildSetup& setup, Runner role, bool userns);

}  // namespace runc::init
