// Crash safety of `create`: a `runc create` killed with SIGKILL at any moment leaves a container
// that `delete --force` removes completely. The test times one whole create, then starts `create`
// 50 times, each killed after a random delay spread uniformly over 0..1.2x that time, runs `list`
// and `delete --force` of every id it shows, and then looks at the host: no process of ours (by
// the --root in its command line, or by its cgroup), no cgroup directory below the test's
// cgroupsPath prefix in any hierarchy, no state directory, no new mount of the bundle or the root.
// Last, a killed id is created again: it must get a fresh cgroup, holding only its own init.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    closedir(d);
  }
  return out;
}

std::set<std::string> MountLines() {
  std::set<std::string> out;
  std::istringstream in(ReadFile("/proc/self/mountinfo"));
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

// Mount points of every cgroup (v1) and cgroup2 hierarchy.
std::vector<std::string> CgroupHierarchies() {
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

// `runc create` with stdio on /dev/null: the container's init keeps what it inherits, so a pipe
// would never see EOF.
pid_t StartCreate(const std::string& root, const std::string& bundle, const std::string& id) {
  std::vector<std::string> argv = {RUNC_BINARY, "--root", root, "create", "--bundle", bundle, id};
  pid_t pid = fork();
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd < 0) _exit(126);
    for (int fd = 0; fd < 3; ++fd) dup2(null_fd, fd);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

void SleepNs(long ns) {
  timespec ts{ns / 1000000000L, ns % 1000000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(IsRoot()) << "integration tests run as root";
    // Orphans of a killed create land here, not on the machine's init: the test sees and reaps
    // them.
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    prefix_ = "runc-crash-" + std::to_string(getpid()) + "-" + UniqueId("p");
  }

  void TearDown() override {
    // Whatever a failed run left: its processes (ours, by pid), then the cgroups below the prefix.
    for (pid_t p : OurProcesses()) kill(p, SIGKILL);
    Reap();
    for (const auto& h : CgroupHierarchies()) CgroupRemove(h + "/" + prefix_, 5000);
    Reap();
    prctl(PR_SET_CHILD_SUBREAPER, 0);
  }

  std::string CgroupsPath(const std::string& id) const { return "/" + prefix_ + "/" + id; }

  // Reaps every child that has exited (orphans of killed creates are reparented to us).
  static void Reap() {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }

  // Live processes that belong to this test: runc (or a child it cloned without exec, such as a
  // container init waiting to be started) run with our --root, or any process in a cgroup below
  // our prefix.
  std::vector<pid_t> OurProcesses() const {
    std::vector<pid_t> out;
    const std::string root_arg = std::string("--root") + '\0' + root_.path() + '\0';
    for (const auto& name : Entries("/proc")) {
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const pid_t pid = std::stoi(name);
      if (pid == getpid()) continue;
      const std::string dir = "/proc/" + name;
      const std::string cmdline = ReadFile(dir + "/cmdline");
      const std::string cgroups = ReadFile(dir + "/cgroup");
      if (cmdline.find(root_arg) != std::string::npos || cgroups.find("/" + prefix_ + "/") != std::string::npos) {
        out.push_back(pid);
      }
    }
    return out;
  }

  std::string Describe(pid_t pid) const {
    std::string cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
    for (char& c : cmdline)
      if (c == '\0') c = ' ';
    return std::to_string(pid) + " (" + cmdline + ")";
  }

  TempDir root_{"runc-crash-root"};
  std::string prefix_;
};

TEST_F(CrashTest, CreateKilledAtAnyMomentIsRemovedByDeleteForce) {
  Bundle b({"true"});
  const std::set<std::string> mounts_before = MountLines();

  // How long one whole create takes here and now: the median of three (the first one also warms
  // the caches up).
  std::vector<long> times;
  for (int k = 0; k < 3; ++k) {
    const std::string id = UniqueId("t");
    b.config()["linux"]["cgroupsPath"] = CgroupsPath(id);
    b.Write();
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = StartCreate(root_.path(), b.path(), id);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    times.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "create failed: " << status;
    RunResult d = Runc(root_.path(), {"delete", "--force", id});
    ASSERT_EQ(d.status, 0) << d.err;
  }
  std::sort(times.begin(), times.end());
  const long create_ns = times[1];
  int status = 0;

  std::random_device seed_source;
  const unsigned seed = seed_source();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<long> delay(0, create_ns * 6 / 5);
  RecordProperty("seed", std::to_string(seed));
  RecordProperty("create_ns", std::to_string(create_ns));
  std::cerr << "create takes " << create_ns / 1000 << " us; kill delays from seed " << seed << "\n";

  std::vector<std::string> ids;
  int finished = 0;
  for (int k = 0; k < 50; ++k) {
    const std::string id = UniqueId("k");
    ids.push_back(id);
    b.config()["linux"]["cgroupsPath"] = CgroupsPath(id);
    b.Write();
    const long wait_ns = delay(rng);
    pid_t pid = StartCreate(root_.path(), b.path(), id);
    ASSERT_GT(pid, 0);
    SleepNs(wait_ns);
    kill(pid, SIGKILL);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) ++finished;
    Reap();
  }
  std::cerr << finished << " of 50 creates finished before their kill\n";

  RunResult list = Runc(root_.path(), {"list", "--format", "json"});
  ASSERT_EQ(list.status, 0) << list.err;
  nlohmann::json listed = nlohmann::json::parse(list.out, nullptr, false);
  ASSERT_TRUE(listed.is_array() || listed.is_null()) << list.out;
  std::vector<std::string> listed_ids;
  std::map<std::string, int> statuses;  // for the log: which moments the kills hit
  if (listed.is_array()) {
    for (const auto& c : listed) {
      listed_ids.push_back(c["id"].get<std::string>());
      ++statuses[c["status"].get<std::string>() + (c["pid"].get<int>() > 0 ? " with an init" : "")];
    }
  }
  for (const auto& [status, n] : statuses) std::cerr << n << " listed " << status << "\n";
  // Every state dir under the root is a container `list` shows.
  std::vector<std::string> dirs = Entries(root_.path());
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::string> sorted_listed = listed_ids;
  std::sort(sorted_listed.begin(), sorted_listed.end());
  EXPECT_EQ(dirs, sorted_listed) << "state dirs that list does not show";

  // Ids whose create got as far as a cgroup, those with a process in it first: the re-create
  // below must not find anything in it.
  std::vector<std::string> with_cgroup, busy;
  for (const auto& id : listed_ids) {
    const std::string dir = "/sys/fs/cgroup/pids" + CgroupsPath(id);
    if (!Exists(dir)) continue;
    (ReadFile(dir + "/cgroup.procs").empty() ? with_cgroup : busy).push_back(id);
  }
  with_cgroup.insert(with_cgroup.begin(), busy.begin(), busy.end());

  for (const auto& id : listed_ids) {
    RunResult r = Runc(root_.path(), {"delete", "--force", id});
    EXPECT_EQ(r.status, 0) << id << ": " << r.err;
  }
  Reap();

  for (pid_t p : OurProcesses()) ADD_FAILURE() << "process left: " << Describe(p);
  for (const auto& h : CgroupHierarchies()) {
    for (const auto& sub : Entries(h + "/" + prefix_)) {
      if (Exists(h + "/" + prefix_ + "/" + sub + "/cgroup.procs")) ADD_FAILURE() << "cgroup left: " << h << "/" << prefix_ << "/" << sub;
    }
  }
  EXPECT_THAT(Entries(root_.path()), ::testing::IsEmpty()) << "state dirs left";
  for (const auto& line : MountLines()) {
    if (mounts_before.count(line)) continue;
    EXPECT_EQ(line.find(b.path()), std::string::npos) << "new host mount: " << line;
    EXPECT_EQ(line.find(root_.path()), std::string::npos) << "new host mount: " << line;
  }

  // The same id again: a fresh cgroup that holds only the new init.
  if (with_cgroup.size() > 3) with_cgroup.resize(3);
  for (const auto& id : with_cgroup) {
    b.config()["linux"]["cgroupsPath"] = CgroupsPath(id);
    b.Write();
    pid_t pid = StartCreate(root_.path(), b.path(), id);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << id << ": create again failed: " << status;
    RunResult st = Runc(root_.path(), {"state", id});
    ASSERT_EQ(st.status, 0) << st.err;
    nlohmann::json state = nlohmann::json::parse(st.out, nullptr, false);
    ASSERT_TRUE(state.is_object()) << st.out;
    EXPECT_EQ(state["status"], "created");
    const std::string procs = ReadFile("/sys/fs/cgroup/pids" + CgroupsPath(id) + "/cgroup.procs");
    EXPECT_EQ(procs, std::to_string(state["pid"].get<int>()) + "\n") << id << ": cgroup of the new container";
    RunResult r = Runc(root_.path(), {"delete", "--force", id});
    EXPECT_EQ(r.status, 0) << r.err;
  }
  Reap();
  EXPECT_THAT(OurProcesses(), ::testing::IsEmpty());
  EXPECT_THAT(Entries(root_.path()), ::testing::IsEmpty());
}

// A create in progress holds the container's lock: `state` and `list` show it as creating, with
// its init, and `delete --force` waits for the create to finish, then deletes the container (it
// does not pull the state dir from under a live create).
TEST_F(CrashTest, DeleteForceWaitsForACreateInProgress) {
  Bundle b({"true"});
  TempDir sync("runc-crash-sync");
  const std::string started = sync.path() + "/started", go = sync.path() + "/go";
  const std::string id = UniqueId("w");
  b.config()["linux"]["cgroupsPath"] = CgroupsPath(id);
  b.config()["hooks"]["createRuntime"] = {
      {{"path", "/bin/sh"},
       {"args", {"sh", "-c", "touch " + started + "; while [ ! -e " + go + " ]; do sleep 0.01; done"}}}};
  b.Write();
  pid_t create = StartCreate(root_.path(), b.path(), id);
  ASSERT_GT(create, 0);
  // Bounded only so that a create that never gets to its hook fails the test instead of hanging.
  for (int i = 0; i < 3000 && !Exists(started); ++i) usleep(10000);
  ASSERT_TRUE(Exists(started)) << "the createRuntime hook did not run";

  RunResult st = Runc(root_.path(), {"state", id});
  ASSERT_EQ(st.status, 0) << st.err;
  nlohmann::json state = nlohmann::json::parse(st.out, nullptr, false);
  ASSERT_TRUE(state.is_object()) << st.out;
  EXPECT_EQ(state["status"], "creating");
  EXPECT_GT(state["pid"].get<int>(), 0) << "the init is not recorded";
  EXPECT_THAT(Runc(root_.path(), {"list", "-q"}).out, ::testing::HasSubstr(id + "\n"));

  auto deleted = std::async(std::launch::async, [&] { return Runc(root_.path(), {"delete", "--force", id}); });
  // Let the create go on; the delete cannot finish before it.
  { std::ofstream(go.c_str()) << ""; }
  int status = 0;
  ASSERT_EQ(waitpid(create, &status, 0), create);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "create: " << status;
  RunResult d = deleted.get();
  EXPECT_EQ(d.status, 0) << d.err;
  Reap();
  EXPECT_FALSE(Exists(root_.path() + "/" + id));
  for (const auto& h : CgroupHierarchies()) EXPECT_FALSE(Exists(h + CgroupsPath(id))) << h;
  EXPECT_THAT(OurProcesses(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace runc::test
