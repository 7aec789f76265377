// pause and resume on real containers: the v1 freezer on this hybrid host, cgroup2's cgroup.freeze
// in a private mount namespace with only cgroup2 mounted; state and list say paused; a paused
// container's processes do not run; kill and delete --force of a paused container work.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cgroup_fixture.h"
#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;

// A container that writes a counter to /tmp/n (in its rootfs, so the host can read it) every 20 ms.
const char kTicker[] = "i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.02; done";

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

class PauseTest : public CgroupContainerTest {
 protected:
  PauseTest() : CgroupContainerTest("pause") {}

  // The freezer's control file as the host sees it.
  std::string FreezerFile() const {
    return v2_ ? std::string(kHostCgroup2) + cgroup_ + "/cgroup.freeze" : "/sys/fs/cgroup/freezer" + cgroup_ + "/freezer.state";
  }

  void StartTicker(Bundle& b) {
    b.config()["process"]["args"] = {"sh", "-c", kTicker};
    b.config()["root"]["readonly"] = false;
    RunDetached(b);
  }

  // Whether the counter moves within `ms`, looking every 20 ms (a loaded CI machine, ASan, can
  // leave a thawed shell unscheduled for a while; a frozen one never moves however long we look).
  static bool Ticks(const std::string& file, int ms) {
    const std::string before = ReadFile(file);
    for (int waited = 0; waited < ms; waited += 20) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (ReadFile(file) != before) return true;
    }
    return false;
  }
};

TEST_P(PauseTest, PauseFreezesResumeThaws) {
  Bundle b;
  StartTicker(b);
  const std::string counter = b.rootfs() + "/tmp/n";
  for (int i = 0; i < 100 && ReadFile(counter).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(Ticks(counter, 3000)) << "the container does not run: " << Runc({"state", id_}).out << ReadFile(counter);

  RunResult r = Runc({"pause", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Status(), "paused");
  EXPECT_THAT(Runc({"list"}).out, HasSubstr("paused"));
  EXPECT_THAT(ReadFile(FreezerFile()), HasSubstr(v2_ ? "1" : "FROZEN"));
  EXPECT_FALSE(Ticks(counter, 300)) << "a paused container's process ran";
  // start, and pause again, are refused while paused
  EXPECT_THAT(Runc({"start", id_}).err, HasSubstr("cannot start a paused container"));
  r = Runc({"pause", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("container not running"));

  r = Runc({"resume", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Status(), "running");
  EXPECT_TRUE(Ticks(counter, 3000)) << "a resumed container does not run: counter " << ReadFile(counter)
                                    << ", freezer " << ReadFile(FreezerFile()) << ", state " << Runc({"state", id_}).out;
  r = Runc({"resume", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("container not paused"));
}

TEST_P(PauseTest, KillOfAPausedContainerStopsIt) {
  Bundle b;
  StartTicker(b);
  ASSERT_EQ(Runc({"pause", id_}).status, 0);
  RunResult r = Runc({"kill", id_, "KILL"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string status;
  for (int i = 0; i < 200 && (status = Status()) != "stopped"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(status, "stopped");
  r = Runc({"delete", id_});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(Exists(FreezerFile())) << "the cgroup is left behind";
}

TEST_P(PauseTest, ForcedDeleteOfAPausedContainerRemovesEverything) {
  Bundle b;
  StartTicker(b);
  ASSERT_EQ(Runc({"pause", id_}).status, 0);
  RunResult r = Runc({"delete", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("that is not stopped: paused"));
  r = Runc({"delete", "--force", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(Exists(FreezerFile())) << "the cgroup is left behind";
  EXPECT_FALSE(Exists(root_.path() + "/" + id_));
}

TEST_P(PauseTest, OnlyCreatedOrRunningContainersPause) {
  RunResult r = Runc({"pause", "no-such-container"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
  Bundle b({"true"});
  b.config()["linux"]["cgroupsPath"] = cgroup_;
  b.Write();
  ASSERT_EQ(Runc({"run", "--keep", "--bundle", b.path(), id_}).status, 0);
  r = Runc({"pause", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("container not running"));
}

INSTANTIATE_TEST_SUITE_P(Cgroups, PauseTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "v2" : "v1"; });

}  // namespace
}  // namespace runc::test
