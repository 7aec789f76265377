// create/run behaviour from issues 9 and 11, against real containers, looked at from inside: the
// program looked up before the start wait (create fails on a missing one), a terminal without a
// console socket refused for a detached container, --preserve-fds, the session keyring
// (--no-new-keyring), --no-subreaper, NOTIFY_SOCKET, the caller's stdio left alone by a
// foreground run, and HOME and the ambient set being what the plan prints. Runs as root; every
// test uses its own --root, container ids and cgroup paths.
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <regex>
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

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Every cgroup directory named `inner` in any hierarchy of this host.
std::vector<std::string> CgroupDirs(const std::string& inner) {
  std::vector<std::string> out;
  for (const std::string& pattern : {"/sys/fs/cgroup" + inner, "/sys/fs/cgroup/*" + inner}) {
    glob_t g{};
    if (glob(pattern.c_str(), GLOB_ONLYDIR, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The plan line of the first step of `kind` ("" when none).
std::string PlanLine(const std::string& plan, const std::string& kind) {
  const std::regex re("^\\w+ +[0-9]+  " + kind + " +.*");
  for (const auto& line : Lines(plan)) {
    if (std::regex_match(line, re)) return line;
  }
  return "";
}

int StepIndex(const std::string& line) {
  std::istringstream in(line);
  std::string phase;
  int index = 0;
  in >> phase >> index;
  return index;
}

std::string Sh(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += "'" + w + "'";
  }
  return out;
}

class CreateFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root";
    // A private copy of the mount namespace: the table compared in TearDown is the runtime's
    // alone (a leak of its lands there; other tests' mounts on the host do not).
    ASSERT_EQ(EnterPrivateMountNamespace(), "");
    host_mounts_ = ReadFile("/proc/self/mountinfo");
  }
  void TearDown() override {
    if (!IsRoot()) return;
    for (const auto& id : created_) Runc(root(), {"delete", "--force", id});
    EXPECT_EQ(ReadFile("/proc/self/mountinfo"), host_mounts_) << "a mount leaked into the runtime's mount namespace";
    for (const auto& cg : cgroups_) EXPECT_THAT(CgroupDirs(cg), ::testing::IsEmpty()) << cg;
  }

  const std::string& root() const { return root_.path(); }

  // A unique id and cgroup path for `b`, written; the container is force-deleted at the end.
  std::string Prepare(Bundle& b, const std::vector<std::string>& args) {
    const std::string id = UniqueId("cf");
    b.config()["process"]["args"] = args;
    b.config()["linux"]["cgroupsPath"] = "/" + id;
    b.Write();
    created_.push_back(id);
    cgroups_.push_back("/" + id);
    return id;
  }

  // `runc ARGS` through sh, with stdin /dev/null and stdout/stderr to files (a detached container
  // keeps its stdio: a pipe would never see end of file). `extra` is appended to the command line
  // as written (redirections).
  RunResult Detached(const std::vector<std::string>& args, const std::string& extra = "",
                     const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> argv = {RUNC_BINARY, "--root", root()};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions o;
    o.env = env;
    const std::string out = out_.path() + "/out", err = out_.path() + "/err";
    RunResult r = test::Run({"/bin/sh", "-c", "exec " + Sh(argv) + " </dev/null >" + out + " 2>" + err + " " + extra}, o);
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  TempDir root_{"runc-cf-root"};
  TempDir out_{"runc-cf-out"};
  std::vector<std::string> created_, cgroups_;
  std::string host_mounts_;
};

// ---- 1. the program is found before the start wait ------------------------------------------------

// Issues 9 and 11 item 4: the PATH lookup ran after the start wait, so `create` of a missing
// program succeeded and the container stopped at `start`. Now create fails naming the file, exit
// 1, and leaves no state dir, cgroup or process.
TEST_F(CreateFlagsTest, CreateOfAMissingProgramFails) {
  Bundle b;
  const std::string id = Prepare(b, {"no-such-program", "arg"});
  RunResult r = Detached({"create", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_THAT(r.err, ::testing::MatchesRegex(
                         "runc: step [0-9]+ exec\\.lookup \\(/process/args\\): exec: \"no-such-program\": "
                         "executable file not found in \\$PATH: No such file or directory\n"));
  EXPECT_FALSE(Exists(root() + "/" + id));
  EXPECT_THAT(CgroupDirs("/" + id), ::testing::IsEmpty());
}

TEST_F(CreateFlagsTest, CreateOfAMissingAbsoluteProgramFails) {
  Bundle b;
  const std::string id = Prepare(b, {"/bin/no-such-program"});
  RunResult r = Detached({"create", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_THAT(r.err, ::testing::MatchesRegex("runc: step [0-9]+ exec\\.lookup \\(/process/args\\): exec: "
                                             "\"/bin/no-such-program\": stat /bin/no-such-program: No such file "
                                             "or directory\n"));
  EXPECT_FALSE(Exists(root() + "/" + id));
  // A directory is no program either.
  Bundle d;
  const std::string id2 = Prepare(d, {"/etc"});
  r = Detached({"create", "--bundle", d.path(), id2});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("exec.lookup (/process/args): exec /etc: Is a directory"));
  EXPECT_FALSE(Exists(root() + "/" + id2));
}

// The lookup is a step of its own before wait_start, and execve runs what it found ($N).
TEST_F(CreateFlagsTest, PlanLooksTheProgramUpBeforeTheStartWait) {
  Bundle b;
  Prepare(b, {"sh", "-c", "true"});
  RunResult p = Runc(root(), {"plan", "--bundle", b.path()});
  ASSERT_EQ(p.status, 0) << p.err;
  const std::string lookup = PlanLine(p.out, "exec\\.lookup"), wait = PlanLine(p.out, "wait_start"),
                    exec = PlanLine(p.out, "execve");
  ASSERT_NE(lookup, "") << p.out;
  EXPECT_THAT(lookup, HasSubstr("sh in PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
  EXPECT_LT(StepIndex(lookup), StepIndex(wait));
  EXPECT_THAT(exec, HasSubstr("$" + std::to_string(StepIndex(lookup)) + " [sh -c true]"));
  // And a present program still runs, through create and start.
  Bundle ok;
  const std::string id = Prepare(ok, {"sh", "-c", "echo ran"});
  RunResult c = Detached({"create", "--bundle", ok.path(), id});
  ASSERT_EQ(c.status, 0) << c.err;
  RunResult s = Runc(root(), {"start", id});
  EXPECT_EQ(s.status, 0) << s.err;
  for (int i = 0; i < 200 && ReadFile(out_.path() + "/out").empty(); ++i) usleep(20000);
  EXPECT_EQ(ReadFile(out_.path() + "/out"), "ran\n");
}

// ---- 2. a terminal nobody would hold --------------------------------------------------------------

TEST_F(CreateFlagsTest, RunDetachedWithTerminalAndNoConsoleSocketIsRefused) {
  Bundle b;
  b.config()["process"]["terminal"] = true;
  const std::string id = Prepare(b, {"sh"});
  RunResult r = Detached({"run", "-d", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: cannot allocate tty if runc will detach without setting console socket\n");
  EXPECT_FALSE(Exists(root() + "/" + id));
  EXPECT_THAT(CgroupDirs("/" + id), ::testing::IsEmpty());
}

// ---- 3. --preserve-fds, the session keyring, --no-subreaper ---------------------------------------

// fds 3..3+N-1 reach the container process; the next one, open in the caller too, does not.
TEST_F(CreateFlagsTest, PreserveFdsPassesExactlyTheFirstN) {
  Bundle b;
  const std::string one = out_.path() + "/one", two = out_.path() + "/two";
  int fd = open(one.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "first\n", 6), 6);
  close(fd);
  fd = open(two.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  close(fd);
  const std::string script =
      "cat <&3; for f in 3 4 5 6 7 8 9 10 11 12; do [ -e /proc/self/fd/$f ] && echo fd$f; done; true";
  const std::string id = Prepare(b, {"sh", "-c", script});
  std::vector<std::string> argv = {RUNC_BINARY, "--root", root(), "run", "--preserve-fds", "1", "--bundle", b.path(), id};
  RunResult r = test::Run({"/bin/sh", "-c", "exec " + Sh(argv) + " 3<" + one + " 4<" + two});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "first\nfd3\n");

  // Without the flag the caller's fd 3 stays outside too.
  Bundle b2;
  const std::string id2 = Prepare(b2, {"sh", "-c", "for f in 3 4 5 6 7 8 9 10; do [ -e /proc/self/fd/$f ] && echo fd$f; done; true"});
  argv = {RUNC_BINARY, "--root", root(), "run", "--bundle", b2.path(), id2};
  r = test::Run({"/bin/sh", "-c", "exec " + Sh(argv) + " 3<" + one});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

// The fields of the /proc/keys line of the keyring `name` ({} when there is none).
std::vector<std::string> KeyLine(const std::string& proc_keys, const std::string& name) {
  for (const auto& line : Lines(proc_keys)) {
    std::istringstream in(line);
    std::vector<std::string> f;
    for (std::string w; in >> w;) f.push_back(w);
    // serial flags usage expiry perm uid gid type description: summary
    if (f.size() >= 9 && f[7] == "keyring" && f[8] == name + ":") return f;
  }
  return {};
}

// runc's standard init: a new session keyring "_ses.<id>", searchable by its owner. From inside
// (/proc/keys: the default spec masks it, so this config does not).
TEST_F(CreateFlagsTest, NewSessionKeyringIsJoinedAsAPlanStep) {
  Bundle b;
  b.config()["linux"].erase("maskedPaths");
  const std::string id = Prepare(b, {"cat", "/proc/keys"});
  RunResult p = Runc(root(), {"plan", "--id", id, "--bundle", b.path()});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_THAT(PlanLine(p.out, "keyring"), HasSubstr("keyring        _ses." + id + " perm+=0x80000"));
  RunResult r = Runc(root(), {"run", "--bundle", b.path(), id});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto key = KeyLine(r.out, "_ses." + id);
  ASSERT_FALSE(key.empty()) << r.out;
  // KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_LINK as the kernel makes it, plus
  // KEY_USR_SEARCH from the step.
  EXPECT_EQ(key[4], "3f1b0000");
  EXPECT_EQ(key[5], "0");

  Bundle b2;
  b2.config()["linux"].erase("maskedPaths");
  const std::string id2 = Prepare(b2, {"cat", "/proc/keys"});
  p = Runc(root(), {"plan", "--no-new-keyring", "--bundle", b2.path()});
  EXPECT_EQ(PlanLine(p.out, "keyring"), "");
  r = Runc(root(), {"run", "--no-new-keyring", "--bundle", b2.path(), id2});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(KeyLine(r.out, "_ses." + id2).empty()) << r.out;
}

// Without a pid namespace an orphan of the container is reparented to the nearest subreaper: run
// (its parent) by default, someone else with --no-subreaper.
TEST_F(CreateFlagsTest, NoSubreaperLeavesOrphansToOthers) {
  auto orphan_parent = [&](bool no_subreaper) {
    Bundle b;
    auto& ns = b.config()["linux"]["namespaces"];
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& n : ns) {
      if (n["type"] != "pid") kept.push_back(n);
    }
    ns = kept;
    const std::string script =
        "p=$(sh -c 'sleep 30 >/dev/null 2>&1 & echo $!'); sleep 0.5; "
        "pp=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status); kill $p; "
        "if [ \"$pp\" = \"$PPID\" ]; then echo run; else echo other; fi";
    const std::string id = Prepare(b, {"sh", "-c", script});
    std::vector<std::string> args = {"run"};
    if (no_subreaper) args.push_back("--no-subreaper");
    args.insert(args.end(), {"--bundle", b.path(), id});
    RunResult r = Runc(root(), args);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(orphan_parent(false), "run\n");
  EXPECT_EQ(orphan_parent(true), "other\n");
}

// ---- 4. NOTIFY_SOCKET -------------------------------------------------------------------------------

// podman --sdnotify=container: the directory of the runtime's notify socket is bound at
// /run/notify (runc's place), NOTIFY_SOCKET names the socket there, and `start` relays READY=1
// (with the rest of the message, and MAINPID= the init's host pid) to the caller's socket.
TEST_F(CreateFlagsTest, NotifySocketIsBoundInAndReadyIsRelayed) {
  TempDir host_dir("runc-cf-notify");
  const std::string host_sock = host_dir.path() + "/notify.sock";
  int host = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(host, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, host_sock.c_str());
  ASSERT_EQ(bind(host, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  Bundle b;
  // What the container says with sd_notify (a static sender: busybox has none). A STATUS= alone is
  // not relayed; the READY= datagram is, without the container's own MAINPID=.
  std::filesystem::copy_file(SD_NOTIFY_HELPER, b.rootfs() + "/bin/sd_notify");
  const std::string id = Prepare(b, {"sh", "-c",
                                     "echo $NOTIFY_SOCKET; [ -S $NOTIFY_SOCKET ] && echo socket; "
                                     "grep -c \" $(dirname $NOTIFY_SOCKET) \" /proc/self/mountinfo; "
                                     "sd_notify STATUS=starting && sd_notify 'READY=1\\nSTATUS=up\\nMAINPID=1' && "
                                     "echo sent; sleep 100"});
  const std::map<std::string, std::string> env = {{"NOTIFY_SOCKET", host_sock}};
  RunOptions po;
  po.env = env;
  RunResult p = Runc(root(), {"plan", "--id", id, "--bundle", b.path()}, po);
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_THAT(PlanLine(p.out, "notify\\.dir"),
              HasSubstr(root() + "/" + id + "/notify relay to " + host_sock));
  EXPECT_THAT(p.out, HasSubstr(root() + "/" + id + "/notify on /run/notify type bind"));
  EXPECT_THAT(PlanLine(p.out, "execve"), HasSubstr("NOTIFY_SOCKET=/run/notify/notify.sock "));

  RunResult c = Detached({"create", "--bundle", b.path(), id}, "", env);
  ASSERT_EQ(c.status, 0) << c.err;
  RunResult st = Runc(root(), {"state", id});
  const int pid = nlohmann::json::parse(st.out).value("pid", 0);
  ASSERT_GT(pid, 0);
  // start returns once the container said READY= (or its init is gone).
  RunResult s = Runc(root(), {"start", id});
  EXPECT_EQ(s.status, 0) << s.err;
  pollfd pfd{host, POLLIN, 0};
  ASSERT_EQ(poll(&pfd, 1, 10000), 1);
  char buf[512] = {};
  ssize_t n = recv(host, buf, sizeof buf - 1, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "READY=1\nSTATUS=up\nMAINPID=" + std::to_string(pid) + "\n");
  for (int i = 0; i < 250 && Lines(ReadFile(out_.path() + "/out")).size() < 4; ++i) usleep(20000);
  EXPECT_EQ(ReadFile(out_.path() + "/out"), "/run/notify/notify.sock\nsocket\n1\nsent\n");
  close(host);
  EXPECT_EQ(Runc(root(), {"delete", "--force", id}).status, 0);
}

// ---- 5. the caller's stdio ----------------------------------------------------------------------------

// Issue 11 item 1: the user step fchown'ed fds 1 and 2 to the container user, so a foreground run
// handed the caller's stdout file to uid 1000. runc passes it through untouched; only a detached
// container's stdio is given to the user (owner only, as a plan step).
TEST_F(CreateFlagsTest, ForegroundRunLeavesTheCallersStdoutFileAlone) {
  const std::string file = out_.path() + "/caller-stdout";
  int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fchown(fd, 0, 0), 0);
  close(fd);
  Bundle b;
  b.config()["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  const std::string id = Prepare(b, {"id", "-u"});
  std::vector<std::string> argv = {RUNC_BINARY, "--root", root(), "run", "--bundle", b.path(), id};
  RunResult r = test::Run({"/bin/sh", "-c", "exec " + Sh(argv) + " >>" + file});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ReadFile(file), "1000\n");
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_gid, 0u);
}

TEST_F(CreateFlagsTest, DetachedContainerGetsItsStdioOwnerAsAPlanStep) {
  Bundle b;
  b.config()["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  const std::string id = Prepare(b, {"sleep", "100"});
  RunResult p = Runc(root(), {"plan", "--bundle", b.path()});
  EXPECT_THAT(PlanLine(p.out, "stdio\\.chown"), HasSubstr("0,1,2 uid=1000"));
  RunResult r = Detached({"run", "-d", "--bundle", b.path(), id});
  ASSERT_EQ(r.status, 0) << r.err;
  struct stat st;
  ASSERT_EQ(stat((out_.path() + "/out").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);  // the user can reopen it
  EXPECT_EQ(st.st_gid, 0u);     // the group is kept, as runc does
  struct stat null;
  ASSERT_EQ(stat("/dev/null", &null), 0);
  EXPECT_EQ(null.st_uid, 0u);  // stdin was /dev/null: left alone
}

// ---- 6. HOME and the ambient set ---------------------------------------------------------------------

std::string CapAmb(const std::string& status) {
  for (const auto& line : Lines(status)) {
    if (line.rfind("CapAmb:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 7));
  }
  return "?";
}

// The ambient mask the plan's caps step says the process gets, as /proc/PID/status prints it.
std::string PlannedAmbient(const std::string& plan) {
  std::smatch m;
  const std::string caps = PlanLine(plan, "caps");
  if (!std::regex_search(caps, m, std::regex(" ambient=([A-Z_,a-z]+)"))) return "?";
  const std::map<std::string, int> numbers = {{"KILL", 5}, {"NET_BIND_SERVICE", 10}, {"AUDIT_WRITE", 29}, {"CHOWN", 0}};
  uint64_t mask = 0;
  if (m[1] != "none") {
    std::istringstream in(m[1]);
    for (std::string name; std::getline(in, name, ',');) {
      auto it = numbers.find(name);
      if (it == numbers.end()) return "unknown " + name;
      mask |= uint64_t{1} << it->second;
    }
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mask));
  return buf;
}

// Issue 11 item 2: the plan listed PATH and TERM while the process also got HOME; and it said
// ambient=KILL,NET_BIND_SERVICE,AUDIT_WRITE while the kernel grants none of them (not inheritable).
TEST_F(CreateFlagsTest, EnvAndAmbientSetAreWhatThePlanSays) {
  for (bool inheritable : {false, true}) {
    SCOPED_TRACE(inheritable ? "KILL inheritable" : "default caps");
    Bundle b;
    if (inheritable) b.config()["process"]["capabilities"]["inheritable"] = {"CAP_KILL"};
    const std::string id = Prepare(b, {"sh", "-c", "env | sort; grep CapAmb /proc/self/status"});
    RunResult p = Runc(root(), {"plan", "--bundle", b.path()});
    ASSERT_EQ(p.status, 0) << p.err;
    const std::string home = PlanLine(p.out, "env\\.home");
    EXPECT_THAT(home, HasSubstr("HOME of uid=0 in /etc/passwd"));
    const std::string exec = PlanLine(p.out, "execve");
    EXPECT_THAT(exec, HasSubstr("env=[PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=xterm "
                                "HOME=$" + std::to_string(StepIndex(home)) + "]"));
    const std::string caps = PlanLine(p.out, "caps");
    if (inheritable) {
      EXPECT_THAT(caps, HasSubstr(" ambient=KILL ambient_not_granted=NET_BIND_SERVICE,AUDIT_WRITE"));
    } else {
      EXPECT_THAT(caps, HasSubstr(" ambient=none ambient_not_granted=KILL,NET_BIND_SERVICE,AUDIT_WRITE"));
    }
    RunResult r = Runc(root(), {"run", "--bundle", b.path(), id});
    ASSERT_EQ(r.status, 0) << r.err;
    std::vector<std::string> env;
    std::string amb = "?";
    for (const auto& line : Lines(r.out)) {
      if (line.rfind("CapAmb:", 0) == 0) {
        amb = CapAmb(line);
      } else if (line.rfind("PWD=", 0) != 0 && line.rfind("SHLVL=", 0) != 0) {
        env.push_back(line);  // sh adds PWD and SHLVL itself
      }
    }
    EXPECT_EQ(env, (std::vector<std::string>{"HOME=/root", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                             "TERM=xterm"}));
    EXPECT_EQ(amb, PlannedAmbient(p.out));
  }
}

// HOME from the config is the config's: no env.home step, and the process has it.
TEST_F(CreateFlagsTest, HomeFromTheConfigNeedsNoLookup) {
  Bundle b;
  b.config()["process"]["env"].push_back("HOME=/srv");
  const std::string id = Prepare(b, {"sh", "-c", "echo $HOME"});
  RunResult p = Runc(root(), {"plan", "--bundle", b.path()});
  EXPECT_EQ(PlanLine(p.out, "env\\.home"), "");
  EXPECT_THAT(PlanLine(p.out, "execve"), HasSubstr("HOME=/srv]"));
  RunResult r = Runc(root(), {"run", "--bundle", b.path(), id});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "/srv\n");
}

}  // namespace
}  // namespace runc::test
