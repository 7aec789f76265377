// A test fixture for commands that act on a container's cgroups, run both on this host's cgroup v1
// hierarchies (parameter false) and on cgroup2 alone (true: every runc call runs in a private mount
// namespace with only cgroup2 mounted on /sys/fs/cgroup, so the runtime sees a cgroup2-only host;
// the host sees that cgroup at kHostCgroup2). Each test gets its own --root, a unique container id
// and cgroup path; TearDown deletes the container (--force) and, on v2, removes its cgroup.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace runc::test {

// Where this (hybrid) host mounts cgroup2, the tree the cgroup2-only namespace shows.
inline constexpr char kHostCgroup2[] = "/sys/fs/cgroup/unified";

// argv run in a new private mount namespace with only cgroup2 on /sys/fs/cgroup.
std::vector<std::string> OnV2(const std::vector<std::string>& argv);

class CgroupContainerTest : public ::testing::TestWithParam<bool> {
 protected:
  // `name` makes the names: id UniqueId(name), cgroup "/runc-test-NAME-ID", root "runc-test-NAME-root".
  explicit CgroupContainerTest(const std::string& name);

  // Skips the v2 case where the host has no cgroup2 at kHostCgroup2.
  void SetUp() override;
  void TearDown() override;

  // The runc under test with our --root (on v2 inside the cgroup2-only namespace).
  RunResult Runc(const std::vector<std::string>& args, const RunOptions& options = {});

  // Writes the bundle (its linux.cgroupsPath set to cgroup_) and runs it detached as id_, with
  // /dev/null and a file for stdio, not our pipes (a detached container keeps them). Fails the
  // test with run's stderr when it does not start.
  void RunDetached(Bundle& b);

  // The container's status as `runc state` says it ("" when it cannot).
  std::string Status();

  const std::string name_;
  TempDir root_;
  std::string id_, cgroup_;
  bool v2_ = false;
};

}  // namespace runc::test
