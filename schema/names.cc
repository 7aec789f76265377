#include "schema/names.h"

#include <sched.h>
#include <sys/resource.h>

#include <array>

namespace runc {
namespace {

struct CapabilityEntry {
  std::string_view name;
  int number;
};

// linux/capability.h, in number order (the index is the capability number).
constexpr std::array<CapabilityEntry, kLastCap + 1> kCapabilities = {{
    {"CAP_CHOWN", 0},
    {"CAP_DAC_OVERRIDE", 1},
    {"CAP_DAC_READ_SEARCH", 2},
    {"CAP_FOWNER", 3},
    {"CAP_FSETID", 4},
    {"CAP_KILL", 5},
    {"CAP_SETGID", 6},
    {"CAP_SETUID", 7},
    {"CAP_SETPCAP", 8},
    {"CAP_LINUX_IMMUTABLE", 9},
    {"CAP_NET_BIND_SERVICE", 10},
    {"CAP_NET_BROADCAST", 11},
    {"CAP_NET_ADMIN", 12},
    {"CAP_NET_RAW", 13},
    {"CAP_IPC_LOCK", 14},
    {"CAP_IPC_OWNER", 15},
    {"CAP_SYS_MODULE", 16},
    {"CAP_SYS_RAWIO", 17},
    {"CAP_SYS_CHROOT", 18},
    {"CAP_SYS_PTRACE", 19},
    {"CAP_SYS_PACCT", 20},
    {"CAP_SYS_ADMIN", 21},
    {"CAP_SYS_BOOT", 22},
    {"CAP_SYS_NICE", 23},
    {"CAP_SYS_RESOURCE", 24},
    {"CAP_SYS_TIME", 25},
    {"CAP_SYS_TTY_CONFIG", 26},
    {"CAP_MKNOD", 27},
    {"CAP_LEASE", 28},
    {"CAP_AUDIT_WRITE", 29},
    {"CAP_AUDIT_CONTROL", 30},
    {"CAP_SETFCAP", 31},
    {"CAP_MAC_OVERRIDE", 32},
    {"CAP_MAC_ADMIN", 33},
    {"CAP_SYSLOG", 34},
    {"CAP_WAKE_ALARM", 35},
    {"CAP_BLOCK_SUSPEND", 36},
    {"CAP_AUDIT_READ", 37},
    {"CAP_PERFMON", 38},
    {"CAP_BPF", 39},
    {"CAP_CHECKPOINT_RESTORE", 40},
}};

constexpr bool CapabilityTableIsDense() {
  for (size_t i = 0; i < kCapabilities.size(); ++i) {
    if (kCapabilities[i].number != static_cast<int>(i)) return false;
  }
  return true;
}
static_assert(CapabilityTableIsDense(), "kCapabilities must be indexed by capability number");

struct RlimitEntry {
  std::string_view name;
  int resource;
};

constexpr RlimitEntry kRlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};
static_assert(RLIMIT_NOFILE == 7 && RLIMIT_RTTIME == 15, "Linux rlimit numbers");

struct NamespaceEntry {
  NamespaceType type;
  const char* name;  // the config's spelling
  unsigned long clone_flag;
};

constexpr NamespaceEntry kNamespaces[] = {
    {NamespaceType::kPid, "pid", CLONE_NEWPID},
    {NamespaceType::kNetwork, "network", CLONE_NEWNET},
    {NamespaceType::kMount, "mount", CLONE_NEWNS},
    {NamespaceType::kIpc, "ipc", CLONE_NEWIPC},
    {NamespaceType::kUts, "uts", CLONE_NEWUTS},
    {NamespaceType::kUser, "user", CLONE_NEWUSER},
    {NamespaceType::kCgroup, "cgroup", CLONE_NEWCGROUP},
    {NamespaceType::kTime, "time", CLONE_NEWTIME},
};

const NamespaceEntry* FindNamespace(NamespaceType t) {
  for (const auto& e : kNamespaces) {
    if (e.type == t) return &e;
  }
  return nullptr;
}

constexpr std::string_view kSeccompActions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",        "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",
};

// libseccomp has no name lookup for comparison operators (enum scmp_compare).
constexpr std::string_view kSeccompOperators[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

constexpr std::string_view kSeccompFlags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

}  // namespace

std::optional<int> CapabilityByName(std::string_view name, bool allow_bare) {
  constexpr std::string_view kPrefix = "CAP_";
  // Every name in the table has the prefix, so a name is compared either with the full names or,
  // when bare names are allowed and it has no prefix, with the names without it (pre-draft configs
  // wrote "KILL" for CAP_KILL).
  const bool prefixed = name.substr(0, kPrefix.size()) == kPrefix;
  if (!prefixed && !allow_bare) return std::nullopt;
  for (const auto& e : kCapabilities) {
    if ((prefixed ? e.name : e.name.substr(kPrefix.size())) == name) return e.number;
  }
  return std::nullopt;
}

std::string_view CapabilityName(int cap) {
  if (cap < 0 || cap > kLastCap) return "";
  return kCapabilities[static_cast<size_t>(cap)].name;
}

std::optional<int> RlimitByName(std::string_view name) {
  for (const auto& e : kRlimits) {
    if (e.name == name) return e.resource;
  }
  return std::nullopt;
}

std::string_view RlimitName(int resource) {
  for (const auto& e : kRlimits) {
    if (e.resource == resource) return e.name;
  }
  return "";
}

std::optional<NamespaceType> NamespaceByName(std::string_view name) {
  for (const auto& e : kNamespaces) {
    if (name == e.name) return e.type;
  }
  return std::nullopt;
}

unsigned long NamespaceCloneFlag(NamespaceType t) {
  const NamespaceEntry* e = FindNamespace(t);
  return e ? e->clone_flag : 0;
}

const char* NamespaceTypeName(NamespaceType t) {
  const NamespaceEntry* e = FindNamespace(t);
  return e ? e->name : "";
}

std::span<const std::string_view> SeccompActionNames() { return kSeccompActions; }
std::span<const std::string_view> SeccompOperatorNames() { return kSeccompOperators; }
std::span<const std::string_view> SeccompFlagNames() { return kSeccompFlags; }

std::vector<std::string_view> NamespaceNames() {
  std::vector<std::string_view> out;
  for (const auto& e : kNamespaces) out.push_back(e.name);
  return out;
}

}  // namespace runc
