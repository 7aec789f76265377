// The container steps against the real kernel: each test builds a busybox rootfs and a hand-made
// plan, runs its rootfs/process/start steps (PrepareContainerSteps + RunContainerStep) in a child
// that has its own mount, uts, pid, net and ipc namespaces, and looks from inside. The whole mount
// tree of that child is made private first, so nothing reaches the host; every test checks the host
// mount table is unchanged afterwards.
#include "executor/init/steps.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/mempolicy.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "schema/json_doc.h"
#include "schema/load.h"
#include "tests/integration/harness.h"

namespace runc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr unsigned long kDefaultMountFlags = MS_NOSUID | MS_NOEXEC | MS_NODEV;

Phase PhaseOf(StepKind k) {
  switch (k) {
    case StepKind::kPropagation:
    case StepKind::kRootfsBind:
    case StepKind::kMount:
    case StepKind::kRemount:
    case StepKind::kMknod:
    case StepKind::kDeviceBind:
    case StepKind::kSymlink:
    case StepKind::kPivotRoot:
    case StepKind::kMoveChroot:
      return Phase::kRootfs;
    case StepKind::kExecve:
    case StepKind::kWaitStart:
      return Phase::kStart;
    case StepKind::kClone:
    case StepKind::kUnshare:
    case StepKind::kCgroupJoin:
    case StepKind::kSetgroups:
      return Phase::kSpawn;
    default:
      return Phase::kProcess;
  }
}

class PlanBuilder {
 public:
  explicit PlanBuilder(const std::string& rootfs) {
    plan_.id = "h5-test";
    plan_.rootfs = rootfs;
    plan_.bundle = rootfs.substr(0, rootfs.rfind('/'));
  }
  Step& Add(StepKind kind) {
    Step s;
    s.index = static_cast<int>(plan_.steps.size()) + 1;
    s.kind = kind;
    s.phase = PhaseOf(kind);
    s.origin = "test";
    plan_.steps.push_back(s);
    return plan_.steps.back();
  }
  void Mount(const std::string& source, const std::string& dest, const std::string& fstype,
             uint64_t flags, const std::string& data = "") {
    Step& s = Add(StepKind::kMount);
    s.source = source;
    s.path = dest;
    s.fstype = fstype;
    s.flags = flags;
    s.value = data;
  }
  void Mknod(const std::string& path, mode_t mode, int major, int minor, int uid = 0, int gid = 0) {
    Add(StepKind::kMknod).path = path;
    plan_.steps.back().nums = {mode, major, minor, uid, gid};
  }
  // What every test needs: a private tree, the rootfs bound, /proc, a /dev with null and zero.
  void Base() {
    Step& p = Add(StepKind::kPropagation);
    p.path = "/";
    p.flags = MS_SLAVE | MS_REC;
    Add(StepKind::kRootfsBind).path = plan_.rootfs;
    Mount("proc", "/proc", "proc", kDefaultMountFlags);
    Mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
    Mknod("/dev/null", S_IFCHR | 0666, 1, 3);
    Mknod("/dev/zero", S_IFCHR | 0666, 1, 5);
  }
  void Pivot() { Add(StepKind::kPivotRoot).path = plan_.rootfs; }
  Plan& plan() { return plan_; }

 private:
  Plan plan_;
};

struct InitOptions {
  int extra_unshare = 0;        // e.g. CLONE_NEWCGROUP
  std::function<void()> setup;  // in the child's namespaces, before PrepareContainerSteps
  int console_socket_fd = -1;
};

struct InitResult {
  int status = -1;  // exit code; 111 = a step failed, 112 = preparation failed
  std::string out;
};

void Say(const std::string& s) {
  std::string line = s + "\n";
  ssize_t ignored = write(1, line.data(), line.size());
  (void)ignored;
}

std::string Errno(int rc) { return rc == 0 ? "ok" : strerror(errno); }

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `probe` runs in the init after the steps and writes its findings to stdout.
InitResult RunInit(const Plan& plan, const std::function<void()>& probe = {},
                   const InitOptions& opt = {}) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return {};
  pid_t a = fork();
  if (a == 0) {
    alarm(60);
    dup2(p[1], 1);
    dup2(p[1], 2);
    if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
                opt.extra_unshare) != 0) {
      Say(std::string("unshare: ") + strerror(errno));
      _exit(120);
    }
    // Nothing below may reach the host's mount table, whatever propagation the plan asks for.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      Say(std::string("make / private: ") + strerror(errno));
      _exit(120);
    }
    if (opt.setup) opt.setup();
    PreparedPlan prepared;
    Diagnostic error;
    if (!PrepareContainerSteps(plan, prepared, error)) {
      Say("prepare: " + error.pointer + ": " + error.message);
      _exit(112);
    }
    pid_t b = fork();
    if (b == 0) {
      InitContext ctx;
      ctx.prepared = &prepared;
      ctx.console_socket_fd = opt.console_socket_fd;
      for (const Step& s : plan.steps) {
        if (s.phase != Phase::kRootfs && s.phase != Phase::kProcess && s.phase != Phase::kStart)
          continue;
        if (s.kind == StepKind::kWaitStart) continue;
        std::string what;
        int err = RunContainerStep(s, ctx, what);
        if (err != 0) {
          // As StepError: a failure that is not an errno (kNoErrno) is `what` alone.
          Say("step " + std::to_string(s.index) + ": " + what + (err > 0 ? std::string(": ") + strerror(err) : ""));
          _exit(111);
        }
      }
      if (probe) probe();
      _exit(0);
    }
    int st = 0;
    waitpid(b, &st, 0);
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  }
  close(p[1]);
  InitResult r;
  char buf[4096];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
  close(p[0]);
  int st = 0;
  waitpid(a, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

struct MountLine {
  std::string root, options, fstype, super_options, optional;
};

// mount point -> the last mount on it (the visible one).
std::map<std::string, MountLine> ParseMountInfo(const std::string& text) {
  std::map<std::string, MountLine> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, mp, opts, field;
    if (!(f >> id >> parent >> dev >> root >> mp >> opts)) continue;
    MountLine m;
    m.root = root;
    m.options = opts;
    while (f >> field && field != "-") m.optional += field + " ";
    f >> m.fstype >> field >> m.super_options;
    out[mp] = m;
  }
  return out;
}

bool HasOption(const std::string& options, const std::string& opt) {
  std::string s = "," + options + ",";
  return s.find("," + opt + ",") != std::string::npos;
}

// Each probe prints "key: value" lines; this finds one.
std::string Field(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ": ", 0) == 0) return line.substr(key.size() + 2);
  }
  return "<missing " + key + ">";
}

void PrintMountInfo() {
  Say("mountinfo-begin\n" + Slurp("/proc/self/mountinfo") + "mountinfo-end");
}

std::string MountInfoOf(const std::string& out) {
  size_t a = out.find("mountinfo-begin\n");
  size_t b = out.find("mountinfo-end");
  if (a == std::string::npos || b == std::string::npos) return "";
  return out.substr(a + 16, b - a - 16);
}

class ContainerSteps : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::IsRoot()) GTEST_SKIP() << "needs root";
    // A private copy of the mount namespace: the table compared in TearDown is the runtime's
    // alone (a leak of its lands there; other tests' mounts on the host do not).
    ASSERT_EQ(test::EnterPrivateMountNamespace(), "");
    host_mounts_ = Slurp("/proc/self/mountinfo");
    rootfs_ = dir_.path() + "/rootfs";
    test::MakeBusyboxRootfs(rootfs_);
  }
  void TearDown() override {
    if (!test::IsRoot()) return;
    EXPECT_EQ(Slurp("/proc/self/mountinfo"), host_mounts_) << "a mount leaked into the runtime's mount namespace";
  }

  test::TempDir dir_{"runc-h5"};
  std::string rootfs_;
  std::string host_mounts_;
};

// ---- rootfs
// ----------------------------------------------------------------------------------------

TEST_F(ContainerSteps, DefaultMountsDevicesLinksAndPivot) {
  PlanBuilder b(rootfs_);
  b.Base();
  b.Mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
          "newinstance,ptmxmode=0666,mode=0620,gid=5");
  b.Mount("shm", "/dev/shm", "tmpfs", kDefaultMountFlags, "mode=1777,size=65536k");
  b.Mount("mqueue", "/dev/mqueue", "mqueue", kDefaultMountFlags);
  b.Mount("sysfs", "/sys", "sysfs", kDefaultMountFlags | MS_RDONLY);
  b.Mknod("/dev/tty", S_IFCHR | 0666, 5, 0);
  b.Mknod("/dev/h5node", S_IFCHR | 0620, 1, 7, 1000, 5);
  for (auto [target, link] : {std::pair{"/proc/self/fd", "/dev/fd"},
                              {"pts/ptmx", "/dev/ptmx"},
                              {"/proc/self/fd/0", "/dev/stdin"}}) {
    Step& s = b.Add(StepKind::kSymlink);
    s.source = target;
    s.path = link;
  }
  b.Pivot();
  auto r = RunInit(b.plan(), [] {
    PrintMountInfo();
    struct stat st;
    if (stat("/dev/h5node", &st) == 0)
      Say("h5node: " + std::to_string(st.st_mode & 07777) + " " +
          std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)) + " " +
          std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid));
    char link[64] = {};
    ssize_t n = readlink("/dev/fd", link, sizeof link - 1);
    Say("fd-link: " + std::string(link, n > 0 ? static_cast<size_t>(n) : 0));
    Say("busybox: " + Errno(access("/bin/busybox", X_OK)));
    Say("pid: " + std::to_string(getpid()));
    Say("cwd: " + std::string(getcwd(link, sizeof link) ? link : "?"));
  });
  ASSERT_EQ(r.status, 0) << r.out;
  auto mounts = ParseMountInfo(MountInfoOf(r.out));
  // Only the container's mounts: the old root is gone.
  std::vector<std::string> points;
  for (const auto& [mp, m] : mounts) points.push_back(mp + " " + m.fstype);
  EXPECT_THAT(points, ::testing::ElementsAre("/ ext4", "/dev tmpfs", "/dev/mqueue mqueue",
                                             "/dev/pts devpts", "/dev/shm tmpfs", "/proc proc",
                                             "/sys sysfs"))
      << r.out;
  EXPECT_TRUE(HasOption(mounts["/sys"].options, "ro"));
  EXPECT_TRUE(HasOption(mounts["/dev/shm"].options, "noexec"));
  EXPECT_TRUE(HasOption(mounts["/dev/pts"].super_options, "ptmxmode=666"));
  EXPECT_EQ(Field(r.out, "h5node"), std::to_string(0620) + " 1:7 1000:5");
  EXPECT_EQ(Field(r.out, "fd-link"), "/proc/self/fd");
  EXPECT_EQ(Field(r.out, "busybox"), "ok");
  EXPECT_EQ(Field(r.out, "pid"), "1");
  EXPECT_EQ(Field(r.out, "cwd"), "/");
}

TEST_F(ContainerSteps, MaskedAndReadonlyPaths) {
  PlanBuilder b(rootfs_);
  b.Base();
  b.Pivot();
  // /proc/kcore is absent on this kernel: a missing path is skipped like /proc/h5-does-not-exist.
  for (const char* p : {"/proc/kcore", "/proc/acpi", "/proc/h5-does-not-exist", "/proc/keys"})
    b.Add(StepKind::kMask).path = p;
  for (const char* p : {"/proc/sys", "/proc/h5-missing-too", "/proc/sysrq-trigger"})
    b.Add(StepKind::kReadonlyPath).path = p;
  auto r = RunInit(b.plan(), [] {
    PrintMountInfo();
    int keys = open("/proc/keys", O_RDONLY);
    char c;
    Say("keys-read: " + std::to_string(read(keys, &c, 1)));
    int fd = open("/proc/acpi/x", O_CREAT | O_WRONLY, 0644);
    Say("acpi-create: " + std::string(fd < 0 ? strerror(errno) : "ok"));
    fd = open("/proc/sys/kernel/hostname", O_WRONLY);
    Say("sys-write: " + std::string(fd < 0 ? strerror(errno) : "ok"));
    Say("sys-read: " + std::string(Slurp("/proc/sys/kernel/ostype")));
  });
  ASSERT_EQ(r.status, 0) << r.out;
  auto mounts = ParseMountInfo(MountInfoOf(r.out));
  EXPECT_EQ(Field(r.out, "keys-read"), "0");  // /dev/null: end of file at once
  EXPECT_EQ(Field(r.out, "acpi-create"), strerror(EROFS));
  EXPECT_EQ(Field(r.out, "sys-write"), strerror(EROFS));
  EXPECT_EQ(Field(r.out, "sys-read"), "Linux");
  EXPECT_EQ(mounts["/proc/acpi"].fstype, "tmpfs");
  EXPECT_TRUE(HasOption(mounts["/proc/acpi"].options, "ro"));
  EXPECT_EQ(mounts["/proc/keys"].root, "/null");  // /dev/null of the container's /dev tmpfs
  EXPECT_TRUE(HasOption(mounts["/proc/sys"].options, "ro"));
  // The bind keeps proc's nosuid/nodev/noexec.
  EXPECT_TRUE(HasOption(mounts["/proc/sys"].options, "nosuid"));
  EXPECT_TRUE(HasOption(mounts["/proc/sys"].options, "noexec"));
  EXPECT_EQ(mounts.count("/proc/h5-does-not-exist"), 0u);
}

TEST_F(ContainerSteps, MaskRefusesAFakeDevNull) {
  PlanBuilder b(rootfs_);
  Step& p = b.Add(StepKind::kPropagation);
  p.path = "/";
  p.flags = MS_SLAVE | MS_REC;
  b.Add(StepKind::kRootfsBind).path = rootfs_;
  b.Mount("proc", "/proc", "proc", kDefaultMountFlags);
  b.Pivot();
  b.Add(StepKind::kMask).path = "/proc/keys";
  // The image's own /dev/null is a regular file: masking with it would expose nothing, but it is
  // not the null device, so the mask fails instead of pretending.
  std::ofstream(rootfs_ + "/dev/null") << "not null";
  auto r = RunInit(b.plan());
  EXPECT_EQ(r.status, 111);
  EXPECT_EQ(r.out, "step 5: mount /dev/null on /proc/keys: /dev/null is a regular file, not the null device (c 1:3)\n");
}

TEST_F(ContainerSteps, SymlinksInTheImageStayInsideTheRootfs) {
  test::TempDir host_target("runc-h5-escape");
  std::string victim = host_target.path() + "/victim";
  // An absolute link to a host path, and a relative one climbing far above the rootfs.
  ASSERT_EQ(symlink(victim.c_str(), (rootfs_ + "/abs").c_str()), 0);
  ASSERT_EQ(symlink("../../../../../../../../..", (rootfs_ + "/up").c_str()), 0);
  ASSERT_EQ(symlink("/etc", (rootfs_ + "/etc-link").c_str()), 0);
  PlanBuilder b(rootfs_);
  b.Base();
  b.Mount("tmpfs", "/abs/sub", "tmpfs", 0, "size=1m");
  b.Mount("tmpfs", "/up" + host_target.path() + "/up", "tmpfs", 0, "size=1m");
  Step& s = b.Add(StepKind::kSymlink);
  s.source = "/x";
  s.path = "/etc-link/created-link";
  b.Pivot();
  b.Add(StepKind::kMask).path = "/up/etc/passwd";
  auto r = RunInit(b.plan(), [victim = victim] {
    PrintMountInfo();
    Say("passwd-bytes: " + std::to_string(Slurp("/etc/passwd").size()));
  });
  ASSERT_EQ(r.status, 0) << r.out;
  auto mounts = ParseMountInfo(MountInfoOf(r.out));
  // Both mounts landed in the rootfs, at the path the link means when "/" is the rootfs.
  EXPECT_EQ(mounts.count(victim + "/sub"), 1u) << r.out;
  EXPECT_EQ(mounts.count(host_target.path() + "/up"), 1u) << r.out;
  EXPECT_EQ(Field(r.out, "passwd-bytes"), "0");  // the container's /etc/passwd was masked
  struct stat st;
  EXPECT_NE(lstat(victim.c_str(), &st), 0) << "a directory was created outside the rootfs";
  EXPECT_EQ(lstat((rootfs_ + victim + "/sub").c_str(), &st), 0);
  EXPECT_EQ(lstat((rootfs_ + host_target.path() + "/up").c_str(), &st), 0);
  char link[16] = {};
  EXPECT_EQ(readlink((rootfs_ + "/etc/created-link").c_str(), link, sizeof link - 1), 2);
  EXPECT_NE(test::ReadFile("/etc/passwd").size(), 0u);
}

TEST_F(ContainerSteps, ProcOnASymlinkIsRefused) {
  ASSERT_EQ(rmdir((rootfs_ + "/proc").c_str()), 0);
  ASSERT_EQ(symlink("/etc", (rootfs_ + "/proc").c_str()), 0);
  PlanBuilder b(rootfs_);
  b.Base();
  auto r = RunInit(b.plan());
  EXPECT_EQ(r.status, 111);
  EXPECT_EQ(r.out,
            "step 3: mount proc on /proc (destination is a symlink to /etc; proc must be mounted on ordinary directory): Invalid argument\n");
}

TEST_F(ContainerSteps, BindMountsWithPropagationRemountAndRecursiveAttributes) {
  test::TempDir host("runc-h5-bind");
  std::string vol = host.path() + "/vol";
  ASSERT_EQ(mkdir(vol.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((vol + "/sub").c_str(), 0755), 0);
  std::ofstream(host.path() + "/file") << "from the host";
  PlanBuilder b(rootfs_);
  b.Base();
  // rbind with a submount, made read-only recursively (rro) with mount_setattr.
  b.Mount(vol, "/mnt/rro", "", MS_BIND | MS_REC);
  b.plan().steps.back().nums = {MOUNT_ATTR_RDONLY, 0};
  // plain bind made read-only by its remount step, shared afterwards
  b.Mount(vol, "/mnt/ro", "", MS_BIND);
  b.plan().steps.back().flags2 = MS_SHARED;
  Step& rm = b.Add(StepKind::kRemount);
  rm.path = "/mnt/ro";
  rm.flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID;
  // a file bind creates a file to mount on
  b.Mount(host.path() + "/file", "/etc/deep/hostfile", "", MS_BIND);
  b.Pivot();
  InitOptions opt;
  opt.setup = [vol] { mount("tmpfs", (vol + "/sub").c_str(), "tmpfs", 0, "size=1m"); };
  auto r = RunInit(
      b.plan(),
      [] {
        PrintMountInfo();
        int fd = open("/mnt/rro/sub/x", O_CREAT | O_WRONLY, 0644);
        Say("rro-sub: " + std::string(fd < 0 ? strerror(errno) : "ok"));
        fd = open("/mnt/ro/x", O_CREAT | O_WRONLY, 0644);
        Say("ro: " + std::string(fd < 0 ? strerror(errno) : "ok"));
        Say("file: " + Slurp("/etc/deep/hostfile"));
      },
      opt);
  ASSERT_EQ(r.status, 0) << r.out;
  auto mounts = ParseMountInfo(MountInfoOf(r.out));
  EXPECT_EQ(Field(r.out, "rro-sub"), strerror(EROFS));
  EXPECT_EQ(Field(r.out, "ro"), strerror(EROFS));
  EXPECT_EQ(Field(r.out, "file"), "from the host");
  EXPECT_TRUE(HasOption(mounts["/mnt/rro/sub"].options, "ro")) << r.out;
  EXPECT_TRUE(HasOption(mounts["/mnt/ro"].options, "nosuid"));
  EXPECT_THAT(mounts["/mnt/ro"].optional, HasSubstr("shared:"));
  EXPECT_THAT(mounts["/mnt/rro"].optional, Not(HasSubstr("shared:")));
}

TEST_F(ContainerSteps, DeviceBindAndRootReadonly) {
  PlanBuilder b(rootfs_);
  b.Base();
  Step& d = b.Add(StepKind::kDeviceBind);
  d.source = "/dev/full";
  d.path = "/dev/h5full";
  b.Pivot();
  b.Add(StepKind::kRootReadonly);
  auto r = RunInit(b.plan(), [] {
    PrintMountInfo();
    struct stat st {};
    stat("/dev/h5full", &st);
    Say("full: " + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)));
    int fd = open("/dev/h5full", O_WRONLY);
    char c = 0;
    Say("full-write: " + std::string(write(fd, &c, 1) < 0 ? strerror(errno) : "ok"));
    fd = open("/h5-new", O_CREAT | O_WRONLY, 0644);
    Say("root-write: " + std::string(fd < 0 ? strerror(errno) : "ok"));
    fd = open("/dev/h5-new", O_CREAT | O_WRONLY, 0644);
    Say("dev-write: " + std::string(fd < 0 ? strerror(errno) : "ok"));
  });
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Field(r.out, "full"), "1:7");
  EXPECT_EQ(Field(r.out, "full-write"), strerror(ENOSPC));
  EXPECT_EQ(Field(r.out, "root-write"), strerror(EROFS));
  EXPECT_EQ(Field(r.out, "dev-write"), "ok");  // only "/" itself is read-only
  EXPECT_TRUE(HasOption(ParseMountInfo(MountInfoOf(r.out))["/"].options, "ro"));
}

TEST_F(ContainerSteps, NoPivotMovesAndChroots) {
  PlanBuilder b(rootfs_);
  b.Base();
  b.Add(StepKind::kMoveChroot).path = rootfs_;
  auto r = RunInit(b.plan(), [] {
    PrintMountInfo();
    Say("busybox: " + Errno(access("/bin/busybox", X_OK)));
  });
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Field(r.out, "busybox"), "ok");
  // The runtime's full proc and sysfs mounts are gone from the namespace: chroot leaves them
  // reachable otherwise. What remains visible of proc is the container's own.
  int procs = 0, sysfs = 0;
  std::istringstream in(MountInfoOf(r.out));
  for (std::string line; std::getline(in, line);) {
    procs += line.find(" - proc ") != std::string::npos;
    sysfs += line.find(" - sysfs ") != std::string::npos;
  }
  EXPECT_EQ(procs, 1) << r.out;
  EXPECT_EQ(sysfs, 0) << r.out;
}

struct Hierarchy {
  std::string name;         // basename of the host mount point ("memory", "cpu,cpuacct")
  std::string controllers;  // as in /proc/self/cgroup ("memory", "name=systemd")
  std::string own_path;     // our cgroup in it
  std::string own_dir;      // host directory of that cgroup
};

// The v1 hierarchies of this host with the test process's own cgroup in each.
std::vector<Hierarchy> V1Hierarchies() {
  std::vector<Hierarchy> out;
  std::istringstream own(Slurp("/proc/self/cgroup"));
  std::vector<std::pair<std::string, std::string>> lines;  // controllers, path
  for (std::string line; std::getline(own, line);) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (b != std::string::npos && b > a + 1)
      lines.push_back({line.substr(a + 1, b - a - 1), line.substr(b + 1)});
  }
  for (const auto& [mp, m] : ParseMountInfo(Slurp("/proc/self/mountinfo"))) {
    if (m.fstype != "cgroup" || mp.rfind("/sys/fs/cgroup/", 0) != 0) continue;
    for (const auto& [controllers, path] : lines) {
      bool all = true;
      std::stringstream ss(controllers);
      for (std::string c; std::getline(ss, c, ',');) all &= HasOption(m.super_options, c);
      if (!all) continue;
      out.push_back(
          {mp.substr(mp.rfind('/') + 1), controllers, path, mp + (path == "/" ? "" : path)});
      break;
    }
  }
  return out;
}

// The steps the compiler makes of a read-only "cgroup" mount on a v1 host (runc's layout): a
// tmpfs, one bind per hierarchy (or, in a cgroup namespace, a fresh cgroup mount), read-only.
void AddCgroupV1(PlanBuilder& b, const std::vector<Hierarchy>& hierarchies, bool cgroupns) {
  b.Mount("tmpfs", "/sys/fs/cgroup", "tmpfs", kDefaultMountFlags, "mode=755");
  for (const auto& h : hierarchies) {
    std::string dest = "/sys/fs/cgroup/" + h.name;
    if (cgroupns) {
      b.Mount(h.controllers == "name=systemd" ? "systemd" : "cgroup", dest, "cgroup",
              kDefaultMountFlags | MS_RDONLY, h.controllers);
      continue;
    }
    b.Mount(h.own_dir, dest, "bind", MS_BIND | MS_REC);
    Step& r = b.Add(StepKind::kRemount);
    r.path = dest;
    r.flags = MS_REMOUNT | MS_BIND | MS_RDONLY | kDefaultMountFlags | MS_RELATIME;
  }
  Step& r = b.Add(StepKind::kRemount);
  r.path = "/sys/fs/cgroup";
  r.flags = MS_REMOUNT | MS_RDONLY | kDefaultMountFlags;
}

TEST_F(ContainerSteps, CgroupV1LayoutBindsAndFreshMountsInACgroupNamespace) {
  auto hierarchies = V1Hierarchies();
  if (hierarchies.empty()) GTEST_SKIP() << "no cgroup v1 hierarchy on this host";
  auto probe = [] {
    PrintMountInfo();
    int fd = open("/sys/fs/cgroup/h5", O_CREAT | O_WRONLY, 0644);
    Say("tmpfs-write: " + std::string(fd < 0 ? strerror(errno) : "ok"));
  };
  for (bool cgroupns : {false, true}) {
    PlanBuilder b(rootfs_);
    if (cgroupns) b.Add(StepKind::kUnshare).flags = CLONE_NEWCGROUP;
    b.Base();
    b.Mount("sysfs", "/sys", "sysfs", kDefaultMountFlags | MS_RDONLY);
    AddCgroupV1(b, hierarchies, cgroupns);
    b.Pivot();
    InitOptions opt;
    if (cgroupns) opt.extra_unshare = CLONE_NEWCGROUP;
    auto r = RunInit(b.plan(), probe, opt);
    ASSERT_EQ(r.status, 0) << r.out;
    auto mounts = ParseMountInfo(MountInfoOf(r.out));
    EXPECT_EQ(mounts["/sys/fs/cgroup"].fstype, "tmpfs");
    EXPECT_TRUE(HasOption(mounts["/sys/fs/cgroup"].options, "ro"));
    EXPECT_EQ(Field(r.out, "tmpfs-write"), strerror(EROFS));
    for (const auto& h : hierarchies) {
      const MountLine& m = mounts["/sys/fs/cgroup/" + h.name];
      EXPECT_EQ(m.fstype, "cgroup") << h.name << "\n" << r.out;
      EXPECT_TRUE(HasOption(m.options, "ro")) << h.name;
      EXPECT_TRUE(HasOption(m.options, "nosuid")) << h.name;
      // A bind shows our cgroup's directory; a fresh mount in a cgroup namespace its root, which
      // is the same cgroup.
      EXPECT_EQ(m.root, cgroupns ? "/" : h.own_path) << h.name;
    }
  }
}

TEST_F(ContainerSteps, Cgroup2MountOnAV2Host) {
  PlanBuilder b(rootfs_);
  b.Add(StepKind::kUnshare).flags = CLONE_NEWCGROUP;
  b.Base();
  b.Mount("sysfs", "/sys", "sysfs", kDefaultMountFlags | MS_RDONLY);
  b.Mount("cgroup", "/sys/fs/cgroup", "cgroup2", kDefaultMountFlags | MS_RDONLY);
  b.Pivot();
  // A v2 host imitated in the child's mount namespace: only cgroup2 on /sys/fs/cgroup.
  auto setup = [] {
    umount2("/sys/fs/cgroup", MNT_DETACH);
    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, nullptr);
  };
  InitOptions opt;
  opt.extra_unshare = CLONE_NEWCGROUP;
  opt.setup = setup;
  auto r = RunInit(
      b.plan(),
      [] {
        PrintMountInfo();
        Say("procs: " + Errno(access("/sys/fs/cgroup/cgroup.procs", F_OK)));
      },
      opt);
  ASSERT_EQ(r.status, 0) << r.out;
  auto mounts = ParseMountInfo(MountInfoOf(r.out));
  EXPECT_EQ(mounts["/sys/fs/cgroup"].fstype, "cgroup2") << r.out;
  EXPECT_EQ(mounts["/sys/fs/cgroup"].root, "/");
  EXPECT_TRUE(HasOption(mounts["/sys/fs/cgroup"].options, "ro"));
  EXPECT_EQ(Field(r.out, "procs"), "ok");
}

// ---- process
// ---------------------------------------------------------------------------------------

TEST_F(ContainerSteps, HostnameSysctlRlimitsOomUmaskCwd) {
  PlanBuilder b(rootfs_);
  b.Base();
  b.Pivot();
  b.Add(StepKind::kHostname).value = "h5-host";
  b.Add(StepKind::kDomainname).value = "h5.example";
  Step& sc = b.Add(StepKind::kSysctl);
  sc.name = "net.ipv4.ip_forward";
  sc.path = "/proc/sys/net/ipv4/ip_forward";
  sc.value = "1";
  Step& rl = b.Add(StepKind::kRlimit);
  rl.name = "RLIMIT_NOFILE";
  rl.nums = {RLIMIT_NOFILE, 100, 200};
  Step& core = b.Add(StepKind::kRlimit);
  core.name = "RLIMIT_CORE";
  core.nums = {RLIMIT_CORE, -1, -1};
  b.Add(StepKind::kOomScoreAdj).nums = {421};
  b.Add(StepKind::kUmask).nums = {027};
  b.Add(StepKind::kCwd).path = "/var/h5/work";  // missing: created, as runc does
  auto r = RunInit(b.plan(), [] {
    utsname u;
    uname(&u);
    Say(std::string("hostname: ") + u.nodename);
    Say(std::string("domainname: ") + u.domainname);
    Say("ip_forward: " + Slurp("/proc/sys/net/ipv4/ip_forward").substr(0, 1));
    rlimit nofile, core_limit;
    getrlimit(RLIMIT_NOFILE, &nofile);
    getrlimit(RLIMIT_CORE, &core_limit);
    Say("nofile: " + std::to_string(nofile.rlim_cur) + " " + std::to_string(nofile.rlim_max));
    Say("core: " + std::string(core_limit.rlim_cur == RLIM_INFINITY ? "unlimited" : "limited"));
    Say("oom: " + Slurp("/proc/self/oom_score_adj").substr(0, 3));
    Say("umask: " + std::to_string(umask(0)));
    char cwd[64] = {};
    Say("cwd: " + std::string(getcwd(cwd, sizeof cwd) ? cwd : strerror(errno)));
  });
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Field(r.out, "hostname"), "h5-host");
  EXPECT_EQ(Field(r.out, "domainname"), "h5.example");
  EXPECT_EQ(Field(r.out, "ip_forward"), "1");
  EXPECT_EQ(Field(r.out, "nofile"), "100 200");
  EXPECT_EQ(Field(r.out, "oom"), "421");
  EXPECT_EQ(Field(r.out, "umask"), std::to_string(027));
  EXPECT_EQ(Field(r.out, "cwd"), "/var/h5/work");
  rlimit mine;
  getrlimit(RLIMIT_CORE, &mine);
  // RLIMIT_CORE unlimited only when the hard limit allows it (CAP_SYS_RESOURCE is not ours).
  if (mine.rlim_max == RLIM_INFINITY) {
    EXPECT_EQ(Field(r.out, "core"), "unlimited");
  }
}

TEST_F(ContainerSteps, StepErrorsNameTheSyscallAndTheObject) {
  rlimit mine;
  getrlimit(RLIMIT_NOFILE, &mine);
  struct Case {
    std::function<void(PlanBuilder&)> add;
    std::string out;
  };
  std::vector<Case> cases = {
      {[](PlanBuilder& b) { b.Mount("nosuchfs", "/mnt/x", "h5nosuchfs", 0); },
       "step 7: mount nosuchfs on /mnt/x: No such device\n"},
      {[&](PlanBuilder& b) {
         Step& s = b.Add(StepKind::kRlimit);
         s.name = "RLIMIT_NOFILE";
         s.nums = {RLIMIT_NOFILE, static_cast<int64_t>(mine.rlim_max) + 1,
                   static_cast<int64_t>(mine.rlim_max) + 1};
       },
       "step 7: setrlimit RLIMIT_NOFILE: Operation not permitted\n"},
      {[](PlanBuilder& b) { b.Add(StepKind::kRemount).path = "/h5-missing"; },
       "step 7: open /h5-missing: No such file or directory\n"},
      {[](PlanBuilder& b) { b.Add(StepKind::kSysctl).path = "/proc/sys/h5/nope"; },
       "step 7: open /proc/sys/h5/nope: No such file or directory\n"},
      {[](PlanBuilder& b) {
         b.Add(StepKind::kIoPriority).nums = {7, 0};
       },
       "step 7: ioprio_set class 7 priority 0: Invalid argument\n"},
      // CAP_SYS_RESOURCE is outside this machine's bounding set: it cannot become permitted.
      {[](PlanBuilder& b) {
         b.Add(StepKind::kCaps).nums = {-1, 0, 0, 1LL << CAP_SYS_RESOURCE, 0};
       },
       "step 7: capset: Operation not permitted\n"},
  };
  for (const auto& c : cases) {
    PlanBuilder b(rootfs_);
    b.Base();
    c.add(b);
    auto r = RunInit(b.plan());
    EXPECT_EQ(r.status, 111);
    EXPECT_EQ(r.out, c.out);
  }
}

uint64_t Bit(int cap) { return uint64_t{1} << cap; }

TEST_F(ContainerSteps, UserGroupsAndTheFiveCapabilitySets) {
  PlanBuilder b(rootfs_);
  b.Base();
  b.Pivot();
  b.Add(StepKind::kNoNewPrivs);
  b.Add(StepKind::kUser).nums = {1000, 1001, 10, 20};
  uint64_t bounding =
      Bit(CAP_KILL) | Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_AUDIT_WRITE) | Bit(CAP_CHOWN);
  uint64_t effective = Bit(CAP_KILL) | Bit(CAP_NET_BIND_SERVICE);
  uint64_t permitted = bounding;
  uint64_t inheritable = Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_AUDIT_WRITE);
  // CAP_KILL is not inheritable: it cannot be ambient and is left out, as runc does.
  uint64_t ambient = Bit(CAP_NET_BIND_SERVICE) | Bit(CAP_KILL);
  b.Add(StepKind::kCaps).nums = {static_cast<int64_t>(bounding), static_cast<int64_t>(effective),
                                 static_cast<int64_t>(inheritable), static_cast<int64_t>(permitted),
                                 static_cast<int64_t>(ambient)};
  auto r = RunInit(b.plan(), [] { Say(Slurp("/proc/self/status")); });
  ASSERT_EQ(r.status, 0) << r.out;
  auto hex = [](uint64_t v) {
    char buf[20];
    snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return std::string(buf);
  };
  auto status_field = [&](const std::string& key) {
    std::string v = Field(r.out, key + ":\t").empty() ? "" : "";
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(key + ":\t", 0) == 0) return line.substr(key.size() + 2);
    }
    return v;
  };
  EXPECT_EQ(status_field("Uid"), "1000\t1000\t1000\t1000");
  EXPECT_EQ(status_field("Gid"), "1001\t1001\t1001\t1001");
  EXPECT_EQ(status_field("Groups"), "10 20 ");
  EXPECT_EQ(status_field("CapBnd"), hex(bounding));
  EXPECT_EQ(status_field("CapEff"), hex(effective));
  EXPECT_EQ(status_field("CapPrm"), hex(permitted));
  EXPECT_EQ(status_field("CapInh"), hex(inheritable));
  EXPECT_EQ(status_field("CapAmb"), hex(Bit(CAP_NET_BIND_SERVICE)));
  EXPECT_EQ(status_field("NoNewPrivs"), "1");
}

TEST_F(ContainerSteps, PersonalitySchedulerIoPriorityMemoryPolicy) {
  PlanBuilder b(rootfs_);
  b.Base();
  b.Pivot();
  b.Add(StepKind::kPersonality).nums = {PER_LINUX32};
  b.Add(StepKind::kScheduler).nums = {SCHED_BATCH, 7, 0, 0, 0, 0, 0};
  b.Add(StepKind::kIoPriority).nums = {2, 5};  // IOPRIO_CLASS_BE, level 5
  Step& mp = b.Add(StepKind::kMemoryPolicy);
  mp.nums = {MPOL_BIND};
  mp.value = "0";
  auto r = RunInit(b.plan(), [] {
    Say("personality: " + std::to_string(personality(0xffffffff)));
    Say("policy: " + std::to_string(sched_getscheduler(0)));
    Say("nice: " + std::to_string(getpriority(PRIO_PROCESS, 0)));
    Say("ioprio: " + std::to_string(syscall(SYS_ioprio_get, 1, 0)));
    int mode = -1;
    syscall(SYS_get_mempolicy, &mode, nullptr, 0, nullptr, 0);
    Say("mempolicy: " + std::to_string(mode));
  });
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Field(r.out, "personality"), std::to_string(PER_LINUX32));
  EXPECT_EQ(Field(r.out, "policy"), std::to_string(SCHED_BATCH));
  EXPECT_EQ(Field(r.out, "nice"), "7");
  EXPECT_EQ(Field(r.out, "ioprio"), std::to_string((2 << 13) | 5));
  EXPECT_EQ(Field(r.out, "mempolicy"), std::to_string(MPOL_BIND));
}

TEST_F(ContainerSteps, SeccompDeniesWithTheConfiguredErrno) {
  PlanBuilder b(rootfs_);
  b.Base();
  b.Pivot();
  Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.architectures = {"SCMP_ARCH_X86_64"};
  SeccompSyscall rule;
  rule.names = {"mkdir", "mkdirat"};
  rule.action = "SCMP_ACT_ERRNO";
  rule.errno_ret = EXDEV;
  s.syscalls = {rule};
  b.plan().seccomp = s;
  // Without no_new_privs the filter needs CAP_SYS_ADMIN: it goes before the user and caps steps.
  b.Add(StepKind::kSeccomp);
  b.Add(StepKind::kUser).nums = {1000, 1000};
  b.Add(StepKind::kCaps).nums = {0, 0, 0, 0, 0};
  auto r = RunInit(b.plan(), [] {
    Say("mkdir: " + Errno(mkdir("/tmp/h5", 0755)));
    Say(Slurp("/proc/self/status"));
  });
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Field(r.out, "mkdir"), strerror(EXDEV));
  EXPECT_THAT(r.out, HasSubstr("Seccomp:\t2\n"));
  EXPECT_THAT(r.out, HasSubstr("CapEff:\t0000000000000000\n"));
}

TEST_F(ContainerSteps, PodmanSeccompProfileLoadsAndWorks) {
  Diagnostics diags;
  JsonDocument doc;
  ASSERT_TRUE(ReadJsonFile(RUNC_SOURCE_DIR "/golden/fixture-podman/config.json", "config.json", doc,
                           diags));
  Spec spec = SpecFromJson(doc);
  ASSERT_TRUE(spec.linux.seccomp);
  PlanBuilder b(rootfs_);
  b.Base();
  b.Pivot();
  b.plan().seccomp = *spec.linux.seccomp;
  b.Add(StepKind::kHostname).value = "before-seccomp";  // podman's profile forbids sethostname
  b.Add(StepKind::kSeccomp);
  Step& e = b.Add(StepKind::kExecve);
  e.path = "sh";
  e.argv = {"sh", "-c",
            "hostname after-seccomp; echo hostname-rc=$?; hostname; echo personality-ok; "
            "grep Seccomp: /proc/self/status; ls /bin/busybox"};
  e.env = {"PATH=/bin"};
  auto r = RunInit(b.plan());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(
      r.out,
      HasSubstr("hostname: sethostname: Operation not permitted\nhostname-rc=1\nbefore-seccomp\n"));
  EXPECT_THAT(r.out, HasSubstr("Seccomp:\t2\n"));
  EXPECT_THAT(r.out, HasSubstr("/bin/busybox\n"));
}

// ---- start
// -----------------------------------------------------------------------------------------

TEST_F(ContainerSteps, ExecveLooksUpPathOfTheContainerEnvironment) {
  std::ofstream(rootfs_ + "/usr/bin/notelf") << "this is not a program\n";
  chmod((rootfs_ + "/usr/bin/notelf").c_str(), 0755);
  struct Case {
    std::string program;
    std::vector<std::string> env;
    int status;
    std::string out;
  };
  std::vector<Case> cases = {
      {"echo", {"PATH=/usr/bin:/bin"}, 0, "hello\n"},
      // The runtime's PATH has /bin; the container's does not.
      {"echo",
       {"PATH=/usr/bin"},
       111,
       "step 8: exec: \"echo\": executable file not found in $PATH: No such file or directory\n"},
      {"/bin/echo", {}, 0, "hello\n"},
      {"notelf", {"PATH=/usr/bin"}, 111, "step 8: exec /usr/bin/notelf: Exec format error\n"},
      {"/bin/h5-missing", {}, 111, "step 8: exec /bin/h5-missing: No such file or directory\n"},
  };
  for (const auto& c : cases) {
    PlanBuilder b(rootfs_);
    b.Base();
    b.Pivot();
    Step& e = b.Add(StepKind::kExecve);
    e.path = c.program;
    e.argv = {c.program, "hello"};
    e.env = c.env;
    auto r = RunInit(b.plan());
    EXPECT_EQ(r.status, c.status) << c.program;
    EXPECT_EQ(r.out, c.out) << c.program;
  }
}

TEST_F(ContainerSteps, ConsoleIsSentOverTheSocket) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  PlanBuilder b(rootfs_);
  b.Base();
  b.Mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
          "newinstance,ptmxmode=0666,mode=0620");
  b.Pivot();
  b.Add(StepKind::kConsole).path = "/dev/pts/ptmx";
  b.plan().steps.back().nums = {33, 101};
  InitOptions opt;
  opt.console_socket_fd = sv[1];
  auto r = RunInit(
      b.plan(),
      [] {
        winsize ws{};
        ioctl(0, TIOCGWINSZ, &ws);
        Say("size: " + std::to_string(ws.ws_row) + "x" + std::to_string(ws.ws_col));
        Say("tty: " + std::string(isatty(1) ? "yes" : "no"));
        Say("leader: " + std::string(getsid(0) == getpid() ? "yes" : "no"));
        Say("ctty: " + std::string(tcgetpgrp(0) == getpgrp() ? "yes" : "no"));
      },
      opt);
  close(sv[1]);
  ASSERT_EQ(r.status, 0) << r.out;
  char name[64] = {};
  iovec iov{name, sizeof name - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ASSERT_GT(recvmsg(sv[0], &msg, 0), 0);
  close(sv[0]);
  EXPECT_STREQ(name, "/dev/pts/ptmx");
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  ASSERT_NE(cmsg, nullptr);
  ASSERT_EQ(cmsg->cmsg_type, SCM_RIGHTS);
  int master = -1;
  memcpy(&master, CMSG_DATA(cmsg), sizeof master);
  std::string tty;
  char buf[512];
  ssize_t n;
  while ((n = read(master, buf, sizeof buf)) > 0) tty.append(buf, static_cast<size_t>(n));
  close(master);
  // The probe wrote to its stdio, which is now the pty: it arrives through the master.
  EXPECT_THAT(tty, HasSubstr("size: 33x101\r\n"));
  EXPECT_THAT(tty, HasSubstr("tty: yes\r\n"));
  EXPECT_THAT(tty, HasSubstr("leader: yes\r\n"));
  EXPECT_THAT(tty, HasSubstr("ctty: yes\r\n"));
}

TEST_F(ContainerSteps, SharedRootfsPropagationStillPivots) {
  PlanBuilder b(rootfs_);
  b.Base();
  b.plan().steps[0].flags = MS_SHARED | MS_REC;
  b.Pivot();
  Step& again = b.Add(StepKind::kPropagation);
  again.path = "/";
  again.flags = MS_SHARED | MS_REC;
  auto r = RunInit(b.plan(), [] { PrintMountInfo(); });
  ASSERT_EQ(r.status, 0) << r.out;
  auto mounts = ParseMountInfo(MountInfoOf(r.out));
  EXPECT_THAT(mounts["/"].optional, HasSubstr("shared:")) << r.out;
}

TEST_F(ContainerSteps, UserNamespaceBindsDevicesAndKeepsLockedFlags) {
  PlanBuilder b(rootfs_);
  b.Add(StepKind::kSetgroups).value = "deny";
  Step& p = b.Add(StepKind::kPropagation);
  p.path = "/";
  p.flags = MS_SLAVE | MS_REC;
  b.Add(StepKind::kRootfsBind).path = rootfs_;
  b.Mount("proc", "/proc", "proc", kDefaultMountFlags);
  b.Mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  for (const char* dev : {"/dev/null", "/dev/zero"}) {
    Step& d = b.Add(StepKind::kDeviceBind);
    d.source = dev;
    d.path = dev;
  }
  b.Pivot();
  b.Add(StepKind::kRootReadonly);
  b.Add(StepKind::kReadonlyPath).path = "/proc/sys";
  b.Add(StepKind::kMask).path = "/proc/keys";
  b.Add(StepKind::kUser).nums = {0, 0, 10};  // no setgroups after "deny": the groups stay
  // The user namespace only maps root, to root: enough for mounts it owns, not for mknod.
  InitOptions opt;
  opt.extra_unshare = CLONE_NEWUSER;
  opt.setup = [] {
    for (auto [file, text] : {std::pair{"/proc/self/setgroups", "deny"},
                              {"/proc/self/uid_map", "0 0 1"},
                              {"/proc/self/gid_map", "0 0 1"}}) {
      int fd = open(file, O_WRONLY);
      if (fd < 0 || write(fd, text, strlen(text)) < 0)
        Say(std::string(file) + ": " + strerror(errno));
      close(fd);
    }
  };
  auto r = RunInit(
      b.plan(),
      [] {
        PrintMountInfo();
        struct stat st {};
        stat("/dev/zero", &st);
        Say("zero: " + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)));
        int fd = open("/dev/zero", O_RDONLY);
        char c = 1;
        ssize_t n = read(fd, &c, 1);
        Say("zero-read: " + std::to_string(n) + " " + std::to_string(c));
        Say("mknod: " + Errno(mknod("/dev/h5", S_IFCHR | 0600, makedev(1, 3))));
        fd = open("/proc/sys/kernel/hostname", O_WRONLY);
        Say("sys-write: " + std::string(fd < 0 ? strerror(errno) : "ok"));
      },
      opt);
  ASSERT_EQ(r.status, 0) << r.out;
  auto mounts = ParseMountInfo(MountInfoOf(r.out));
  EXPECT_EQ(Field(r.out, "zero"), "1:5");
  EXPECT_EQ(Field(r.out, "zero-read"), "1 0");
  EXPECT_EQ(Field(r.out, "mknod"), strerror(EPERM));
  EXPECT_EQ(Field(r.out, "sys-write"), strerror(EROFS));
  EXPECT_TRUE(HasOption(mounts["/"].options, "ro")) << r.out;
  EXPECT_TRUE(HasOption(mounts["/proc/sys"].options, "nosuid"));
  EXPECT_EQ(mounts["/proc/keys"].fstype, "devtmpfs");  // the host's /dev/null, bound

  // A joined user namespace: "deny" is in /proc/self/setgroups but the plan has no setgroups step.
  b.plan().steps.erase(b.plan().steps.begin());
  r = RunInit(
      b.plan(), [] { Say(Slurp("/proc/self/status")); }, opt);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("Uid:\t0\t0\t0\t0\n"));
}

TEST_F(ContainerSteps, SeccompNotifySendsTheListenerWithTheState) {
  std::string listener = dir_.path() + "/seccomp.sock";
  std::string received = dir_.path() + "/received";
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", listener.c_str());
  ASSERT_EQ(bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(lfd, 1), 0);
  // The seccomp agent: a process (not a thread: RunInit forks) that takes the listener, answers
  // the first notification with EXDEV and records what it got.
  pid_t agent = fork();
  if (agent == 0) {
    alarm(30);
    int c = accept(lfd, nullptr, nullptr);
    char buf[4096] = {};
    iovec iov{buf, sizeof buf - 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (recvmsg(c, &msg, 0) <= 0 || !CMSG_FIRSTHDR(&msg)) _exit(1);
    int nfd = -1;
    memcpy(&nfd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof nfd);
    seccomp_notif req{};
    if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) _exit(2);
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.error = -EXDEV;
    if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) _exit(3);
    std::ofstream(received) << "nr=" << req.data.nr << "\n" << buf;
    _exit(0);
  }
  close(lfd);
  PlanBuilder b(rootfs_);
  b.Base();
  b.Pivot();
  Seccomp sc;
  sc.default_action = "SCMP_ACT_ALLOW";
  sc.listener_path = listener;
  sc.listener_metadata = "h5-metadata";
  SeccompSyscall rule;
  rule.names = {"mkdirat", "mkdir"};
  rule.action = "SCMP_ACT_NOTIFY";
  sc.syscalls = {rule};
  b.plan().seccomp = sc;
  b.Add(StepKind::kSeccomp);
  auto r = RunInit(b.plan(), [] { Say("mkdir: " + Errno(mkdir("/tmp/h5-notified", 0755))); });
  int st = 0;
  waitpid(agent, &st, 0);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Field(r.out, "mkdir"), strerror(EXDEV));
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  std::string got = Slurp(received);
  EXPECT_THAT(got, ::testing::StartsWith("nr=" + std::to_string(SYS_mkdir) + "\n"));
  auto state = nlohmann::json::parse(got.substr(got.find('\n') + 1));
  EXPECT_EQ(state["fds"], nlohmann::json::array({"seccompFd"}));
  EXPECT_EQ(state["metadata"], "h5-metadata");
  EXPECT_EQ(state["state"]["id"], "h5-test");
  EXPECT_EQ(state["state"]["status"], "creating");
  EXPECT_GT(state["pid"].get<int>(), 1);  // the init's pid on the host, not 1
  EXPECT_EQ(state["pid"], state["state"]["pid"]);
}

TEST_F(ContainerSteps, ExecveSetsHomeFromTheImagePasswd) {
  struct Case {
    int64_t uid;
    std::vector<std::string> env;
    std::string out;
  };
  std::vector<Case> cases = {
      {0, {"PATH=/bin"}, "/root\n"},          // root:x:0:0:root:/root:/bin/sh
      {65534, {"PATH=/bin"}, "/\n"},          // nobody's home is /
      {4242, {"PATH=/bin"}, "/\n"},           // not in the image
      {0, {"PATH=/bin", "HOME=/x"}, "/x\n"},  // given: kept
  };
  for (const auto& c : cases) {
    PlanBuilder b(rootfs_);
    b.Base();
    b.Pivot();
    b.Add(StepKind::kUser).nums = {c.uid, c.uid};
    Step& e = b.Add(StepKind::kExecve);
    e.path = "sh";
    e.argv = {"sh", "-c", "echo $HOME"};
    e.env = c.env;
    auto r = RunInit(b.plan());
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, c.out) << c.uid;
  }
}

}  // namespace
}  // namespace runc
