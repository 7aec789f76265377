// The spawn machinery through the runc binary, looking from inside real busybox containers:
// --debug traces the plan as executed, file descriptors that reach the container, the sealed
// runtime binary (CVE-2019-5736), hooks and the state they get, cgroup write errors.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "executor/runtime/cgroup_host.h"
#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

class SpawnIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(IsRoot()) << "integration tests run as root";
    cgroup_parent_ = "runc-h4-spawn-" + UniqueId("p");
  }
  void TearDown() override {
    std::istringstream in(ReadFile("/proc/self/mountinfo"));
    for (std::string line; std::getline(in, line);) {
      if (line.find(" - cgroup") == std::string::npos) continue;
      std::istringstream f(line);
      std::string id, parent, dev, root, mnt;
      f >> id >> parent >> dev >> root >> mnt;
      CgroupRemove(mnt + "/" + cgroup_parent_, 2000);
    }
  }

  // A busybox bundle with its own cgroup path; ambient capabilities left out (they need inheritable
  // ones, not this file's subject).
  void Prepare(Bundle& b) {
    b.config()["linux"]["cgroupsPath"] = "/" + cgroup_parent_ + "/c";
    b.config()["process"]["capabilities"].erase("ambient");
    b.Write();
  }

  // The init is non-dumpable until execve: a startContainer hook (run with the container's
  // credentials) reaches /proc/1/exe only with CAP_SYS_PTRACE, which the seal tests give it so
  // that they still test the seal, not only the init's dumpable flag.
  static void AllowPtrace(Bundle& b) {
    for (const char* set : {"bounding", "effective", "permitted"}) {
      b.config()["process"]["capabilities"][set].push_back("CAP_SYS_PTRACE");
    }
  }

  // (index, kind) of the steps of the plan a foreground `run` executes.
  std::vector<std::pair<int, std::string>> PlanSteps(const Bundle& b) {
    RunResult r = Runc(root_.path(), {"plan", "--run", "--bundle", b.path(), "--format", "json"});
    EXPECT_EQ(r.status, 0) << r.err;
    std::vector<std::pair<int, std::string>> out;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_object()) {
      for (const auto& s : j["steps"]) out.emplace_back(s["index"].get<int>(), s["kind"].get<std::string>());
    }
    return out;
  }

  // (index, kind) of each `runc: debug: step N KIND` line.
  static std::vector<std::pair<int, std::string>> Traced(const std::string& err) {
    std::vector<std::pair<int, std::string>> traced;
    std::regex line_re("^runc: debug: step ([0-9]+) ([a-z_.]+)$");
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_match(line, m, line_re)) traced.emplace_back(std::stoi(m[1]), m[2]);
    }
    return traced;
  }

  TempDir root_{"runc-h4-spawn-root"};
  std::string cgroup_parent_;
};

// `runc --debug run` logs every step as it runs: the runtime's, the init's (relayed by the
// runtime until wait_start, then written by the init itself) and the teardown's, in plan order.
TEST_F(SpawnIntegrationTest, DebugTraceIsThePlan) {
  Bundle b({"true"});
  for (const char* kind : {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}) {
    b.config()["hooks"][kind] = {{{"path", "/bin/true"}}};
  }
  Prepare(b);
  const std::vector<std::pair<int, std::string>> plan = PlanSteps(b);
  ASSERT_GT(plan.size(), 20u);
  RunResult r = Runc(root_.path(), {"--debug", "run", "--bundle", b.path(), UniqueId("dbg")});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::pair<int, std::string>> traced;
  std::regex line_re("^runc: debug: step ([0-9]+) ([a-z_.]+)$");
  std::istringstream in(r.err);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, line_re)) traced.emplace_back(std::stoi(m[1]), m[2]);
  }
  // Index and kind: a trace that ran another kind of step under a plan index must not pass.
  EXPECT_EQ(traced, plan);
}

// Issue 11, item 5: the undo of a failed create runs the plan's teardown steps and traces them. Before,
// the trace ended at the failing step ("step 121 sysctl") and the kill, cgroup removals and state
// removal that followed were invisible.
TEST_F(SpawnIntegrationTest, FailedCreateTracesItsTeardownSteps) {
  Bundle b({"true"});
  b.config()["linux"]["sysctl"] = {{"net.ipv4.no_such_key_for_this_test", "1"}};
  Prepare(b);
  std::vector<std::pair<int, std::string>> plan = PlanSteps(b), teardown, failing;
  for (const auto& s : plan) {
    if (s.second == "kill" || s.second == "cgroup.rmdir" || s.second == "state_remove") teardown.push_back(s);
    if (s.second == "sysctl") failing.push_back(s);
  }
  ASSERT_GT(teardown.size(), 2u);
  ASSERT_EQ(failing.size(), 1u);
  const std::string id = UniqueId("undo");
  RunResult r = Runc(root_.path(), {"--debug", "run", "--bundle", b.path(), id});
  ASSERT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("step " + std::to_string(failing[0].first) + " sysctl (/linux/sysctl/"));
  std::vector<std::pair<int, std::string>> traced = Traced(r.err);
  ASSERT_GE(traced.size(), teardown.size() + 1) << r.err;
  std::vector<std::pair<int, std::string>> tail(traced.end() - static_cast<long>(teardown.size()) - 1, traced.end());
  teardown.insert(teardown.begin(), failing[0]);
  EXPECT_EQ(tail, teardown) << r.err;
  struct stat st;
  EXPECT_NE(stat((root_.path() + "/" + id).c_str(), &st), 0);
}

// runc runs createContainer hooks from the rootfs, before pivot_root, so that a hook may name
// files relative to it (runc's hooks.bats does `touch ./lib/x && mount --bind ... ./lib/x`).
TEST_F(SpawnIntegrationTest, CreateContainerHookRunsFromTheRootfs) {
  Bundle b({"cat", "/from-hook"});
  b.config()["hooks"]["createContainer"] = {
      {{"path", "/bin/sh"}, {"args", {"sh", "-c", "pwd > ./from-hook"}}}};
  b.config()["root"]["readonly"] = false;
  Prepare(b);
  RunResult r = Runc(root_.path(), {"run", "--bundle", b.path(), UniqueId("hookcwd")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, b.rootfs() + "\n");
}

TEST_F(SpawnIntegrationTest, OnlyStdioReachesTheContainer) {
  Bundle b({"ls", "/proc/self/fd"});
  Prepare(b);
  // The runtime itself is started with extra inherited descriptors.
  RunResult r = test::Run({"/bin/sh", "-c",
                     "exec 3</dev/null 7</dev/null; exec " + std::string(RUNC_BINARY) + " --root " + root_.path() +
                         " run --bundle " + b.path() + " " + UniqueId("fd")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n3\n");  // 3 is ls reading the directory
}

TEST_F(SpawnIntegrationTest, PreservedFdsReachTheContainer) {
  Bundle b({"sh", "-c", "ls /proc/self/fd; cat <&3; cat <&4"});
  Prepare(b);
  RunResult r = test::Run({"/bin/sh", "-c",
                     "echo three > " + b.path() + "/f3; echo four > " + b.path() + "/f4; exec 3<" + b.path() +
                         "/f3 4<" + b.path() + "/f4 9</dev/null; exec " + std::string(RUNC_BINARY) + " --root " +
                         root_.path() + " run --preserve-fds 2 --bundle " + b.path() + " " + UniqueId("pfd")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n3\n4\n5\nthree\nfour\n");  // 5 is ls reading the directory
}

// The mount id of what a path names (following magic links such as /proc/PID/fd/N); 0 if unknown.
uint64_t MountIdOf(const std::string& path) {
  struct statx stx{};
  if (statx(AT_FDCWD, path.c_str(), 0, STATX_MNT_ID, &stx) != 0 || !(stx.stx_mask & STATX_MNT_ID)) return 0;
  return stx.stx_mnt_id;
}

// The fds of process `pid` that are on mount `mnt_id`, as "N -> target" lines.
std::string FdsOnMount(int pid, uint64_t mnt_id) {
  std::string out;
  const std::string base = "/proc/" + std::to_string(pid) + "/fd/";
  for (int fd = 0; fd < 1024; ++fd) {
    const std::string p = base + std::to_string(fd);
    char target[4096];
    ssize_t n = readlink(p.c_str(), target, sizeof target - 1);
    if (n < 0) continue;
    target[n] = '\0';
    if (MountIdOf(p) == mnt_id) out += std::to_string(fd) + " -> " + target + "\n";
  }
  return out;
}

bool OnOverlayfs(const std::string& path) {
  struct statfs fs;
  return statfs(path.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == OVERLAYFS_SUPER_MAGIC;
}

// Issue 10: the re-executed runtime gets the fd of the seal's detached overlayfs mount (the mount
// its /proc/PID/exe is on) and closes it while its init works, not before the re-exec. That fd is a
// host directory: it must never reach a process of the container, and the runtime must not keep
// it while the container runs. The created init (still the runtime's binary) holds no fd on its
// exe's mount; neither does the foreground runtime nor the container's process once it runs.
TEST_F(SpawnIntegrationTest, SealMountReachesNoContainerProcess) {
  TempDir io("runc-h4-sealfd");
  Bundle b({"sleep", "1000"});
  Prepare(b);

  const std::string created_id = UniqueId("sealc");
  const std::string pid_file = io.path() + "/pid";
  RunResult c = test::Run({"/bin/sh", "-c",
                           std::string(RUNC_BINARY) + " --root " + root_.path() + " create --bundle " + b.path() +
                               " --pid-file " + pid_file + " " + created_id + " </dev/null >" + io.path() +
                               "/create.out 2>&1"});
  ASSERT_EQ(c.status, 0) << ReadFile(io.path() + "/create.out");
  const int init = std::stoi(ReadFile(pid_file));
  const std::string init_exe = "/proc/" + std::to_string(init) + "/exe";
  ASSERT_TRUE(OnOverlayfs(init_exe)) << "the created init does not run the sealed copy";
  const uint64_t init_mnt = MountIdOf(init_exe);
  ASSERT_NE(init_mnt, 0u);
  EXPECT_EQ(FdsOnMount(init, init_mnt), "");
  EXPECT_EQ(Runc(root_.path(), {"delete", "--force", created_id}).status, 0);

  // A foreground run, started in the background: its pid is the runtime's (the re-exec keeps it).
  const std::string id = UniqueId("sealr");
  RunResult r = test::Run({"/bin/sh", "-c",
                           std::string(RUNC_BINARY) + " --root " + root_.path() + " run --bundle " + b.path() + " " +
                               id + " </dev/null >" + io.path() + "/run.out 2>&1 & echo $!"});
  ASSERT_EQ(r.status, 0) << r.err;
  const int runtime = std::stoi(r.out);
  int pid = 0;
  for (int i = 0; i < 250 && pid == 0; ++i) {
    RunResult st = Runc(root_.path(), {"state", id});
    auto j = nlohmann::json::parse(st.out, nullptr, false);
    if (st.status == 0 && j.is_object() && j["status"] == "running") pid = j["pid"].get<int>();
    if (pid == 0) usleep(20000);
  }
  ASSERT_GT(pid, 0) << ReadFile(io.path() + "/run.out");
  const std::string runtime_exe = "/proc/" + std::to_string(runtime) + "/exe";
  EXPECT_TRUE(OnOverlayfs(runtime_exe)) << "the runtime does not run the sealed copy";
  const uint64_t runtime_mnt = MountIdOf(runtime_exe);
  ASSERT_NE(runtime_mnt, 0u);
  // Released by the time the container runs (for a plan without runtime steps after the clone:
  // right after the start, so allow a moment); a runtime that kept it until exit fails here.
  std::string held = FdsOnMount(runtime, runtime_mnt);
  for (int i = 0; i < 100 && !held.empty(); ++i) {
    usleep(20000);
    held = FdsOnMount(runtime, runtime_mnt);
  }
  EXPECT_EQ(held, "") << "runtime " << runtime;
  EXPECT_EQ(FdsOnMount(pid, runtime_mnt), "") << "container process " << pid;
  EXPECT_EQ(Runc(root_.path(), {"kill", id, "KILL"}).status, 0);
  for (int i = 0; i < 250 && kill(runtime, 0) == 0 && ReadFile("/proc/" + std::to_string(runtime) + "/stat").find(") Z") == std::string::npos; ++i)
    usleep(20000);
  Runc(root_.path(), {"delete", "--force", id});
}

// The seal's mount fd is whatever number was free in the first process; a --preserve-fds range
// the caller left partly unopened covers such numbers (they are filled with /dev/null): the
// mount fd must not be what the container gets there.
TEST_F(SpawnIntegrationTest, SealMountIsNotAPreservedFd) {
  Bundle b({"sh", "-c", "for f in 3 4 5 6 7; do readlink /proc/self/fd/$f; done; true"});
  Prepare(b);
  RunResult r = test::Run({"/bin/sh", "-c",
                           "exec " + std::string(RUNC_BINARY) + " --root " + root_.path() +
                               " run --preserve-fds 5 --bundle " + b.path() + " " + UniqueId("sealp") + " 3</dev/null"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "/dev/null\n/dev/null\n/dev/null\n/dev/null\n/dev/null\n");
}

// The marker that tells the re-executed runtime the mount fd comes through the environment: a
// caller's value naming one of its fds must not make us close that fd. Here it names stderr, which
// then still carries the error (the marker also claims a sealed re-exec, which the seal step
// checks).
TEST_F(SpawnIntegrationTest, SealMarkerFromTheCallerClosesNothing) {
  Bundle b({"true"});
  Prepare(b);
  for (const char* marker : {"untraced:2", "traced:1", "untraced:x", "untraced:"}) {
    RunOptions o;
    o.env["_RUNC_SEALED_EXE"] = marker;
    RunResult r = Runc(root_.path(), {"run", "--bundle", b.path(), UniqueId("sealm")}, o);
    EXPECT_NE(r.status, 0) << marker;
    EXPECT_THAT(r.err, HasSubstr("step 1 seal (default): runtime binary is not sealed")) << marker;
  }
}

// CVE-2019-5736: until its execve the init runs the runtime's binary, and a process in the
// container can reach it as /proc/1/exe. It must not be writable (it is a read-only overlayfs view
// or a sealed memfd, not the host file).
// A seccomp profile that forbids close_range and prctl: the init still hands over only stdio and
// survives the exit of `create` (its parent-death signal is cleared before the filter is loaded).
TEST_F(SpawnIntegrationTest, SeccompForbiddingInitSyscallsStillWorks) {
  TempDir io("runc-h4-sc");
  Bundle b({"ls", "/proc/self/fd"});
  b.config()["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls", {{{"names", {"close_range", "prctl"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  Prepare(b);
  std::string id = UniqueId("sc");
  std::string out = io.path() + "/out";
  RunResult c = test::Run({"/bin/sh", "-c",
                           std::string(RUNC_BINARY) + " --root " + root_.path() + " create --bundle " + b.path() +
                               " " + id + " </dev/null >" + out + " 2>&1 7</dev/null"});
  ASSERT_EQ(c.status, 0) << ReadFile(out);
  usleep(100000);
  RunResult st = Runc(root_.path(), {"state", id});
  ASSERT_EQ(st.status, 0) << st.err;
  EXPECT_EQ(nlohmann::json::parse(st.out)["status"], "created");
  RunResult s = Runc(root_.path(), {"start", id});
  ASSERT_EQ(s.status, 0) << s.err;
  for (int i = 0; i < 100 && ReadFile(out).size() < 8; ++i) usleep(20000);
  EXPECT_EQ(ReadFile(out), "0\n1\n2\n3\n");
  EXPECT_EQ(Runc(root_.path(), {"delete", "--force", id}).status, 0);
}

TEST_F(SpawnIntegrationTest, RuntimeBinaryCannotBeWrittenFromTheContainer) {
  // A copy of the runtime, so that a failure of this test cannot corrupt the build.
  TempDir bin("runc-h4-bin");
  std::string runc = bin.path() + "/runc";
  ASSERT_EQ(test::Run({"/bin/cp", RUNC_BINARY, runc}).status, 0);
  std::string original = ReadFile(runc);
  ASSERT_FALSE(original.empty());

  Bundle b({"true"});
  b.config()["hooks"]["startContainer"] = {
      {{"path", "/bin/sh"},
       {"args", {"sh", "-c",
                 "if echo x >> /proc/1/exe; then echo WRITABLE; else echo DENIED; fi; "
                 "if echo x > /proc/1/exe; then echo TRUNCATED; fi; readlink /proc/1/exe"}}}};
  AllowPtrace(b);
  Prepare(b);
  RunResult r = test::Run({runc, "--root", root_.path(), "run", "--bundle", b.path(), UniqueId("exe")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("DENIED\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("WRITABLE")));
  EXPECT_THAT(r.out, Not(HasSubstr("TRUNCATED")));
  EXPECT_THAT(r.out, Not(HasSubstr(runc)));  // /proc/1/exe is not the host file
  EXPECT_TRUE(ReadFile(runc) == original) << "the runtime binary was modified";
}

// The CVE's actual attack: take a handle on the runtime's binary through /proc/1/exe while the init
// still runs it, wait until no runtime process runs it any more (no ETXTBSY then), and reopen the
// handle for writing. A sealed copy refuses; the host file would be overwritten.
TEST_F(SpawnIntegrationTest, RuntimeBinaryCannotBeReopenedForWritingLater) {
  TempDir bin("runc-h4-bin");
  std::string runc = bin.path() + "/runc";
  ASSERT_EQ(test::Run({"/bin/cp", RUNC_BINARY, runc}).status, 0);
  std::string original = ReadFile(runc);
  TempDir shared("runc-h4-cve");
  chmod(shared.path().c_str(), 0777);

  Bundle b({"sleep", "2"});
  b.config()["hooks"]["startContainer"] = {
      {{"path", "/bin/sh"},
       {"args", {"sh", "-c",
                 "exec 3</proc/1/exe; (sleep 1; if echo x >> /proc/self/fd/3; then echo WRITABLE; else echo "
                 "DENIED; fi > /shared/result) >/dev/null 2>&1 &"}}}};
  b.config()["mounts"].push_back(
      {{"destination", "/shared"}, {"type", "bind"}, {"source", shared.path()}, {"options", {"rbind", "rw"}}});
  AllowPtrace(b);
  Prepare(b);
  std::string id = UniqueId("cve");
  RunResult c = test::Run({"/bin/sh", "-c",
                           runc + " --root " + root_.path() + " create --bundle " + b.path() + " " + id +
                               " </dev/null >" + shared.path() + "/out 2>&1"});
  ASSERT_EQ(c.status, 0) << ReadFile(shared.path() + "/out");
  RunResult s = test::Run({runc, "--root", root_.path(), "start", id});
  ASSERT_EQ(s.status, 0) << s.err;
  for (int i = 0; i < 150 && ReadFile(shared.path() + "/result").empty(); ++i) usleep(20000);
  EXPECT_EQ(ReadFile(shared.path() + "/result"), "DENIED\n");
  EXPECT_TRUE(ReadFile(runc) == original) << "the runtime binary was modified";
  EXPECT_EQ(test::Run({runc, "--root", root_.path(), "delete", "--force", id}).status, 0);
}

// Every kind of hook runs once, in lifecycle order, with the state the spec asks for.
TEST_F(SpawnIntegrationTest, HooksRunInOrderWithTheirState) {
  TempDir shared("runc-h4-hooks");
  chmod(shared.path().c_str(), 0777);
  std::string host_log = shared.path() + "/hooks.log";
  auto hook = [](const std::string& name, const std::string& log) {
    return nlohmann::json{{"path", "/bin/sh"}, {"args", {"sh", "-c", "s=$(cat); echo \"" + name + " $s\" >> " + log}}};
  };
  Bundle b({"true"});
  auto& hooks = b.config()["hooks"];
  hooks["prestart"] = {hook("prestart", host_log)};
  hooks["createRuntime"] = {hook("createRuntime", host_log)};
  hooks["createContainer"] = {hook("createContainer", host_log)};
  hooks["startContainer"] = {hook("startContainer", "/shared/hooks.log")};
  hooks["poststart"] = {hook("poststart", host_log)};
  hooks["poststop"] = {hook("poststop", host_log)};
  b.config()["mounts"].push_back(
      {{"destination", "/shared"}, {"type", "bind"}, {"source", shared.path()}, {"options", {"rbind", "rw"}}});
  Prepare(b);
  std::string id = UniqueId("hooks");
  std::string pid_file = shared.path() + "/pid";
  // A created container keeps create's stdio: give it files, not the harness's pipes.
  RunResult c = test::Run({"/bin/sh", "-c",
                     std::string(RUNC_BINARY) + " --root " + root_.path() + " create --bundle " + b.path() +
                         " --pid-file " + pid_file + " " + id + " </dev/null >" + shared.path() + "/out 2>&1"});
  ASSERT_EQ(c.status, 0) << ReadFile(shared.path() + "/out");
  int pid = std::stoi(ReadFile(pid_file));
  RunResult s = Runc(root_.path(), {"start", id});
  ASSERT_EQ(s.status, 0) << s.err;
  for (int i = 0; i < 100 && Exists("/proc/" + std::to_string(pid) + "/exe"); ++i) usleep(20000);
  RunResult d = Runc(root_.path(), {"delete", id});
  ASSERT_EQ(d.status, 0) << d.err;

  std::vector<std::pair<std::string, nlohmann::json>> seen;
  std::istringstream in(ReadFile(host_log));
  for (std::string line; std::getline(in, line);) {
    size_t sp = line.find(' ');
    seen.emplace_back(line.substr(0, sp), nlohmann::json::parse(line.substr(sp + 1), nullptr, false));
  }
  std::vector<std::pair<std::string, std::string>> expected = {
      {"prestart", "creating"},       {"createRuntime", "creating"}, {"createContainer", "creating"},
      {"startContainer", "created"},  {"poststart", "running"},      {"poststop", "stopped"}};
  ASSERT_EQ(seen.size(), expected.size()) << ReadFile(host_log);
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].first);
    EXPECT_EQ(seen[i].first, expected[i].first);
    EXPECT_EQ(seen[i].second["status"], expected[i].second);
    EXPECT_EQ(seen[i].second["id"], id);
    EXPECT_EQ(seen[i].second["bundle"], b.path());
    if (expected[i].second != "stopped") {
      EXPECT_EQ(seen[i].second["pid"], pid);
    }
  }
}

TEST_F(SpawnIntegrationTest, FailingHookFailsCreateAndLeavesNothing) {
  Bundle b({"true"});
  b.config()["hooks"]["createRuntime"] = {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "exit 3"}}}};
  Prepare(b);
  std::string id = UniqueId("badhook");
  RunResult r = Runc(root_.path(), {"create", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, ::testing::MatchesRegex(
                         "runc: step [0-9]+ hook \\(/hooks/createRuntime/0\\): hook /bin/sh exited with status 3\n"));
  EXPECT_FALSE(Exists(root_.path() + "/" + id));
  EXPECT_FALSE(Exists("/sys/fs/cgroup/pids/" + cgroup_parent_));
}

// As runc 1.1 (cgroups.bats "cgroup v1 + unified resources should fail"): `unified` needs a
// cgroup v2 host; on this one (v1 controllers, a cgroup2 `unified` mount) it is refused with its
// pointer before any cgroup or state is made. Until 2026-12-07 it failed at its cgroup.write step.
TEST_F(SpawnIntegrationTest, UnifiedOnAV1HostIsRefusedBeforeAnything) {
  struct statfs fs;
  ASSERT_EQ(statfs("/sys/fs/cgroup", &fs), 0);
  if (fs.f_type == CGROUP2_SUPER_MAGIC) GTEST_SKIP() << "a cgroup v2 host allows unified";
  Bundle b({"true"});
  b.config()["linux"]["resources"]["pids"] = {{"limit", 10}};
  b.config()["linux"]["resources"]["unified"] = {{"memory.min", "131072"}};
  Prepare(b);
  for (const char* command : {"create", "run"}) {
    SCOPED_TRACE(command);
    std::string id = UniqueId("unified");
    RunResult r = Runc(root_.path(), {command, "--bundle", b.path(), id});
    EXPECT_EQ(r.status, 1);
    EXPECT_THAT(r.err, ::testing::MatchesRegex("runc: config.json:[0-9]+:[0-9]+: /linux/resources/unified: "
                                               "invalid configuration: cannot use unified on cgroup v1 .*\n"));
    EXPECT_FALSE(Exists(root_.path() + "/" + id));
    EXPECT_FALSE(Exists("/sys/fs/cgroup/pids/" + cgroup_parent_));
    EXPECT_FALSE(Exists("/sys/fs/cgroup/unified/" + cgroup_parent_));
  }
  // An empty map asks for nothing (runc's specconv drops it).
  b.config()["linux"]["resources"]["unified"] = nlohmann::json::object();
  b.Write();
  std::string id = UniqueId("unified");
  RunResult r = Runc(root_.path(), {"run", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 0) << r.err;
}

// A pod cgroup made by someone else (update.bats makes one with mkdir) has an empty v1 cpuset:
// as runc's cpusetEnsureParent, every empty ancestor below the hierarchy's root is filled from
// its parent, top-down, or no task could join the container's cgroup (ENOSPC).
TEST_F(SpawnIntegrationTest, EmptyCpusetOfAPodMadeByHandIsFilled) {
  const std::string root = "/sys/fs/cgroup/cpuset";
  struct statfs fs;
  if (statfs(root.c_str(), &fs) != 0 || fs.f_type != CGROUP_SUPER_MAGIC) GTEST_SKIP() << "no v1 cpuset";
  const std::string pod = root + "/" + cgroup_parent_;
  ASSERT_EQ(mkdir(pod.c_str(), 0755), 0) << std::strerror(errno);
  ASSERT_EQ(ReadFile(pod + "/cpuset.cpus"), "\n");
  Bundle b({"sh", "-c", "grep Cpus_allowed_list /proc/self/status"});
  Prepare(b);
  RunResult r = Runc(root_.path(), {"run", "--bundle", b.path(), UniqueId("pod")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("Cpus_allowed_list:"));
  EXPECT_EQ(ReadFile(pod + "/cpuset.cpus"), ReadFile(root + "/cpuset.cpus"));
  EXPECT_EQ(ReadFile(pod + "/cpuset.mems"), ReadFile(root + "/cpuset.mems"));
}

TEST_F(SpawnIntegrationTest, CgroupWriteToMissingFileNamesTheFile) {
  Bundle b({"true"});
  // No architecture has 3 MB huge pages: the hugetlb controller has no such file.
  b.config()["linux"]["resources"]["hugepageLimits"] = {{{"pageSize", "3MB"}, {"limit", 1}}};
  Prepare(b);
  std::string id = UniqueId("cgw");
  RunResult r = Runc(root_.path(), {"create", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, ::testing::MatchesRegex("runc: step [0-9]+ cgroup.write \\(/linux/resources/hugepageLimits/0\\): "
                                             "write /sys/fs/cgroup/hugetlb/" +
                                             cgroup_parent_ + "/c/hugetlb.3MB.limit_in_bytes: No such file or directory\n"));
  EXPECT_FALSE(Exists(root_.path() + "/" + id));
  EXPECT_FALSE(Exists("/sys/fs/cgroup/hugetlb/" + cgroup_parent_));
}

// linux.netDevices: a host interface moves into the container's network namespace under its new
// name; a veth goes away with the namespace.
TEST_F(SpawnIntegrationTest, NetDeviceMovesIntoTheContainerRenamed) {
  std::string host_name = "h4v" + std::to_string(getpid() % 100000);
  ASSERT_EQ(test::Run({"/usr/sbin/ip", "link", "add", host_name, "type", "veth", "peer", "name", host_name + "p"}).status, 0);
  Bundle b({"cat", "/sys/class/net/ctr0/ifindex"});
  b.config()["linux"]["netDevices"] = {{host_name, {{"name", "ctr0"}}}};
  Prepare(b);
  RunResult r = Runc(root_.path(), {"run", "--bundle", b.path(), UniqueId("net")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::MatchesRegex("[0-9]+\n"));
  EXPECT_FALSE(Exists("/sys/class/net/" + host_name));
  test::Run({"/usr/sbin/ip", "link", "del", host_name + "p"});
}

TEST_F(SpawnIntegrationTest, MissingNetDeviceIsAStepError) {
  Bundle b({"true"});
  b.config()["linux"]["netDevices"] = {{"h4nosuchdev", nlohmann::json::object()}};
  Prepare(b);
  std::string id = UniqueId("nonet");
  RunResult r = Runc(root_.path(), {"create", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, ::testing::MatchesRegex("runc: step [0-9]+ net_device \\(/linux/netDevices/h4nosuchdev\\): "
                                             "move network device h4nosuchdev: No such device\n"));
  EXPECT_FALSE(Exists(root_.path() + "/" + id));
}

TEST_F(SpawnIntegrationTest, RunReturnsTheContainersExitStatus) {
  Bundle b({"sh", "-c", "exit 42"});
  Prepare(b);
  RunResult r = Runc(root_.path(), {"run", "--bundle", b.path(), UniqueId("st")});
  EXPECT_EQ(r.status, 42) << r.err;
}

}  // namespace
}  // namespace runc::test
