// Internals shared by the spawn machinery (executor/executor.cc, spawn_*.cc, hooks.cc,
// cgroup_host.cc). Not a public header.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace runc {

// The step index the runc-faulty build fails on (RUNC_FAIL_AT_STEP, or `from_options` when it is
// non-zero); always 0 in the real build.
int FaultStep(int from_options = 0);
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

}  // namespace runc

namespace runc {

// kNetDevice (executor/spawn_netdev.cc): moves host interface `host_name` into the network
// namespace of `pid`, named `ctr_name` there (empty = keep). Returns 0 or an errno with `what`.
int MoveNetDevice(const std::string& host_name, const std::string& ctr_name, pid_t pid, std::string& what);

// kRdtGroup (executor/spawn_rdt.cc): creates (or, with nums {1}, requires) the resctrl group
// directory step.path and makes its schemata hold step.value's lines. A directory it creates is
// appended to `created` (the failure path removes it). Returns 0, an errno, or kNoErrno with `what`.
struct Step;
int RdtGroup(const Step& step, std::vector<std::string>& created, std::string& what);

}  // namespace runc
