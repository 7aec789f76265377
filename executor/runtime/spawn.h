// Folder executor/runtime/: code the runtime process runs (runc create/run/delete), on the host,
// with the host's view of everything: the host steps (state dir, cgroups, resctrl, namespaces to
// open), the clone of its children and what it does to them from outside (uid/gid maps through
// /proc/PID, cgroup joins, network devices, idmapped mounts), the sealed re-exec of its own binary,
// the failure path and the teardown phase. It may use host paths freely; it must not run a step of
// the container's (those run in executor/init/) and it hands its children only what ChildSetup
// (executor/init/child.h) names. Depends on executor/init/ and executor/common/.
//
// execute: runs a Plan. Knows nothing about JSON. The one entry point for setting up a container is
// Spawn(); teardown is RunTeardown(). Both walk plan.steps in order with a switch over StepKind.
#pragma once

#include <sys/types.h>

#include <climits>
#include <cstdint>
#include <functional>
#include <string>

#include "compiler/plan.h"
#include "executor/common/state.h"
#include "schema/diag.h"

namespace runc {

struct SpawnOptions {
  std::string console_socket;   // --console-socket: the pty master is sent there (SCM_RIGHTS)
  int preserve_fds = 0;         // --preserve-fds N: fds 3..3+N-1 are passed to the container
  bool debug = false;           // log each step index as it runs
  // The container as `create` records it: with a state_dir step, the state dir is locked (flock,
  // as ContainerLock) from its mkdir until the handover, plan.json and this state (as `creating`)
  // are written into it before any other host resource is made, the cgroup.mkdir and rdt.group
  // steps are entered in its progress log before they run (RecordProgress), and so are the init's
  // pid and start time as soon as it is cloned. So a create killed at any moment
  // leaves a `creating` container that delete --force can tear down exactly (RunTeardown with a
  // TeardownScope). Null: nothing is recorded.
  const ContainerState* state = nullptr;
  // Called when the init waits at wait_start, before it is handed over (until then it dies with
  // the runtime) and with the state dir still locked: `create` records the container as created.
  // False (with `error` set): Spawn fails and undoes everything.
  std::function<bool(pid_t init, Diagnostic& error)> on_ready;
  // An exec plan (Plan::exec_pid): the start time (ProcessStartTime) of the container's init as
  // recorded at create. Each ns.open step checks that its pid still is that process, so that a
  // pid reused after the init died cannot lend its namespaces. 0: not checked.
  uint64_t exec_init_start_time = 0;
  // Only honoured by the runc-faulty build (RUNC_FAULT_INJECTION): the step with this index fails
  // with EIO instead of running. 0 = off. Read from the RUNC_FAIL_AT_STEP environment variable.
  int fail_at_step = 0;
};

struct SpawnResult {
  pid_t pid = -1;  // container init, as seen from the host pid namespace
  // After a failed Spawn: the teardown steps its undo could not do ("step N KIND (ORIGIN): ..."),
  // and whether it kept the state dir for them: a `creating` container whose teardown record
  // holds the steps done, which `delete --force` finishes.
  std::vector<Diagnostic> undo_errors;
  bool state_kept = false;
};

// Runs phases host, spawn, rootfs and process, and leaves the init process blocked at kWaitStart
// (on the exec fifo in the state dir). On failure: `error` is
// "step N KIND (ORIGIN): SYSCALL OBJECT: strerror", everything done so far is undone (processes
// killed, mounts gone with the mount namespace, cgroup dirs and state dir removed) and false returned.
bool Spawn(const Plan& plan, const SpawnOptions& options, SpawnResult& result, Diagnostic& error);

// What of a plan's host resources a teardown may find. The default is a container that `create`
// finished: everything. A `creating` container (its create was killed) made only what the steps up
// to its recorded progress (ReadProgress) made: cgroup.rmdir and rdt.remove steps whose directory
// a later step would have made are skipped (a directory of that path is not the container's), the
// kill step signals only the cgroups that remain, and no poststop hook runs (as after a failed
// create: the container never existed for its hooks).
struct TeardownScope {
  int made_through = INT_MAX;  // index of the last step whose resource may exist
  bool poststop_hooks = true;
  // The init's start time (ProcessStartTime) when known: then it is what proves that `pid` is
  // still the init (its create may have died before it joined a cgroup). 0: the init must be in
  // one of the container's cgroups, when it has any.
  uint64_t init_start_time = 0;
};

// Whether the teardown step plan.steps[pos] undoes something that may exist within `scope`.
bool TeardownStepInScope(const Plan& plan, size_t pos, const TeardownScope& scope);

// Runs the teardown phase for a container whose init is (or was) `pid` (-1 when unknown).
// Continues past failures and reports the first. A failed step other than a poststop hook (those
// only warn, as the runtime-spec says) keeps the state dir: the state_remove step does not run,
// and the steps done are in the state dir's teardown record (RecordTeardownSteps), so that a second
// teardown resumes: it skips them (poststop hooks run once) but for the kill step.
bool RunTeardown(const Plan& plan, pid_t pid, Diagnostic& error, const TeardownScope& scope = {});

// `runc update`: runs the cgroup.write steps of an update plan (CompileUpdate) in order, on a
// container that exists. When one fails, the files written before it get back the values read
// from them before the update (best effort), so that a failed update changes nothing, and `error`
// is StepError's form: "step 2 cgroup.write (/memory/limit): write PATH: Invalid argument".
bool ApplyCgroupUpdate(const Plan& plan, Diagnostic& error);

// CVE-2019-5736: a container process must not be able to open the runtime binary for writing
// through /proc/PID/exe (of the init before its execve, or via `#!/proc/self/exe`). `create` and
// `run` call this first thing: unless the process already runs from a sealed copy, it re-executes
// itself (same argv and environment, from /proc/self/cmdline) from a read-only overlayfs view of
// the binary made with fsopen/fsmount (no copy, nothing mounted anywhere), or from a sealed memfd
// copy when overlayfs is not available. Returns true when already sealed (the common second pass);
// on success of the re-exec it does not return; false + error when neither way works.
bool EnsureSealedExe(Diagnostic& error, bool early = false);
// True when /proc/self/exe is a sealed memfd or a file on a read-only overlayfs.
bool RunningFromSealedExe();
// The detached overlayfs mount that the sealed copy was opened from: EnsureSealedExe passes it
// across the execveat, and the re-executed runtime closes it (the close waits for an RCU grace
// period) where it waits anyway, once no child holds a copy: Spawn, when it hands the init its
// first step after the runtime's steps that follow the clone; Run, after the start, for plans
// without such steps; otherwise exit. -1 when there is none or it was released.
int SealMountFd();
void ReleaseSealMount();
// Keeps it out of the fds a child keeps (--preserve-fds): moves it to min_fd or above.
void MoveSealMountAbove(int min_fd);

// Formats a step failure: "step 6 mount (/mounts/0): mount proc on /proc: Permission denied".
std::string StepError(const Step& step, const std::string& syscall_and_object, int err);

}  // namespace runc
