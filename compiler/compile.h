// compile: Spec + HostFacts -> Plan. Pure: no syscalls, same input -> same plan.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/host.h"
#include "compiler/plan.h"
#include "schema/diag.h"
#include "schema/spec.h"

namespace runc {

struct CompileOptions {
  std::string id = "container";  // container id (default cgroup path, state dir)
  std::string bundle;            // absolute bundle directory
  bool no_pivot = false;         // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool systemd_cgroup = false;   // --systemd-cgroup: cgroupsPath is "slice:prefix:name"
  bool rootless = false;         // --rootless
  bool subreaper = false;        // a foreground `run` (without --no-subreaper): the subreaper step
  bool no_new_keyring = false;   // --no-new-keyring: keep the caller's session keyring
  // A foreground run without a terminal passes the caller's stdio through: no stdio.chown step.
  bool foreground = false;
  std::string notify_socket;     // NOTIFY_SOCKET of the caller (host path), "" = none
};

Plan Compile(const Spec& spec, const HostFacts& host, const CompileOptions& options);

// `runc update`: the cgroup.write steps (phase host) that apply `update`, a validated
// linux.resources document, to the container `container` was compiled into: its cgroup
// directories are the plan's cgroup.mkdir steps, its cgroup version the plan's host. Only what
// runc's update changes is compiled: memory (limit, reservation, swap, kernelTCP), cpu (shares,
// quota, period, burst, idle, realtime, cpus, mems), blockIO.weight, pids.limit and unified; other
// fields of the document are ignored, as runc ignores them. `current` holds the container's
// resources before the update: on cgroup v1 the memory limit and swap are written in the order
// the kernel accepts from there (runc's setMemoryAndSwap). Origins are pointers into the update
// document ("/memory/limit").
Plan CompileUpdate(const Resources& update, const Resources& current, const Plan& container, bool rootless);

// What the config asks of the host that the host cannot do, and that Compile (which cannot fail)
// would otherwise leave out of the plan without a word: an AppArmor profile on a host without
// AppArmor, an SELinux process or mount label on a host without SELinux (runc and crun refuse
// these too). Call it after LoadSpec and before Compile, with the HostFacts given to Compile.
// Appends one diagnostic per problem ("config.json:12:24: /process/apparmorProfile: apparmor is
// not enabled on this host") and returns true when there was none.
bool CheckHostSupport(const Spec& spec, const HostFacts& host, Diagnostics& diags);

// Whether the seccomp filter gives ENOSYS rather than the default action to the syscalls newer
// than the profile (executor/common/seccomp.cc): like runc, when the default action denies (an
// errno other than ENOSYS, a kill, a trap); ALLOW, LOG and TRACE let them through anyway.
bool SeccompEnosysForNewerSyscalls(const Seccomp& seccomp);

// ---- exec ------------------------------------------------------------------------------------------

// The process `runc exec` runs, and where each field came from. From the container's config (base
// "/process"), or from a --process file (base "process.json#": pointers into that file); a field a
// flag overrode names the flag ("--cwd").
struct ExecProcess {
  Process process;
  std::string base = "/process";
  std::map<std::string, std::string, std::less<>> overrides;  // field ("cwd", "env", ...) -> flag

  // The origin of one field: the flag that set it, or base + "/" + field.
  std::string Origin(std::string_view field) const;
  // An origin the loaded Process carries ("/process/rlimits/0") rebased onto `base`.
  std::string Rebase(const std::string& origin) const;
};

struct ExecCompileOptions {
  int pid = 0;  // the container init's pid (host pid namespace)
  // --detach: the process keeps the caller's stdio for good (its stdio.chown applies to it).
  bool detach = false;
  // --cgroup: {controller or "" for every hierarchy, path relative to the container's cgroup}.
  std::vector<std::pair<std::string, std::string>> sub_cgroups;
  // --rootless: an unprivileged runtime; the process stays dumpable until its become_root step
  // (kDumpableForMaps), as the init of a rootless container does.
  bool rootless = false;
};

// Compiles an exec into the running container whose plan (as `create` saved it) is `container`.
// The plan: ns.open of /proc/PID/ns/* for each namespace the container has (user first, then
// runc's order: ipc, uts, net, pid, mnt, cgroup, time), the ns.join of each by a helper, the clone
// of the process, the initial CPU affinity, the cgroup.join of every hierarchy of the container
// (or of its --cgroup sub-cgroup), the final CPU affinity; then rlimits, oom_score_adj, umask,
// no_new_privs, cwd, stdio.chown (a non-root user with --tty or --detach, as runc's
// fixStdioPermissions), user, caps, the console (--tty), the container's seccomp filter and execve.
// Refuses what the host cannot honour (an AppArmor profile, an SELinux label) and sub-cgroup paths
// that leave the container's cgroup; diagnostics name the origin.
bool CompileExec(const Plan& container, const ExecProcess& process, const HostFacts& host,
                 const ExecCompileOptions& options, Plan& out, Diagnostics& errors);

}  // namespace runc
