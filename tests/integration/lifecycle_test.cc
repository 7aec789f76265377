// The lifecycle commands against real containers: create/start/state/kill/delete, run, list, the
// 2015 `runc start` form, --log json, locking. Runs as root; every test uses its own --root.
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <functional>
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Polls `pred` every 20 ms for up to `ms`.
bool WaitFor(const std::function<bool()>& pred, int ms = 10000) {
  for (int waited = 0; waited < ms; waited += 20) {
    if (pred()) return true;
    usleep(20 * 1000);
  }
  return pred();
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// runc with stdin from /dev/null and stdout/stderr to files. `create` and `run -d` leave the
// container holding our stdio, so a pipe would not see EOF until the container exits; files let the
// command return and also collect what the container prints later.
class Outputs {
 public:
  Outputs() : dir_("runc-out") {}
  std::string out_path() const { return dir_.path() + "/out"; }
  std::string err_path() const { return dir_.path() + "/err"; }
  std::string out() const { return ReadFile(out_path()); }
  std::string err() const { return ReadFile(err_path()); }

 private:
  TempDir dir_;
};

// `fd3`: a file opened as the runc process' fd 3 (for --preserve-fds).
pid_t SpawnRunc(const std::string& root, const std::vector<std::string>& args, const Outputs& io,
                const std::string& cwd = "", const std::string& fd3 = "") {
  std::vector<std::string> argv = {RUNC_BINARY, "--root", root};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(io.out_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = open(io.err_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (!fd3.empty()) {
      int f = open(fd3.c_str(), O_RDONLY);
      if (f < 0 || dup2(f, 3) != 3) _exit(126);
    }
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

// Waits for a SpawnRunc child (killing it after `timeout_s`); exit code or 128+signal.
int WaitRunc(pid_t pid, int timeout_s = 60) {
  int status = 0;
  for (int waited = 0;; waited += 10) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (waited > timeout_s * 1000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(10 * 1000);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RuncToFiles(const std::string& root, const std::vector<std::string>& args, const Outputs& io,
                const std::string& cwd = "") {
  return WaitRunc(SpawnRunc(root, args, io, cwd));
}

nlohmann::json StateOf(const std::string& root, const std::string& id) {
  RunResult r = Runc(root, {"state", id});
  if (r.status != 0) return nlohmann::json{{"error", r.err}};
  return nlohmann::json::parse(r.out, nullptr, false);
}

std::string StatusOf(const std::string& root, const std::string& id) {
  nlohmann::json j = StateOf(root, id);
  return j.is_object() && j.contains("status") ? j["status"].get<std::string>() : "";
}

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root";
  }
  void TearDown() override {
    // Whatever a failed assertion left behind.
    for (const auto& id : ids_) Runc(root_.path(), {"delete", "--force", id});
  }
  // A unique id registered for cleanup, with a unique cgroup for the bundle.
  std::string NewId(Bundle& bundle, const std::string& suffix = "c") {
    std::string id = UniqueId(suffix);
    ids_.push_back(id);
    bundle.config()["linux"]["cgroupsPath"] = "/runc-test-" + id;
    bundle.Write();
    return id;
  }
  static std::string CgroupDir(const std::string& id) { return "/sys/fs/cgroup/pids/runc-test-" + id; }
  const std::string& root() const { return root_.path(); }

  TempDir root_{"runc-root"};
  std::vector<std::string> ids_;
};

TEST_F(LifecycleTest, CreateStartKillDelete) {
  Bundle bundle({"sh", "-c", "echo hello from the container; exec sleep 1000"});
  const std::string id = NewId(bundle);
  Outputs io;
  const std::string pid_file = bundle.path() + "/init.pid";
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), "--pid-file", pid_file, id}, io), 0)
      << io.err();
  EXPECT_EQ(io.err(), "");

  // created: the init exists but has not run the user's program yet.
  nlohmann::json state = StateOf(root(), id);
  ASSERT_TRUE(state.is_object()) << state;
  EXPECT_EQ(state["status"], "created");
  EXPECT_EQ(state["id"], id);
  EXPECT_EQ(state["bundle"], bundle.path());
  EXPECT_EQ(state["ociVersion"], "1.3.0");
  const int pid = state["pid"].get<int>();
  EXPECT_GT(pid, 0);
  EXPECT_EQ(ReadFile(pid_file), std::to_string(pid));
  EXPECT_TRUE(Exists("/proc/" + std::to_string(pid)));
  EXPECT_TRUE(Exists(root() + "/" + id + "/state.json"));
  EXPECT_TRUE(Exists(root() + "/" + id + "/plan.json"));
  EXPECT_TRUE(Exists(CgroupDir(id)));
  EXPECT_EQ(io.out(), "");

  RunResult start = Runc(root(), {"start", id});
  ASSERT_EQ(start.status, 0) << start.err;
  EXPECT_EQ(start.err, "");
  EXPECT_TRUE(WaitFor([&] { return io.out() == "hello from the container\n"; })) << io.out();
  EXPECT_EQ(StatusOf(root(), id), "running");
  EXPECT_EQ(StateOf(root(), id)["pid"], pid);
  EXPECT_FALSE(Exists(root() + "/" + id + "/exec.fifo"));

  RunResult again = Runc(root(), {"start", id});
  EXPECT_EQ(again.status, 1);
  EXPECT_EQ(again.err, "runc: cannot start an already running container\n");

  RunResult killed = Runc(root(), {"kill", id, "KILL"});
  ASSERT_EQ(killed.status, 0) << killed.err;
  EXPECT_TRUE(WaitFor([&] { return StatusOf(root(), id) == "stopped"; }));
  EXPECT_EQ(StateOf(root(), id)["pid"], 0);

  RunResult start_stopped = Runc(root(), {"start", id});
  EXPECT_EQ(start_stopped.status, 1);
  EXPECT_EQ(start_stopped.err, "runc: cannot start a container that has stopped\n");
  RunResult kill_stopped = Runc(root(), {"kill", id, "KILL"});
  EXPECT_EQ(kill_stopped.status, 1);
  EXPECT_EQ(kill_stopped.err, "runc: container not running\n");
  // Signal 0 sends nothing; `kill --all` of a stopped container succeeds (runc's kill.bats).
  RunResult probe = Runc(root(), {"kill", "-a", id, "0"});
  EXPECT_EQ(probe.status, 0) << probe.err;

  RunResult del = Runc(root(), {"delete", id});
  ASSERT_EQ(del.status, 0) << del.err;
  EXPECT_FALSE(Exists(root() + "/" + id));
  EXPECT_FALSE(Exists(CgroupDir(id)));
  RunResult gone = Runc(root(), {"state", id});
  EXPECT_EQ(gone.status, 1);
  EXPECT_EQ(gone.err, "runc: container \"" + id + "\" does not exist\n");
}

// `runc start ID` under strace (LeakSanitizer, which cannot run under ptrace, off for the ASan
// build's runtime): how many times it opened ROOT/ID/FILE read-only. -1 when start failed.
int OpensByStart(const std::string& root, const std::string& id, const std::string& file, const std::string& trace) {
  const char* opts = getenv("ASAN_OPTIONS");
  const std::string asan = std::string("ASAN_OPTIONS=") + (opts && *opts ? std::string(opts) + ":" : "") + "detect_leaks=0";
  RunResult start = test::Run({"/usr/bin/env", asan, "/usr/bin/strace", "-f", "-e", "trace=openat,open", "-o", trace,
                               RUNC_BINARY, "--root", root, "start", id});
  if (start.status != 0) {
    ADD_FAILURE() << start.err;
    return -1;
  }
  int opens = 0;
  std::istringstream in(ReadFile(trace));
  for (std::string line; std::getline(in, line);) {
    if (line.find("/" + id + "/" + file + "\", O_RDONLY") != std::string::npos) ++opens;
  }
  return opens;
}

// `start ID` reads state.json once: the command line does not look the container up before the
// library's Start does (under its lock); an id that is no container still falls back to the 2015
// form (StartWithAConfigPathRunsTheBundleInTheForeground). Until 2026-12-07 it was read twice:
//   Expected equality of these values: opens  Which is: 2  1
TEST_F(LifecycleTest, StartReadsTheStateOnce) {
  if (access("/usr/bin/strace", X_OK) != 0) GTEST_SKIP() << "no strace";
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();
  const std::string trace = bundle.path() + "/start.trace";
  EXPECT_EQ(OpensByStart(root(), id, "state.json", trace), 1) << ReadFile(trace);
  EXPECT_EQ(StatusOf(root(), id), "running");
}

// `start` reads the plan only when it has something in it for start: poststart hooks (or a notify
// socket). create records which (state.json "startReadsPlan"); without it start skipped nothing.
TEST_F(LifecycleTest, StartReadsThePlanOnlyForPoststartHooks) {
  if (access("/usr/bin/strace", X_OK) != 0) GTEST_SKIP() << "no strace";
  for (const bool hook : {false, true}) {
    SCOPED_TRACE(hook ? "with a poststart hook" : "without hooks");
    Bundle bundle({"sleep", "1000"});
    const std::string marker = bundle.path() + "/poststart.ran";
    if (hook) {
      bundle.config()["hooks"]["poststart"] =
          nlohmann::json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo x >> " + marker}}}});
      bundle.Write();
    }
    const std::string id = NewId(bundle);
    Outputs io;
    ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();
    const std::string trace = bundle.path() + "/start.trace";
    EXPECT_EQ(OpensByStart(root(), id, "plan.json", trace), hook ? 1 : 0) << ReadFile(trace);
    EXPECT_EQ(StatusOf(root(), id), "running");
    EXPECT_EQ(ReadFile(marker), hook ? "x\n" : "");
    EXPECT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
  }
}

TEST_F(LifecycleTest, MissingContainer) {
  for (const char* cmd : {"state", "start", "kill", "delete"}) {
    RunResult r = Runc(root(), {cmd, "no-such-container"});
    EXPECT_EQ(r.status, 1) << cmd;
    EXPECT_EQ(r.err, "runc: container \"no-such-container\" does not exist\n") << cmd;
  }
  // runc compatibility: cleaning up something already gone is fine.
  RunResult forced = Runc(root(), {"delete", "--force", "no-such-container"});
  EXPECT_EQ(forced.status, 0) << forced.err;
}

TEST_F(LifecycleTest, InvalidIdAndDuplicateId) {
  Bundle bundle({"sleep", "1000"});
  RunResult bad = Runc(root(), {"create", "--bundle", bundle.path(), "../escape"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.err, "runc: invalid container id \"../escape\"\n");

  const std::string id = NewId(bundle);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();
  Outputs io2;
  EXPECT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io2), 1);
  EXPECT_EQ(io2.err(), "runc: container with id exists: " + id + "\n");
  EXPECT_EQ(StatusOf(root(), id), "created");  // the first one is untouched
  EXPECT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
}

TEST_F(LifecycleTest, CreateWithoutIdIsAUsageError) {
  RunResult r = Runc(root(), {"create"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: create: container id cannot be empty\n");
}

TEST_F(LifecycleTest, EveryCommandHasHelp) {
  for (const char* cmd : {"create", "start", "run", "state", "list", "kill", "delete"}) {
    RunResult r = Runc(root(), {cmd, "--help"});
    EXPECT_EQ(r.status, 0) << cmd;
    // runc's layout (its help.bats: lines[0] NAME:, lines[1] "runc CMD - ...").
    EXPECT_THAT(r.out, ::testing::StartsWith(std::string("NAME:\n   runc ") + cmd + " - ")) << cmd;
    EXPECT_THAT(r.out, HasSubstr(std::string("\nUSAGE:\n   runc ") + cmd)) << cmd;
  }
  RunResult create = Runc(root(), {"create", "--help"});
  for (const char* flag : {"--bundle", "--pid-file", "--console-socket", "--no-pivot", "--no-new-keyring",
                           "--preserve-fds"}) {
    EXPECT_THAT(create.out, HasSubstr(flag));
  }
}

TEST_F(LifecycleTest, FlagsTakeEqualsOrSeparateValues) {
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  Outputs io;
  const std::string pid_file = bundle.path() + "/p";
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle=" + bundle.path(), "--pid-file=" + pid_file, id}, io), 0)
      << io.err();
  EXPECT_THAT(ReadFile(pid_file), MatchesRegex("[0-9]+"));
  RunResult not_forced = Runc(root(), {"delete", "--force=false", id});
  EXPECT_EQ(not_forced.status, 1);
  EXPECT_EQ(not_forced.err, "runc: cannot delete container " + id + " that is not stopped: created\n");
  EXPECT_EQ(Runc(root(), {"delete", "--force=true", id}).status, 0);
  ASSERT_EQ(RuncToFiles(root(), {"create", "-b", bundle.path(), id}, io), 0) << io.err();
  EXPECT_EQ(Runc(root(), {"delete", "-f", id}).status, 0);
}

TEST_F(LifecycleTest, DeleteRefusesUnstoppedContainerWithoutForce) {
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();

  // The OCI spec (unlike runc 1.1) does not let delete remove a created container.
  RunResult created = Runc(root(), {"delete", id});
  EXPECT_EQ(created.status, 1);
  EXPECT_EQ(created.err, "runc: cannot delete container " + id + " that is not stopped: created\n");

  ASSERT_EQ(Runc(root(), {"start", id}).status, 0);
  const int pid = StateOf(root(), id)["pid"].get<int>();
  RunResult running = Runc(root(), {"delete", id});
  EXPECT_EQ(running.status, 1);
  EXPECT_EQ(running.err, "runc: cannot delete container " + id + " that is not stopped: running\n");
  EXPECT_EQ(StatusOf(root(), id), "running");

  RunResult forced = Runc(root(), {"delete", "--force", id});
  EXPECT_EQ(forced.status, 0) << forced.err;
  EXPECT_FALSE(Exists(root() + "/" + id));
  EXPECT_FALSE(Exists(CgroupDir(id)));
  EXPECT_TRUE(WaitFor([&] { return !Exists("/proc/" + std::to_string(pid)); }));
}

// A cgroup that exists and is frozen before create: the init would freeze on joining it and the
// runtime wait for it forever (runc's cgroups.bats 17 hung until killed). It is refused instead,
// as by runc, and nothing of the container is left; the frozen directory is not ours to remove.
TEST_F(LifecycleTest, FrozenExistingCgroupIsRefused) {
  if (!Exists("/sys/fs/cgroup/freezer/freezer.state") && !Exists("/sys/fs/cgroup/freezer/cgroup.procs"))
    GTEST_SKIP() << "no v1 freezer hierarchy here";
  Bundle bundle({"true"});
  const std::string id = NewId(bundle);
  const std::string frozen = "/sys/fs/cgroup/freezer/runc-test-" + id;
  ASSERT_EQ(mkdir(frozen.c_str(), 0755), 0) << strerror(errno);
  auto write = [](const std::string& path, const std::string& value) {
    std::ofstream(path) << value;
  };
  write(frozen + "/freezer.state", "FROZEN");
  RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
  write(frozen + "/freezer.state", "THAWED");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("container's cgroup unexpectedly frozen")) << r.err;
  EXPECT_FALSE(Exists(root() + "/" + id));
  EXPECT_FALSE(Exists(CgroupDir(id)));
  EXPECT_TRUE(Exists(frozen));
  rmdir(frozen.c_str());
}

// A second container in a cgroup that already has processes: a warning, as runc gives.
TEST_F(LifecycleTest, NonEmptyExistingCgroupIsWarnedAbout) {
  Bundle first({"sleep", "1000"});
  const std::string id = NewId(first);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"run", "-d", "--bundle", first.path(), id}, io), 0) << io.err();
  Bundle second({"true"});
  second.config()["linux"]["cgroupsPath"] = "/runc-test-" + id;
  second.Write();
  const std::string id2 = UniqueId("c2");
  ids_.push_back(id2);
  RunResult r = Runc(root(), {"run", "--bundle", second.path(), id2});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("warning: container's cgroup is not empty: 1 process(es) found")) << r.err;
  ASSERT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
}

TEST_F(LifecycleTest, KillByNameWithAndWithoutSigAndByNumber) {
  Bundle bundle({"sh", "-c", "trap 'echo usr1' USR1; trap 'echo usr2' USR2; echo ready; "
                             "while true; do sleep 0.05; done"});
  const std::string id = NewId(bundle);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();
  ASSERT_EQ(Runc(root(), {"start", id}).status, 0);
  ASSERT_TRUE(WaitFor([&] { return io.out() == "ready\n"; })) << io.out();

  int expected_lines = 1;
  for (const std::vector<std::string>& sig : std::vector<std::vector<std::string>>{
           {"USR1", "usr1"}, {"SIGUSR2", "usr2"}, {std::to_string(SIGUSR1), "usr1"}}) {
    RunResult r = Runc(root(), {"kill", id, sig[0]});
    ASSERT_EQ(r.status, 0) << sig[0] << ": " << r.err;
    ++expected_lines;
    EXPECT_TRUE(WaitFor([&] {
      std::string out = io.out();
      return std::count(out.begin(), out.end(), '\n') == expected_lines && out.ends_with(sig[1] + "\n");
    })) << sig[0] << ": " << io.out();
  }

  RunResult bad = Runc(root(), {"kill", id, "SIGNOPE"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.err, "runc: unknown signal \"SIGNOPE\"\n");
  EXPECT_EQ(StatusOf(root(), id), "running");

  ASSERT_EQ(Runc(root(), {"kill", id, "9"}).status, 0);
  EXPECT_TRUE(WaitFor([&] { return StatusOf(root(), id) == "stopped"; }));
  EXPECT_EQ(Runc(root(), {"delete", id}).status, 0);
}

TEST_F(LifecycleTest, KillAllSignalsEveryProcessInTheCgroup) {
  // No pid namespace: the init's death alone would not stop its children.
  Bundle bundle({"sh", "-c", "sleep 1000 & sleep 1000 & echo started; wait"});
  auto& ns = bundle.config()["linux"]["namespaces"];
  for (auto it = ns.begin(); it != ns.end(); ++it) {
    if ((*it)["type"] == "pid") {
      ns.erase(it);
      break;
    }
  }
  const std::string id = NewId(bundle);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();
  ASSERT_EQ(Runc(root(), {"start", id}).status, 0);
  ASSERT_TRUE(WaitFor([&] { return io.out() == "started\n"; })) << io.out();
  const std::string procs = CgroupDir(id) + "/cgroup.procs";
  ASSERT_TRUE(WaitFor([&] {
    std::istringstream in(ReadFile(procs));
    return std::distance(std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()) == 3;
  })) << ReadFile(procs);

  RunResult r = Runc(root(), {"kill", "--all", id, "KILL"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(WaitFor([&] { return ReadFile(procs).empty(); })) << ReadFile(procs);
  EXPECT_TRUE(WaitFor([&] { return StatusOf(root(), id) == "stopped"; }));
  EXPECT_EQ(Runc(root(), {"delete", id}).status, 0);
  EXPECT_FALSE(Exists(CgroupDir(id)));
}

TEST_F(LifecycleTest, RunReturnsTheExitCodeAndCleansUp) {
  Bundle bundle({"sh", "-c", "echo out; echo err >&2; exit 3"});
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(Exists(root() + "/" + id));
  EXPECT_FALSE(Exists(CgroupDir(id)));
}

TEST_F(LifecycleTest, RunPassesStdin) {
  Bundle bundle({"sh", "-c", "read line; echo got: $line"});
  const std::string id = NewId(bundle);
  RunOptions options;
  options.input = "hello\n";
  RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id}, options);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "got: hello\n");
}

TEST_F(LifecycleTest, RunKeepLeavesAStoppedContainer) {
  Bundle bundle({"true"});
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"run", "--keep", "--bundle", bundle.path(), id});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(StatusOf(root(), id), "stopped");
  EXPECT_TRUE(Exists(CgroupDir(id)));
  RunResult del = Runc(root(), {"delete", id});
  EXPECT_EQ(del.status, 0) << del.err;
  EXPECT_FALSE(Exists(CgroupDir(id)));
}

TEST_F(LifecycleTest, RunDetachReturnsWhileTheContainerRuns) {
  Bundle bundle({"sh", "-c", "echo detached; exec sleep 1000"});
  const std::string id = NewId(bundle);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"run", "-d", "--bundle", bundle.path(), id}, io), 0) << io.err();
  EXPECT_EQ(StatusOf(root(), id), "running");
  EXPECT_TRUE(WaitFor([&] { return io.out() == "detached\n"; })) << io.out();
  EXPECT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
  EXPECT_FALSE(Exists(root() + "/" + id));
}

TEST_F(LifecycleTest, RunForwardsSignalsToTheContainer) {
  // The init of a pid namespace only gets signals it has a handler for: the trap is the handler.
  Bundle bundle({"sh", "-c", "trap 'echo got TERM; exit 42' TERM; echo ready; while true; do sleep 0.05; done"});
  const std::string id = NewId(bundle);
  Outputs io;
  pid_t runc = SpawnRunc(root(), {"run", "--bundle", bundle.path(), id}, io);
  ASSERT_TRUE(WaitFor([&] { return io.out() == "ready\n"; })) << io.out() << io.err();
  kill(runc, SIGTERM);
  EXPECT_EQ(WaitRunc(runc), 42) << io.err();
  EXPECT_EQ(io.out(), "ready\ngot TERM\n");
  EXPECT_FALSE(Exists(root() + "/" + id));
  EXPECT_FALSE(Exists(CgroupDir(id)));
}

TEST_F(LifecycleTest, RunReportsDeathBySignalAs128PlusSignal) {
  Bundle bundle({"sh", "-c", "echo ready; exec sleep 1000"});
  const std::string id = NewId(bundle);
  Outputs io;
  pid_t runc = SpawnRunc(root(), {"run", "--bundle", bundle.path(), id}, io);
  ASSERT_TRUE(WaitFor([&] { return io.out() == "ready\n"; })) << io.out() << io.err();
  RunResult k = Runc(root(), {"kill", id, "SIGKILL"});
  EXPECT_EQ(k.status, 0) << k.err;
  EXPECT_EQ(WaitRunc(runc), 128 + SIGKILL) << io.err();
  EXPECT_FALSE(Exists(root() + "/" + id));
}

TEST_F(LifecycleTest, ListTableJsonAndQuiet) {
  Bundle b1({"sleep", "1000"});
  Bundle b2({"sleep", "1000"});
  const std::string id1 = NewId(b1, "a");
  const std::string id2 = NewId(b2, "b");
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", b1.path(), id1}, io), 0) << io.err();
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", b2.path(), id2}, io), 0) << io.err();
  ASSERT_EQ(Runc(root(), {"start", id2}).status, 0);

  RunResult quiet = Runc(root(), {"list", "-q"});
  EXPECT_EQ(quiet.status, 0);
  EXPECT_EQ(quiet.out, id1 + "\n" + id2 + "\n");

  RunResult table = Runc(root(), {"list"});
  ASSERT_EQ(table.status, 0) << table.err;
  std::istringstream lines(table.out);
  std::string header, row1, row2, extra;
  std::getline(lines, header);
  std::getline(lines, row1);
  std::getline(lines, row2);
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_THAT(header, MatchesRegex("ID +PID +STATUS +BUNDLE +CREATED +OWNER"));
  const std::string pid1 = std::to_string(StateOf(root(), id1)["pid"].get<int>());
  const std::string pid2 = std::to_string(StateOf(root(), id2)["pid"].get<int>());
  EXPECT_THAT(row1, MatchesRegex(id1 + " +" + pid1 + " +created +" + b1.path() + " +[0-9T:.-]+Z +root"));
  EXPECT_THAT(row2, MatchesRegex(id2 + " +" + pid2 + " +running +" + b2.path() + " +[0-9T:.-]+Z +root"));
  // Columns line up.
  EXPECT_EQ(header.find("STATUS"), row1.find("created"));
  EXPECT_EQ(header.find("BUNDLE"), row2.find(b2.path()));

  RunResult json = Runc(root(), {"list", "--format", "json"});
  ASSERT_EQ(json.status, 0) << json.err;
  nlohmann::json arr = nlohmann::json::parse(json.out);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0]["id"], id1);
  EXPECT_EQ(arr[0]["status"], "created");
  EXPECT_EQ(arr[1]["id"], id2);
  EXPECT_EQ(arr[1]["status"], "running");
  EXPECT_EQ(arr[1]["bundle"], b2.path());
  EXPECT_EQ(Runc(root(), {"list", "--format=json"}).out, json.out);

  RunResult bad = Runc(root(), {"list", "--format", "yaml"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.err, "runc: invalid format option\n");

  EXPECT_EQ(Runc(root(), {"delete", "--force", id1}).status, 0);
  EXPECT_EQ(Runc(root(), {"delete", "--force", id2}).status, 0);
  EXPECT_EQ(Runc(root(), {"list", "--format", "json"}).out, "null\n");
  EXPECT_EQ(Runc(root(), {"list"}).out, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
}

TEST_F(LifecycleTest, StartWithAConfigPathRunsTheBundleInTheForeground) {
  // The 2015 README: `runc start path/to/config.json`, id = the bundle directory's name.
  Bundle bundle({"sh", "-c", "echo legacy run; exit 5"});
  const std::string id = NewId(bundle);  // only for the cgroup path
  const std::string legacy_id = bundle.path().substr(bundle.path().rfind('/') + 1);
  ids_.push_back(legacy_id);
  RunResult r = Runc(root(), {"start", bundle.path() + "/config.json"});
  EXPECT_EQ(r.status, 5) << r.err;
  EXPECT_EQ(r.out, "legacy run\n");
  EXPECT_FALSE(Exists(root() + "/" + legacy_id));
  EXPECT_FALSE(Exists(CgroupDir(id)));
}

TEST_F(LifecycleTest, TheReadmeSampleOf2015RunsWithStartConfigJson) {
  // The pre-draft sample of the 2015 README (its trailing comma fixed), run the way that README
  // did: `runc start config.json` in the bundle, terminal and all.
  TempDir bundle("runc-2015");
  MakeBusyboxRootfs(bundle.path() + "/rootfs");
  std::ifstream in(std::string(RUNC_SOURCE_DIR) + "/golden/pre-draft-2015/config.json");
  ASSERT_TRUE(in);
  nlohmann::json config = nlohmann::json::parse(in);
  ASSERT_EQ(config["version"], "pre-draft");
  config["process"]["args"] = {"sh", "-c", "echo 2015; hostname; exit 9"};
  std::ofstream(bundle.path() + "/config.json") << config.dump(2);
  const std::string id = bundle.path().substr(bundle.path().rfind('/') + 1);
  ids_.push_back(id);
  RunOptions options;
  options.cwd = bundle.path();
  RunResult r = Runc(root(), {"start", "config.json"}, options);
  EXPECT_EQ(r.status, 9) << r.err;
  EXPECT_EQ(r.out, "2015\r\nshell\r\n");
  EXPECT_FALSE(Exists(root() + "/" + id));
  EXPECT_FALSE(Exists("/sys/fs/cgroup/pids/" + id));
}

TEST_F(LifecycleTest, StartWithoutIdInABundleRunsIt) {
  Bundle bundle({"sh", "-c", "cat /etc/hostname; exit 0"});
  NewId(bundle);
  const std::string legacy_id = bundle.path().substr(bundle.path().rfind('/') + 1);
  ids_.push_back(legacy_id);
  RunOptions options;
  options.cwd = bundle.path();
  RunResult r = Runc(root(), {"start"}, options);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "busybox\n");
  EXPECT_FALSE(Exists(root() + "/" + legacy_id));
}

TEST_F(LifecycleTest, StartWithoutIdStartsACreatedContainerOfThatName) {
  Bundle bundle({"sh", "-c", "echo started by name; exec sleep 1000"});
  NewId(bundle);
  const std::string legacy_id = bundle.path().substr(bundle.path().rfind('/') + 1);
  ids_.push_back(legacy_id);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), legacy_id}, io), 0) << io.err();
  RunOptions options;
  options.cwd = bundle.path();
  RunResult r = Runc(root(), {"start"}, options);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(WaitFor([&] { return io.out() == "started by name\n"; })) << io.out();
  EXPECT_EQ(StatusOf(root(), legacy_id), "running");
  EXPECT_EQ(Runc(root(), {"delete", "--force", legacy_id}).status, 0);
}

TEST_F(LifecycleTest, FailingCreateLogsJsonLines) {
  TempDir bundle("runc-bad-bundle");
  {
    std::ofstream f(bundle.path() + "/config.json");
    f << "{\n  \"ociVersion\": \"1.0.2\",\n}\n";
  }
  const std::string log = bundle.path() + "/log.json";
  const std::string id = UniqueId("bad");
  ids_.push_back(id);
  RunResult r = test::Run({RUNC_BINARY, "--root", root(), "--log", log, "--log-format", "json", "create", "--bundle",
                     bundle.path(), id});
  EXPECT_EQ(r.status, 1);
  const std::string msg = "config.json:3:1: syntax error: unexpected '}', expected a member name (trailing comma?)";
  EXPECT_EQ(r.err, "runc: " + msg + "\n");
  std::istringstream lines(ReadFile(log));
  std::string line, last;
  int count = 0;
  while (std::getline(lines, line)) {
    last = line;
    ++count;
  }
  ASSERT_EQ(count, 1) << ReadFile(log);
  nlohmann::json j = nlohmann::json::parse(last);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], msg);
  EXPECT_THAT(j["time"].get<std::string>(), MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z"));
  EXPECT_FALSE(Exists(root() + "/" + id));

  // A missing container goes the same way (podman shows the last msg).
  RunResult k = test::Run({RUNC_BINARY, "--root", root(), "--log", log, "--log-format=json", "kill", id, "9"});
  EXPECT_EQ(k.status, 1);
  std::istringstream lines2(ReadFile(log));
  while (std::getline(lines2, line)) last = line;
  EXPECT_EQ(nlohmann::json::parse(last)["msg"], "container \"" + id + "\" does not exist");
}

TEST_F(LifecycleTest, MissingBundle) {
  RunResult r = Runc(root(), {"create", "--bundle", "/nonexistent/bundle", "x1"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: bundle /nonexistent/bundle: No such file or directory\n");
}

TEST_F(LifecycleTest, TerminalWithoutConsoleSocketIsRefusedForCreate) {
  Bundle bundle({"sh"});
  bundle.config()["process"]["terminal"] = true;
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"create", "--bundle", bundle.path(), id});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: cannot allocate tty if runc will detach without setting console socket\n");
  EXPECT_FALSE(Exists(root() + "/" + id));
}

TEST_F(LifecycleTest, RunWithTerminalProxiesThePtyToOurStdio) {
  Bundle bundle({"sh", "-c", "tty; echo hi; exit 4"});
  bundle.config()["process"]["terminal"] = true;
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_EQ(r.out, "/dev/pts/0\r\nhi\r\n");  // the pty's ONLCR turns \n into \r\n
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(Exists(root() + "/" + id));
}

TEST_F(LifecycleTest, RunWithTerminalForwardsPipedInput) {
  Bundle bundle({"sh", "-c", "read line; echo \"got $line\"; read more || echo eof"});
  bundle.config()["process"]["terminal"] = true;
  const std::string id = NewId(bundle);
  RunOptions options;
  options.input = "hello\n";
  RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id}, options);
  EXPECT_EQ(r.status, 0) << r.err;
  // The terminal echoes the input line, then the container's answer, then EOF reaches the shell.
  EXPECT_EQ(r.out, "hello\r\ngot hello\r\neof\r\n");
}

TEST_F(LifecycleTest, CreateSendsThePtyMasterOverTheConsoleSocket) {
  Bundle bundle({"sh", "-c", "echo on the console; exec sleep 1000"});
  bundle.config()["process"]["terminal"] = true;
  const std::string id = NewId(bundle);
  ConsoleSocket console(bundle.path() + "/console.sock");
  ASSERT_TRUE(console.ok());
  Outputs io;
  pid_t create = SpawnRunc(root(), {"create", "--bundle", bundle.path(), "--console-socket",
                                    bundle.path() + "/console.sock", id}, io);
  int master = console.Receive(5000);
  ASSERT_EQ(WaitRunc(create), 0) << io.err();
  ASSERT_GE(master, 0);
  ASSERT_EQ(Runc(root(), {"start", id}).status, 0);
  std::string seen;
  for (int i = 0; i < 100 && seen.find("on the console\r\n") == std::string::npos; ++i) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 100) == 1) {
      char buf[256];
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) seen.append(buf, static_cast<size_t>(n));
    }
  }
  close(master);
  EXPECT_EQ(seen, "on the console\r\n");
  EXPECT_EQ(io.out(), "");  // nothing went to create's own stdio
  EXPECT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
}

TEST_F(LifecycleTest, ConsoleSocketWithoutTerminalIsRefused) {
  Bundle bundle({"true"});
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"create", "--bundle", bundle.path(), "--console-socket", "/nonexistent.sock", id});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: cannot use console socket if runc will not detach or allocate tty\n");
}

TEST_F(LifecycleTest, PoststartAndPoststopHooksSeeTheState) {
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  const std::string dir = bundle.path();
  bundle.config()["hooks"] = {
      {"poststart", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + dir + "/poststart.json"}}}}},
      {"poststop", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + dir + "/poststop.json"}}}}}};
  bundle.Write();
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", dir, id}, io), 0) << io.err();
  EXPECT_FALSE(Exists(dir + "/poststart.json"));
  const int pid = StateOf(root(), id)["pid"].get<int>();
  RunResult start = Runc(root(), {"start", id});
  ASSERT_EQ(start.status, 0) << start.err;
  nlohmann::json poststart = nlohmann::json::parse(ReadFile(dir + "/poststart.json"), nullptr, false);
  ASSERT_TRUE(poststart.is_object()) << ReadFile(dir + "/poststart.json");
  EXPECT_EQ(poststart["id"], id);
  EXPECT_EQ(poststart["status"], "running");
  EXPECT_EQ(poststart["pid"], pid);
  EXPECT_EQ(poststart["bundle"], dir);
  EXPECT_FALSE(Exists(dir + "/poststop.json"));

  ASSERT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
  nlohmann::json poststop = nlohmann::json::parse(ReadFile(dir + "/poststop.json"), nullptr, false);
  ASSERT_TRUE(poststop.is_object()) << ReadFile(dir + "/poststop.json");
  EXPECT_EQ(poststop["id"], id);
}

TEST_F(LifecycleTest, FailingPoststartHookOnlyWarns) {
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  bundle.config()["hooks"] = {{"poststart", {{{"path", "/bin/false"}}}}};
  bundle.Write();
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();
  RunResult start = Runc(root(), {"start", id});
  EXPECT_EQ(start.status, 0);
  EXPECT_THAT(start.err, MatchesRegex("runc: warning: step [0-9]+ hook \\(/hooks/poststart/0\\): "
                                      "hook /bin/false exited with status 1\n"));
  EXPECT_EQ(StatusOf(root(), id), "running");
  EXPECT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
}

// runtime-spec: a failing startContainer hook is an error of start, and the container stops. The
// init reports it through the exec fifo, which start reads to its end (runc's start succeeds).
TEST_F(LifecycleTest, FailingStartContainerHookFailsStart) {
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  bundle.config()["hooks"] = {{"startContainer", {{{"path", "/bin/false"}}}}};
  bundle.Write();
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();
  RunResult start = Runc(root(), {"start", id});
  EXPECT_EQ(start.status, 1);
  EXPECT_THAT(start.err, MatchesRegex("runc: step [0-9]+ hook \\(/hooks/startContainer/0\\): "
                                      "hook /bin/false exited with status 1\n"));
  EXPECT_TRUE(WaitFor([&] { return StatusOf(root(), id) == "stopped"; }));
  EXPECT_EQ(io.err(), "") << "the error is start's, not the init's stderr's";
  EXPECT_EQ(Runc(root(), {"delete", id}).status, 0);
}

TEST_F(LifecycleTest, PreserveFdsPassesExtraDescriptors) {
  Bundle bundle({"sh", "-c", "cat <&3"});
  const std::string id = NewId(bundle);
  const std::string payload = bundle.path() + "/payload";
  std::ofstream(payload) << "passed through fd 3\n";
  Outputs with;
  EXPECT_EQ(WaitRunc(SpawnRunc(root(), {"run", "--preserve-fds", "1", "--bundle", bundle.path(), id}, with, "",
                               payload)),
            0)
      << with.err();
  EXPECT_EQ(with.out(), "passed through fd 3\n");

  // Without the flag the runtime's fd 3 stays out of the container.
  Outputs without;
  EXPECT_EQ(WaitRunc(SpawnRunc(root(), {"run", "--bundle", bundle.path(), id}, without, "", payload)), 1);
  EXPECT_EQ(without.out(), "");
  EXPECT_EQ(without.err(), "sh: 3: Bad file descriptor\n");
}

TEST_F(LifecycleTest, NoPivotRunsTheContainer) {
  Bundle bundle({"sh", "-c", "cat /etc/hostname; ls /"});
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"run", "--no-pivot", "--bundle", bundle.path(), id});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("busybox\n"));
  EXPECT_THAT(r.out, HasSubstr("proc"));
}

TEST_F(LifecycleTest, RelativePidFileAndBundleAreRelativeToTheWorkingDirectory) {
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  const std::string parent = bundle.path().substr(0, bundle.path().rfind('/'));
  const std::string name = bundle.path().substr(bundle.path().rfind('/') + 1);
  Outputs io;
  ASSERT_EQ(WaitRunc(SpawnRunc(root(), {"create", "--bundle", name, "--pid-file", name + "/rel.pid", id}, io, parent)),
            0)
      << io.err();
  nlohmann::json state = StateOf(root(), id);
  EXPECT_EQ(state["bundle"], bundle.path());  // stored absolute
  EXPECT_EQ(ReadFile(bundle.path() + "/rel.pid"), std::to_string(state["pid"].get<int>()));
  EXPECT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
}

TEST_F(LifecycleTest, AnInterruptedCreateIsCreatingAndCanBeForceDeleted) {
  // What a create killed between Spawn and writing state.json leaves: the state dir and its fifo.
  const std::string id = UniqueId("creating");
  const std::string dir = root() + "/" + id;
  ASSERT_EQ(mkdir(dir.c_str(), 0711), 0);
  ASSERT_EQ(mkfifo((dir + "/exec.fifo").c_str(), 0622), 0);
  std::ofstream(dir + "/.state.json.tmp") << "{";
  nlohmann::json state = StateOf(root(), id);
  EXPECT_EQ(state["status"], "creating");
  EXPECT_EQ(state["pid"], 0);
  EXPECT_THAT(Runc(root(), {"list", "-q"}).out, HasSubstr(id + "\n"));
  RunResult del = Runc(root(), {"delete", id});
  EXPECT_EQ(del.status, 1);
  EXPECT_EQ(del.err, "runc: cannot delete container " + id + " that is not stopped: creating\n");
  RunResult forced = Runc(root(), {"delete", "--force", id});
  EXPECT_EQ(forced.status, 0) << forced.err;
  EXPECT_FALSE(Exists(dir));
}

TEST_F(LifecycleTest, CommandsOnOneContainerAreSerialisedOthersAreNot) {
  Bundle b1({"sleep", "1000"});
  Bundle b2({"sleep", "1000"});
  const std::string id1 = NewId(b1, "locked");
  const std::string id2 = NewId(b2, "free");
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", b1.path(), id1}, io), 0) << io.err();
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", b2.path(), id2}, io), 0) << io.err();

  // Hold id1's lock the way a long-running command would.
  int fd = open((root() + "/" + id1).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX), 0);

  auto blocked = std::async(std::launch::async, [&] { return Runc(root(), {"start", id1}); });
  // id2 is not held up by id1's lock.
  auto t0 = std::chrono::steady_clock::now();
  RunResult s2 = Runc(root(), {"start", id2});
  EXPECT_EQ(s2.status, 0) << s2.err;
  RunResult k2 = Runc(root(), {"kill", id2, "KILL"});
  EXPECT_EQ(k2.status, 0) << k2.err;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(blocked.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "start of a locked container did not wait";
  EXPECT_EQ(StatusOf(root(), id1), "created");  // reading state needs no lock

  flock(fd, LOCK_UN);
  close(fd);
  RunResult s1 = blocked.get();
  EXPECT_EQ(s1.status, 0) << s1.err;
  EXPECT_EQ(StatusOf(root(), id1), "running");
  EXPECT_EQ(Runc(root(), {"delete", "--force", id1}).status, 0);
  EXPECT_TRUE(WaitFor([&] { return StatusOf(root(), id2) == "stopped"; }));
  EXPECT_EQ(Runc(root(), {"delete", id2}).status, 0);
}

TEST_F(LifecycleTest, PlanOfACreatedContainer) {
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  Outputs io;
  ASSERT_EQ(RuncToFiles(root(), {"create", "--bundle", bundle.path(), id}, io), 0) << io.err();
  RunResult plan = Runc(root(), {"plan", id});
  EXPECT_EQ(plan.status, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("wait_start"));
  EXPECT_THAT(plan.out, HasSubstr(root() + "/" + id));
  EXPECT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
}

}  // namespace
}  // namespace runc::test
