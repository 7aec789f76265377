// A default-deny seccomp profile that allows only what busybox `sh`, `ls` and `cat` need (and
// nothing the init uses to set the container up): the filter must be the last thing the init
// loads, with noNewPrivileges true and false, so that after it only execve runs. With the filter
// loaded earlier the init fails on its own next syscall (`step N cwd (/process/cwd): chdir /:
// Operation not permitted`).
#include <dirent.h>
#include <sys/stat.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;

// What busybox (static, glibc) calls for `sh -c 'ls /; cat /etc/passwd'`, found with strace; prctl
// only for the applet's own PR_GET_NAME / PR_SET_NAME. The highest number named is rseq's (334 on
// x86_64), so clone3, close_range, openat2 and faccessat2 are newer than the profile.
nlohmann::json BusyboxProfile() {
  return nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [
      {"names": ["read", "write", "openat", "close", "newfstatat", "fstat", "lseek", "getdents64",
                 "ioctl", "execve", "brk", "mmap", "munmap", "mprotect", "arch_prctl",
                 "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getrandom", "getuid",
                 "geteuid", "getgid", "getegid", "getpid", "getppid", "uname", "rt_sigaction",
                 "rt_sigprocmask", "rt_sigreturn", "clone", "fork", "vfork", "wait4", "exit",
                 "exit_group", "readlink", "sendfile", "dup2", "fcntl", "getcwd"],
       "action": "SCMP_ACT_ALLOW"},
      {"names": ["prctl"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 15, "op": "SCMP_CMP_EQ"}]},
      {"names": ["prctl"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}]}
    ]
  })");
}

// `ls /` of a busybox rootfs: its top-level entries, sorted, one a line.
std::string ListRoot(const std::string& rootfs) {
  std::vector<std::string> names;
  DIR* d = opendir(rootfs.c_str());
  if (d == nullptr) return "";
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += n + "\n";
  return out;
}

// The value of "Field:\t..." in a /proc/PID/status text.
std::string StatusField(const std::string& status, const std::string& field) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":\t", 0) == 0) return line.substr(field.size() + 2);
  }
  return "(no " + field + ")";
}

class SeccompStrictTest : public ::testing::Test {
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
    EXPECT_EQ(ReadFile("/proc/self/mountinfo"), host_mounts_) << "a mount leaked into the runtime's mount namespace";
  }

  RunResult RunStrict(Bundle& bundle, bool no_new_privileges, const std::string& script) {
    bundle.config()["process"]["args"] = {"sh", "-c", script};
    bundle.config()["process"]["noNewPrivileges"] = no_new_privileges;
    bundle.config()["linux"]["seccomp"] = BusyboxProfile();
    bundle.config()["linux"]["cgroupsPath"] = "/" + UniqueId("h5strict");
    bundle.Write();
    return Runc(root_.path(), {"run", "--bundle", bundle.path(), UniqueId("strict")});
  }

  TempDir root_{"runc-h5-strict-root"};
  std::string host_mounts_;
};

TEST_F(SeccompStrictTest, BusyboxRunsWithNoNewPrivileges) {
  Bundle bundle;
  RunResult r = RunStrict(bundle, true, "ls /; cat /etc/passwd");
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(r.out, ListRoot(bundle.rootfs()) + ReadFile(bundle.rootfs() + "/etc/passwd"));
}

TEST_F(SeccompStrictTest, BusyboxRunsWithoutNoNewPrivileges) {
  Bundle bundle;
  RunResult r = RunStrict(bundle, false, "ls /; cat /etc/passwd");
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(r.out, ListRoot(bundle.rootfs()) + ReadFile(bundle.rootfs() + "/etc/passwd"));
}

// Without no_new_privs loading the filter needs CAP_SYS_ADMIN, which the container's sets do not
// have: the init holds it until execve, and execve computes the process's sets from the bounding,
// inheritable and ambient sets alone. The container process must see exactly the configured sets,
// the filter on and no_new_privs off; and what the profile denies is denied with EPERM.
TEST_F(SeccompStrictTest, WithoutNoNewPrivilegesTheContainerGetsItsOwnCapabilities) {
  struct Case {
    int uid;
    std::string caps;  // CapEff and CapPrm
  };
  // AUDIT_WRITE (29), KILL (5), NET_BIND_SERVICE (10); a non-root user keeps none of them
  // across execve (no ambient set: there are no inheritable capabilities to raise it from).
  for (const Case& c : {Case{0, "0000000020000420"}, Case{1000, "0000000000000000"}}) {
    SCOPED_TRACE("uid " + std::to_string(c.uid));
    Bundle bundle;
    bundle.config()["process"]["user"] = {{"uid", c.uid}, {"gid", c.uid}};
    RunResult r = RunStrict(bundle, false, "cat /proc/self/status; mkdir /dev/shm/x");
    EXPECT_EQ(r.status, 1) << r.err << r.out;
    EXPECT_EQ(r.err, "mkdir: can't create directory '/dev/shm/x': Operation not permitted\n");
    EXPECT_EQ(StatusField(r.out, "CapEff"), c.caps);
    EXPECT_EQ(StatusField(r.out, "CapPrm"), c.caps);
    EXPECT_EQ(StatusField(r.out, "CapBnd"), "0000000020000420");
    EXPECT_EQ(StatusField(r.out, "CapAmb"), "0000000000000000");
    EXPECT_EQ(StatusField(r.out, "NoNewPrivs"), "0");
    EXPECT_EQ(StatusField(r.out, "Seccomp"), "2");
    EXPECT_EQ(StatusField(r.out, "Uid"), [&] {
      std::string u = std::to_string(c.uid);
      return u + "\t" + u + "\t" + u + "\t" + u;
    }());
  }
}

// create and start apart: the init waits for `start` and runs the startContainer hook before it
// loads the filter (the hook may do what the container may not: mkdir), and `start` returns once
// the init is past its last step but execve.
TEST_F(SeccompStrictTest, CreateStartWithAStartContainerHook) {
  for (bool nnp : {true, false}) {
    SCOPED_TRACE(nnp ? "noNewPrivileges" : "no noNewPrivileges");
    Bundle bundle;
    TempDir io("runc-h5-strict-io");
    bundle.config()["process"]["args"] = {"sh", "-c", "ls /dev/shm; mkdir /dev/shm/ctr 2>&1; cat /etc/hostname"};
    bundle.config()["process"]["noNewPrivileges"] = nnp;
    bundle.config()["linux"]["seccomp"] = BusyboxProfile();
    bundle.config()["linux"]["cgroupsPath"] = "/" + UniqueId("h5strict");
    bundle.config()["hooks"]["startContainer"] = {
        {{"path", "/bin/sh"}, {"args", {"sh", "-c", "mkdir /dev/shm/from-hook"}}}};
    bundle.Write();
    const std::string id = UniqueId("strict");
    const std::string out = io.path() + "/out";
    RunResult c = test::Run({"/bin/sh", "-c",
                       std::string(RUNC_BINARY) + " --root " + root_.path() + " create --bundle " + bundle.path() +
                           " " + id + " </dev/null >" + out + " 2>&1"});
    ASSERT_EQ(c.status, 0) << ReadFile(out);
    RunResult st = Runc(root_.path(), {"state", id});
    ASSERT_EQ(st.status, 0) << st.err;
    EXPECT_EQ(nlohmann::json::parse(st.out)["status"], "created");
    RunResult s = Runc(root_.path(), {"start", id});
    EXPECT_EQ(s.status, 0) << s.err;
    const std::string expected =
        "from-hook\nmkdir: can't create directory '/dev/shm/ctr': Operation not permitted\nbusybox\n";
    for (int i = 0; i < 250 && ReadFile(out).size() < expected.size(); ++i) usleep(20000);
    EXPECT_EQ(ReadFile(out), expected);
    EXPECT_EQ(Runc(root_.path(), {"delete", "--force", id}).status, 0);
  }
}

// A profile that denies write(2): after the filter the init cannot write the report of a failed
// execve into the exec fifo, so it stores it in the report page the runtime mapped for it
// (exec.report in the state dir) and `start` (here `run`'s, and a `start` after `create`) reads it
// there. Until 2026-12-07 the report was lost: `run` exited 126 with nothing on stderr
// (Expected: r.err matches "runc: step N execve ...", actual: "") and `start` succeeded.
TEST_F(SeccompStrictTest, ExecveErrorIsReportedWhenTheProfileDeniesWrite) {
  const nlohmann::json deny_write = nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["write", "writev", "pwrite64"], "action": "SCMP_ACT_ERRNO"}]
  })");
  for (bool nnp : {true, false}) {
    SCOPED_TRACE(nnp ? "noNewPrivileges" : "no noNewPrivileges");
    Bundle bundle;
    // An executable file that is no program: exec.lookup (before the start wait) accepts it,
    // execve (after the filter) fails with ENOEXEC.
    std::ofstream(bundle.rootfs() + "/notexec") << "not a program\n";
    chmod((bundle.rootfs() + "/notexec").c_str(), 0755);
    bundle.config()["process"]["args"] = {"/notexec"};
    bundle.config()["process"]["noNewPrivileges"] = nnp;
    bundle.config()["linux"]["seccomp"] = deny_write;
    bundle.config()["linux"]["cgroupsPath"] = "/" + UniqueId("h5strict");
    bundle.Write();
    RunResult r = Runc(root_.path(), {"run", "--bundle", bundle.path(), UniqueId("strict")});
    EXPECT_EQ(r.status, 1);
    EXPECT_THAT(r.err, ::testing::MatchesRegex("runc: step [0-9]+ execve \\(/process/args\\): exec /notexec: Exec "
                                               "format error\n"));

    // create, then the program goes away, then start: execve fails with ENOENT.
    std::ofstream(bundle.rootfs() + "/gone") << "#!/bin/sh\n";
    chmod((bundle.rootfs() + "/gone").c_str(), 0755);
    bundle.config()["process"]["args"] = {"/gone"};
    bundle.Write();
    const std::string id = UniqueId("strict");
    RunResult c = test::Run({"/bin/sh", "-c",
                             std::string(RUNC_BINARY) + " --root " + root_.path() + " create --bundle " +
                                 bundle.path() + " " + id + " </dev/null >/dev/null 2>&1"});
    ASSERT_EQ(c.status, 0);
    ASSERT_EQ(unlink((bundle.rootfs() + "/gone").c_str()), 0);
    RunResult s = Runc(root_.path(), {"start", id});
    EXPECT_EQ(s.status, 1);
    EXPECT_THAT(s.err, ::testing::MatchesRegex("runc: step [0-9]+ execve \\(/process/args\\): exec /gone: No such "
                                               "file or directory\n"));
    EXPECT_EQ(Runc(root_.path(), {"delete", "--force", id}).status, 0);
  }
}

// The same for `runc exec`, whose process reports over the sync socket (sendmsg): with a profile
// that denies sendmsg and write the runtime (its parent) finds the report in a page of anonymous
// memory it shares with it. Until 2026-12-07 such an exec exited 127 without a word:
//   Expected equality of these values: missing.status  Which is: 127  1
TEST_F(SeccompStrictTest, ExecExecveErrorIsReportedWhenTheProfileDeniesSend) {
  Bundle bundle;
  bundle.config()["process"]["args"] = {"sleep", "1000"};
  bundle.config()["linux"]["seccomp"] = nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["sendmsg", "sendto", "write", "writev"], "action": "SCMP_ACT_ERRNO"}]
  })");
  bundle.config()["linux"]["cgroupsPath"] = "/" + UniqueId("h5strict");
  bundle.Write();
  const std::string id = UniqueId("strict");
  RunResult c = test::Run({"/bin/sh", "-c",
                           std::string(RUNC_BINARY) + " --root " + root_.path() + " run -d --bundle " + bundle.path() +
                               " " + id + " </dev/null >/dev/null 2>&1"});
  ASSERT_EQ(c.status, 0);
  RunResult missing = Runc(root_.path(), {"exec", id, "/nonexistent"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.err, ::testing::MatchesRegex("runc: step [0-9]+ execve \\(cli\\): exec /nonexistent: No such "
                                                   "file or directory\n"));
  RunResult ok = Runc(root_.path(), {"exec", id, "/bin/sh", "-c", "exit 3"});
  EXPECT_EQ(ok.status, 3) << ok.err;
  EXPECT_EQ(ok.err, "");
  EXPECT_EQ(Runc(root_.path(), {"delete", "--force", id}).status, 0);
}

}  // namespace
}  // namespace runc::test
