// Folder executor/common/: the kernel interfaces and files both sides of Spawn use, the runtime
// and its children alike: the sync protocol between them (sync.h), the seccomp filter (built in
// the runtime, loaded in the init), hooks (run by either), the state files, the log, and the small
// helpers below. Nothing here knows which process it runs in, and nothing here includes
// executor/init/ or executor/runtime/.
//
// Small system helpers both sides of Spawn use (the runtime and its children): step errors, fault
// injection, file and fd helpers, clone3, waiting for children.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "compiler/plan.h"

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
#ifndef KEYCTL_SETPERM
#define KEYCTL_SETPERM 5
#endif
#ifndef KEYCTL_DESCRIBE
#define KEYCTL_DESCRIBE 6
#endif

namespace runc {

// Formats a step failure: "step 6 mount (/mounts/0): mount proc on /proc: Permission denied".
std::string StepError(const Step& step, const std::string& syscall_and_object, int err);
// The step kind's name ("mount").
std::string KindName(const Step& step);

// The step index the runc-faulty build fails on (RUNC_FAIL_AT_STEP, or `from_options` when it is
// non-zero); always 0 in the real build.
int FaultStep(int from_options = 0);
// Whether RUNC_FAIL_AT_STEP (fault-injection builds only) lists step `index`: "N,M,..." fails the
// first step N that runs and, in a failed create's undo, the teardown steps M, ... too.
bool FaultListed(int index);
// A step error that is not an errno: StepError() prints `what` alone (same value as kHookFailed).
inline constexpr int kNoErrno = -1;
// `what` of an injected failure; the error is EIO.
inline constexpr const char* kInjectedFault = "injected fault";

// open(O_WRONLY|O_CLOEXEC) + one write of `data` (cgroup and /proc files want a single write).
// Returns 0 or errno.
int WriteFileOnce(const std::string& path, const std::string& data);
// Reads the whole file into `out`. false with errno set when it cannot be opened or read.
bool ReadFileAll(const std::string& path, std::string& out);

// Waits for a child of ours to exit, killing it with SIGKILL after `timeout_ms` (-1 = forever).
// Returns the wait status, or -1 when it cannot be waited for.
int WaitChild(pid_t pid, int timeout_ms, bool* timed_out = nullptr);

// "exited with status 3", "killed by signal 9" for a wait status.
std::string DescribeWaitStatus(int status);

// fork-like clone3 (the child continues on a copy of our stack), optionally straight into a
// cgroup2 directory (CLONE_INTO_CGROUP).
pid_t Clone3(uint64_t flags, int exit_signal, int cgroup_fd = -1);
// Clones into `cgroup_fd` when given and the kernel accepts it, else plainly; `joined` says which.
pid_t CloneMaybeIntoCgroup(uint64_t flags, int exit_signal, int cgroup_fd, bool& joined);
// Moves `fd` to the lowest free number >= `min` (close-on-exec), closing the old one.
int MoveFdAbove(int fd, int min);
void CloseFd(int& fd);
void WriteAllFd(int fd, const std::string& text);

}  // namespace runc
