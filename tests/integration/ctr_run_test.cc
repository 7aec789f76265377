// The container steps through the real binary: `runc run` of busybox bundles, looking from inside
// the container at what the rootfs and process steps did.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;

class CtrRunTest : public ::testing::Test {
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

  // Runs `script` with busybox sh in a container of `bundle` (its config edited by the caller).
  RunResult RunScript(Bundle& bundle, const std::string& script) {
    bundle.config()["process"]["args"] = {"sh", "-c", script};
    bundle.config()["linux"]["cgroupsPath"] = "/" + UniqueId("h5run");
    bundle.Write();
    return Runc(root_.path(), {"run", "--bundle", bundle.path(), UniqueId("h5")});
  }

  TempDir root_{"runc-h5-root"};
  std::string host_mounts_;
};

// mount point -> "fstype options" of the visible mount.
std::map<std::string, std::string> Mounts(const std::string& mountinfo) {
  std::map<std::string, std::string> out;
  std::istringstream in(mountinfo);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, parent, dev, root, mp, opts, field, fstype;
    if (!(f >> id >> parent >> dev >> root >> mp >> opts)) continue;
    while (f >> field && field != "-") {
    }
    f >> fstype;
    out[mp] = fstype + " " + opts;
  }
  return out;
}

std::string Section(const std::string& out, const std::string& name) {
  std::string begin = "== " + name + "\n";
  size_t a = out.find(begin);
  if (a == std::string::npos) return "";
  a += begin.size();
  size_t b = out.find("== ", a);
  return out.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

TEST_F(CtrRunTest, DefaultSpecSeenFromInside) {
  Bundle bundle;
  auto r = RunScript(bundle,
                     "echo '== mounts'; cat /proc/self/mountinfo;"
                     "echo '== status'; grep -E '^(Cap|NoNewPrivs|Uid|Gid)' /proc/self/status;"
                     "echo '== hostname'; hostname;"
                     "echo '== keys'; wc -c < /proc/keys;"
                     "echo '== sysctl'; (echo x > /proc/sys/kernel/domainname) 2>&1;"
                     "echo '== root'; touch /h5 2>&1;"
                     "echo '== dev'; ls /dev; readlink /dev/ptmx; readlink /dev/fd;"
                     "echo '== nofile'; ulimit -n;"
                     "echo '== end'");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  auto mounts = Mounts(Section(r.out, "mounts"));
  std::set<std::string> points;
  for (const auto& [mp, what] : mounts) points.insert(mp);
  for (const char* p : {"/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                        "/sys/fs/cgroup", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                        "/proc/acpi", "/proc/keys", "/proc/timer_list", "/sys/firmware"}) {
    EXPECT_EQ(points.count(p), 1u) << p << "\n" << Section(r.out, "mounts");
  }
  EXPECT_THAT(mounts["/"], HasSubstr(" ro,"));
  EXPECT_THAT(mounts["/sys"], ::testing::StartsWith("sysfs ro,"));
  // runc 1.1 leaves the cgroup tmpfs itself writable; the hierarchies below it are read-only.
  EXPECT_THAT(mounts["/sys/fs/cgroup"], ::testing::StartsWith("tmpfs rw,"));
  for (const auto& [mp, what] : mounts) {
    if (mp.rfind("/sys/fs/cgroup/", 0) == 0) {
      EXPECT_THAT(what, ::testing::StartsWith("cgroup ro,")) << mp;
    }
  }
  EXPECT_THAT(mounts["/proc/sys"], ::testing::StartsWith("proc ro,"));
  EXPECT_THAT(mounts["/proc/acpi"], ::testing::StartsWith("tmpfs ro,"));
  // What runc's default spec gives: three capabilities in every set but inheritable, and so none
  // ambient.
  EXPECT_EQ(
      Section(r.out, "status"),
      "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t0000000020000420\n"
      "CapEff:\t0000000020000420\nCapBnd:\t0000000020000420\nCapAmb:\t0000000000000000\n"
      "NoNewPrivs:\t1\n");
  EXPECT_EQ(Section(r.out, "hostname"), "runc\n");
  EXPECT_EQ(Section(r.out, "keys"), "0\n");
  EXPECT_THAT(Section(r.out, "sysctl"), HasSubstr("Read-only file system"));
  EXPECT_THAT(Section(r.out, "root"), HasSubstr("Read-only file system"));
  EXPECT_EQ(
      Section(r.out, "dev"),
      "fd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n"
      "pts/ptmx\n/proc/self/fd\n");
  EXPECT_EQ(Section(r.out, "nofile"), "1024\n");
}

// A node of linux.devices is made, but its access is what linux.resources.devices gives: runc
// 1.1 adds no cgroup rule for it (its dev.bats "device cgroup deny": EPERM on /dev/kmsg). Before,
// we added "c 1:11 rwm" and the container could open it.
TEST_F(CtrRunTest, SpecDevicesGetNoCgroupRuleOfTheirOwn) {
  for (bool allowed : {false, true}) {
    Bundle bundle;
    auto& linux = bundle.config()["linux"];
    linux["resources"]["devices"] = {{{"allow", false}, {"access", "rwm"}}};
    if (allowed) {
      linux["resources"]["devices"].push_back(
          {{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "r"}});
    }
    linux["devices"] = {{{"path", "/dev/kmsg"}, {"type", "c"}, {"major", 1}, {"minor", 11}}};
    // Reading /dev/kmsg also needs CAP_SYSLOG (dmesg_restrict): the cgroup must be what refuses.
    for (const char* set : {"bounding", "effective", "permitted"}) {
      bundle.config()["process"]["capabilities"][set].push_back("CAP_SYSLOG");
    }
    auto r = RunScript(bundle, "ls /dev/kmsg >/dev/null && echo node;"
                               "dd if=/dev/kmsg of=/dev/null count=0 2>&1 && echo opened; true");
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_THAT(r.out, ::testing::StartsWith("node\n")) << r.out;
    if (allowed) {
      EXPECT_THAT(r.out, HasSubstr("opened")) << r.out;
    } else {
      EXPECT_THAT(r.out, HasSubstr("Operation not permitted")) << r.out;
      EXPECT_THAT(r.out, ::testing::Not(HasSubstr("opened"))) << r.out;
    }
  }
}

// An `a` in a rule's access ("rwa", update.bats) is dropped as runc's device emulator does: the
// rule is the other letters. Until 2026-12-07 validation refused it ("invalid device access").
TEST_F(CtrRunTest, DeviceAccessWithAnAIsTheOtherLetters) {
  for (const char* access : {"ra", "wa"}) {
    SCOPED_TRACE(access);
    Bundle bundle;
    auto& linux = bundle.config()["linux"];
    linux["resources"]["devices"] = {{{"allow", false}, {"access", "rwm"}},
                                     {{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", access}}};
    linux["devices"] = {{{"path", "/dev/kmsg"}, {"type", "c"}, {"major", 1}, {"minor", 11}}};
    for (const char* set : {"bounding", "effective", "permitted"}) {
      bundle.config()["process"]["capabilities"][set].push_back("CAP_SYSLOG");
    }
    auto r = RunScript(bundle, "dd if=/dev/kmsg of=/dev/null count=0 2>&1 && echo opened; true");
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    if (std::string(access) == "ra") {
      EXPECT_THAT(r.out, HasSubstr("opened")) << r.out;
    } else {
      EXPECT_THAT(r.out, HasSubstr("Operation not permitted")) << r.out;
    }
  }
  // update.bats' "minimal transition rules" config: a deny with "rwa" after a deny-all.
  Bundle bundle;
  bundle.config()["linux"]["resources"]["devices"] = {
      {{"allow", false}, {"access", "rwm"}},
      {{"allow", false}, {"type", "c"}, {"major", 1}, {"minor", 11}, {"access", "rwa"}}};
  auto r = RunScript(bundle, "echo ran");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ran\n");
}

// A bind source the container's root cannot reach (under a 0700 directory of the host's root,
// the container's root being host uid 100000) is opened by the runtime (mount.open) and mounted
// from that fd, as runc 1.1 does (userns.bats "userns with 2 inaccessible mounts"). Until
// 2026-12-07 the init's bind failed with EACCES.
TEST_F(CtrRunTest, UsernsBindSourcesTheContainerCannotReach) {
  TempDir sources{"runc-h5-userns-src"};
  for (const char* dir : {"/in-1", "/in-1/dir", "/in-2", "/in-2/dir"}) {
    ASSERT_EQ(mkdir((sources.path() + dir).c_str(), 0755), 0) << dir;
  }
  for (const char* file : {"/in-1/dir/foo.txt", "/in-2/dir/foo.txt"}) {
    std::ofstream(sources.path() + file) << "x\n";
  }
  ASSERT_EQ(chmod((sources.path() + "/in-1").c_str(), 0700), 0);
  ASSERT_EQ(chmod((sources.path() + "/in-2").c_str(), 0700), 0);
  Bundle bundle;
  chmod(bundle.path().c_str(), 0755);
  auto& linux = bundle.config()["linux"];
  linux["namespaces"].push_back({{"type", "user"}});
  linux["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  linux["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  auto& mounts = bundle.config()["mounts"];
  mounts.push_back({{"source", sources.path() + "/in-1/dir"}, {"destination", "/tmp/mount-1"}, {"options", {"bind"}}});
  mounts.push_back(
      {{"source", sources.path() + "/in-2/dir"}, {"destination", "/tmp/mount-2"}, {"options", {"rbind", "ro"}}});
  auto r = RunScript(bundle, "cat /tmp/mount-1/foo.txt /tmp/mount-2/foo.txt; touch /tmp/mount-2/bar 2>&1; true");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "x\nx\ntouch: /tmp/mount-2/bar: Read-only file system\n") << r.err;
  // The plan says who opens them.
  bundle.Write();
  r = Runc(root_.path(), {"plan", "--bundle", bundle.path()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("mount.open +" + sources.path() + "/in-1/dir on /tmp/mount-1 bind "));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("mount.open +" + sources.path() + "/in-2/dir on /tmp/mount-2 rbind "));
}

TEST_F(CtrRunTest, UserGroupsCapabilitiesAndProcessSettings) {
  Bundle bundle;
  auto& c = bundle.config();
  c["process"]["user"] = {
      {"uid", 1000}, {"gid", 1001}, {"additionalGids", {10, 20}}, {"umask", 23}};
  c["process"]["capabilities"] = {{"bounding", {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"}},
                                  {"effective", {"CAP_NET_BIND_SERVICE"}},
                                  {"permitted", {"CAP_NET_BIND_SERVICE", "CAP_KILL"}},
                                  {"inheritable", {"CAP_NET_BIND_SERVICE"}},
                                  {"ambient", {"CAP_NET_BIND_SERVICE"}}};
  c["process"]["noNewPrivileges"] = false;
  c["process"]["cwd"] = "/tmp";
  c["process"]["oomScoreAdj"] = 314;
  c["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 321}, {"hard", 654}}};
  c["domainname"] = "h5.example";
  c["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}};
  auto r = RunScript(
      bundle,
      "grep -E '^(Cap|NoNewPrivs|Uid|Gid|Groups)' /proc/self/status; pwd; umask;"
      "cat /proc/self/oom_score_adj; ulimit -n; ulimit -Hn; cat /proc/sys/kernel/domainname;"
      "cat /proc/sys/net/ipv4/ip_forward");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  // Permitted/effective of a non-root process after execve are the ambient set.
  EXPECT_EQ(r.out,
            "Uid:\t1000\t1000\t1000\t1000\nGid:\t1001\t1001\t1001\t1001\nGroups:\t10 20 \n"
            "CapInh:\t0000000000000400\nCapPrm:\t0000000000000400\nCapEff:\t0000000000000400\n"
            "CapBnd:\t0000000000000421\nCapAmb:\t0000000000000400\nNoNewPrivs:\t0\n"
            "/tmp\n0027\n314\n321\n654\nh5.example\n1\n");
}

TEST_F(CtrRunTest, PodmanSeccompProfile) {
  Bundle bundle;
  nlohmann::json podman =
      nlohmann::json::parse(ReadFile(RUNC_SOURCE_DIR "/golden/fixture-podman/config.json"));
  bundle.config()["linux"]["seccomp"] = podman["linux"]["seccomp"];
  bundle.config()["root"]["readonly"] = false;
  auto r = RunScript(bundle,
                     "grep Seccomp: /proc/self/status; hostname h5 2>&1; echo rc=$?;"
                     "uname -s; mkdir /tmp/x && echo mkdir-ok");
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(r.out,
            "Seccomp:\t2\nhostname: sethostname: Operation not permitted\nrc=1\nLinux\nmkdir-ok\n");
}

TEST_F(CtrRunTest, ExecErrorsNameTheFile) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"h5-nosuch"}, "exec: \"h5-nosuch\": executable file not found in $PATH"},
      {{"/etc/passwd"}, "exec /etc/passwd: Permission denied"},
      {{"/bin/h5-script"}, "exec /bin/h5-script: Exec format error"},
  };
  for (const auto& c : cases) {
    Bundle bundle(c.args);
    std::ofstream(bundle.rootfs() + "/bin/h5-script") << "no interpreter line\n";
    chmod((bundle.rootfs() + "/bin/h5-script").c_str(), 0755);
    bundle.config()["linux"]["cgroupsPath"] = "/" + UniqueId("h5exec");
    bundle.Write();
    auto r = Runc(root_.path(), {"run", "--bundle", bundle.path(), UniqueId("h5")});
    EXPECT_NE(r.status, 0) << c.args[0];
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.args[0];
  }
}

}  // namespace
}  // namespace runc::test
