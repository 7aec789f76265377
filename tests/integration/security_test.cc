// The rules of the init side (docs: architecture.md, "Rules of the init side") against real
// containers: no host fd reaches the container (CVE-2024-21626: process.args[0], PATH and cwd
// through /proc/self/fd/N), the init is not dumpable (a pid-namespace sibling cannot walk
// /proc/1/fd into the host), procfs writes and the masks' /dev/null are checked to be the real
// thing (CVE-2025-31133, CVE-2025-52881), and a read-only root still gets a missing cwd. Runs as
// root; every test uses its own --root, ids and cgroups, and removes what it made.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
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
using ::testing::Not;

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

void WriteText(const std::string& path, const std::string& text, mode_t mode = 0644) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << path << ": " << strerror(errno);
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
}

// `runc create` with stdio on files: the created init keeps our stdio, so a pipe would never see
// end of file.
int CreateToFiles(const std::string& root, const std::string& bundle, const std::string& id,
                  const std::string& out_dir) {
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open((out_dir + "/out").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = open((out_dir + "/err").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execl(RUNC_BINARY, RUNC_BINARY, "--root", root.c_str(), "create", "--bundle", bundle.c_str(), id.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// "../" enough times to climb from any directory the runtime could have opened to "/".
std::string Climb() {
  std::string out;
  for (int i = 0; i < 16; ++i) out += "../";
  return out;
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root";
  }
  void TearDown() override {
    for (const auto& id : ids_) Runc(root(), {"delete", "--force", id});
  }
  std::string NewId(Bundle& bundle, const std::string& suffix = "c") {
    std::string id = UniqueId(suffix);
    ids_.push_back(id);
    bundle.config()["linux"]["cgroupsPath"] = "/runc-test-" + id;
    bundle.Write();
    return id;
  }
  // A host directory the container must never reach, with a static busybox named `echo` in it: run
  // from there, it prints its arguments.
  std::string HostBin() {
    std::string dir = host_.path() + "/bin";
    mkdir(dir.c_str(), 0755);
    std::string data = ReadFile("/bin/busybox");
    EXPECT_FALSE(data.empty());
    WriteText(dir + "/echo", data, 0755);
    return dir;
  }
  // The init's fds as `ls -l /proc/PID/fd` shows them, plus the ones that are directories.
  static std::string DescribeFds(int pid, std::vector<std::string>* dirs) {
    std::string out;
    const std::string base = "/proc/" + std::to_string(pid) + "/fd/";
    for (int fd = 0; fd < 1024; ++fd) {
      std::string p = base + std::to_string(fd);
      char target[4096];
      ssize_t n = readlink(p.c_str(), target, sizeof target - 1);
      if (n < 0) continue;
      target[n] = '\0';
      out += std::to_string(fd) + " -> " + target + "\n";
      struct stat st;
      if (dirs && stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) dirs->push_back(std::to_string(fd) + " -> " + target);
    }
    return out;
  }
  const std::string& root() const { return root_.path(); }

  TempDir root_{"runc-root"};
  TempDir host_{"runc-host"};
  std::vector<std::string> ids_;
};

// Item 1: in the created state (the init waits for `start`, holding what it will hold until
// execve) no fd of the init refers to a directory: the runtime's cgroup, state and bundle
// directories are closed before the first path from the config is used.
TEST_F(SecurityTest, CreatedInitHoldsNoHostDirectory) {
  Bundle bundle({"sleep", "1000"});
  const std::string id = NewId(bundle);
  TempDir out("runc-out");
  ASSERT_EQ(CreateToFiles(root(), bundle.path(), id, out.path()), 0) << ReadFile(out.path() + "/err");
  RunResult state = Runc(root(), {"state", id});
  ASSERT_EQ(state.status, 0) << state.err;
  const int pid = nlohmann::json::parse(state.out)["pid"].get<int>();
  ASSERT_GT(pid, 0);
  std::vector<std::string> dirs;
  const std::string fds = DescribeFds(pid, &dirs);
  EXPECT_THAT(dirs, ::testing::IsEmpty()) << "/proc/" << pid << "/fd:\n" << fds;
  // Only stdio, the sync socket's peer is gone (closed at wait_start), the exec fifo, and the
  // runtime's stderr remain: nothing names the state dir, a cgroup or the bundle.
  EXPECT_THAT(fds, Not(HasSubstr("/sys/fs/cgroup"))) << fds;
  EXPECT_THAT(fds, Not(HasSubstr(bundle.path()))) << fds;
  EXPECT_THAT(fds, Not(HasSubstr(root() + "/" + id + "\n"))) << fds;
}

// Item 1, process.args[0]: /proc/self/fd/N/../.. as the program must not run a host binary, for
// any N the init might hold.
TEST_F(SecurityTest, ProgramThroughProcSelfFdDoesNotRunAHostBinary) {
  const std::string bin = HostBin();
  for (int n = 3; n <= 9; ++n) {
    Bundle bundle({"/proc/self/fd/" + std::to_string(n) + "/" + Climb() + bin.substr(1) + "/echo", "escaped", "via", "args"});
    const std::string id = NewId(bundle, "args" + std::to_string(n));
    RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
    EXPECT_THAT(r.out, Not(HasSubstr("escaped"))) << "fd " << n;
    EXPECT_NE(r.status, 0) << "fd " << n << ": " << r.out;
    // Found out by the exec.lookup step, before the start wait.
    EXPECT_THAT(r.err, MatchesRegex("runc: step [0-9]+ exec\\.lookup \\(/process/args\\): .*\n")) << "fd " << n;
    Runc(root(), {"delete", "--force", id});
  }
}

// Item 1, PATH: an entry /proc/self/fd/N/../../host/dir must not find a host binary.
TEST_F(SecurityTest, PathThroughProcSelfFdDoesNotFindAHostBinary) {
  const std::string bin = HostBin();
  for (int n = 3; n <= 9; ++n) {
    Bundle bundle({"echo", "escaped", "via", "PATH"});
    bundle.config()["process"]["env"] =
        nlohmann::json::array({"PATH=/proc/self/fd/" + std::to_string(n) + "/" + Climb() + bin.substr(1)});
    const std::string id = NewId(bundle, "path" + std::to_string(n));
    RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
    EXPECT_THAT(r.out, Not(HasSubstr("escaped"))) << "fd " << n;
    EXPECT_NE(r.status, 0) << "fd " << n << ": " << r.out;
    // Found out by the exec.lookup step, before the start wait.
    EXPECT_THAT(r.err, MatchesRegex("runc: step [0-9]+ exec\\.lookup \\(/process/args\\): .*\n")) << "fd " << n;
    Runc(root(), {"delete", "--force", id});
  }
}

// Item 1, cwd: /proc/self/fd/N (a magic link; ".." is cleaned away lexically by the compiler) is
// refused rather than followed, and a symlink in the image pointing there is refused as well.
TEST_F(SecurityTest, CwdThroughProcSelfFdIsRefused) {
  for (int n = 3; n <= 9; ++n) {
    for (bool via_symlink : {false, true}) {
      Bundle bundle({"sh", "-c", "pwd; ls " + Climb() + " | head -3"});
      std::string cwd = "/proc/self/fd/" + std::to_string(n);
      if (via_symlink) {
        ASSERT_EQ(symlink(cwd.c_str(), (bundle.rootfs() + "/escape").c_str()), 0);
        cwd = "/escape";
      }
      bundle.config()["process"]["cwd"] = cwd;
      const std::string id = NewId(bundle, "cwd" + std::to_string(n));
      RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
      EXPECT_NE(r.status, 0) << "fd " << n << ": " << r.out;
      EXPECT_EQ(r.out, "") << "fd " << n;
      // The mkdir step made for the cwd right after pivot_root meets it first.
      EXPECT_THAT(r.err, MatchesRegex("runc: step [0-9]+ mkdir \\(/process/cwd\\): mkdir " + cwd + ": .*\n"))
          << "fd " << n;
      Runc(root(), {"delete", "--force", id});
    }
  }
}

// Item 2: a second container that joins the first one's pid namespace (a pod with
// shareProcessNamespace), with the default capabilities (no CAP_SYS_PTRACE), cannot look into the
// first one's init through /proc/1 while it waits in the created state, let alone walk
// /proc/1/fd/N/../.. into the host and write there.
TEST_F(SecurityTest, PidNamespaceSiblingCannotReachIntoTheInit) {
  Bundle first({"sleep", "1000"});
  const std::string first_id = NewId(first, "pod");
  TempDir out("runc-out");
  ASSERT_EQ(CreateToFiles(root(), first.path(), first_id, out.path()), 0) << ReadFile(out.path() + "/err");
  RunResult state = Runc(root(), {"state", first_id});
  ASSERT_EQ(state.status, 0) << state.err;
  const int pid = nlohmann::json::parse(state.out)["pid"].get<int>();

  const std::string marker = host_.path() + "/written-from-the-sibling";
  std::string script =
      "readlink /proc/1/fd/0 >/dev/null 2>&1 && echo fd-read; "
      "readlink /proc/1/cwd >/dev/null 2>&1 && echo cwd-read; "
      "cat /proc/1/environ >/dev/null 2>&1 && echo environ-read; "
      "for f in 0 1 2 3 4 5 6 7 8 9 10 11 12; do "
      "echo escaped > /proc/1/fd/$f/" + Climb() + marker.substr(1) + " 2>/dev/null && echo wrote-$f; done; "
      "echo done";
  Bundle second({"sh", "-c", script});
  for (auto& ns : second.config()["linux"]["namespaces"]) {
    if (ns["type"] == "pid") ns["path"] = "/proc/" + std::to_string(pid) + "/ns/pid";
  }
  const std::string second_id = NewId(second, "sib");
  RunResult r = Runc(root(), {"run", "--bundle", second.path(), second_id});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  EXPECT_FALSE(Exists(marker));
}

// Item 3, procfs: a mount over /proc/sys (here a bind of a host directory laid out like it) must
// not receive the sysctl write: the init refuses to write anything that is not the container's
// procfs, and the host file is untouched.
TEST_F(SecurityTest, SysctlUnderAMountOverProcSysIsRefused) {
  const std::string fake = host_.path() + "/sys";
  ASSERT_EQ(mkdir(fake.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((fake + "/kernel").c_str(), 0755), 0);
  WriteText(fake + "/kernel/domainname", "untouched\n");
  Bundle bundle({"true"});
  bundle.config()["mounts"].push_back(
      {{"destination", "/proc/sys"}, {"type", "bind"}, {"source", fake}, {"options", {"rbind", "rw"}}});
  bundle.config()["linux"]["sysctl"] = {{"kernel.domainname", "escaped"}};
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, MatchesRegex("runc: step [0-9]+ sysctl \\(/linux/sysctl/kernel.domainname\\): open "
                                  "/proc/sys/kernel/domainname: not on the container's procfs \\(a mount "
                                  "covers it\\)\n"));
  EXPECT_EQ(ReadFile(fake + "/kernel/domainname"), "untouched\n");
  EXPECT_FALSE(Exists(root() + "/" + id));
}

// Item 3, /dev/null: the masks bind /dev/null over files; an image whose /dev/null is a symlink
// (here with no /dev tmpfs, so the image's /dev is the container's) must not have the symlink's
// target bound instead: the init refuses, and the file it points to is untouched.
TEST_F(SecurityTest, MaskRefusesADevNullThatIsNotTheNullDevice) {
  Bundle bundle({"true"});
  auto& mounts = bundle.config()["mounts"];
  for (size_t i = 0; i < mounts.size(); ++i) {
    if (mounts[i]["destination"] == "/dev") {
      mounts.erase(i);
      break;
    }
  }
  // One file to mask, the same on every kernel (/proc/kcore is not always there).
  bundle.config()["linux"]["maskedPaths"] = nlohmann::json::array({"/proc/acpi", "/etc/hostname"});
  WriteText(bundle.rootfs() + "/etc/host-visible", "untouched\n");
  ASSERT_EQ(symlink("/etc/host-visible", (bundle.rootfs() + "/dev/null").c_str()), 0);
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, MatchesRegex("runc: step [0-9]+ mask \\(/linux/maskedPaths/1\\): mount /dev/null on "
                                  "/etc/hostname: /dev/null is a symlink, not the null device \\(c 1:3\\)\n"));
  EXPECT_EQ(ReadFile(bundle.rootfs() + "/etc/host-visible"), "untouched\n");
  EXPECT_FALSE(Exists(root() + "/" + id));
}

// Item 12: a read-only root and a cwd the image does not have: the cwd is created (0755) before
// the root is remounted read-only, as runc does, and the process starts there.
TEST_F(SecurityTest, ReadonlyRootGetsAMissingCwd) {
  Bundle bundle({"sh", "-c", "pwd; stat -c %a .; touch x 2>/dev/null || echo read-only"});
  ASSERT_TRUE(bundle.config()["root"]["readonly"].get<bool>());
  bundle.config()["process"]["cwd"] = "/does/not/exist";
  const std::string id = NewId(bundle);
  RunResult r = Runc(root(), {"run", "--bundle", bundle.path(), id});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "/does/not/exist\n755\nread-only\n");
  RunResult plan = Runc(root(), {"plan", "--bundle", bundle.path()});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_THAT(plan.out, MatchesRegex("(.|\n)*rootfs +[0-9]+ +pivot_root [^\n]*\nrootfs +[0-9]+ +mkdir +/does/not/exist "
                                     "0755 +# /process/cwd\n(.|\n)*"));
}

}  // namespace
}  // namespace runc::test
