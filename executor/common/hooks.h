// OCI hooks: fork+exec of the hook's path with its args and env, the OCI state JSON on stdin, an
// optional timeout (the hook is killed by pid when it runs past it); a non-zero exit is a failure.
//
// Who calls what:
// - Spawn (executor/runtime/spawn.cc) runs createRuntime and prestart hooks in the runtime, after clone,
//   while the child waits; state: status "creating", pid = the init's host pid.
// - executor/init/steps.cc: RunContainerStep(kHook) runs createContainer / startContainer hooks
//   inside the container init with RunContainerHook(step, what). The state JSON it feeds them
//   (status "creating" for createContainer, "created" for startContainer, pid = the init's pid in
//   the host pid namespace) was sent by the runtime over the sync channel before the init ran its
//   first step; nothing needs to be passed through InitContext. A failing hook returns
//   kHookFailed (-1) with `what` = "hook /x exited with status 3": the init loop prints it without
//   a strerror suffix.
//   Also for the container steps: the init loop (executor/init/child.cc) marks every fd at or above
//   3 + --preserve-fds close-on-exec right before kSeccomp and again before kExecve, clears the
//   parent-death signal before kSeccomp, and becomes root of a user namespace of its own before
//   the first rootfs step; container steps only need to open their own fds O_CLOEXEC.
// - H6 / cli: `start` runs poststart hooks with RunRuntimeHooks(plan, "poststart", state, error)
//   (or RunHook per step); RunTeardown runs poststop hooks itself (failures only logged).
#pragma once

#include <string>

#include "compiler/plan.h"
#include "schema/diag.h"

namespace runc {

// Returned instead of an errno when the hook ran and failed (non-zero exit, killed by a signal,
// timed out): `what` says how, and there is no strerror to append.
inline constexpr int kHookFailed = -1;

// Runs the hook of a kHook step: 0; an errno with `what` = "SYSCALL OBJECT" ("exec /bin/x") when
// it could not be started; or kHookFailed with `what` = "hook /bin/x exited with status 3",
// "hook /bin/x killed by signal 9", "hook /bin/x timed out after 2s".
int RunHookProcess(const Step& step, const std::string& state_json, std::string& what);

// The same, for the runtime: on failure `error.message` is the full
// "step N hook (/hooks/prestart/0): hook /bin/x exited with status 3". Logs the step with --debug
// and honours RUNC_FAIL_AT_STEP in the runc-faulty build.
bool RunHook(const Step& step, const std::string& state_json, Diagnostic& error);

// Runs every kHook step of the plan named `hook_name` ("poststart", ...) in plan order; stops at the
// first failure.
bool RunRuntimeHooks(const Plan& plan, const std::string& hook_name, const std::string& state_json,
                     Diagnostic& error);

// The OCI state document given to hooks (ociVersion, id, status, pid, bundle, annotations).
std::string HookStateJson(const Plan& plan, const std::string& status, int pid);

// Inside the container init: the state JSON documents received from the runtime (set by the init
// loop in executor/init/child.cc before the init runs any step).
void SetContainerHookState(std::string creating, std::string created);
// createContainer / startContainer hooks, from inside the init (see above).
int RunContainerHook(const Step& step, std::string& what);

}  // namespace runc
