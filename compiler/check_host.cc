// CheckHostSupport: the config fields a host may be unable to honour, refused before anything is
// compiled or run. Pure, like Compile: it reads only the Spec and the HostFacts.
//
// Why refuse rather than skip: a profile or label is a security promise of the config. Running the
// container without it would look the same from outside and confine nothing; runc refuses an
// SELinux label without SELinux ("selinux label is specified in config, but selinux is disabled or
// not supported"), crun an AppArmor profile without AppArmor.
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
  // In file order, as the front end reports.
  std::stable_sort(diags.begin() + static_cast<std::ptrdiff_t>(before), diags.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.col) < std::tie(b.line, b.col);
                   });
  return diags.size() == before;
}

}  // namespace runc
