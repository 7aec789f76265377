// The seccomp filter of a plan: built with libseccomp in the runtime before clone and exported as a
// BPF program, then loaded in the container init with the seccomp(2) syscall (no libseccomp call,
// no allocation after clone).
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/diag.h"
#include "schema/spec.h"

namespace runc {

struct PreparedSeccomp {
  std::vector<sock_filter> program;  // the exported BPF
  unsigned int flags = 0;            // SECCOMP_FILTER_FLAG_* for seccomp(2)
  // What went into the program (for `runc plan` summaries and tests).
  int rules = 0;                              // libseccomp rules added
  std::vector<std::string> skipped_syscalls;  // names this architecture does not know (like runc)
  // Syscalls of the fallback list given ENOSYS because the profile does not name them (empty when
  // the default action allows, or already returns ENOSYS); the program then also starts with the
  // check that gives ENOSYS to numbers above the highest the profile names (see seccomp.cc).
  std::vector<std::string> enosys_syscalls;
  // SCMP_ACT_NOTIFY: the filter is loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER and the listener fd
  // is sent over listener_fd (connected to linux.seccomp.listenerPath before clone, because the
  // path is a host path the init can no longer reach after pivot_root) together with the container
  // state.
  bool notify = false;
  int listener_fd = -1;
  // The container process state JSON sent with the listener fd; "%PID%" is replaced in the init.
  std::string notify_state;

  PreparedSeccomp() = default;
  PreparedSeccomp(const PreparedSeccomp&) = delete;
  PreparedSeccomp& operator=(const PreparedSeccomp&) = delete;
  ~PreparedSeccomp();
};

// libseccomp action for an SCMP_ACT_* name (errno_ret applies to ERRNO and TRACE; default EPERM).
// False for unknown names.
bool SeccompAction(const std::string& name, std::optional<uint32_t> errno_ret, uint32_t& out);
// SECCOMP_FILTER_FLAG_* value for a flag name; false when unknown.
bool SeccompFlag(const std::string& name, unsigned int& out);

// Builds the filter (notify_state and listener_fd are left to the caller, which knows the
// container). Errors carry the pointer of the config field:
// {pointer "/linux/seccomp/syscalls/3/action", message "unknown seccomp action SCMP_ACT_FOO"}.
bool BuildSeccomp(const Seccomp& config, PreparedSeccomp& out, Diagnostic& error);

// In the init: loads the program with seccomp(2). Returns 0 or an errno with `what` set.
// `host_pid` is the pid reported to a notify listener.
int LoadSeccomp(const PreparedSeccomp& prepared, int host_pid, std::string& what);

}  // namespace runc
