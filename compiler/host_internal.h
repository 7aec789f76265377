// The parsing half of ProbeHost(), separated from the file reads so that tests can feed it fixed
// text. Internal to compiler/ (and its tests).
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "compiler/host.h"

namespace runc::host_internal {

// `mountinfo`: /proc/self/mountinfo; `self_cgroup`: /proc/self/cgroup; `v2_controllers`: the
// unified hierarchy's cgroup.controllers ("" when there is none).
HostFacts HostFactsFromText(std::string_view mountinfo, std::string_view self_cgroup,
                            std::string_view v2_controllers);

// What the host's LSM files say (HostFacts::lsms). `lsm_list`: /sys/kernel/security/lsm ("" when
// it cannot be read); `apparmor_securityfs`: /sys/kernel/security/apparmor exists;
// `apparmor_enabled`: /sys/module/apparmor/parameters/enabled ("" when missing); `selinuxfs`:
// selinuxfs is mounted at /sys/fs/selinux.
std::set<std::string> LsmsFromText(std::string_view lsm_list, bool apparmor_securityfs,
                                   std::string_view apparmor_enabled, bool selinuxfs);

}  // namespace runc::host_internal
