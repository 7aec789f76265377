// A failure at any step of `create` leaves nothing behind on the host. runc-faulty (built with
// RUNC_FAULT_INJECTION) fails step RUNC_FAIL_AT_STEP=N with EIO in whichever process runs it; for
// every N up to wait_start of two plans (the default one, and one with user and cgroup namespaces)
// the create must fail with exactly that step's message, and afterwards there must be no state
// dir, no cgroup dir, no new mount in the host's mount table and no process left. The default plan
// also runs on an imitated cgroup v2 host, where it attaches a device program (cgroup.device): no
// program may outlive the failure either.
#include <linux/bpf.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "executor/runtime/cgroup_host.h"
#include "tests/integration/harness.h"

namespace runc::test {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::set<std::string> MountLines() {
  std::set<std::string> out;
  std::istringstream in(ReadFile("/proc/self/mountinfo"));
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

// Reaps whatever was left to us (the test is a child subreaper, so orphans of runc land here).
std::vector<pid_t> ReapLeftovers() {
  std::vector<pid_t> left;
  std::istringstream in(ReadFile("/proc/self/task/" + std::to_string(getpid()) + "/children"));
  for (pid_t p; in >> p;) {
    left.push_back(p);
    kill(p, SIGKILL);
    waitpid(p, nullptr, 0);
  }
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  return left;
}

struct PlanStep {
  int index;
  std::string kind, origin, path;
};

// The ids in "cgroup.device: program N ..." lines of a --log file.
std::vector<uint32_t> DeviceProgramIds(const std::string& log) {
  std::vector<uint32_t> ids;
  std::istringstream in(log);
  const std::string key = "cgroup.device: program ";
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find(key);
    if (at != std::string::npos) ids.push_back(static_cast<uint32_t>(std::stoul(line.substr(at + key.size()))));
  }
  return ids;
}

// The kernel frees a program a moment after the last cgroup it was attached to is removed.
bool ProgramGone(uint32_t id) {
  for (int i = 0; i < 500; ++i) {
    bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_id = id;
    long fd = syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof attr);
    if (fd < 0 && errno == ENOENT) return true;
    if (fd >= 0) close(static_cast<int>(fd));
    usleep(10000);
  }
  return false;
}

class FailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(IsRoot()) << "integration tests run as root";
    ASSERT_FALSE(std::string(RUNC_FAULTY_BINARY).empty());
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    cgroup_parent_ = "runc-h4-fail-" + std::to_string(getpid()) + "-" + UniqueId("p");
  }
  void TearDown() override {
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    // A successful run's teardown removes the container's cgroup, not the parent mkdir -p made.
    for (const auto& h : CgroupHierarchies()) CgroupRemove(h + "/" + cgroup_parent_, 2000);
  }

  static std::vector<std::string> CgroupHierarchies() {
    std::vector<std::string> out;
    std::istringstream in(ReadFile("/proc/self/mountinfo"));
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::string id, parent, dev, root, mnt;
      f >> id >> parent >> dev >> root >> mnt;
      if (line.find(" - cgroup") != std::string::npos) out.push_back(mnt);
    }
    return out;
  }

  // On an imitated v2 host: a mount namespace of its own with only cgroup2 on /sys/fs/cgroup.
  std::vector<std::string> Command(std::vector<std::string> argv) const {
    if (!on_v2_) return argv;
    std::vector<std::string> out = {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                    "umount -l /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec \"$@\"",
                                    "sh"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

  // A cgroup directory of the plan as this process sees it.
  std::string HostPath(const std::string& dir) const {
    const std::string root = "/sys/fs/cgroup/";
    if (!on_v2_ || dir.compare(0, root.size(), root) != 0) return dir;
    return root + "unified/" + dir.substr(root.size());
  }

  std::vector<PlanStep> PlanOf(const Bundle& b) {
    RunResult r = test::Run(Command({RUNC_BINARY, "--root", root_.path(), "plan", "--bundle", b.path(), "--format", "json"}));
    EXPECT_EQ(r.status, 0) << r.err;
    std::vector<PlanStep> steps;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_object()) return steps;
    for (const auto& s : j["steps"]) {
      steps.push_back({s["index"].get<int>(), s["kind"].get<std::string>(), s["origin"].get<std::string>(),
                       s.value("path", std::string())});
    }
    return steps;
  }

  // Fails every step up to wait_start in turn and checks the host afterwards.
  void FailEveryStep(Bundle& b, const std::string& label) {
    // Ambient capabilities without inheritable ones cannot be raised; what the caps step does with
    // them is not this test's subject (the caps step itself stays in the plan).
    b.config()["process"]["capabilities"].erase("ambient");
    b.Write();
    std::vector<PlanStep> steps = PlanOf(b);
    ASSERT_FALSE(steps.empty());
    int wait_start = 0;
    std::vector<std::string> cgroup_dirs;
    for (const auto& s : steps) {
      if (s.kind == "wait_start" && wait_start == 0) wait_start = s.index;
      if (s.kind == "cgroup.mkdir") cgroup_dirs.push_back(HostPath(s.path));
    }
    ASSERT_GT(wait_start, 10) << "suspiciously short plan";
    ASSERT_FALSE(cgroup_dirs.empty());
    for (const auto& dir : cgroup_dirs) ASSERT_NE(dir.find(cgroup_parent_), std::string::npos) << dir;

    for (const auto& step : steps) {
      if (step.index > wait_start) break;
      SCOPED_TRACE(label + ": RUNC_FAIL_AT_STEP=" + std::to_string(step.index) + " (" + step.kind + ")");
      std::string id = UniqueId("f");
      std::set<std::string> before = MountLines();
      RunOptions opts;
      opts.env["RUNC_FAIL_AT_STEP"] = std::to_string(step.index);
      opts.timeout_seconds = 30;
      const std::string log = root_.path() + "/" + id + ".log";
      RunResult r = test::Run(
          Command({RUNC_FAULTY_BINARY, "--root", root_.path(), "--log", log, "create", "--bundle", b.path(), id}), opts);
      EXPECT_EQ(r.status, 1);
      EXPECT_EQ(r.err, "runc: step " + std::to_string(step.index) + " " + step.kind + " (" + step.origin +
                           "): injected fault: Input/output error\n");
      EXPECT_FALSE(Exists(root_.path() + "/" + id)) << "state dir left";
      for (const auto& dir : cgroup_dirs) {
        EXPECT_FALSE(Exists(dir)) << "cgroup left: " << dir;
        std::string top = dir.substr(0, dir.find(cgroup_parent_) + cgroup_parent_.size());
        EXPECT_FALSE(Exists(top)) << "cgroup parent left: " << top;
      }
      for (const auto& line : MountLines()) {
        if (before.count(line)) continue;
        EXPECT_EQ(line.find(b.path()), std::string::npos) << "new host mount: " << line;
        EXPECT_EQ(line.find(root_.path()), std::string::npos) << "new host mount: " << line;
      }
      EXPECT_THAT(ReapLeftovers(), ::testing::IsEmpty()) << "processes left";
      for (uint32_t prog : DeviceProgramIds(ReadFile(log))) {
        EXPECT_TRUE(ProgramGone(prog)) << "device program " << prog << " left";
        ++programs_checked_;
      }
      unlink(log.c_str());
      if (HasFailure()) break;  // one broken step is enough to read; the rest would repeat it
    }
  }

  TempDir root_{"runc-h4-fail-root"};
  std::string cgroup_parent_;
  bool on_v2_ = false;
  int programs_checked_ = 0;  // device programs attached before the injected failure
};

TEST_F(FailureTest, DefaultPlanLeavesNothingBehindAtAnyStep) {
  Bundle b({"true"});
  b.config()["linux"]["cgroupsPath"] = "/" + cgroup_parent_ + "/c";
  // podman's --read-only /run: a tmpcopyup step, whose mount step holds the covered directory.
  b.config()["mounts"].push_back(
      {{"destination", "/run"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "nodev", "tmpcopyup"}}});
  // A cwd the image lacks: the plan gets its mkdir step (before the read-only root), which fails
  // like every other.
  b.config()["process"]["cwd"] = "/srv/work";
  b.Write();
  FailEveryStep(b, "default");
}

TEST_F(FailureTest, UserAndCgroupNamespacePlanLeavesNothingBehindAtAnyStep) {
  Bundle b({"true"});
  auto& linux = b.config()["linux"];
  linux["cgroupsPath"] = "/" + cgroup_parent_ + "/c";
  linux["namespaces"].push_back({{"type", "user"}});
  linux["namespaces"].push_back({{"type", "cgroup"}});
  linux["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  linux["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  b.Write();
  // The container's root (uid 100000 on the host) must be able to reach its rootfs.
  chmod(b.path().c_str(), 0755);
  FailEveryStep(b, "userns");
}

// Idmapped mounts: the runtime makes a user namespace (a helper process), a detached mount and
// passes its fd to the init. A failure at any step leaves no helper, no mount and nothing else.
TEST_F(FailureTest, IdmappedMountPlanLeavesNothingBehindAtAnyStep) {
  Bundle b({"true"});
  auto& linux = b.config()["linux"];
  linux["cgroupsPath"] = "/" + cgroup_parent_ + "/c";
  linux["namespaces"].push_back({{"type", "user"}});
  linux["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  linux["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  // Sources inside the bundle: the mount-table check below looks for the bundle's path.
  ASSERT_EQ(mkdir((b.path() + "/vol").c_str(), 0755), 0);
  for (const char* dest : {"/data", "/same"}) ASSERT_EQ(mkdir((b.rootfs() + dest).c_str(), 0755), 0);
  b.config()["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", "vol"},
                                  {"options", {"rbind", "ridmap"}},
                                  {"uidMappings", {{{"containerID", 0}, {"hostID", 200000}, {"size", 1000}}}},
                                  {"gidMappings", {{{"containerID", 0}, {"hostID", 200000}, {"size", 1000}}}}});
  b.config()["mounts"].push_back({{"destination", "/same"}, {"type", "bind"}, {"source", "vol"}, {"options", {"bind", "idmap", "ro"}}});
  b.Write();
  chmod(b.path().c_str(), 0755);
  std::vector<PlanStep> steps = PlanOf(b);
  int idmap_steps = 0;
  for (const auto& s : steps) idmap_steps += s.kind == "mount.idmap";
  ASSERT_EQ(idmap_steps, 2);
  FailEveryStep(b, "idmap");
}

TEST_F(FailureTest, V2DefaultPlanLeavesNothingBehindAtAnyStep) {
  if (!Exists("/sys/fs/cgroup/unified/cgroup.procs")) GTEST_SKIP() << "no cgroup2 hierarchy to imitate v2 with";
  on_v2_ = true;
  Bundle b({"true"});
  b.config()["linux"]["cgroupsPath"] = "/" + cgroup_parent_ + "/c";
  b.Write();
  std::vector<PlanStep> steps = PlanOf(b);
  int device_steps = 0;
  for (const auto& s : steps) device_steps += s.kind == "cgroup.device";
  ASSERT_EQ(device_steps, 1);
  FailEveryStep(b, "v2");
  EXPECT_GT(programs_checked_, 0);
}

// Without injection the same bundle works, so the loop above really failed where it says.
TEST_F(FailureTest, WithoutInjectionCreateSucceeds) {
  Bundle b({"true"});
  b.config()["linux"]["cgroupsPath"] = "/" + cgroup_parent_ + "/c";
  b.config()["process"]["capabilities"].erase("ambient");
  b.Write();
  std::string id = UniqueId("ok");
  RunOptions opts;
  opts.env["RUNC_FAIL_AT_STEP"] = "0";
  // `run` rather than `create`: a created container would keep our output pipes open.
  RunResult r = test::Run({RUNC_FAULTY_BINARY, "--root", root_.path(), "run", "--bundle", b.path(), id}, opts);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(Exists(root_.path() + "/" + id));
  EXPECT_THAT(ReapLeftovers(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace runc::test
