// The bundle's config.json as a file: what is not a regular file, or is larger than 16 MiB, is
// refused by every command that reads it, before reading. `config.json -> /dev/zero` used to make
// `runc plan` allocate until std::bad_alloc (exit 134), and a fifo without a writer blocked it for
// ever. No root needed: nothing is run.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  std::string Config() const { return dir_.path() + "/config.json"; }

  // `runc plan` and `runc validate` on the bundle: both must refuse with `message`.
  void ExpectRefused(const std::string& message) {
    RunOptions options;
    options.timeout_seconds = 20;  // a blocked open would otherwise be seen only as a hang
    const RunResult plan = Runc(dir_.path() + "/state", {"plan", "--host", "v1", "--bundle", dir_.path()}, options);
    EXPECT_EQ(plan.status, 1);
    EXPECT_EQ(plan.out, "");
    EXPECT_EQ(plan.err, "runc: " + Config() + ": " + message + "\n");
    const RunResult validate = Runc(dir_.path() + "/state", {"validate", "--bundle", dir_.path()}, options);
    EXPECT_EQ(validate.status, 1);
    EXPECT_EQ(validate.out, Config() + ": " + message + "\n");
  }

  TempDir dir_{"runc-config-file"};
};

TEST_F(ConfigFileTest, SymlinkToDevZeroIsRefused) {
  ASSERT_EQ(symlink("/dev/zero", Config().c_str()), 0);
  ExpectRefused("not a regular file");
}

TEST_F(ConfigFileTest, FifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(mkfifo(Config().c_str(), 0600), 0);
  ExpectRefused("not a regular file");
}

TEST_F(ConfigFileTest, FileOver16MiBIsRefused) {
  const int fd = open(Config().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 16 * 1024 * 1024 + 1), 0);  // sparse: nothing needs to be read to refuse it
  close(fd);
  ExpectRefused("larger than 16 MiB");
}

// create (not only plan) refuses an LSM field the host does not have, before anything is made:
// this host has neither AppArmor nor SELinux (the test skips on one that has).
TEST(HostSupportTest, CreateRefusesAnApparmorProfileAndLeavesNothing) {
  if (access("/sys/kernel/security/apparmor", F_OK) == 0) GTEST_SKIP() << "this host has AppArmor";
  if (!IsRoot()) GTEST_SKIP() << "create needs root";
  TempDir root("runc-host-support");
  Bundle b({"true"});
  b.config()["process"]["apparmorProfile"] = "docker-default";
  b.Write();
  const std::string id = UniqueId("aa");
  const RunResult r = Runc(root.path(), {"create", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("/process/apparmorProfile: apparmor is not enabled on this host"), std::string::npos) << r.err;
  struct stat st;
  EXPECT_NE(stat((root.path() + "/" + id).c_str(), &st), 0) << "a state directory was left";
  EXPECT_NE(stat(("/sys/fs/cgroup/memory/" + id).c_str(), &st), 0) << "a cgroup was left";
}

}  // namespace
}  // namespace runc::test
