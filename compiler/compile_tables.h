// Name <-> number tables the compiler resolves and the plan printer names again. Internal to
// compiler/. One table per concept so that parsing and printing cannot drift apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runc::tables {

struct NamedValue {
  std::string_view name;
  uint64_t value;
};

// sched(7) policies; SCHED_ISO is reserved in the kernel ABI but never implemented (4).
inline constexpr NamedValue kSchedPolicies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

// sched_setattr(2) sched_flags.
inline constexpr NamedValue kSchedFlags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},   {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

// ioprio_set(2) classes.
inline constexpr NamedValue kIoPrioClasses[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};

// set_mempolicy(2) modes and mode flags (linux/mempolicy.h).
inline constexpr NamedValue kMemPolicyModes[] = {
    {"MPOL_DEFAULT", 0},    {"MPOL_PREFERRED", 1},     {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3}, {"MPOL_LOCAL", 4},         {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
};
inline constexpr NamedValue kMemPolicyFlags[] = {
    {"MPOL_F_STATIC_NODES", 1u << 15},
    {"MPOL_F_RELATIVE_NODES", 1u << 14},
    {"MPOL_F_NUMA_BALANCING", 1u << 13},
};
inline constexpr uint64_t kMemPolicyModeMask = 0xff;

// personality(2) execution domains the runtime spec names.
inline constexpr NamedValue kPersonalityDomains[] = {
    {"LINUX", 0x0000},
    {"LINUX32", 0x0008},
};

template <size_t N>
std::optional<uint64_t> Lookup(const NamedValue (&table)[N], std::string_view name) {
  for (const auto& e : table) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

template <size_t N>
std::string_view NameOf(const NamedValue (&table)[N], uint64_t value) {
  for (const auto& e : table) {
    if (e.value == value) return e.name;
  }
  return {};
}

// Bits of `value` named by `table`, joined with '|'; leftover bits as hex. "" for 0.
template <size_t N>
std::string BitNames(const NamedValue (&table)[N], uint64_t value) {
  std::string out;
  for (const auto& e : table) {
    if (e.value != 0 && (value & e.value) == e.value) {
      if (!out.empty()) out += '|';
      out += e.name;
      value &= ~e.value;
    }
  }
  if (value != 0) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    while (value != 0) {
      hex.insert(hex.begin(), kHex[value & 0xf]);
      value >>= 4;
    }
    if (!out.empty()) out += '|';
    out += "0x" + hex;
  }
  return out;
}

}  // namespace runc::tables
