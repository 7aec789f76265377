// Folder executor/init/: code the runtime's children run, after clone and until execve: the helper
// (setns into namespaces joined by path, time offsets, the clone of the init) and the container
// init (the rootfs, process and start phases). The init is a process the container's image can
// attack: every path from the config is resolved inside the rootfs (paths.cc), nothing here opens a
// host path after the mount namespace is entered except through fds the runtime prepared, and
// after the seccomp step only execve remains. Preparation (PrepareContainerSteps) runs in the
// runtime before clone, so that the init only makes syscalls over plain data. Depends only on
// executor/common/ (never on executor/runtime/).
//
// The steps that run inside the container's init process (phases rootfs, process, start), and
// their preparation before clone. Preparation turns the plan into plain data (C strings, flag
// words, capability bitmasks, the seccomp BPF program) so that after clone the init only makes
// syscalls.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/plan.h"
#include "schema/diag.h"

namespace runc {

struct PreparedSeccomp;    // opaque: the exported BPF program (executor/common/seccomp.cc)
struct PreparedContainer;  // opaque: per-step data decided before clone (executor/init/internal.h)

struct PreparedPlan {
  const Plan* plan = nullptr;
  // The exported seccomp program for the kSeccomp step (null when the plan has none).
  std::shared_ptr<PreparedSeccomp> seccomp;
  // argv/envp of kExecve as NULL-terminated arrays pointing into plan strings.
  std::vector<char*> exec_argv, exec_envp;
  // Opened before clone by the runtime: the rootfs directory (O_PATH), -1 until opened. The init
  // replaces it after kRootfsBind (the bind mount hides the directory the old fd points into) and
  // after pivot_root (then it is "/"); container paths are resolved from it.
  int rootfs_fd = -1;
  // Everything else the container steps decided before clone (PATH lookup
  // candidates, node masks, ...).
  std::shared_ptr<PreparedContainer> container;
};

// Before clone, in the runtime: builds everything the container steps need.
bool PrepareContainerSteps(const Plan& plan, PreparedPlan& out, Diagnostic& error);

// Mutable state the init carries from one container step to the next.
struct InitContext {
  PreparedPlan* prepared = nullptr;
  bool pivoted = false;  // after kPivotRoot / kMoveChroot container paths are resolved from "/"
  int console_socket_fd = -1;  // connected --console-socket (opened by the runtime before clone)
  // Detached idmapped mounts from the runtime (kFd), by the index of the kMount step that attaches
  // them; that step takes (and closes) its fd.
  std::map<int, int> mount_fds;
  // kTmpCopyup: the directory a tmpfs was mounted over (O_PATH, opened by the kMount step before
  // the mount), by the index of the tmpcopyup step that copies it and closes the fd.
  std::map<int, int> copyup_fds;
};

// Runs one step of phase rootfs, process or start (kHook steps of kind createContainer /
// startContainer included; kWaitStart is handled by the caller). Returns 0, or an errno with `what`
// set to "SYSCALL OBJECT" (e.g. "mount proc on /proc"), which the caller turns into
// "step N KIND (ORIGIN): mount proc on /proc: strerror".
int RunContainerStep(const Step& step, InitContext& ctx, std::string& what);

// The part of a kExecve step that makes syscalls other than execve: the PATH lookup inside the
// container and the HOME of the user. The init runs it before the seccomp step, which comes right
// before execve, so that the filter need not allow it; otherwise the execve step runs it itself.
// Returns 0 or an errno with `what` set (for the execve step's message).
int ResolveExecve(const Step& execve_step, InitContext& ctx, std::string& what);

}  // namespace runc
