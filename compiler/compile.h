// compile: Spec + HostFacts -> Plan. Pure: no syscalls, same input -> same plan.
#pragma once

#include <string>

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
};

Plan Compile(const Spec& spec, const HostFacts& host, const CompileOptions& options);

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

}  // namespace runc
