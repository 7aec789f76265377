// Name <-> number tables for capabilities, rlimits and namespaces. One constexpr table each, used
// for parsing, printing and validation alike.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/spec.h"

namespace runc {

// "CAP_KILL" -> 5. Also accepts pre-draft's "KILL" when allow_bare is true.
std::optional<int> CapabilityByName(std::string_view name, bool allow_bare = false);
std::string_view CapabilityName(int cap);  // 5 -> "CAP_KILL"; "" when unknown
inline constexpr int kLastCap = 40;        // CAP_CHECKPOINT_RESTORE

// "RLIMIT_NOFILE" -> 7.
std::optional<int> RlimitByName(std::string_view name);
std::string_view RlimitName(int resource);  // 7 -> "RLIMIT_NOFILE"

// "network" -> kNetwork (the config's spelling).
std::optional<NamespaceType> NamespaceByName(std::string_view name);
unsigned long NamespaceCloneFlag(NamespaceType t);  // CLONE_NEWPID, ...

// The config's namespace names ("pid", "network", ...), in table order.
std::vector<std::string_view> NamespaceNames();

// The seccomp names the semantic pass accepts (and `runc features` lists).
std::span<const std::string_view> SeccompActionNames();    // "SCMP_ACT_KILL", ...
std::span<const std::string_view> SeccompOperatorNames();  // "SCMP_CMP_NE", ...
std::span<const std::string_view> SeccompFlagNames();      // "SECCOMP_FILTER_FLAG_TSYNC", ...

}  // namespace runc
