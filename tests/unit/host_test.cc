#include "compiler/host.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "compiler/host_internal.h"

namespace runc {
namespace {

using Mounts = std::map<std::string, std::string>;

TEST(HostFactsTest, Labels) {
  EXPECT_EQ(FixedHost(CgroupMode::kV1).Label(), "cgroup-v1");
  EXPECT_EQ(FixedHost(CgroupMode::kV2).Label(), "cgroup-v2");
  EXPECT_EQ(FixedHost(CgroupMode::kHybrid).Label(), "cgroup-hybrid");
}

TEST(HostFactsTest, FixedV1HasTheStandardLayout) {
  const HostFacts h = FixedHost(CgroupMode::kV1);
  const Mounts expected = {
      {"blkio", "/sys/fs/cgroup/blkio"},
      {"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
      {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct"},
      {"cpuset", "/sys/fs/cgroup/cpuset"},
      {"devices", "/sys/fs/cgroup/devices"},
      {"freezer", "/sys/fs/cgroup/freezer"},
      {"hugetlb", "/sys/fs/cgroup/hugetlb"},
      {"memory", "/sys/fs/cgroup/memory"},
      {"misc", "/sys/fs/cgroup/misc"},
      {"name=systemd", "/sys/fs/cgroup/systemd"},
      {"net_cls", "/sys/fs/cgroup/net_cls,net_prio"},
      {"net_prio", "/sys/fs/cgroup/net_cls,net_prio"},
      {"perf_event", "/sys/fs/cgroup/perf_event"},
      {"pids", "/sys/fs/cgroup/pids"},
      {"rdma", "/sys/fs/cgroup/rdma"},
  };
  EXPECT_EQ(h.v1_mounts, expected);
  EXPECT_EQ(h.unified_mount, "");
  EXPECT_TRUE(h.v2_controllers.empty());
  EXPECT_TRUE(h.own_cgroups.empty());
  EXPECT_EQ(h.state_root, "/run/runc");
}

TEST(HostFactsTest, FixedHybridAddsTheUnifiedMount) {
  const HostFacts h = FixedHost(CgroupMode::kHybrid);
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kHybrid);
  EXPECT_EQ(h.v1_mounts, FixedHost(CgroupMode::kV1).v1_mounts);
  EXPECT_EQ(h.unified_mount, "/sys/fs/cgroup/unified");
  EXPECT_TRUE(h.v2_controllers.empty());
}

TEST(HostFactsTest, FixedV2) {
  const HostFacts h = FixedHost(CgroupMode::kV2);
  EXPECT_TRUE(h.v1_mounts.empty());
  EXPECT_EQ(h.unified_mount, "/sys/fs/cgroup");
  EXPECT_EQ(h.v2_controllers,
            (std::set<std::string>{"cpu", "cpuset", "hugetlb", "io", "memory", "misc", "pids", "rdma"}));
}

// Golden output must not depend on the machine: the fixed hosts have no AppArmor and no SELinux.
TEST(HostFactsTest, FixedHostsHaveNoLsms) {
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    const HostFacts h = FixedHost(mode);
    EXPECT_TRUE(h.lsms.empty()) << h.Label();
    EXPECT_FALSE(h.HasLsm("apparmor"));
    EXPECT_FALSE(h.HasLsm("selinux"));
  }
}

TEST(HostFactsTest, LoadByName) {
  for (auto [name, mode] : {std::pair{"v1", CgroupMode::kV1}, std::pair{"v2", CgroupMode::kV2},
                            std::pair{"hybrid", CgroupMode::kHybrid}}) {
    HostFacts h;
    std::string error;
    ASSERT_TRUE(LoadHostFacts(name, h, error)) << error;
    const HostFacts fixed = FixedHost(mode);
    EXPECT_EQ(h.cgroup_mode, mode);
    EXPECT_EQ(h.v1_mounts, fixed.v1_mounts);
    EXPECT_EQ(h.unified_mount, fixed.unified_mount);
    EXPECT_EQ(h.v2_controllers, fixed.v2_controllers);
  }
}

class HostFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/host_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    unlink(file_.c_str());
    rmdir(dir_.c_str());
  }
  std::string Write(const std::string& text) {
    file_ = dir_ + "/host.json";
    std::ofstream(file_) << text;
    return file_;
  }
  std::string dir_, file_;
};

TEST_F(HostFileTest, FileOverridesTheFixedLayout) {
  const std::string path = Write(R"({
    "cgroup": "v1",
    "v1_mounts": {"memory": "/cg/memory", "cpu": "/cg/cpu", "devices": "/cg/devices"},
    "own_cgroups": {"memory": "/user.slice"},
    "state_root": "/tmp/state"
  })");
  HostFacts h;
  std::string error;
  ASSERT_TRUE(LoadHostFacts(path, h, error)) << error;
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kV1);
  EXPECT_EQ(h.v1_mounts, (Mounts{{"cpu", "/cg/cpu"}, {"devices", "/cg/devices"}, {"memory", "/cg/memory"}}));
  EXPECT_EQ(h.own_cgroups, (Mounts{{"memory", "/user.slice"}}));
  EXPECT_EQ(h.state_root, "/tmp/state");
  EXPECT_EQ(h.unified_mount, "");
}

TEST_F(HostFileTest, FileSetsTheLsms) {
  const std::string path = Write(R"({"cgroup": "v2", "lsms": ["capability", "apparmor"]})");
  HostFacts h;
  std::string error;
  ASSERT_TRUE(LoadHostFacts(path, h, error)) << error;
  EXPECT_EQ(h.lsms, (std::set<std::string>{"apparmor", "capability"}));
  EXPECT_TRUE(h.HasLsm("apparmor"));
  EXPECT_FALSE(h.HasLsm("selinux"));
}

TEST_F(HostFileTest, FileKeepsFixedValuesForMissingKeys) {
  const std::string path = Write(R"({"cgroup": "v2", "v2_controllers": ["memory", "pids"]})");
  HostFacts h;
  std::string error;
  ASSERT_TRUE(LoadHostFacts(path, h, error)) << error;
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kV2);
  EXPECT_EQ(h.unified_mount, "/sys/fs/cgroup");
  EXPECT_EQ(h.v2_controllers, (std::set<std::string>{"memory", "pids"}));
}

TEST_F(HostFileTest, Errors) {
  HostFacts h;
  std::string error;
  EXPECT_FALSE(LoadHostFacts(dir_ + "/missing.json", h, error));
  EXPECT_EQ(error, "host facts " + dir_ + "/missing.json: No such file or directory");

  std::string path = Write("{\"cgroup\": ");
  EXPECT_FALSE(LoadHostFacts(path, h, error));
  EXPECT_EQ(error, "host facts " + path + ": invalid json");

  path = Write("[]");
  EXPECT_FALSE(LoadHostFacts(path, h, error));
  EXPECT_EQ(error, "host facts " + path + ": expected an object");

  path = Write(R"({"cgroup": "v3"})");
  EXPECT_FALSE(LoadHostFacts(path, h, error));
  EXPECT_EQ(error, "host facts " + path + ": /cgroup: expected \"v1\", \"v2\" or \"hybrid\"");

  path = Write(R"({"cgroup": "v1", "v1_mounts": {"memory": 3}})");
  EXPECT_FALSE(LoadHostFacts(path, h, error));
  EXPECT_EQ(error, "host facts " + path + ": /v1_mounts: expected an object of strings");

  path = Write(R"({"cgroup": "v2", "v2_controllers": "memory"})");
  EXPECT_FALSE(LoadHostFacts(path, h, error));
  EXPECT_EQ(error, "host facts " + path + ": /v2_controllers: expected an array of strings");

  path = Write(R"({"cgroup": "v2", "lsms": "apparmor"})");
  EXPECT_FALSE(LoadHostFacts(path, h, error));
  EXPECT_EQ(error, "host facts " + path + ": /lsms: expected an array of strings");
}

// /sys/kernel/security/lsm lists what is built in and initialised; AppArmor and SELinux must also be
// usable (runc's tests: AppArmor's securityfs directory and `enabled` = Y, selinuxfs mounted).
TEST(ProbeTest, LsmsFromTheirFiles) {
  using host_internal::LsmsFromText;
  using Set = std::set<std::string>;
  // This machine.
  EXPECT_EQ(LsmsFromText("lockdown,capability,landlock,bpf", false, "", false),
            (Set{"bpf", "capability", "landlock", "lockdown"}));
  EXPECT_EQ(LsmsFromText("lockdown,capability,apparmor\n", true, "Y\n", false),
            (Set{"apparmor", "capability", "lockdown"}));
  // Listed but switched off (apparmor=0), or its securityfs directory missing.
  EXPECT_EQ(LsmsFromText("capability,apparmor", true, "N\n", false), (Set{"capability"}));
  EXPECT_EQ(LsmsFromText("capability,apparmor", false, "Y\n", false), (Set{"capability"}));
  // Usable by its files but not listed: another LSM holds the slot.
  EXPECT_EQ(LsmsFromText("capability,selinux", true, "Y\n", true), (Set{"capability", "selinux"}));
  EXPECT_EQ(LsmsFromText("capability,landlock", true, "Y\n", true), (Set{"capability", "landlock"}));
  EXPECT_EQ(LsmsFromText("capability,selinux", false, "", false), (Set{"capability"}));
  // No list (no securityfs, or a kernel before 4.15): the modules' own files decide.
  EXPECT_EQ(LsmsFromText("", true, "Y", false), (Set{"apparmor"}));
  EXPECT_EQ(LsmsFromText("", false, "", true), (Set{"selinux"}));
  EXPECT_EQ(LsmsFromText("", false, "", false), Set{});
}

// This machine's layout: separate cpu and cpuacct, a memory cgroup of our own, cgroup2 "unified".
constexpr char kHybridMountinfo[] =
    "22 1 0:21 / / rw,relatime - overlay overlay rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "50 31 0:32 / /mnt/memory\\040again rw,relatime - cgroup cgroup rw,memory\n"
    "51 31 0:39 / /mnt/perf\\040event rw,relatime - cgroup cgroup rw,perf_event\n";
constexpr char kHybridSelfCgroup[] =
    "9:name=systemd:/\n4:memory:/process_api/abc\n5:devices:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

TEST(ProbeTest, HybridFromMountinfo) {
  const HostFacts h = host_internal::HostFactsFromText(kHybridMountinfo, kHybridSelfCgroup, "hugetlb\n");
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kHybrid);
  EXPECT_EQ(h.v1_mounts, (Mounts{{"cpu", "/sys/fs/cgroup/cpu"},
                                 {"cpuacct", "/sys/fs/cgroup/cpuacct"},
                                 {"devices", "/sys/fs/cgroup/devices"},
                                 {"memory", "/sys/fs/cgroup/memory"},
                                 {"name=systemd", "/sys/fs/cgroup/systemd"},
                                 {"perf_event", "/mnt/perf event"}}));
  EXPECT_EQ(h.unified_mount, "/sys/fs/cgroup/unified");
  EXPECT_EQ(h.v2_controllers, (std::set<std::string>{"hugetlb"}));
  EXPECT_EQ(h.own_cgroups, (Mounts{{"", "/"},
                                   {"cpu", "/"},
                                   {"cpuacct", "/"},
                                   {"devices", "/"},
                                   {"memory", "/process_api/abc"},
                                   {"name=systemd", "/"}}));
}

TEST(ProbeTest, V1WithComountedControllersAndANonRootMount) {
  const std::string mountinfo =
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "35 31 0:32 /docker/x /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  const HostFacts h = host_internal::HostFactsFromText(mountinfo, "3:cpu,cpuacct:/a\n2:memory:/docker/x/y\n", "");
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kV1);
  EXPECT_EQ(h.v1_mounts, (Mounts{{"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
                                 {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct"},
                                 {"memory", "/sys/fs/cgroup/memory"}}));
  // Paths in the hierarchy are made relative to what the mount shows.
  EXPECT_EQ(h.own_cgroups, (Mounts{{"cpu", "/a"}, {"cpuacct", "/a"}, {"memory", "/y"}}));
}

TEST(ProbeTest, PureV2) {
  const HostFacts h = host_internal::HostFactsFromText(
      "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n", "0::/user.slice/session-1.scope\n",
      "cpuset cpu io memory pids\n");
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kV2);
  EXPECT_TRUE(h.v1_mounts.empty());
  EXPECT_EQ(h.unified_mount, "/sys/fs/cgroup");
  EXPECT_EQ(h.v2_controllers, (std::set<std::string>{"cpu", "cpuset", "io", "memory", "pids"}));
  EXPECT_EQ(h.own_cgroups, (Mounts{{"", "/user.slice/session-1.scope"}}));
}

TEST(ProbeTest, NoCgroupMountsDefaultsToV2) {
  const HostFacts h = host_internal::HostFactsFromText("22 1 0:21 / / rw - ext4 /dev/sda1 rw\n", "", "");
  EXPECT_EQ(h.cgroup_mode, CgroupMode::kV2);
  EXPECT_EQ(h.unified_mount, "/sys/fs/cgroup");
}

TEST(ProbeTest, ResctrlMountPoint) {
  EXPECT_EQ(host_internal::HostFactsFromText("22 1 0:21 / / rw - ext4 /dev/sda1 rw\n", "", "").resctrl_mount,
            "/sys/fs/resctrl");  // the default: an intelRdt config then fails at run time
  const HostFacts h = host_internal::HostFactsFromText(
      "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n40 22 0:40 / /mnt/rdt\\040x rw,relatime shared:9 - resctrl resctrl rw\n",
      "", "");
  EXPECT_EQ(h.resctrl_mount, "/mnt/rdt x");
}

TEST(ProbeTest, ThisMachineAgreesWithItsMountinfo) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  bool v1 = false, v2 = false;
  while (std::getline(in, line)) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    v1 = v1 || line.compare(dash + 3, 7, "cgroup ") == 0;
    v2 = v2 || line.compare(dash + 3, 8, "cgroup2 ") == 0;
  }
  const HostFacts h = ProbeHost();
  const CgroupMode expected = v1 ? (v2 ? CgroupMode::kHybrid : CgroupMode::kV1) : CgroupMode::kV2;
  EXPECT_EQ(h.cgroup_mode, expected);
  if (v1) {
    EXPECT_FALSE(h.v1_mounts.empty());
  }
  if (v2) {
    EXPECT_FALSE(h.unified_mount.empty());
  }
}

}  // namespace
}  // namespace runc
