// `runc features` says what the compiler accepts: every capability, namespace, mount option, seccomp
// action, operator, arch and flag it lists passes the semantic pass in a config, and a name it does
// not list is refused (so a list that claimed too much or too little would fail here).
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "container/container.h"
#include "schema/default_spec.h"
#include "schema/load.h"

namespace runc {
namespace {

nlohmann::json Default() { return DefaultSpec(false); }

// Diagnostics of the whole front end for `config`, joined ("" = accepted).
std::string Check(const nlohmann::json& config) {
  Spec spec;
  Diagnostics diags;
  LoadSpecText(config.dump(), "config.json", spec, diags);
  std::string out;
  for (const auto& d : diags) out += d.ToString() + "\n";
  return out;
}

nlohmann::json WithSeccomp(const std::string& action, const std::string& op, const std::string& arch,
                           const std::string& flag) {
  nlohmann::json c = Default();
  c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                           {"architectures", {arch}},
                           {"flags", {flag}},
                           {"syscalls", {{{"names", {"getcwd"}},
                                          {"action", action},
                                          {"args", {{{"index", 0}, {"value", 1}, {"op", op}}}}}}}};
  if (action == "SCMP_ACT_NOTIFY") c["linux"]["seccomp"]["listenerPath"] = "/run/listener.sock";
  return c;
}

class FeaturesTest : public ::testing::Test {
 protected:
  nlohmann::json f_ = nlohmann::json::parse(container::Features().dump());
};

TEST_F(FeaturesTest, VersionsAndHooks) {
  EXPECT_EQ(f_["ociVersionMin"], "1.0.0");
  EXPECT_EQ(f_["ociVersionMax"], "1.3.0");
  for (const auto& v : {"1.0.0", "1.3.0"}) {
    nlohmann::json c = Default();
    c["ociVersion"] = v;
    EXPECT_EQ(Check(c), "") << v;
  }
  for (const auto& hook : f_["hooks"]) {
    nlohmann::json c = Default();
    c["hooks"][hook.get<std::string>()] = {{{"path", "/bin/true"}}};
    EXPECT_EQ(Check(c), "") << hook;
  }
  EXPECT_EQ(f_["hooks"].size(), 6u);
}

TEST_F(FeaturesTest, EveryCapabilityIsAcceptedAndNoOther) {
  ASSERT_GE(f_["linux"]["capabilities"].size(), 41u);
  for (const auto& cap : f_["linux"]["capabilities"]) {
    nlohmann::json c = Default();
    c["process"]["capabilities"]["bounding"].push_back(cap);
    EXPECT_EQ(Check(c), "") << cap;
  }
  nlohmann::json c = Default();
  c["process"]["capabilities"]["bounding"].push_back("CAP_NOT_A_CAPABILITY");
  EXPECT_NE(Check(c), "");
}

TEST_F(FeaturesTest, EveryNamespaceIsAccepted) {
  EXPECT_EQ(f_["linux"]["namespaces"].size(), 8u);
  for (const auto& ns : f_["linux"]["namespaces"]) {
    nlohmann::json c = Default();
    auto& list = c["linux"]["namespaces"];
    bool present = false;
    for (const auto& e : list) present = present || e["type"] == ns;
    if (!present) list.push_back({{"type", ns}});
    if (ns == "user") {
      c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
      c["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    }
    EXPECT_EQ(Check(c), "") << ns;
  }
}

TEST_F(FeaturesTest, EveryMountOptionIsAcceptedOnABindMount) {
  ASSERT_GT(f_["mountOptions"].size(), 40u);
  for (const auto& opt : f_["mountOptions"]) {
    const std::string o = opt;
    if (o == "idmap" || o == "ridmap") continue;  // needs mappings: below
    nlohmann::json c = Default();
    c["mounts"].push_back({{"destination", "/mnt"}, {"type", "bind"}, {"source", "/tmp"}, {"options", {"rbind", o}}});
    EXPECT_EQ(Check(c), "") << o;
  }
  nlohmann::json c = Default();
  c["linux"]["namespaces"].push_back({{"type", "user"}});
  c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  c["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  c["mounts"].push_back({{"destination", "/mnt"}, {"type", "bind"}, {"source", "/tmp"}, {"options", {"rbind", "idmap"}}});
  EXPECT_EQ(Check(c), "");
  EXPECT_TRUE(f_["linux"]["mountExtensions"]["idmap"]["enabled"].get<bool>());
}

TEST_F(FeaturesTest, EverySeccompNameIsAcceptedAndNoOther) {
  const auto& s = f_["linux"]["seccomp"];
  ASSERT_TRUE(s["enabled"].get<bool>());
  ASSERT_FALSE(s["archs"].empty());
  for (const auto& action : s["actions"])
    EXPECT_EQ(Check(WithSeccomp(action, "SCMP_CMP_EQ", "SCMP_ARCH_X86_64", "SECCOMP_FILTER_FLAG_LOG")), "") << action;
  for (const auto& op : s["operators"])
    EXPECT_EQ(Check(WithSeccomp("SCMP_ACT_ERRNO", op, "SCMP_ARCH_X86_64", "SECCOMP_FILTER_FLAG_LOG")), "") << op;
  for (const auto& arch : s["archs"])
    EXPECT_EQ(Check(WithSeccomp("SCMP_ACT_ERRNO", "SCMP_CMP_EQ", arch, "SECCOMP_FILTER_FLAG_LOG")), "") << arch;
  for (const auto& flag : s["knownFlags"])
    EXPECT_EQ(Check(WithSeccomp("SCMP_ACT_ERRNO", "SCMP_CMP_EQ", "SCMP_ARCH_X86_64", flag)), "") << flag;
  EXPECT_NE(Check(WithSeccomp("SCMP_ACT_NOPE", "SCMP_CMP_EQ", "SCMP_ARCH_X86_64", "SECCOMP_FILTER_FLAG_LOG")), "");
  EXPECT_NE(Check(WithSeccomp("SCMP_ACT_ERRNO", "SCMP_CMP_NOPE", "SCMP_ARCH_X86_64", "SECCOMP_FILTER_FLAG_LOG")), "");
  EXPECT_NE(Check(WithSeccomp("SCMP_ACT_ERRNO", "SCMP_CMP_EQ", "SCMP_ARCH_NOPE", "SECCOMP_FILTER_FLAG_LOG")), "");
  EXPECT_NE(Check(WithSeccomp("SCMP_ACT_ERRNO", "SCMP_CMP_EQ", "SCMP_ARCH_X86_64", "SECCOMP_FILTER_FLAG_NOPE")), "");
}

TEST_F(FeaturesTest, LsmsAreNotClaimed) {
  // No step applies an AppArmor profile or an SELinux label: the document must not say otherwise.
  EXPECT_FALSE(f_["linux"]["apparmor"]["enabled"].get<bool>());
  EXPECT_FALSE(f_["linux"]["selinux"]["enabled"].get<bool>());
}

}  // namespace
}  // namespace runc
