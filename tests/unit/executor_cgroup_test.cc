// Host cgroup helpers, on real cgroup hierarchies of this machine (root).
#include "executor/runtime/cgroup_host.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "executor/runtime/spawn.h"
#include "executor/common/sys.h"

namespace runc {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string Unique(const std::string& base) {
  static int counter = 0;
  return base + "/runc-h4-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

TEST(CgroupMkdirAllTest, RecordsWhatItCreatedParentsFirst) {
  std::string top = Unique("/sys/fs/cgroup/pids");
  std::string leaf = top + "/a/b";
  std::vector<std::string> created;
  std::string failed;
  ASSERT_EQ(CgroupMkdirAll(leaf, created, failed), 0) << failed;
  EXPECT_EQ(created, (std::vector<std::string>{top, top + "/a", leaf}));
  // Existing directories are not recorded: they are not ours to remove.
  std::vector<std::string> again;
  ASSERT_EQ(CgroupMkdirAll(leaf + "/c", again, failed), 0);
  EXPECT_EQ(again, (std::vector<std::string>{leaf + "/c"}));
  EXPECT_EQ(CgroupRemove(top, 1000), 0);
  EXPECT_FALSE(Exists(top));
}

TEST(CgroupMkdirAllTest, NamesTheDirectoryThatFailed) {
  std::vector<std::string> created;
  std::string failed;
  EXPECT_EQ(CgroupMkdirAll("/proc/self/nope/x", created, failed), ENOENT);
  EXPECT_EQ(failed, "/proc/self/nope");
  EXPECT_TRUE(created.empty());
}

TEST(CgroupRemoveTest, MissingIsFine) { EXPECT_EQ(CgroupRemove(Unique("/sys/fs/cgroup/pids"), 0), 0); }

TEST(CgroupRemoveTest, KillsAndWaitsOutBusyCgroups) {
  for (const char* hierarchy : {"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified"}) {
    std::string dir = Unique(hierarchy);
    std::vector<std::string> created;
    std::string failed;
    ASSERT_EQ(CgroupMkdirAll(dir + "/sub", created, failed), 0) << failed;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      pause();
      _exit(0);
    }
    ASSERT_EQ(WriteFileOnce(dir + "/sub/cgroup.procs", std::to_string(pid)), 0);
    EXPECT_EQ(CgroupPids(dir), std::vector<pid_t>{pid});
    EXPECT_EQ(CgroupRemove(dir, 0), EBUSY);
    EXPECT_EQ(CgroupSignalAll(dir, SIGKILL), 1);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(CgroupRemove(dir, 2000), 0) << hierarchy;
    EXPECT_FALSE(Exists(dir));
  }
}

TEST(CgroupSignalAllTest, SparesTheCaller) {
  std::string dir = Unique("/sys/fs/cgroup/pids");
  std::vector<std::string> created;
  std::string failed;
  ASSERT_EQ(CgroupMkdirAll(dir, created, failed), 0);
  // A child moves itself in and asks to be killed along with the cgroup: the test process, which
  // runs CgroupSignalAll, must not be.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    WriteFileOnce(dir + "/cgroup.procs", "0");
    EXPECT_EQ(CgroupSignalAll(dir, 0), 0);
    _exit(CgroupPids(dir).size() == 1 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(CgroupRemove(dir, 2000), 0);
}

TEST(StepErrorTest, FormatsStepKindOriginWhatAndErrno) {
  Step s;
  s.index = 6;
  s.kind = StepKind::kMount;
  s.origin = "/mounts/0";
  EXPECT_EQ(StepError(s, "mount proc on /proc", EACCES), "step 6 mount (/mounts/0): mount proc on /proc: Permission denied");
  s.index = 7;
  s.kind = StepKind::kCgroupWrite;
  s.origin = "/linux/resources/memory/limit";
  EXPECT_EQ(StepError(s, "write /sys/fs/cgroup/memory/x/memory.limit_in_bytes", ENOENT),
            "step 7 cgroup.write (/linux/resources/memory/limit): write "
            "/sys/fs/cgroup/memory/x/memory.limit_in_bytes: No such file or directory");
  EXPECT_EQ(StepError(s, "container ID already exists", kNoErrno),
            "step 7 cgroup.write (/linux/resources/memory/limit): container ID already exists");
}

TEST(WriteFileOnceTest, ReportsErrno) {
  EXPECT_EQ(WriteFileOnce("/proc/self/nonexistent", "x"), ENOENT);
  EXPECT_EQ(WriteFileOnce("/sys/fs/cgroup/pids/pids.max", "x"), ENOENT);  // the root has no pids.max
}

}  // namespace
}  // namespace runc
