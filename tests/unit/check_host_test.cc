// CheckHostSupport: a config field the host cannot honour (an AppArmor profile without AppArmor, an
// SELinux label without SELinux) is refused with its pointer and line:col, not silently dropped.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compiler/compile.h"
#include "schema/load.h"

namespace runc {
namespace {

std::vector<std::string> Strings(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.ToString());
  return out;
}

// A config with every LSM field the check knows about.
const char* const kLabelled =
    "{\n"
    "  \"ociVersion\": \"1.3.0\",\n"
    "  \"process\": {\n"
    "    \"cwd\": \"/\",\n"
    "    \"args\": [\"sh\"],\n"
    "    \"apparmorProfile\": \"runc-default\",\n"
    "    \"selinuxLabel\": \"system_u:system_r:container_t:s0:c1,c2\"\n"
    "  },\n"
    "  \"root\": {\"path\": \"rootfs\"},\n"
    "  \"linux\": {\"mountLabel\": \"system_u:object_r:container_file_t:s0:c1,c2\"}\n"
    "}\n";

Spec Load(const char* text) {
  Spec spec;
  Diagnostics diags;
  EXPECT_TRUE(LoadSpecText(text, "config.json", spec, diags));
  EXPECT_EQ(Strings(diags), std::vector<std::string>{});
  return spec;
}

TEST(CheckHostSupportTest, FixedHostsRefuseEveryLabel) {
  const Spec spec = Load(kLabelled);
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    Diagnostics diags;
    EXPECT_FALSE(CheckHostSupport(spec, FixedHost(mode), diags));
    EXPECT_EQ(Strings(diags),
              (std::vector<std::string>{
                  "config.json:6:24: /process/apparmorProfile: apparmor is not enabled on this host",
                  "config.json:7:21: /process/selinuxLabel: selinux is not enabled on this host",
                  "config.json:10:27: /linux/mountLabel: selinux is not enabled on this host"}));
  }
}

TEST(CheckHostSupportTest, EachModuleAllowsItsOwnFields) {
  const Spec spec = Load(kLabelled);
  HostFacts host = FixedHost(CgroupMode::kV2);
  host.lsms = {"capability", "apparmor"};
  Diagnostics diags;
  EXPECT_FALSE(CheckHostSupport(spec, host, diags));
  EXPECT_EQ(Strings(diags), (std::vector<std::string>{
                                "config.json:7:21: /process/selinuxLabel: selinux is not enabled on this host",
                                "config.json:10:27: /linux/mountLabel: selinux is not enabled on this host"}));
  host.lsms = {"selinux"};
  diags.clear();
  EXPECT_FALSE(CheckHostSupport(spec, host, diags));
  EXPECT_EQ(Strings(diags), std::vector<std::string>{
                                "config.json:6:24: /process/apparmorProfile: apparmor is not enabled on this host"});
  host.lsms = {"apparmor", "selinux"};
  diags.clear();
  EXPECT_TRUE(CheckHostSupport(spec, host, diags));
  EXPECT_EQ(Strings(diags), std::vector<std::string>{});
}

TEST(CheckHostSupportTest, EmptyOrAbsentFieldsAskForNothing) {
  const Spec spec = Load(
      R"({"ociVersion": "1.3.0", "process": {"cwd": "/", "args": ["sh"], "apparmorProfile": "", "selinuxLabel": ""},
          "root": {"path": "rootfs"}, "linux": {"mountLabel": ""}})");
  Diagnostics diags;
  EXPECT_TRUE(CheckHostSupport(spec, FixedHost(CgroupMode::kV1), diags));
  EXPECT_TRUE(CheckHostSupport(Load(R"({"ociVersion": "1.3.0", "process": {"cwd": "/", "args": ["sh"]},
                                        "root": {"path": "rootfs"}})"),
                               FixedHost(CgroupMode::kV1), diags));
  EXPECT_EQ(Strings(diags), std::vector<std::string>{});
}

TEST(CheckHostSupportTest, SpecBuiltInCodeNamesThePointerOnly) {
  Spec spec;
  spec.process.apparmor_profile = "p";
  Diagnostics diags;
  EXPECT_FALSE(CheckHostSupport(spec, FixedHost(CgroupMode::kV1), diags));
  EXPECT_EQ(Strings(diags),
            std::vector<std::string>{"/process/apparmorProfile: apparmor is not enabled on this host"});
}

// What the diagnostics are appended to is left as it was.
TEST(CheckHostSupportTest, AppendsToEarlierDiagnostics) {
  Diagnostics diags = {Diagnostic{"config.json", 99, 1, "/x", "earlier", 0}};
  Spec spec;
  spec.linux.mount_label = "l";
  EXPECT_FALSE(CheckHostSupport(spec, FixedHost(CgroupMode::kV1), diags));
  EXPECT_EQ(Strings(diags), (std::vector<std::string>{"config.json:99:1: /x: earlier",
                                                      "/linux/mountLabel: selinux is not enabled on this host"}));
}

// runc 1.1 allows linux.resources.unified on a cgroup v2 host only; an empty map asks for nothing.
TEST(CheckHostSupportTest, UnifiedNeedsACgroupV2Host) {
  const Spec spec = Load(
      "{\"ociVersion\": \"1.3.0\", \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]}, \"root\": {\"path\": \"rootfs\"},\n"
      " \"linux\": {\"resources\": {\"unified\": {\"memory.min\": \"131072\"}}}}");
  Diagnostics diags;
  EXPECT_TRUE(CheckHostSupport(spec, FixedHost(CgroupMode::kV2), diags));
  EXPECT_FALSE(CheckHostSupport(spec, FixedHost(CgroupMode::kHybrid), diags));
  EXPECT_FALSE(CheckHostSupport(spec, FixedHost(CgroupMode::kV1), diags));
  EXPECT_EQ(Strings(diags),
            (std::vector<std::string>{
                "config.json:2:37: /linux/resources/unified: invalid configuration: cannot use unified on cgroup v1 "
                "(this host's resource controllers are v1; its cgroup2 mount is the hybrid one)",
                "config.json:2:37: /linux/resources/unified: invalid configuration: cannot use unified on cgroup v1 "
                "(this host's resource controllers are v1)"}));
  diags.clear();
  const Spec empty = Load(
      R"({"ociVersion": "1.3.0", "process": {"cwd": "/", "args": ["sh"]}, "root": {"path": "rootfs"},
          "linux": {"resources": {"unified": {}}}})");
  EXPECT_TRUE(CheckHostSupport(empty, FixedHost(CgroupMode::kHybrid), diags));
  EXPECT_EQ(Strings(diags), std::vector<std::string>{});
}

}  // namespace
}  // namespace runc
