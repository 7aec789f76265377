// compile: Spec + HostFacts -> Plan. Pure: no syscalls, same input -> same plan.
#pragma once

#include <string>

#include "compiler/host.h"
#include "compiler/plan.h"
#include "schema/spec.h"

namespace runc {

struct CompileOptions {
  std::string id = "container";  // container id (default cgroup path, state dir)
  std::string bundle;            // absolute bundle directory
  bool no_pivot = false;         // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool systemd_cgroup = false;   // --systemd-cgroup: cgroupsPath is "slice:prefix:name"
  bool rootless = false;         // --rootless
};

Plan Compile(const Spec& spec, const HostFacts& host, const CompileOptions& options);

// Whether the seccomp filter gives ENOSYS rather than the default action to the syscalls newer
// than the profile (executor/common/seccomp.cc): like runc, when the default action denies (an
// errno other than ENOSYS, a kill, a trap); ALLOW, LOG and TRACE let them through anyway.
bool SeccompEnosysForNewerSyscalls(const Seccomp& seccomp);

}  // namespace runc
