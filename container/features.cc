// features: what this build of the runtime supports, as the runtime-spec's features document
// (features.md) describes it. Every list comes from the table the compiler or the executor uses,
// so it cannot drift from what a config may say (tests/unit/features_test.cc checks each entry
// against the semantic pass).
#include <seccomp.h>

#include <algorithm>
#include <cctype>

#include "container/container.h"
#include "schema/grammar.h"
#include "schema/names.h"

namespace runc::container {
namespace {

// libseccomp's architecture names, spelled as configs spell them; only those this libseccomp knows.
nlohmann::ordered_json SeccompArchs() {
  constexpr const char* kCandidates[] = {
      "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",        "SCMP_ARCH_AARCH64",
      "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",  "SCMP_ARCH_MIPS",    "SCMP_ARCH_MIPS64",     "SCMP_ARCH_MIPS64N32",
      "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",     "SCMP_ARCH_PPC64",
      "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",   "SCMP_ARCH_S390",    "SCMP_ARCH_S390X",      "SCMP_ARCH_PARISC",
      "SCMP_ARCH_PARISC64", "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
  };
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const char* name : kCandidates) {
    std::string lower(name + 10);  // after "SCMP_ARCH_"
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (seccomp_arch_resolve_name(lower.c_str()) != 0) out.push_back(name);
  }
  return out;
}

template <typename List>
nlohmann::ordered_json Strings(const List& list) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& s : list) out.push_back(std::string(s));
  return out;
}

}  // namespace

nlohmann::ordered_json Features() {
  nlohmann::ordered_json f;
  f["ociVersionMin"] = "1.0.0";
  f["ociVersionMax"] = "1.3.0";
  f["hooks"] = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};
  f["mountOptions"] = Strings(MountOptionNames());
  nlohmann::ordered_json linux;
  linux["namespaces"] = Strings(NamespaceNames());
  nlohmann::ordered_json caps = nlohmann::ordered_json::array();
  for (int cap = 0; cap <= kLastCap; ++cap) caps.push_back(std::string(CapabilityName(cap)));
  linux["capabilities"] = caps;
  linux["cgroup"] = {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}, {"rdma", true}};
  nlohmann::ordered_json seccomp;
  seccomp["enabled"] = true;
  seccomp["actions"] = Strings(SeccompActionNames());
  seccomp["operators"] = Strings(SeccompOperatorNames());
  seccomp["archs"] = SeccompArchs();
  seccomp["knownFlags"] = Strings(SeccompFlagNames());
  seccomp["supportedFlags"] = Strings(SeccompFlagNames());
  linux["seccomp"] = seccomp;
  // Refused by the compiler on a host without the LSM, and never applied: no step sets a profile
  // or a label yet.
  linux["apparmor"] = {{"enabled", false}};
  linux["selinux"] = {{"enabled", false}};
  linux["intelRdt"] = {{"enabled", true}};
  linux["mountExtensions"] = {{"idmap", {{"enabled", true}}}};
  linux["netDevices"] = {{"enabled", true}};
  f["linux"] = linux;
  f["annotations"] = {{"org.opencontainers.runc.checkpoint.enabled", "false"},
                      {"io.github.seccomp.libseccomp.version",
                       std::to_string(seccomp_version()->major) + "." + std::to_string(seccomp_version()->minor) + "." +
                           std::to_string(seccomp_version()->micro)}};
  return f;
}

}  // namespace runc::container
