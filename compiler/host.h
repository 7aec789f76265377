// Facts about the host that change the plan: the cgroup layout and where things are mounted.
// Probed once at run time; fixed for tests with `--host v1|v2|hybrid|FILE`.
#pragma once

#include <map>
#include <set>
#include <string>

namespace runc {

enum class CgroupMode { kV1, kV2, kHybrid };

struct HostFacts {
  CgroupMode cgroup_mode = CgroupMode::kV2;
  // v1 (and hybrid): controller -> mount point, e.g. "memory" -> "/sys/fs/cgroup/memory",
  // "cpu" -> "/sys/fs/cgroup/cpu,cpuacct", "name=systemd" -> "/sys/fs/cgroup/systemd".
  std::map<std::string, std::string> v1_mounts;
  // v2: mount point of the unified hierarchy ("/sys/fs/cgroup", or "/sys/fs/cgroup/unified" in hybrid).
  std::string unified_mount;
  // v2: controllers available at the root (cgroup.controllers).
  std::set<std::string> v2_controllers;
  std::string state_root = "/run/runc";
  // Mount point of the resctrl filesystem (Intel RDT); the default when none is mounted, so that
  // an intelRdt config fails at run time with a clear message, as the runtime-spec asks.
  std::string resctrl_mount = "/sys/fs/resctrl";
  // The runtime's own cgroup in each hierarchy (/proc/self/cgroup, relative to the hierarchy's
  // mount root): key = a v1 controller ("memory", "name=systemd") or "" for the unified hierarchy.
  // A relative cgroupsPath (and the default, the container id) is placed under it, as runc does.
  // Missing keys mean "/"; FixedHost() leaves this empty so golden plans do not depend on it.
  std::map<std::string, std::string> own_cgroups;
  // The Linux security modules that are active: the names /sys/kernel/security/lsm lists
  // ("capability", "landlock", "bpf", ...), except that "apparmor" is only there when its
  // securityfs directory exists and /sys/module/apparmor/parameters/enabled says Y (runc's test),
  // and "selinux" only when selinuxfs is mounted at /sys/fs/selinux. Without the list (no
  // securityfs) those two are judged by these tests alone. FixedHost() has none of them, so that
  // golden output does not depend on the machine.
  std::set<std::string> lsms;

  bool HasLsm(const std::string& name) const { return lsms.count(name) != 0; }
  std::string Label() const;  // "cgroup-v1", "cgroup-v2", "cgroup-hybrid"
};

// The fixed layouts used by `--host v1|v2|hybrid` (identical on every machine).
HostFacts FixedHost(CgroupMode mode);
// Reads /proc/self/mountinfo, /sys/fs/cgroup/cgroup.controllers and the LSM files above.
HostFacts ProbeHost();
// "v1", "v2", "hybrid", or a JSON file {"cgroup": "v1|v2|hybrid", "v1_mounts": {...},
// "unified_mount": "...", "v2_controllers": [...], "own_cgroups": {...}, "state_root": "...",
// "resctrl_mount": "...", "lsms": [...]};
// keys left out keep the values of FixedHost(cgroup). false + error on bad input.
bool LoadHostFacts(const std::string& arg, HostFacts& out, std::string& error);

}  // namespace runc
