// runc exec on real containers: output and exit status, the process flags seen from inside
// (/proc/self/status), --process, --detach --pid-file, --tty --console-socket, the namespaces and
// cgroups it joins (compared with the init's from the host), paused / stopped / unknown
// containers, a missing program, the container's seccomp filter, a user namespace, the --debug
// trace against `runc plan --exec`, and a failure at every step leaving no process behind.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cgroup_fixture.h"
#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string Link(const std::string& path) {
  char buf[256];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
}

// runc with stdin /dev/null and stdout/stderr to files: a detached exec's process keeps our stdio.
pid_t SpawnToFiles(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || o < 0 || e < 0) _exit(126);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> cargv;
    for (auto& a : const_cast<std::vector<std::string>&>(argv)) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

// Exit code or 128+signal; -1 when still running after `timeout_ms` (then it is killed).
int WaitFor(pid_t pid, int timeout_ms) {
  int status = 0;
  for (int waited = 0;; waited += 10) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    if (waited > timeout_ms) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(10 * 1000);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class ExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root";
    id_ = UniqueId("exec");
    cgroup_ = "/runc-test-exec-" + id_;
  }
  void TearDown() override {
    if (started_) Runc({"delete", "--force", id_});
  }

  RunResult Runc(const std::vector<std::string>& args, const RunOptions& options = {}) {
    return test::Runc(root_.path(), args, options);
  }
  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {RUNC_BINARY, "--root", root_.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // Starts the bundle's container detached (a long sleep unless the config says otherwise).
  void Start(Bundle& b, bool sleep = true) {
    if (sleep) b.config()["process"]["args"] = {"sleep", "1000"};
    b.config()["linux"]["cgroupsPath"] = cgroup_;
    b.Write();
    const std::string err = root_.path() + "/run.err";
    pid_t p = SpawnToFiles(Argv({"run", "-d", "--bundle", b.path(), id_}), "/dev/null", err);
    ASSERT_EQ(WaitFor(p, 60000), 0) << ReadFile(err);
    started_ = true;
    auto state = nlohmann::json::parse(Runc({"state", id_}).out, nullptr, false);
    ASSERT_TRUE(state.is_object());
    init_ = state["pid"].get<int>();
  }

  // The pids of the container's memory cgroup (every process of the container).
  std::set<int> CgroupPids() const {
    std::set<int> pids;
    std::istringstream in(ReadFile("/sys/fs/cgroup/memory" + cgroup_ + "/cgroup.procs"));
    for (int p; in >> p;) pids.insert(p);
    return pids;
  }

  TempDir root_{"runc-test-exec-root"};
  std::string id_, cgroup_;
  bool started_ = false;
  int init_ = 0;
};

TEST_F(ExecTest, RunsACommandAndPrintsItsOutput) {
  Bundle b;
  Start(b);
  RunResult r = Runc({"exec", id_, "echo", "hello", "from", "exec"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "hello from exec\n");
  EXPECT_EQ(r.err, "");
  // The flags of the command are its own, not runc's (-c, -e): runc stops at the id.
  r = Runc({"exec", id_, "sh", "-c", "echo $((6*7))"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  // Standard input is the caller's.
  RunOptions in;
  in.input = "piped\n";
  r = Runc({"exec", id_, "cat"}, in);
  EXPECT_EQ(r.out, "piped\n");
  EXPECT_EQ(CgroupPids(), std::set<int>{init_}) << "an exec'd process was left behind";
}

TEST_F(ExecTest, ExitStatusIsTheProcesssOwn) {
  Bundle b;
  Start(b);
  EXPECT_EQ(Runc({"exec", id_, "sh", "-c", "exit 7"}).status, 7);
  EXPECT_EQ(Runc({"exec", id_, "false"}).status, 1);
  // Killed by a signal: 128 + the signal, as runc.
  EXPECT_EQ(Runc({"exec", id_, "sh", "-c", "kill -TERM $$"}).status, 128 + SIGTERM);
}

TEST_F(ExecTest, SignalsToRuncAreForwarded) {
  Bundle b;
  Start(b);
  const std::string out = root_.path() + "/fwd.out", err = root_.path() + "/fwd.err";
  pid_t p = SpawnToFiles(Argv({"exec", id_, "sh", "-c", "trap 'echo got USR1; exit 3' USR1; echo ready; "
                                                         "while true; do sleep 0.05; done"}),
                         out, err);
  for (int i = 0; i < 200 && ReadFile(out).empty(); ++i) usleep(20 * 1000);
  ASSERT_EQ(ReadFile(out), "ready\n") << ReadFile(err);
  kill(p, SIGUSR1);
  EXPECT_EQ(WaitFor(p, 10000), 3) << ReadFile(err);
  EXPECT_EQ(ReadFile(out), "ready\ngot USR1\n");
}

TEST_F(ExecTest, ProcessFlagsAreSeenInside) {
  Bundle b;
  Start(b);
  RunResult r = Runc({"exec", "--env", "FOO=bar", "-e", "TERM=dumb", "--cwd", "/tmp", "--user", "1000:1001",
                      "--additional-gids", "10", "-g", "20", "--cap", "CAP_NET_RAW", id_, "sh", "-c",
                      "echo $FOO $TERM; pwd; grep -E '^(Uid|Gid|Groups|CapBnd|NoNewPrivs)' /proc/self/status"});
  ASSERT_EQ(r.status, 0) << r.err;
  // The default config's bounding set (AUDIT_WRITE, KILL, NET_BIND_SERVICE) plus NET_RAW;
  // noNewPrivileges from the config; TERM overridden in place.
  EXPECT_EQ(r.out,
            "bar dumb\n/tmp\nUid:\t1000\t1000\t1000\t1000\nGid:\t1001\t1001\t1001\t1001\nGroups:\t10 20 \n"
            "CapBnd:\t0000000020002420\nNoNewPrivs:\t1\n");
  // Without the flags: the config's process (root, cwd /).
  r = Runc({"exec", id_, "sh", "-c", "pwd; id -u; echo $TERM"});
  EXPECT_EQ(r.out, "/\n0\nxterm\n");
  // A bad --user is refused before anything runs.
  r = Runc({"exec", "--user", "nobody", id_, "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: --user: parsing nobody as int for uid failed\n");
}

TEST_F(ExecTest, ProcessFileIsTheWholeProcess) {
  Bundle b;
  Start(b);
  const std::string file = root_.path() + "/process.json";
  WriteText(file, R"({"args": ["sh", "-c", "echo $X; id -u; id -g; pwd"], "env": ["X=from-file", "PATH=/bin"],
                      "cwd": "/etc", "user": {"uid": 2, "gid": 3}})");
  RunResult r = Runc({"exec", "--process", file, id_});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "from-file\n2\n3\n/etc\n");
  // Its errors name the file and the field.
  WriteText(file, "{\n  \"args\": \"sh\",\n  \"cwd\": \"/\"\n}\n");
  r = Runc({"exec", "--process", file, id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, StartsWith("runc: " + file + ":2:11: /args: "));
}

// As runc (`--process <(...)`, tty.bats): the file may be a pipe; only a directory is refused.
TEST_F(ExecTest, ProcessFileMayBeAPipe) {
  Bundle b;
  Start(b);
  RunOptions in;
  in.input = R"({"args": ["sh", "-c", "echo from stdin; id -u"], "cwd": "/", "user": {"uid": 5, "gid": 5}})";
  RunResult r = Runc({"exec", "--process", "/dev/stdin", id_}, in);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "from stdin\n5\n");
  // A named fifo whose writer comes after runc opened it.
  const std::string fifo = root_.path() + "/process.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  // The writer waits for a reader without blocking, and gives up once runc has returned (a runc
  // that refuses the fifo without opening it must not hang the test).
  std::atomic<bool> done{false};
  std::thread writer([&] {
    while (!done) {
      int fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) {
        usleep(5000);
        continue;
      }
      const std::string text = R"({"args": ["echo", "from a fifo"], "cwd": "/"})";
      fcntl(fd, F_SETFL, 0);
      (void)!write(fd, text.data(), text.size());
      close(fd);
      return;
    }
  });
  r = Runc({"exec", "-p", fifo, id_});
  done = true;
  writer.join();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "from a fifo\n");
  // Its errors still name the input, line and field.
  in.input = "{\n  \"args\": \"sh\",\n  \"cwd\": \"/\"\n}\n";
  r = Runc({"exec", "--process", "/dev/stdin", id_}, in);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, StartsWith("runc: /dev/stdin:2:11: /args: "));
  r = Runc({"exec", "--process", root_.path(), id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: " + root_.path() + ": is a directory\n");
  EXPECT_EQ(CgroupPids(), std::set<int>{init_}) << "an exec'd process was left behind";
}

TEST_F(ExecTest, DetachedExecJoinsTheInitsNamespacesAndCgroups) {
  Bundle b;
  Start(b);
  const std::string pid_file = root_.path() + "/exec.pid";
  const std::string out = root_.path() + "/d.out", err = root_.path() + "/d.err";
  pid_t p = SpawnToFiles(Argv({"exec", "--detach", "--pid-file", pid_file, id_, "sleep", "1000"}), out, err);
  ASSERT_EQ(WaitFor(p, 10000), 0) << ReadFile(err);
  const int pid = std::atoi(ReadFile(pid_file).c_str());
  ASSERT_GT(pid, 0) << ReadFile(pid_file);
  EXPECT_TRUE(Exists("/proc/" + std::to_string(pid))) << "the detached process is not running";
  EXPECT_THAT(ReadFile("/proc/" + std::to_string(pid) + "/cmdline"), StartsWith(std::string("sleep\0", 6)));
  for (const char* ns : {"ipc", "mnt", "net", "pid", "uts", "cgroup", "user"}) {
    const std::string mine = Link("/proc/" + std::to_string(pid) + "/ns/" + ns);
    EXPECT_FALSE(mine.empty()) << ns;
    EXPECT_EQ(mine, Link("/proc/" + std::to_string(init_) + "/ns/" + ns)) << ns;
  }
  // The container's own namespaces, not the host's.
  EXPECT_NE(Link("/proc/" + std::to_string(pid) + "/ns/pid"), Link("/proc/self/ns/pid"));
  EXPECT_EQ(ReadFile("/proc/" + std::to_string(pid) + "/cgroup"), ReadFile("/proc/" + std::to_string(init_) + "/cgroup"));
  EXPECT_TRUE(CgroupPids().count(pid));
  // Non-dumpable only until execve: the running program is dumpable again.
  EXPECT_THAT(ReadFile("/proc/" + std::to_string(pid) + "/status"), HasSubstr("State:"));
  // Inside, it is one more process of the container's pid namespace.
  RunResult r = Runc({"exec", id_, "sh", "-c", "set -- /proc/[0-9]*; echo $#"});
  EXPECT_EQ(r.out, "3\n");  // init, the detached sleep, this sh
  kill(pid, SIGKILL);
}

TEST_F(ExecTest, TtyMasterGoesToTheConsoleSocket) {
  Bundle b;
  Start(b);
  const std::string sock = root_.path() + "/console.sock";
  ConsoleSocket console(sock);
  ASSERT_TRUE(console.ok());
  const std::string out = root_.path() + "/t.out", err = root_.path() + "/t.err";
  pid_t p = SpawnToFiles(Argv({"exec", "--tty", "--detach", "--console-socket", sock, id_, "sh", "-c",
                               "tty; echo on the tty; exec sleep 1000"}),
                         out, err);
  int master = console.Receive(10000);
  ASSERT_EQ(WaitFor(p, 10000), 0) << ReadFile(err);
  ASSERT_GE(master, 0);
  std::string seen;
  for (int i = 0; i < 100 && seen.find("on the tty\r\n") == std::string::npos; ++i) {
    pollfd pf{master, POLLIN, 0};
    if (poll(&pf, 1, 100) == 1) {
      char buf[256];
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) seen.append(buf, static_cast<size_t>(n));
    }
  }
  close(master);
  EXPECT_THAT(seen, StartsWith("/dev/pts/"));
  EXPECT_THAT(seen, HasSubstr("\r\non the tty\r\n"));
  EXPECT_EQ(ReadFile(out), "");  // nothing went to exec's own stdio
  // A tty needs somewhere to go when detached; a socket needs a tty.
  RunResult r = Runc({"exec", "-t", "-d", id_, "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: cannot allocate tty if runc will detach without setting console socket\n");
  r = Runc({"exec", "--console-socket", sock, id_, "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: cannot use console socket if runc will not detach or allocate tty\n");
}

TEST_F(ExecTest, ForegroundTtyIsProxied) {
  Bundle b;
  Start(b);
  RunOptions in;
  in.input = "typed\n";
  RunResult r = Runc({"exec", "-t", id_, "sh", "-c", "read x; echo \"got $x\""}, in);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "typed\r\ngot typed\r\n");
}

// runc's setupUser chowns the exec'd process's pty to its user (tty.bats "exec [tty owner]"):
// the config's user, or --user's; the group is devpts' gid=5.
TEST_F(ExecTest, TtyIsOwnedByTheProcesssUser) {
  Bundle b;
  b.config()["process"]["user"] = {{"uid", 1000}, {"gid", 100}};
  Start(b);
  const std::string show = "stat -c %u:%g $(tty); ls -ln $(tty) | cut -c1-10";
  RunResult r = Runc({"exec", "-t", id_, "sh", "-c", show});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1000:5\r\ncrw--w----\r\n");
  r = Runc({"exec", "-t", "--user", "2000:2000", id_, "sh", "-c", show});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "2000:5\r\ncrw--w----\r\n");
  r = Runc({"exec", "-t", "--user", "0", id_, "sh", "-c", show});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "0:5\r\ncrw--w----\r\n");
  // The plan says so, before the user step.
  const std::string file = root_.path() + "/process.json";
  WriteText(file, R"({"terminal": true, "args": ["true"], "cwd": "/", "user": {"uid": 2000, "gid": 0}})");
  r = Runc({"plan", "--exec", file, id_});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("stdio.chown +0,1,2 uid=2000 +# process.json#/user/uid\n[^\n]* user "));
}

TEST_F(ExecTest, ExecCpuAffinityFinalIsWhatTheProcessRunsOn) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs two CPUs";
  Bundle b;
  Start(b);
  const std::string file = root_.path() + "/aff.json";
  WriteText(file, R"({"args": ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"], "cwd": "/",
                      "env": ["PATH=/bin"], "execCPUAffinity": {"initial": "0", "final": "1"}})");
  RunResult r = Runc({"exec", "--process", file, id_});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "Cpus_allowed_list:\t1\n");
  RunResult plain = Runc({"exec", id_, "grep", "Cpus_allowed_list", "/proc/self/status"});
  EXPECT_NE(plain.out, r.out);  // without it, the runtime's own affinity
}

TEST_F(ExecTest, PreservedFdsReachTheProcess) {
  Bundle b;
  Start(b);
  const std::string data = root_.path() + "/fd3.txt";
  WriteText(data, "through fd 3\n");
  RunResult r = test::Run({"/bin/sh", "-c", "exec \"$@\" 3<" + data, "sh", RUNC_BINARY, "--root", root_.path(),
                           "exec", "--preserve-fds", "1", id_, "cat", "/proc/self/fd/3"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "through fd 3\n");
  // Without the flag the fd stays outside.
  r = test::Run({"/bin/sh", "-c", "exec \"$@\" 3<" + data, "sh", RUNC_BINARY, "--root", root_.path(), "exec", id_,
                 "cat", "/proc/self/fd/3"});
  EXPECT_NE(r.out, "through fd 3\n");
}

TEST_F(ExecTest, CreatedContainerCanBeExecedInto) {
  Bundle b({"sleep", "1000"});
  b.config()["linux"]["cgroupsPath"] = cgroup_;
  b.Write();
  const std::string err = root_.path() + "/create.err";
  pid_t p = SpawnToFiles(Argv({"create", "--bundle", b.path(), id_}), "/dev/null", err);
  ASSERT_EQ(WaitFor(p, 60000), 0) << ReadFile(err);
  started_ = true;
  RunResult r = Runc({"exec", id_, "sh", "-c", "echo $$"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "2\n");  // the waiting init is 1
}

TEST_F(ExecTest, PausedContainerNeedsIgnorePaused) {
  Bundle b;
  Start(b);
  ASSERT_EQ(Runc({"pause", id_}).status, 0);
  RunResult r = Runc({"exec", id_, "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: cannot exec in a paused container (use --ignore-paused to override)\n");
  // With --ignore-paused the process joins the frozen cgroup: it runs once the container resumes.
  const std::string out = root_.path() + "/p.out", err = root_.path() + "/p.err";
  pid_t p = SpawnToFiles(Argv({"exec", "--ignore-paused", id_, "echo", "after resume"}), out, err);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(waitpid(p, nullptr, WNOHANG), 0) << "ran in a paused container: " << ReadFile(out) << ReadFile(err);
  ASSERT_EQ(Runc({"resume", id_}).status, 0);
  EXPECT_EQ(WaitFor(p, 10000), 0) << ReadFile(err);
  EXPECT_EQ(ReadFile(out), "after resume\n");
}

TEST_F(ExecTest, StoppedOrUnknownContainerFails) {
  RunResult r = Runc({"exec", "no-such-container-" + id_, "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("no-such-container-" + id_));
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
  Bundle b;
  b.config()["process"]["args"] = {"true"};
  Start(b, /*sleep=*/false);
  std::string status;
  for (int i = 0; i < 200; ++i) {
    auto j = nlohmann::json::parse(Runc({"state", id_}).out, nullptr, false);
    if (j.is_object() && (status = j.value("status", "")) == "stopped") break;
    usleep(10 * 1000);
  }
  ASSERT_EQ(status, "stopped");
  r = Runc({"exec", id_, "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: cannot exec in a stopped container\n");
}

TEST_F(ExecTest, MissingExecutableFailsAndLeavesNoProcess) {
  Bundle b;
  Start(b);
  RunResult r = Runc({"exec", id_, "/no/such/program"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, StartsWith("runc: step "));
  EXPECT_THAT(r.err, HasSubstr(" execve (cli): exec /no/such/program: No such file or directory\n"));
  r = Runc({"exec", id_, "no-such-program"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("exec: \"no-such-program\": executable file not found in $PATH"));
  // A cwd that is a file fails at its step.
  r = Runc({"exec", "--cwd", "/etc/passwd", id_, "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(" cwd (--cwd): "));
  EXPECT_EQ(CgroupPids(), std::set<int>{init_});
}

TEST_F(ExecTest, NoHostFdReachesTheProcess) {
  Bundle b;
  // A program only the host can see, beside the rootfs: a runtime fd of the bundle (or any host
  // directory above it) left open in the process would run it through /proc/self/fd/N.
  const std::string host_only = b.path() + "/host-only";
  WriteText(host_only, "#!/bin/sh\necho escaped\n");
  chmod(host_only.c_str(), 0755);
  Start(b);
  for (int fd = 3; fd < 16; ++fd) {
    for (const char* rel : {"host-only", "../host-only", "../../host-only"}) {
      const std::string path = "/proc/self/fd/" + std::to_string(fd) + "/" + rel;
      RunResult r = Runc({"exec", id_, path});
      EXPECT_NE(r.status, 0) << path;
      EXPECT_EQ(r.out, "") << path;
      r = Runc({"exec", "--cwd", "/proc/self/fd/" + std::to_string(fd), id_, "pwd"});
      EXPECT_NE(r.out, b.path() + "\n") << fd;
    }
  }
  // Only stdio (and ls's own directory fd) is open in the process.
  RunResult r = Runc({"exec", id_, "sh", "-c", "ls /proc/self/fd"});
  EXPECT_EQ(r.out, "0\n1\n2\n3\n");
  EXPECT_EQ(CgroupPids(), std::set<int>{init_});
}

TEST_F(ExecTest, ContainersSeccompFilterApplies) {
  Bundle b;
  b.config()["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls", {{{"names", {"uname"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}}}};
  Start(b);
  // uname(2) fails with EPERM: busybox prints an empty name (without the filter: "Linux").
  RunResult r = Runc({"exec", id_, "uname", "-s"});
  EXPECT_NE(r.out, "Linux\n");
  r = Runc({"exec", id_, "sh", "-c", "grep Seccomp: /proc/self/status"});
  EXPECT_EQ(r.out, "Seccomp:\t2\n");
  r = Runc({"exec", id_, "echo", "ok"});
  EXPECT_EQ(r.out, "ok\n");
}

TEST_F(ExecTest, NoSeccompWithoutAProfile) {
  Bundle b;
  Start(b);
  RunResult r = Runc({"exec", id_, "uname", "-s"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "Linux\n");
}

TEST_F(ExecTest, UserNamespaceIsJoinedFirst) {
  Bundle b;
  auto& linux = b.config()["linux"];
  linux["namespaces"].push_back({{"type", "user"}});
  linux["namespaces"].push_back({{"type", "cgroup"}});
  linux["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  linux["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  chmod(b.path().c_str(), 0755);
  Start(b);
  RunResult r = Runc({"exec", id_, "sh", "-c", "cat /proc/self/uid_map; id -u; cat /proc/self/cgroup | grep -c ':/$'"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string map, uid;
  std::getline(lines, map);
  std::getline(lines, uid);
  EXPECT_THAT(map, HasSubstr("100000"));
  EXPECT_EQ(uid, "0");
  // The plan joins the user namespace before every other one.
  const std::string file = root_.path() + "/p.json";
  WriteText(file, R"({"args": ["true"], "cwd": "/"})");
  r = Runc({"plan", "--exec", file, id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ns.open        user /proc/" + std::to_string(init_) + "/ns/user"));
  const size_t user = r.out.find("ns.join        user");
  const size_t ipc = r.out.find("ns.join        ipc");
  EXPECT_NE(user, std::string::npos) << r.out;
  EXPECT_LT(user, ipc) << r.out;
  // Seen from the host, the exec'd process is in the init's user namespace.
  const std::string pid_file = root_.path() + "/u.pid";
  pid_t p = SpawnToFiles(Argv({"exec", "-d", "--pid-file", pid_file, id_, "sleep", "1000"}), "/dev/null",
                         root_.path() + "/u.err");
  ASSERT_EQ(WaitFor(p, 10000), 0) << ReadFile(root_.path() + "/u.err");
  const std::string pid = std::to_string(std::atoi(ReadFile(pid_file).c_str()));
  EXPECT_EQ(Link("/proc/" + pid + "/ns/user"), Link("/proc/" + std::to_string(init_) + "/ns/user"));
  EXPECT_NE(Link("/proc/" + pid + "/ns/user"), Link("/proc/self/ns/user"));
  kill(std::atoi(pid.c_str()), SIGKILL);
}

TEST_F(ExecTest, SubCgroupIsJoined) {
  Bundle b;
  Start(b);
  const std::string sub = "/sys/fs/cgroup/memory" + cgroup_ + "/sub";
  ASSERT_EQ(mkdir(sub.c_str(), 0755), 0);
  RunResult r = Runc({"exec", "--cgroup", "memory:sub", id_, "cat", "/proc/self/cgroup"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(":memory:" + cgroup_ + "/sub\n"));
  EXPECT_THAT(r.out, HasSubstr(":pids:" + cgroup_ + "\n"));
  r = Runc({"exec", "--cgroup", "../../escape", id_, "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: --cgroup: ../../escape is not a sub cgroup path (it leaves the container's cgroup)\n");
  rmdir(sub.c_str());
}

// On a cgroup2-only host (imitated by OnV2, cgroup_fixture.h: a private mount namespace with only cgroup2
// mounted on /sys/fs/cgroup), the process joins the container's one cgroup.
TEST_F(ExecTest, Cgroup2OnlyHost) {
  const std::string unified = "/sys/fs/cgroup/unified";
  if (!Exists(unified + "/cgroup.procs")) GTEST_SKIP() << "no cgroup2 at " << unified;
  Bundle b({"sleep", "1000"});
  b.config()["linux"]["cgroupsPath"] = cgroup_;
  b.Write();
  const std::string err = root_.path() + "/v2.err";
  std::vector<std::string> run = {"/bin/sh", "-c", "exec \"$@\" </dev/null >/dev/null 2>" + err, "sh"};
  for (const auto& a : OnV2(Argv({"run", "-d", "--bundle", b.path(), id_}))) run.push_back(a);
  ASSERT_EQ(test::Run(run).status, 0) << ReadFile(err);
  auto state = nlohmann::json::parse(Runc({"state", id_}).out, nullptr, false);
  ASSERT_TRUE(state.is_object());
  const int init = state["pid"].get<int>();
  RunResult r = test::Run(OnV2(Argv({"exec", id_, "cat", "/proc/self/cgroup"})));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0::" + cgroup_ + "\n"));
  EXPECT_THAT(ReadFile("/proc/" + std::to_string(init) + "/cgroup"), HasSubstr("0::" + cgroup_ + "\n"));
  RunResult del = test::Run(OnV2(Argv({"delete", "--force", id_})));
  EXPECT_EQ(del.status, 0) << del.err;
  EXPECT_FALSE(Exists(unified + cgroup_));
}

// A pod: an app container that joined the sandbox's ipc, uts, net and pid namespaces by path; an
// exec into the app is in those (the app's init's), and in the app's own mount namespace.
TEST_F(ExecTest, ExecIntoAContainerThatJoinedNamespacesByPath) {
  Bundle sandbox;
  Start(sandbox);
  const std::string app_id = UniqueId("exec-app");
  Bundle app({"sleep", "1000"});
  nlohmann::json namespaces = nlohmann::json::array();
  for (const char* type : {"ipc", "uts", "network", "pid"}) {
    const std::string file = std::string(type) == "network" ? "net" : type;
    namespaces.push_back({{"type", type}, {"path", "/proc/" + std::to_string(init_) + "/ns/" + file}});
  }
  namespaces.push_back({{"type", "mount"}});
  app.config()["linux"]["namespaces"] = namespaces;
  app.config()["linux"]["cgroupsPath"] = cgroup_ + "-app";
  app.Write();
  const std::string err = root_.path() + "/app.err";
  pid_t p = SpawnToFiles(Argv({"run", "-d", "--bundle", app.path(), app_id}), "/dev/null", err);
  ASSERT_EQ(WaitFor(p, 60000), 0) << ReadFile(err);
  const std::string pid_file = root_.path() + "/app-exec.pid";
  p = SpawnToFiles(Argv({"exec", "-d", "--pid-file", pid_file, app_id, "sleep", "1000"}), "/dev/null", err);
  EXPECT_EQ(WaitFor(p, 10000), 0) << ReadFile(err);
  const std::string pid = std::to_string(std::atoi(ReadFile(pid_file).c_str()));
  for (const char* ns : {"ipc", "uts", "net", "pid"}) {
    EXPECT_EQ(Link("/proc/" + pid + "/ns/" + ns), Link("/proc/" + std::to_string(init_) + "/ns/" + ns)) << ns;
  }
  EXPECT_NE(Link("/proc/" + pid + "/ns/mnt"), Link("/proc/" + std::to_string(init_) + "/ns/mnt"));
  // From inside the shared pid namespace: sandbox init, app init, this sleep and the sh below.
  RunResult r = Runc({"exec", app_id, "sh", "-c", "set -- /proc/[0-9]*; echo $#"});
  EXPECT_EQ(r.out, "4\n");
  EXPECT_EQ(Runc({"delete", "--force", app_id}).status, 0);
}

TEST_F(ExecTest, DebugTraceIsThePlan) {
  Bundle b;
  b.config()["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"}};
  Start(b);
  const std::string file = root_.path() + "/p.json";
  WriteText(file, R"({"args": ["true"], "cwd": "/tmp", "env": ["PATH=/bin"], "noNewPrivileges": true,
                      "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512}]})");
  RunResult plan = Runc({"plan", "--exec", file, id_});
  ASSERT_EQ(plan.status, 0) << plan.err;
  std::vector<std::string> expected;
  std::istringstream in(plan.out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string phase, index, kind;
    words >> phase >> index >> kind;
    expected.push_back("runc: debug: step " + index + " " + kind);
  }
  ASSERT_GT(expected.size(), 8u) << plan.out;
  RunResult r = Runc({"--debug", "exec", "--process", file, id_});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> trace;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);) {
    if (line.rfind("runc: debug: step ", 0) == 0) trace.push_back(line);
  }
  EXPECT_EQ(trace, expected) << r.err;
}

TEST_F(ExecTest, FailureAtEveryStepLeavesNothingBehind) {
  if (std::string(RUNC_FAULTY_BINARY).empty()) GTEST_SKIP() << "no runc-faulty";
  Bundle b;
  Start(b);
  const std::string file = root_.path() + "/p.json";
  WriteText(file, R"({"args": ["sleep", "1000"], "cwd": "/", "env": ["PATH=/bin"]})");
  RunResult plan = Runc({"plan", "--format", "json", "--exec", file, id_});
  ASSERT_EQ(plan.status, 0) << plan.err;
  auto steps = nlohmann::json::parse(plan.out)["steps"];
  ASSERT_GT(steps.size(), 5u);
  for (const auto& step : steps) {
    const int index = step["index"].get<int>();
    SCOPED_TRACE("RUNC_FAIL_AT_STEP=" + std::to_string(index));
    RunOptions opts;
    opts.env["RUNC_FAIL_AT_STEP"] = std::to_string(index);
    RunResult r = test::Run({RUNC_FAULTY_BINARY, "--root", root_.path(), "exec", "--process", file, id_}, opts);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "runc: step " + std::to_string(index) + " " + step["kind"].get<std::string>() + " (" +
                         step["origin"].get<std::string>() + "): injected fault: Input/output error\n");
    EXPECT_EQ(CgroupPids(), std::set<int>{init_}) << "a process was left behind";
  }
}

}  // namespace
}  // namespace runc::test
