#include "schema/names.h"

#include <sched.h>
#include <sys/resource.h>

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace runc {
namespace {

TEST(CapabilityTest, BothWays) {
  EXPECT_EQ(CapabilityByName("CAP_CHOWN"), 0);
  EXPECT_EQ(CapabilityByName("CAP_KILL"), 5);
  EXPECT_EQ(CapabilityByName("CAP_NET_BIND_SERVICE"), 10);
  EXPECT_EQ(CapabilityByName("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(CapabilityByName("CAP_AUDIT_WRITE"), 29);
  EXPECT_EQ(CapabilityByName("CAP_PERFMON"), 38);
  EXPECT_EQ(CapabilityByName("CAP_BPF"), 39);
  EXPECT_EQ(CapabilityByName("CAP_CHECKPOINT_RESTORE"), 40);
  EXPECT_EQ(CapabilityName(0), "CAP_CHOWN");
  EXPECT_EQ(CapabilityName(5), "CAP_KILL");
  EXPECT_EQ(CapabilityName(40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(CapabilityName(41), "");
  EXPECT_EQ(CapabilityName(-1), "");

  std::set<std::string> names;
  for (int cap = 0; cap <= kLastCap; ++cap) {
    const std::string name(CapabilityName(cap));
    ASSERT_EQ(name.rfind("CAP_", 0), 0u) << cap;
    EXPECT_EQ(CapabilityByName(name), cap) << name;
    EXPECT_EQ(CapabilityByName(name.substr(4), /*allow_bare=*/true), cap) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kLastCap + 1));
}

TEST(CapabilityTest, Rejected) {
  EXPECT_EQ(CapabilityByName("CAP_FOO"), std::nullopt);
  EXPECT_EQ(CapabilityByName("KILL"), std::nullopt);  // bare names only for pre-draft
  EXPECT_EQ(CapabilityByName("cap_kill"), std::nullopt);
  EXPECT_EQ(CapabilityByName(""), std::nullopt);
  EXPECT_EQ(CapabilityByName("", true), std::nullopt);
  EXPECT_EQ(CapabilityByName("CAP_", true), std::nullopt);
  EXPECT_EQ(CapabilityByName("FOO", true), std::nullopt);
  EXPECT_EQ(CapabilityByName("CAP_KILL", true), 5);  // pre-draft may still spell the prefix
}

TEST(RlimitTest, BothWays) {
  const std::pair<const char*, int> cases[] = {
      {"RLIMIT_CPU", 0},     {"RLIMIT_FSIZE", 1},       {"RLIMIT_DATA", 2},    {"RLIMIT_STACK", 3},
      {"RLIMIT_CORE", 4},    {"RLIMIT_RSS", 5},         {"RLIMIT_NPROC", 6},   {"RLIMIT_NOFILE", 7},
      {"RLIMIT_MEMLOCK", 8}, {"RLIMIT_AS", 9},          {"RLIMIT_LOCKS", 10},  {"RLIMIT_SIGPENDING", 11},
      {"RLIMIT_MSGQUEUE", 12}, {"RLIMIT_NICE", 13},     {"RLIMIT_RTPRIO", 14}, {"RLIMIT_RTTIME", 15},
  };
  for (const auto& [name, number] : cases) {
    EXPECT_EQ(RlimitByName(name), number) << name;
    EXPECT_EQ(RlimitName(number), name) << number;
  }
  EXPECT_EQ(RLIMIT_NLIMITS, 16);
  EXPECT_EQ(RlimitByName("RLIMIT_FOO"), std::nullopt);
  EXPECT_EQ(RlimitByName("NOFILE"), std::nullopt);
  EXPECT_EQ(RlimitName(16), "");
  EXPECT_EQ(RlimitName(-1), "");
}

TEST(NamespaceTest, BothWays) {
  const std::tuple<const char*, NamespaceType, unsigned long> cases[] = {
      {"pid", NamespaceType::kPid, CLONE_NEWPID},
      {"network", NamespaceType::kNetwork, CLONE_NEWNET},
      {"mount", NamespaceType::kMount, CLONE_NEWNS},
      {"ipc", NamespaceType::kIpc, CLONE_NEWIPC},
      {"uts", NamespaceType::kUts, CLONE_NEWUTS},
      {"user", NamespaceType::kUser, CLONE_NEWUSER},
      {"cgroup", NamespaceType::kCgroup, CLONE_NEWCGROUP},
      {"time", NamespaceType::kTime, CLONE_NEWTIME},
  };
  for (const auto& [name, type, flag] : cases) {
    EXPECT_EQ(NamespaceByName(name), type) << name;
    EXPECT_STREQ(NamespaceTypeName(type), name);
    EXPECT_EQ(NamespaceCloneFlag(type), flag) << name;
  }
  EXPECT_EQ(NamespaceByName("net"), std::nullopt);  // the config says "network"
  EXPECT_EQ(NamespaceByName("mnt"), std::nullopt);
  EXPECT_EQ(NamespaceByName("PID"), std::nullopt);
  EXPECT_EQ(NamespaceByName(""), std::nullopt);
}

}  // namespace
}  // namespace runc
