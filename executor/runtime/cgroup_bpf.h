// cgroup v2 device control (step cgroup.device). cgroup2 has no devices.allow / devices.deny files:
// the kernel asks a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup instead, once per
// open(2) or mknod(2) of a device node (not per read or write). The step's rules are already the
// result of runc's device emulator (compiler/compile_cgroup.cc); this file turns them into that
// program, loads it with bpf(2) and attaches it. No libbpf: the program is a handful of raw
// struct bpf_insn.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/plan.h"

namespace runc {

struct DeviceFilterRule {
  uint32_t type = 0;    // BPF_DEVCG_DEV_CHAR or BPF_DEVCG_DEV_BLOCK
  int64_t major = -1;   // -1 = any
  int64_t minor = -1;   // -1 = any
  uint32_t access = 0;  // BPF_DEVCG_ACC_* bits
};

// What the step says: a default verdict and exceptions to it. Every rule has the opposite verdict
// of the default (the emulator drops the others), as in cgroup v1's devices.list.
struct DeviceFilter {
  bool default_allow = false;
  std::vector<DeviceFilterRule> rules;
};

// Decodes a cgroup.device step (nums = {default, then type, major, minor, access per rule}).
// False with `error` when the numbers cannot be a rule: an unknown type or access bit, a major or
// minor outside [0, 2^32) other than the wildcard -1, or a count that is not 1 + 4n.
bool DeviceFilterFromStep(const Step& step, DeviceFilter& out, std::string& error);

// The program, with cgroup v1's semantics for the same exception list:
// - default deny (allow-list): a request is allowed when one rule matches its type, major and
//   minor and grants every access bit asked for (devcgroup's match_exception);
// - default allow (deny-list): a request is denied when one rule matches its type, major and minor
//   and shares any access bit with it (match_exception_partial).
// So the order of the rules does not matter; they are tested in the order given, the first match
// decides, and no match gives the default.
std::vector<bpf_insn> DeviceFilterProgram(const DeviceFilter& filter);

// BPF_PROG_LOAD of a device program; `fd` is the program's (close-on-exec). On failure `what` =
// "bpf BPF_PROG_LOAD device filter for DIR (verifier: LOG)", with the tail of the verifier's log
// when it gave one. Returns 0 or an errno.
int LoadDeviceFilter(const std::vector<bpf_insn>& program, const std::string& dir, int& fd, std::string& what);

// Loads `program` (BPF_PROG_LOAD; on failure the verifier's log is part of `what`) and attaches it
// to the cgroup directory `dir` (BPF_PROG_ATTACH, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI as runc
// does), then detaches the device programs that were attached to `dir` before, so that exactly
// this one decides (runc's behaviour for a cgroup that already existed). The program fd is closed:
// the attachment holds the program, and removing the cgroup drops it. Returns 0 with `prog_id`, or
// an errno with `what` = "SYSCALL OBJECT".
int AttachDeviceFilter(const std::vector<bpf_insn>& program, const std::string& dir, uint32_t& prog_id,
                       std::string& what);

// Ids of the device programs attached to the cgroup directory `dir` itself (not inherited ones);
// for tests and `what` messages. Returns 0 or an errno.
int QueryDeviceFilters(const std::string& dir, std::vector<uint32_t>& ids);

// Runs a cgroup.device step: decode, build, attach. Returns 0 or an errno with `what`.
int RunCgroupDevices(const Step& step, std::string& what);

}  // namespace runc
