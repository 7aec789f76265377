// CheckHostSupport: the config fields a host may be unable to honour, refused before anything is
// compiled or run. Pure, like Compile: it reads only the Spec and the HostFacts.
//
// Why refuse rather than skip: a profile or label is a security promise of the config. Running the
// container without it would look the same from outside and confine nothing; runc refuses an
// SELinux label without SELinux ("selinux label is specified in config, but selinux is disabled or
// not supported"), crun an AppArmor profile without AppArmor. `linux.resources.unified` on a host
// whose controllers are v1 is refused likewise, as runc does, before any cgroup is made.
#include <algorithm>
#include <string>
#include <tuple>

#include "compiler/compile.h"

namespace runc {

bool CheckHostSupport(const Spec& spec, const HostFacts& host, Diagnostics& diags) {
  const size_t before = diags.size();
  auto report = [&](const std::string& pointer, const std::string& message) {
    Diagnostic d{spec.source_name, 0, 0, pointer, message, 0};
    if (auto it = spec.positions.find(pointer); it != spec.positions.end()) {
      d.line = it->second.line;
      d.col = it->second.col;
    }
    diags.push_back(std::move(d));
  };
  if (!spec.process.apparmor_profile.empty() && !host.HasLsm("apparmor")) {
    report("/process/apparmorProfile", "apparmor is not enabled on this host");
  }
  if (!spec.process.selinux_label.empty() && !host.HasLsm("selinux")) {
    report("/process/selinuxLabel", "selinux is not enabled on this host");
  }
  if (!spec.linux.mount_label.empty() && !host.HasLsm("selinux")) {
    report("/linux/mountLabel", "selinux is not enabled on this host");
  }
  // runc 1.1 allows `unified` only on a cgroup v2 host (validator.go: not IsCgroup2UnifiedMode);
  // a hybrid host's cgroup2 mount holds no resource controller, so its files would be missing at
  // the cgroup.write step, after the container's cgroups were made. runc's words lead the message
  // (clients match "invalid configuration").
  if (spec.linux.resources && !spec.linux.resources->unified.empty() && host.cgroup_mode != CgroupMode::kV2) {
    report("/linux/resources/unified",
           std::string("invalid configuration: cannot use unified on cgroup v1 (this host's resource controllers are ") +
               (host.cgroup_mode == CgroupMode::kHybrid ? "v1; its cgroup2 mount is the hybrid one)" : "v1)"));
  }
  // In file order, as the front end reports.
  std::stable_sort(diags.begin() + static_cast<std::ptrdiff_t>(before), diags.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.col) < std::tie(b.line, b.col);
                   });
  return diags.size() == before;
}

}  // namespace runc
