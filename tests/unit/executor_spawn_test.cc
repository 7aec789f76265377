// Spawn and RunTeardown on hand-built plans, with real processes, namespaces and cgroups (root).
// The plans have no mount namespace and no rootfs: the container runs the host's /bin/sh, which
// keeps these tests about the spawn machinery (processes, sync, host steps, cleanup); the rootfs
// steps are exercised through real bundles in tests/integration/.
#include "executor/runtime/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <tuple>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "executor/runtime/cgroup_host.h"
#include "executor/common/log.h"
#include "executor/common/state.h"
#include "executor/common/sys.h"

namespace runc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Children of this process (all threads).
std::vector<pid_t> Children() {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc/self/task");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::istringstream in(ReadAll(std::string("/proc/self/task/") + e->d_name + "/children"));
    pid_t p;
    while (in >> p) out.push_back(p);
  }
  closedir(d);
  return out;
}

std::string NsId(pid_t pid, const char* ns) {
  char buf[128] = {};
  std::string link = "/proc/" + (pid ? std::to_string(pid) : std::string("self")) + "/ns/" + ns;
  ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

class PlanBuilder {
 public:
  Step& Add(Phase phase, StepKind kind, const std::string& origin = "default") {
    Step s;
    s.index = static_cast<int>(plan.steps.size()) + 1;
    s.phase = phase;
    s.kind = kind;
    s.origin = origin;
    plan.steps.push_back(s);
    return plan.steps.back();
  }
  Plan plan;
};

class SpawnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "these tests need root";
    char tmpl[] = "/tmp/runc-spawn-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    chmod(dir_.c_str(), 0777);  // a container root mapped to another uid writes here too
    static int counter = 0;
    id_ = "h4-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
    state_dir_ = dir_ + "/" + id_;
    cgroup_ = "/sys/fs/cgroup/pids/" + parent_ + "/" + id_;
    out_ = dir_ + "/out";
  }
  void TearDown() override {
    if (init_ > 0) {
      kill(init_, SIGKILL);
      waitpid(init_, nullptr, 0);
    }
    CgroupRemove("/sys/fs/cgroup/pids/" + parent_, 2000);
    CgroupRemove("/sys/fs/cgroup/unified/" + parent_, 2000);  // made by the cgroup2 tests
    std::string fifo = state_dir_ + "/exec.fifo";
    unlink(fifo.c_str());
    rmdir(state_dir_.c_str());
    if (DIR* d = opendir(dir_.c_str())) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] != '.') unlink((dir_ + "/" + e->d_name).c_str());
      }
      closedir(d);
    }
    EXPECT_EQ(rmdir(dir_.c_str()), 0) << dir_;
    InitLog(LogConfig{});
  }

  // state dir, a pids cgroup with a limit, clone(flags), cgroup join; `middle` adds spawn/process
  // steps; then wait_start, execve of `sh -c script`, and the teardown.
  Plan MakePlan(uint64_t clone_flags, const std::string& script,
                const std::function<void(PlanBuilder&)>& before_clone = nullptr,
                const std::function<void(PlanBuilder&)>& after_clone = nullptr) {
    PlanBuilder b;
    b.plan.id = id_;
    b.plan.bundle = dir_;
    b.Add(Phase::kHost, StepKind::kStateDir).path = state_dir_;
    Step& mk = b.Add(Phase::kHost, StepKind::kCgroupMkdir, "/linux/cgroupsPath");
    mk.name = "pids";
    mk.path = cgroup_;
    Step& wr = b.Add(Phase::kHost, StepKind::kCgroupWrite, "/linux/resources/pids/limit");
    wr.path = cgroup_ + "/pids.max";
    wr.value = "64";
    if (before_clone) before_clone(b);
    b.Add(Phase::kSpawn, StepKind::kClone, "/linux/namespaces").flags = clone_flags;
    Step& join = b.Add(Phase::kSpawn, StepKind::kCgroupJoin, "/linux/cgroupsPath");
    join.name = "pids";
    join.path = cgroup_ + "/cgroup.procs";
    if (after_clone) after_clone(b);
    b.Add(Phase::kStart, StepKind::kWaitStart).path = state_dir_ + "/exec.fifo";
    Step& exec = b.Add(Phase::kStart, StepKind::kExecve, "/process/args");
    exec.path = "/bin/sh";
    exec.argv = {"sh", "-c", script};
    exec.env = {"PATH=/usr/bin:/bin"};
    b.Add(Phase::kTeardown, StepKind::kKill).nums = {SIGKILL};
    b.Add(Phase::kTeardown, StepKind::kCgroupRmdir, "/linux/cgroupsPath").path = cgroup_;
    b.Add(Phase::kTeardown, StepKind::kStateRemove).path = state_dir_;
    return b.plan;
  }

  // What `runc start` does: open the fifo for reading and take the byte.
  void Release() {
    int fd = open((state_dir_ + "/exec.fifo").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    char c = 0;
    EXPECT_EQ(read(fd, &c, 1), 1);
    EXPECT_EQ(c, '0');
    close(fd);
  }

  int WaitInit() {
    int status = -1;
    EXPECT_EQ(waitpid(init_, &status, 0), init_);
    init_ = -1;
    return status;
  }

  // After a failed Spawn even the parent cgroup it created is gone; the plan's teardown removes
  // only the container's own (`after_teardown`).
  void ExpectNothingLeft(bool after_teardown = false) {
    EXPECT_FALSE(Exists(state_dir_)) << state_dir_;
    EXPECT_FALSE(Exists(cgroup_)) << cgroup_;
    if (!after_teardown) {
      EXPECT_FALSE(Exists("/sys/fs/cgroup/pids/" + parent_));
    }
    EXPECT_THAT(Children(), ::testing::IsEmpty());
  }

  // Whether the state dir's lock (ContainerLock's flock) is free.
  bool Unlocked() const {
    int fd = open(state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    bool free = flock(fd, LOCK_EX | LOCK_NB) == 0;
    close(fd);
    return free;
  }

  std::string dir_, id_, state_dir_, cgroup_, out_;
  // The parent of the test's cgroups, one per test process: ctest runs this file's cases as
  // separate processes, possibly at once, and each TearDown removes its parent whole.
  const std::string parent_ = "runc-h4-test-" + std::to_string(getpid());
  pid_t init_ = -1;
};

TEST_F(SpawnTest, InitWaitsAtStartThenRunsInItsNamespacesAndCgroup) {
  Plan plan = MakePlan(CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC,
                       "echo $$ > " + out_ + "; hostname >> " + out_ + "; exit 7",
                       nullptr, [](PlanBuilder& b) { b.Add(Phase::kProcess, StepKind::kHostname, "/hostname").value = "h4box"; });
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  ASSERT_GT(init_, 0);
  EXPECT_THAT(Children(), ElementsAre(init_));
  EXPECT_TRUE(Exists(state_dir_ + "/exec.fifo"));
  EXPECT_THAT(ReadAll("/proc/" + std::to_string(init_) + "/cgroup"), HasSubstr(":pids:/" + parent_ + "/" + id_ + "\n"));
  EXPECT_NE(NsId(init_, "pid_for_children"), NsId(0, "pid"));
  EXPECT_NE(NsId(init_, "uts"), NsId(0, "uts"));
  EXPECT_NE(NsId(init_, "ipc"), NsId(0, "ipc"));
  EXPECT_EQ(NsId(init_, "net"), NsId(0, "net"));
  // Still waiting: nothing ran yet.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(Exists(out_));

  Release();
  int status = WaitInit();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
  EXPECT_EQ(ReadAll(out_), "1\nh4box\n");

  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
  ExpectNothingLeft(true);
}

// A cgroup2 join is done by the clone step, clone3(CLONE_INTO_CGROUP) (no migration, no RCU grace
// period); the v1 joins are writes to cgroup.procs. Either way the init is in every cgroup before
// its first step.
TEST_F(SpawnTest, JoinsCgroupTwoByCloneAndCgroupOneByWrite) {
  std::string unified = "/sys/fs/cgroup/unified/" + parent_ + "/" + id_;
  Plan plan = MakePlan(CLONE_NEWPID, "cat /proc/self/cgroup > " + out_, [&](PlanBuilder& b) {
    Step& mk = b.Add(Phase::kHost, StepKind::kCgroupMkdir, "/linux/cgroupsPath");
    mk.name = "unified";
    mk.path = unified;
  });
  for (Step& s : plan.steps) {
    if (s.kind == StepKind::kClone) s.path = unified;
  }
  Step rm = plan.steps[plan.steps.size() - 2];  // the pids cgroup.rmdir
  rm.index = static_cast<int>(plan.steps.size()) + 1;
  rm.path = unified;
  plan.steps.push_back(rm);
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  EXPECT_EQ(ReadAll(unified + "/cgroup.procs"), std::to_string(init_) + "\n");
  EXPECT_EQ(ReadAll(cgroup_ + "/cgroup.procs"), std::to_string(init_) + "\n");
  Release();
  EXPECT_EQ(WaitInit(), 0);
  EXPECT_THAT(ReadAll(out_), HasSubstr("0::/" + parent_ + "/" + id_ + "\n"));
  EXPECT_THAT(ReadAll(out_), HasSubstr(":pids:/" + parent_ + "/" + id_ + "\n"));
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
  EXPECT_FALSE(Exists(unified));
  ExpectNothingLeft(true);
  CgroupRemove("/sys/fs/cgroup/unified/" + parent_, 2000);
}

TEST_F(SpawnTest, CgroupWriteToMissingFileNamesItAndUndoesEverything) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0");
  plan.steps[2].path = cgroup_ + "/memory.limit_in_bytes";
  plan.steps[2].origin = "/linux/resources/memory/limit";
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_EQ(err.ToString(), "step 3 cgroup.write (/linux/resources/memory/limit): write " + cgroup_ +
                                "/memory.limit_in_bytes: No such file or directory");
  ExpectNothingLeft();
}

TEST_F(SpawnTest, ExistingIdFailsAndKeepsTheOtherContainersState) {
  ASSERT_EQ(mkdir(state_dir_.c_str(), 0711), 0);
  ASSERT_EQ(mkfifo((state_dir_ + "/exec.fifo").c_str(), 0600), 0);
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0");
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_EQ(err.ToString(), "step 1 state_dir (default): container ID already exists");
  EXPECT_TRUE(Exists(state_dir_ + "/exec.fifo"));
}

// A step of the init fails: its error comes back over the sync socket, the init is gone and so is
// everything on the host.
TEST_F(SpawnTest, InitStepFailureIsReportedAndUndone) {
  Plan plan = MakePlan(CLONE_NEWPID | CLONE_NEWUTS, "exit 0", nullptr, [](PlanBuilder& b) {
    b.Add(Phase::kProcess, StepKind::kHostname, "/hostname").value = std::string(100, 'h');
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_THAT(err.ToString(), StartsWith("step 6 hostname (/hostname): "));
  EXPECT_THAT(err.ToString(), ::testing::EndsWith(": Invalid argument"));
  ExpectNothingLeft();
}

TEST_F(SpawnTest, HooksGetTheStateWithTheInitPid) {
  std::string rt = dir_ + "/runtime-hook";
  std::string cc = dir_ + "/container-hook";
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0", nullptr, [&](PlanBuilder& b) {
    Step& h = b.Add(Phase::kSpawn, StepKind::kHook, "/hooks/createRuntime/0");
    h.name = "createRuntime";
    h.path = "/bin/sh";
    h.argv = {"sh", "-c", "cat > " + rt};
    Step& c = b.Add(Phase::kRootfs, StepKind::kHook, "/hooks/createContainer/0");
    c.name = "createContainer";
    c.path = "/bin/sh";
    c.argv = {"sh", "-c", "cat > " + cc + "; echo \" $$\" >> " + cc};
  });
  plan.annotations = {{"org.example", "yes"}};
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  auto state = nlohmann::json::parse(ReadAll(rt));
  EXPECT_EQ(state["id"], id_);
  EXPECT_EQ(state["pid"], init_);
  EXPECT_EQ(state["status"], "creating");
  EXPECT_EQ(state["bundle"], dir_);
  EXPECT_EQ(state["annotations"]["org.example"], "yes");
  // createContainer runs inside the init, in the container's pid namespace (the init is 1, the hook
  // its child), with the same document.
  std::string text = ReadAll(cc);
  size_t space = text.rfind(' ');
  ASSERT_NE(space, std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(text.substr(0, space)), state);
  EXPECT_EQ(text.substr(space), " 2\n");
  Release();
  WaitInit();
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
}

TEST_F(SpawnTest, FailingRuntimeHookKillsTheInit) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0", nullptr, [&](PlanBuilder& b) {
    Step& h = b.Add(Phase::kSpawn, StepKind::kHook, "/hooks/prestart/0");
    h.name = "prestart";
    h.path = "/bin/sh";
    h.argv = {"sh", "-c", "exit 3"};
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_EQ(err.ToString(), "step 6 hook (/hooks/prestart/0): hook /bin/sh exited with status 3");
  ExpectNothingLeft();
}

TEST_F(SpawnTest, FailingContainerHookIsReportedByTheInit) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0", nullptr, [&](PlanBuilder& b) {
    Step& h = b.Add(Phase::kRootfs, StepKind::kHook, "/hooks/createContainer/0");
    h.name = "createContainer";
    h.path = "/bin/sh";
    h.argv = {"sh", "-c", "exit 4"};
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_EQ(err.ToString(), "step 6 hook (/hooks/createContainer/0): hook /bin/sh exited with status 4");
  ExpectNothingLeft();
}

// Joining namespaces by path goes through the helper; a joined pid namespace only applies to the
// helper's children, and the init is still our child (CLONE_PARENT).
TEST_F(SpawnTest, JoinsNamespacesThroughTheHelper) {
  // A process in a new pid + net namespace to join.
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t holder = static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNET | SIGCHLD, nullptr, nullptr, nullptr, 0));
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    close(ready[0]);
    close(ready[1]);
    pause();
    _exit(0);
  }
  close(ready[1]);
  close(ready[0]);
  std::string pid_ns = "/proc/" + std::to_string(holder) + "/ns/pid";
  std::string net_ns = "/proc/" + std::to_string(holder) + "/ns/net";
  Plan plan = MakePlan(CLONE_NEWUTS, "echo $$ > " + out_, [&](PlanBuilder& b) {
    for (auto [path, type, flag] : {std::tuple{pid_ns, "pid", CLONE_NEWPID}, std::tuple{net_ns, "network", CLONE_NEWNET}}) {
      Step& s = b.Add(Phase::kSpawn, StepKind::kNsJoin, "/linux/namespaces/0");
      s.path = path;
      s.name = type;
      s.flags = flag;
    }
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  EXPECT_THAT(Children(), ::testing::UnorderedElementsAre(holder, init_));
  EXPECT_EQ(NsId(init_, "pid"), NsId(holder, "pid"));
  EXPECT_EQ(NsId(init_, "net"), NsId(holder, "net"));
  EXPECT_NE(NsId(init_, "uts"), NsId(0, "uts"));
  Release();
  int status = WaitInit();
  EXPECT_EQ(status, 0);
  EXPECT_EQ(ReadAll(out_), "2\n");  // the holder is 1 in that namespace
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
  ExpectNothingLeft(true);
}

// Joining a user namespace: the helper joins it first, the namespaces the clone creates are owned
// by it, and the init becomes its root.
TEST_F(SpawnTest, JoinsAUserNamespaceAndCreatesTheRestInIt) {
  pid_t holder = static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, 0));
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    pause();
    _exit(0);
  }
  std::string proc = "/proc/" + std::to_string(holder);
  ASSERT_EQ(WriteFileOnce(proc + "/uid_map", "0 100000 65536\n"), 0);
  ASSERT_EQ(WriteFileOnce(proc + "/gid_map", "0 100000 65536\n"), 0);
  Plan plan = MakePlan(CLONE_NEWPID | CLONE_NEWUTS, "id -u > " + out_, [&](PlanBuilder& b) {
    Step& s = b.Add(Phase::kSpawn, StepKind::kNsJoin, "/linux/namespaces/0");
    s.path = proc + "/ns/user";
    s.name = "user";
    s.flags = CLONE_NEWUSER;
  }, [](PlanBuilder& b) {
    b.Add(Phase::kProcess, StepKind::kBecomeRoot, "/linux/namespaces");
    b.Add(Phase::kProcess, StepKind::kHostname, "/hostname").value = "joined";
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  EXPECT_EQ(NsId(init_, "user"), NsId(holder, "user"));
  Release();
  EXPECT_EQ(WaitInit(), 0);
  EXPECT_EQ(ReadAll(out_), "0\n");
  struct stat st;
  ASSERT_EQ(stat(out_.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 100000u);
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
}

TEST_F(SpawnTest, JoiningAMissingNamespaceFailsInTheHelper) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0", [&](PlanBuilder& b) {
    Step& s = b.Add(Phase::kSpawn, StepKind::kNsJoin, "/linux/namespaces/1");
    s.path = "/proc/self/ns/net";  // the helper's own: joining it is fine
    s.name = "network";
    s.flags = CLONE_NEWNET;
    Step& bad = b.Add(Phase::kSpawn, StepKind::kNsJoin, "/linux/namespaces/2");
    bad.path = "/proc/self/ns/uts";
    bad.name = "ipc";
    bad.flags = CLONE_NEWIPC;  // not an ipc namespace
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_EQ(err.ToString(), "step 5 ns.join (/linux/namespaces/2): setns /proc/self/ns/uts: Invalid argument");
  ExpectNothingLeft();
}

TEST_F(SpawnTest, TimeNamespaceOffsetsApplyToTheInit) {
  Plan plan = MakePlan(CLONE_NEWPID | CLONE_NEWTIME, "cat /proc/uptime > " + out_, [&](PlanBuilder& b) {
    b.Add(Phase::kSpawn, StepKind::kTimeOffsets, "/linux/timeOffsets").value = "boottime 1000000 0\n";
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  EXPECT_NE(NsId(init_, "time"), NsId(0, "time"));
  Release();
  EXPECT_EQ(WaitInit(), 0);
  double host = std::stod(ReadAll("/proc/uptime"));
  double container = std::stod(ReadAll(out_));
  EXPECT_GT(container, host + 999000);
  EXPECT_LT(container, host + 1001000);
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
}

TEST_F(SpawnTest, TimeNamespaceWithoutOffsets) {
  Plan plan = MakePlan(CLONE_NEWPID | CLONE_NEWTIME, "exit 0", [&](PlanBuilder& b) {
    b.Add(Phase::kSpawn, StepKind::kTimeOffsets, "/linux/namespaces/1");
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  EXPECT_NE(NsId(init_, "time"), NsId(0, "time"));
  Release();
  EXPECT_EQ(WaitInit(), 0);
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
}

TEST_F(SpawnTest, UserNamespaceMapsWrittenByTheRuntime) {
  Plan plan = MakePlan(CLONE_NEWUSER | CLONE_NEWPID, "id -u > " + out_ + "; id -g >> " + out_, nullptr, [](PlanBuilder& b) {
    b.Add(Phase::kSpawn, StepKind::kUidMap, "/linux/uidMappings").value = "0 100000 65536\n";
    b.Add(Phase::kSpawn, StepKind::kGidMap, "/linux/gidMappings").value = "0 200000 65536\n";
    b.Add(Phase::kProcess, StepKind::kBecomeRoot, "/linux/namespaces");
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  EXPECT_THAT(ReadAll("/proc/" + std::to_string(init_) + "/uid_map"), HasSubstr("100000"));
  // The init became root of its namespace in its become_root step: uid 100000 outside.
  EXPECT_THAT(ReadAll("/proc/" + std::to_string(init_) + "/status"), HasSubstr("Uid:\t100000\t100000\t100000\t100000"));
  Release();
  EXPECT_EQ(WaitInit(), 0);
  EXPECT_EQ(ReadAll(out_), "0\n0\n");
  struct stat st;
  ASSERT_EQ(stat(out_.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 100000u);
  EXPECT_EQ(st.st_gid, 200000u);
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
}

TEST_F(SpawnTest, BadUidMapIsReportedByTheRuntime) {
  Plan plan = MakePlan(CLONE_NEWUSER | CLONE_NEWPID, "exit 0", nullptr, [](PlanBuilder& b) {
    b.Add(Phase::kSpawn, StepKind::kUidMap, "/linux/uidMappings").value = "0 100000\n";
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_THAT(err.ToString(), ::testing::MatchesRegex(
                                  "step 6 uid_map \\(/linux/uidMappings\\): write /proc/[0-9]+/uid_map: Invalid argument"));
  ExpectNothingLeft();
}

// --debug: every step is logged as it runs, the init's through the runtime, in plan order.
TEST_F(SpawnTest, DebugLogsEveryStepInOrder) {
  LogConfig lc;
  lc.file = dir_ + "/log";
  lc.debug = true;
  InitLog(lc);
  Plan plan = MakePlan(CLONE_NEWPID | CLONE_NEWUTS, "exit 0", nullptr,
                       [](PlanBuilder& b) { b.Add(Phase::kProcess, StepKind::kHostname, "/hostname").value = "x"; });
  SpawnOptions options;
  options.debug = true;
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, options, result, err)) << err.ToString();
  init_ = result.pid;
  std::vector<std::string> logged;
  std::istringstream in(ReadAll(lc.file));
  for (std::string line; std::getline(in, line);) {
    size_t at = line.find("debug: ");
    if (at != std::string::npos) logged.push_back(line.substr(at + 7));
  }
  EXPECT_THAT(logged, ElementsAre("step 1 state_dir", "step 2 cgroup.mkdir", "step 3 cgroup.write", "step 4 clone",
                                  "step 5 cgroup.join", "step 6 hostname", "step 7 wait_start"));
  InitLog(LogConfig{});
  Release();
  WaitInit();
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
}

// Only 0, 1, 2 and the --preserve-fds range reach the container process. Run in a child process so
// that the fd numbers can be arranged freely.
TEST_F(SpawnTest, OnlyStdioAndPreservedFdsReachTheContainer) {
  for (int preserve : {0, 2}) {
    pid_t tester = fork();
    ASSERT_GE(tester, 0);
    if (tester == 0) {
      for (int fd = 3; fd < 64; ++fd) close(fd);
      int null_fd = open("/dev/null", O_RDONLY);  // 3
      dup2(null_fd, 4);
      int leak = open("/dev/null", O_RDONLY);  // 5, no O_CLOEXEC: must not reach the container
      (void)leak;
      Plan plan = MakePlan(CLONE_NEWPID, "ls /proc/$$/fd > " + out_ + ".tmp; mv " + out_ + ".tmp " + out_);
      plan.steps[6].argv = {"sh", "-c", "ls /proc/self/fd | sort -n > " + out_ + ".tmp; mv " + out_ + ".tmp " + out_};
      SpawnOptions options;
      options.preserve_fds = preserve;
      SpawnResult result;
      Diagnostic err;
      if (!Spawn(plan, options, result, err)) _exit(10);
      int fd = open((state_dir_ + "/exec.fifo").c_str(), O_RDONLY | O_CLOEXEC);
      char c;
      if (fd < 0 || read(fd, &c, 1) != 1) _exit(11);
      int status;
      if (waitpid(result.pid, &status, 0) != result.pid || status != 0) _exit(12);
      Diagnostic terr;
      _exit(RunTeardown(plan, -1, terr) ? 0 : 13);
    }
    int status = -1;
    ASSERT_EQ(waitpid(tester, &status, 0), tester);
    ASSERT_EQ(status, 0) << "preserve " << preserve;
    // ls's own listing: its stdio, what was preserved and the directory it reads.
    std::string expected = preserve == 0 ? "0\n1\n2\n3\n" : "0\n1\n2\n3\n4\n5\n";
    EXPECT_EQ(ReadAll(out_), expected) << "preserve " << preserve;
    unlink(out_.c_str());
  }
}

TEST_F(SpawnTest, TeardownKillsARunningContainerAndRemovesEverything) {
  Plan plan = MakePlan(CLONE_NEWPID, "sleep 1000 & exec sleep 1000");
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  Release();
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, init_, terr)) << terr.ToString();
  int status = WaitInit();
  EXPECT_TRUE(WIFSIGNALED(status));
  ExpectNothingLeft(true);
}

TEST_F(SpawnTest, PlanWithoutWaitStartIsRefused) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0");
  plan.steps.erase(plan.steps.begin() + 5);
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_EQ(err.ToString(), "plan has no wait_start step");
  ExpectNothingLeft();
}

TEST_F(SpawnTest, MountStepWithoutMountNamespaceIsRefused) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0", nullptr, [](PlanBuilder& b) {
    Step& m = b.Add(Phase::kRootfs, StepKind::kMount, "/mounts/0");
    m.source = "tmpfs";
    m.fstype = "tmpfs";
    m.path = "/tmp";
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_EQ(err.ToString(), "step 6 mount (/mounts/0): plan order: mount step without a mount namespace: Invalid argument");
  ExpectNothingLeft();
}

TEST_F(SpawnTest, MisplacedStepIsRefusedBeforeAnythingRuns) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0", [](PlanBuilder& b) {
    b.Add(Phase::kSpawn, StepKind::kUidMap, "/linux/uidMappings").value = "0 0 1\n";
  });
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, {}, result, err));
  EXPECT_EQ(err.ToString(), "step 4 uid_map (/linux/uidMappings): plan order: needs the init's pid, before clone: Invalid argument");
  ExpectNothingLeft();
}

// Crash safety: the plan and a `creating` state are in the state dir before any other host
// resource (a hook between state_dir and cgroup.mkdir sees them and no cgroup), the cgroup.mkdir
// is in the progress log, the init's pid is recorded as soon as it exists, and the state dir stays
// locked until the container has been recorded as created (on_ready) and handed over.
TEST_F(SpawnTest, RecordsTheCreatingContainerFirstAndHoldsItsLockUntilTheHandover) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0");
  Step hook;
  hook.phase = Phase::kHost;
  hook.kind = StepKind::kHook;
  hook.origin = "/hooks/createRuntime/0";
  hook.name = "createRuntime";
  hook.path = "/bin/sh";
  hook.argv = {"sh", "-c", "cp " + state_dir_ + "/state.json " + dir_ + "/state-then; cp " + state_dir_ +
                               "/plan.json " + dir_ + "/plan-then; test -e " + cgroup_ + " || echo none > " + dir_ +
                               "/cgroup-then"};
  plan.steps.insert(plan.steps.begin() + 1, hook);
  for (size_t i = 0; i < plan.steps.size(); ++i) plan.steps[i].index = static_cast<int>(i) + 1;
  ContainerState state;
  state.id = id_;
  state.bundle = dir_;
  state.owner = "someone";
  SpawnOptions options;
  options.state = &state;
  int calls = 0;
  options.on_ready = [&](pid_t init, Diagnostic&) {
    ++calls;
    // The cgroup.mkdir (step 3), then the init.
    EXPECT_EQ(ReadAll(state_dir_ + "/progress"),
              "3\ninit " + std::to_string(init) + " " + std::to_string(ProcessStartTime(init)) + "\n");
    ContainerState now;
    Diagnostic load_err;
    EXPECT_TRUE(LoadState(dir_, id_, now, load_err)) << load_err.ToString();
    EXPECT_EQ(now.status, ContainerStatus::kCreating);
    EXPECT_EQ(now.pid, init);
    EXPECT_FALSE(Unlocked());
    return true;
  };
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, options, result, err)) << err.ToString();
  init_ = result.pid;
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(Unlocked());
  auto then = nlohmann::json::parse(ReadAll(dir_ + "/state-then"), nullptr, false);
  EXPECT_EQ(then.value("status", ""), "creating");
  EXPECT_EQ(then.value("pid", -1), 0);
  EXPECT_EQ(then.value("id", ""), id_);
  EXPECT_EQ(then.value("owner", ""), "someone");
  EXPECT_EQ(ReadAll(dir_ + "/plan-then"), ReadAll(state_dir_ + "/plan.json"));
  EXPECT_EQ(ReadAll(dir_ + "/cgroup-then"), "none\n");
  Release();
  EXPECT_EQ(WaitInit(), 0);
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr)) << terr.ToString();
  ExpectNothingLeft(true);
}

TEST_F(SpawnTest, FailingOnReadyUndoesEverything) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0");
  ContainerState state;
  state.id = id_;
  SpawnOptions options;
  options.state = &state;
  options.on_ready = [&](pid_t, Diagnostic& error) {
    error = Diagnostic{};
    error.message = "pid file: no room";
    return false;
  };
  SpawnResult result;
  Diagnostic err;
  ASSERT_FALSE(Spawn(plan, options, result, err));
  EXPECT_EQ(err.ToString(), "pid file: no room");
  ExpectNothingLeft();
}

// A runtime killed after the init reached wait_start but before the handover: the init must not
// wait for a `start` that will never come (its container is `creating`), it exits.
TEST_F(SpawnTest, InitExitsWhenTheRuntimeDiesBeforeTheHandover) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0");
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);  // the orphaned init comes to us
  pid_t runtime = fork();
  if (runtime == 0) {
    ContainerState state;
    state.id = id_;
    SpawnOptions options;
    options.state = &state;
    options.on_ready = [](pid_t, Diagnostic&) -> bool { raise(SIGKILL); return false; };
    SpawnResult result;
    Diagnostic err;
    Spawn(plan, options, result, err);
    _exit(1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(runtime, &status, 0), runtime);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  ContainerState state;
  Diagnostic load_err;
  ASSERT_TRUE(LoadState(dir_, id_, state, load_err)) << load_err.ToString();
  EXPECT_EQ(state.status, ContainerStatus::kCreating);
  const pid_t init = state.pid;
  ASSERT_GT(init, 0);
  // Bounded only so that a broken init fails the test instead of hanging it.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, init, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 30000), 1) << "the init outlived its runtime";
    close(pidfd);
  }
  kill(init, SIGKILL);
  EXPECT_EQ(waitpid(init, &status, 0), init);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  // What delete --force of that `creating` container does.
  TeardownScope scope;
  scope.made_through = ReadProgress(state_dir_).made_through;
  scope.poststop_hooks = false;
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, -1, terr, scope)) << terr.ToString();
  ExpectNothingLeft(true);
}

// delete --force of a `creating` container: what a step after the recorded progress would have
// made is not the container's (kept), the init is killed on its start time even outside the
// container's cgroups, no poststop hook runs.
TEST_F(SpawnTest, ScopedTeardownUndoesOnlyWhatTheCreateReached) {
  const std::string unified = "/sys/fs/cgroup/unified/" + parent_ + "/" + id_;
  const std::string hook_out = dir_ + "/poststop";
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0", [&](PlanBuilder& b) {
    Step& mk = b.Add(Phase::kHost, StepKind::kCgroupMkdir, "/linux/cgroupsPath");
    mk.name = "unified";
    mk.path = unified;
  });
  Step rm = plan.steps[plan.steps.size() - 2];  // the pids cgroup.rmdir
  rm.path = unified;
  plan.steps.insert(plan.steps.end() - 1, rm);
  Step hook;
  hook.phase = Phase::kTeardown;
  hook.kind = StepKind::kHook;
  hook.origin = "/hooks/poststop/0";
  hook.name = "poststop";
  hook.path = "/bin/sh";
  hook.argv = {"sh", "-c", "echo ran > " + hook_out};
  plan.steps.push_back(hook);
  for (size_t i = 0; i < plan.steps.size(); ++i) plan.steps[i].index = static_cast<int>(i) + 1;
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  // The unified cgroup (step 4) exists but the create "died" after step 2: not its to remove.
  ASSERT_TRUE(Exists(unified));
  TeardownScope scope;
  scope.made_through = 2;
  scope.poststop_hooks = false;
  scope.init_start_time = ProcessStartTime(init_);
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, init_, terr, scope)) << terr.ToString();
  int status = WaitInit();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_FALSE(Exists(cgroup_));
  EXPECT_FALSE(Exists(state_dir_));
  EXPECT_TRUE(Exists(unified));
  EXPECT_FALSE(Exists(hook_out));
  EXPECT_EQ(CgroupRemove(unified, 2000), 0);
  ExpectNothingLeft(true);
}

TEST_F(SpawnTest, ScopedTeardownLeavesARecycledPidAlone) {
  Plan plan = MakePlan(CLONE_NEWPID, "exit 0");
  SpawnResult result;
  Diagnostic err;
  ASSERT_TRUE(Spawn(plan, {}, result, err)) << err.ToString();
  init_ = result.pid;
  TeardownScope scope;
  scope.made_through = 1;  // no cgroup made: the pids cgroup is not the container's
  scope.init_start_time = ProcessStartTime(init_) + 1;  // some other process had this pid
  Diagnostic terr;
  EXPECT_TRUE(RunTeardown(plan, init_, terr, scope)) << terr.ToString();
  EXPECT_EQ(ProcessStartTime(init_), scope.init_start_time - 1) << "a process that is not the init was killed";
  EXPECT_TRUE(Exists(cgroup_));
  kill(init_, SIGKILL);  // its fifo went with the state dir: no start can release it
  WaitInit();
  EXPECT_EQ(CgroupRemove(cgroup_, 2000), 0);
  ExpectNothingLeft(true);
}

TEST(TeardownScopeTest, StepsOfDirectoriesBeyondTheProgressAreOutOfScope) {
  PlanBuilder b;
  b.Add(Phase::kHost, StepKind::kStateDir).path = "/run/x/c";
  b.Add(Phase::kHost, StepKind::kCgroupMkdir).path = "/sys/fs/cgroup/pids/c";
  b.Add(Phase::kHost, StepKind::kCgroupMkdir).path = "/sys/fs/cgroup/memory/c";
  b.Add(Phase::kHost, StepKind::kRdtGroup).path = "/sys/fs/resctrl/c";
  b.Add(Phase::kSpawn, StepKind::kClone);
  b.Add(Phase::kTeardown, StepKind::kKill);                                   // 6 (pos 5)
  b.Add(Phase::kTeardown, StepKind::kCgroupRmdir).path = "/sys/fs/cgroup/memory/c";
  b.Add(Phase::kTeardown, StepKind::kCgroupRmdir).path = "/sys/fs/cgroup/pids/c";
  b.Add(Phase::kTeardown, StepKind::kRdtRemove).path = "/sys/fs/resctrl/c";
  b.Add(Phase::kTeardown, StepKind::kHook).name = "poststop";
  b.Add(Phase::kTeardown, StepKind::kStateRemove).path = "/run/x/c";
  auto in = [&](const TeardownScope& scope) {
    std::vector<bool> out;
    for (size_t pos = 5; pos < b.plan.steps.size(); ++pos) out.push_back(TeardownStepInScope(b.plan, pos, scope));
    return out;
  };
  EXPECT_THAT(in({}), ElementsAre(true, true, true, true, true, true));
  TeardownScope creating;
  creating.poststop_hooks = false;
  creating.made_through = 0;
  EXPECT_THAT(in(creating), ElementsAre(true, false, false, false, false, true));
  creating.made_through = 2;
  EXPECT_THAT(in(creating), ElementsAre(true, false, true, false, false, true));
  creating.made_through = 3;
  EXPECT_THAT(in(creating), ElementsAre(true, true, true, false, false, true));
  creating.made_through = 4;
  EXPECT_THAT(in(creating), ElementsAre(true, true, true, true, false, true));
}

}  // namespace
}  // namespace runc
