// The parsing half of ProbeHost(), separated from the file reads so that tests can feed it fixed
// text. Internal to compiler/ (and its tests).
#pragma once

#include <string_view>

#include "compiler/host.h"

namespace runc::host_internal {

// `mountinfo`: /proc/self/mountinfo; `self_cgroup`: /proc/self/cgroup; `v2_controllers`: the
// unified hierarchy's cgroup.controllers ("" when there is none).
HostFacts HostFactsFromText(std::string_view mountinfo, std::string_view self_cgroup,
                            std::string_view v2_controllers);

}  // namespace runc::host_internal
