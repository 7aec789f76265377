// Intel RDT (runtime-spec "IntelRdt") on a machine without a resctrl filesystem: the runtime-spec
// says the runtime MUST generate an error, so `create` and `run` fail at the rdt.group step with a
// message naming the mount point, and leave nothing behind. (This kernel has no resctrl at all, so
// the success path is covered by the compiler's unit and golden tests only.)
#include <sys/stat.h>
#include <sys/statfs.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::MatchesRegex;

bool Exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

bool ResctrlMounted() {
  struct statfs fs {};
  return statfs("/sys/fs/resctrl", &fs) == 0 && static_cast<long>(fs.f_type) == 0x7655821;
}

class IntelRdtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root";
    if (ResctrlMounted()) GTEST_SKIP() << "resctrl is mounted here: this test is for hosts without it";
  }
  TempDir root_{"runc-root"};
};

TEST_F(IntelRdtTest, WithoutResctrlCreateAndRunFailAndLeaveNothing) {
  for (const char* command : {"create", "run"}) {
    SCOPED_TRACE(command);
    Bundle bundle({"true"});
    const std::string id = UniqueId("rdt");
    bundle.config()["linux"]["cgroupsPath"] = "/runc-test-" + id;
    bundle.config()["linux"]["intelRdt"] = {{"l3CacheSchema", "L3:0=7f0"}};
    bundle.Write();
    RunResult r = Runc(root_.path(), {command, "--bundle", bundle.path(), id});
    EXPECT_EQ(r.status, 1);
    EXPECT_THAT(r.err, MatchesRegex("runc: step [0-9]+ rdt\\.group \\(/linux/intelRdt\\): intelRdt: no resctrl "
                                    "filesystem is mounted at /sys/fs/resctrl\n"))
        << r.err;
    EXPECT_FALSE(Exists(root_.path() + "/" + id));
    EXPECT_FALSE(Exists("/sys/fs/cgroup/pids/runc-test-" + id));
    EXPECT_FALSE(Exists("/sys/fs/cgroup/memory/runc-test-" + id));
    EXPECT_FALSE(Exists("/sys/fs/cgroup/unified/runc-test-" + id));
    EXPECT_FALSE(Exists("/sys/fs/resctrl/" + id));
    Runc(root_.path(), {"delete", "--force", id});
  }
}

}  // namespace
}  // namespace runc::test
