// Differential test: the same bundle run by Debian's runc (/usr/sbin/runc, its own --root) and by
// ours must look the same from inside the container (capabilities, mount table shape, limits,
// hostname, ids, devices, cgroup membership, exit code) and leave the same cgroup files on the
// host. Cases: the harness' default config, every fixture in ../shared/fixtures that Debian's runc
// can run here, and a few variations. What is compared from inside: capabilities, no_new_privs,
// the seccomp mode and filter count, which namespaces are new (each /proc/self/ns/* against the
// test's own), every mount with its full per-mount and superblock options, namespaced sysctls,
// limits, ids, hostname, cgroup, /dev, env, masked paths. Without the reference (or when it cannot
// run a case) the tests fail, unless RUNC_DIFF_ALLOW_NO_REFERENCE=1; DifferentialProbe checks that
// the probe sees a change in each of these properties.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

// Debian's runc; RUNC_DIFF_REFERENCE names another binary (e.g. to see the test fail without one).
const char* const kReferenceRunc =
    std::getenv("RUNC_DIFF_REFERENCE") != nullptr ? std::getenv("RUNC_DIFF_REFERENCE") : "/usr/sbin/runc";
constexpr int kProbeExit = 7;

// Set to 1 to let the differential tests skip when Debian's runc is not installed or cannot run a
// case here; without it they fail, so that a missing reference is never a silent pass.
constexpr const char* kOptOut = "RUNC_DIFF_ALLOW_NO_REFERENCE";

bool OptedOut() {
  const char* v = std::getenv(kOptOut);
  return v != nullptr && std::string(v) == "1";
}

// What the container reports about itself; every line is deterministic for a given config and
// host (no pids, times or inode numbers). The mount table is compared as a set of (mount point,
// type, per-mount options, superblock options): the order of the spec's mounts is the spec's, but
// the order of the per-controller mounts under /sys/fs/cgroup is the runtime's choice. Device
// cgroup rules are compared as sets too. Namespaces: each of /proc/self/ns/* is the host's
// ("host") or a new one ("new"); @HOSTNS@ is replaced by the test's own (name=link words).
// Seccomp: the mode and the number of filters from /proc/self/status (the filters' BPF is not
// compared: the two runtimes compile the same rules into different programs). Sysctls: a fixed list of namespaced ones plus @SYSCTLS@ (the config's).
constexpr const char* kProbe = R"SH(
echo "== status"; grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp|Seccomp_filters):' /proc/self/status
echo "== namespaces"; for e in @HOSTNS@; do n=${e%%=*}; h=${e#*=}; c=$(readlink /proc/self/ns/$n 2>/dev/null || echo none); if [ "$c" = "$h" ]; then echo "$n host"; elif [ "$c" = none ]; then echo "$n none"; else echo "$n new"; fi; done
echo "== mounts"; awk '{ i = 7; while ($i != "-") i++; print $5, $(i+1), $6, $(i+3) }' /proc/self/mountinfo | sort
echo "== sysctls"; for k in @SYSCTLS@; do f=/proc/sys/$(echo $k | tr . /); if [ -r $f ]; then echo "$k = $(cat $f | tr '	
' '  ')"; else echo "$k: -"; fi; done
echo "== limits"; echo "nofile $(ulimit -n) $(ulimit -Hn)"; echo "nproc $(ulimit -u) $(ulimit -Hu)"
echo "== uts"; hostname
echo "== ids"; id; umask; pwd
echo "== oom"; cat /proc/self/oom_score_adj
echo "== cgroup"; cat /proc/self/cgroup
echo "== cgroupfs"; for f in pids/pids.max memory/memory.limit_in_bytes cpu/cpu.shares devices/devices.list; do
  if [ -e /sys/fs/cgroup/$f ]; then echo "$f: $(sort /sys/fs/cgroup/$f | tr '\n' ' ')"; else echo "$f: -"; fi; done
echo "== dev"; stat -c '%n %F %t:%T %a %u:%g' /dev/* /dev/pts/* 2>&1 | sort
echo "== env"; env | grep -v '^PWD=\|^SHLVL=\|^_=' | sort
echo "== masked"; for p in /proc/kcore /proc/keys /sys/firmware; do [ -r $p ] && echo "$p: $(head -c 1 $p 2>&1 | wc -c)"; done
exit 7
)SH";

// Namespaced sysctls every case prints (the config's own keys are added).
constexpr const char* kSysctls =
    "kernel.hostname kernel.domainname kernel.shmmax kernel.shmall kernel.shmmni kernel.msgmax kernel.msgmnb "
    "kernel.msgmni kernel.sem fs.mqueue.msg_max fs.mqueue.queues_max net.ipv4.ip_forward "
    "net.ipv4.ping_group_range net.ipv4.ip_unprivileged_port_start net.core.somaxconn net.ipv4.tcp_syncookies";

// name=link of each of the test process's own namespaces (the host's).
std::string HostNamespaces() {
  std::string out;
  for (const char* n : {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts"}) {
    char link[256];
    ssize_t len = readlink((std::string("/proc/self/ns/") + n).c_str(), link, sizeof link - 1);
    if (len <= 0) continue;
    out += std::string(n) + "=" + std::string(link, static_cast<size_t>(len)) + " ";
  }
  return out;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

// Host-side view of the container's cgroup while it is kept after exit (run --keep).
std::string CgroupFiles(const std::string& cgroups_path) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kFiles = {
      {"memory", {"memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes",
                  "memory.swappiness", "memory.oom_control"}},
      {"pids", {"pids.max"}},
      {"cpu", {"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us"}},
      {"cpuset", {"cpuset.cpus", "cpuset.mems"}},
      {"devices", {"devices.list"}},
      {"blkio", {"blkio.weight"}},
      {"freezer", {"freezer.state"}},
      {"unified", {"cgroup.procs"}},
  };
  std::ostringstream out;
  for (const auto& [controller, files] : kFiles) {
    const std::string dir = "/sys/fs/cgroup/" + controller + cgroups_path;
    struct stat st;
    if (stat(dir.c_str(), &st) != 0) {
      out << controller << ": absent\n";
      continue;
    }
    for (const auto& f : files) {
      std::string text = ReadFile(dir + "/" + f);
      if (f == "devices.list") {
        std::istringstream in(text);
        std::vector<std::string> rules;
        for (std::string line; std::getline(in, line);) rules.push_back(line);
        std::sort(rules.begin(), rules.end());
        text.clear();
        for (const auto& r : rules) text += r + "\n";
      }
      out << controller << "/" << f << ": " << text;
    }
  }
  return out.str();
}

struct Outcome {
  RunResult run;
  std::string cgroup_files;
};

// Runs the bundle's config under `runc_binary` with its own root: run --keep, snapshot the host
// cgroup, delete.
Outcome RunUnder(const std::string& runc_binary, const std::string& bundle, const std::string& cgroups_path,
                 const std::string& id) {
  TempDir root("runc-diff-root");
  Outcome o;
  o.run = test::Run({runc_binary, "--root", root.path(), "run", "--keep", "--bundle", bundle, id});
  o.cgroup_files = CgroupFiles(cgroups_path);
  RunResult del = test::Run({runc_binary, "--root", root.path(), "delete", "--force", id});
  EXPECT_EQ(del.status, 0) << runc_binary << " delete: " << del.err;
  struct stat st;
  EXPECT_NE(stat(("/sys/fs/cgroup/pids" + cgroups_path).c_str(), &st), 0)
      << runc_binary << " left its cgroup behind";
  return o;
}

// Splits the probe output into sections so a mismatch names the section.
std::vector<std::pair<std::string, std::string>> Sections(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> sections;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("== ", 0) == 0) {
      sections.emplace_back(line.substr(3), "");
    } else if (!sections.empty()) {
      sections.back().second += line + "\n";
    } else {
      sections.emplace_back("(before probe)", line + "\n");
    }
  }
  return sections;
}

// Turns a config into one both runtimes can run here: our busybox rootfs, the probe as the process,
// no terminal, host paths that only existed on the machine the config came from replaced by files in
// the bundle, and a unique cgroup.
void Adapt(nlohmann::json& config, const std::string& bundle, const std::string& cgroups_path) {
  bool readonly = config.contains("root") && config["root"].value("readonly", false);
  config["root"] = {{"path", "rootfs"}, {"readonly", readonly}};
  std::string sysctls = kSysctls;
  if (config.contains("linux") && config["linux"].contains("sysctl")) {
    for (const auto& [key, value] : config["linux"]["sysctl"].items()) sysctls += " " + key;
  }
  config["process"]["args"] = {
      "sh", "-c", ReplaceAll(ReplaceAll(kProbe, "@HOSTNS@", HostNamespaces()), "@SYSCTLS@", sysctls)};
  config["process"]["terminal"] = false;
  config["process"].erase("consoleSize");
  config.erase("hooks");
  if (config.contains("mounts")) {
    for (auto& m : config["mounts"]) {
      const std::string source = m.value("source", "");
      struct stat st;
      if (source.empty() || source[0] != '/' || stat(source.c_str(), &st) == 0) continue;
      const std::string name = source.substr(source.rfind('/') + 1);
      const std::string replacement = bundle + "/host-" + name;
      if (name == "shm") {
        mkdir(replacement.c_str(), 01777);
      } else {
        std::ofstream(replacement) << name << " from the bundle\n";
      }
      m["source"] = replacement;
    }
  }
  config["linux"]["cgroupsPath"] = cgroups_path;
}

struct Case {
  std::string name;
  std::string fixture;  // golden/<case>/config.json (copies of ../shared/fixtures), or "" for the harness default
  void (*edit)(nlohmann::json&) = nullptr;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

void NobodyWithGroups(nlohmann::json& c) {
  c["process"]["user"] = {{"uid", 65534}, {"gid", 65534}, {"additionalGids", {5, 65534}}, {"umask", 23}};
  c["process"]["cwd"] = "/tmp";
}
void Writable(nlohmann::json& c) {
  c["root"]["readonly"] = false;
  c["hostname"] = "differential";
  c["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 512}, {"hard", 4096}},
                             {{"type", "RLIMIT_NPROC"}, {"soft", 100}, {"hard", 200}}};
  c["process"]["oomScoreAdj"] = 100;
}
void Limited(nlohmann::json& c) {
  c["linux"]["resources"] = {
      {"devices", {{{"allow", false}, {"access", "rwm"}}, {{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 3}, {"access", "rw"}}}},
      {"memory", {{"limit", 67108864}, {"reservation", 33554432}, {"swappiness", 10}}},
      {"pids", {{"limit", 64}}},
      {"cpu", {{"shares", 512}, {"quota", 50000}, {"period", 100000}}}};
}
void NoNetNoPid(nlohmann::json& c) {
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& ns : c["linux"]["namespaces"])
    if (ns["type"] != "network" && ns["type"] != "pid") kept.push_back(ns);
  c["linux"]["namespaces"] = kept;
  c["process"]["capabilities"]["ambient"] = nlohmann::json::array();
  c["process"]["noNewPrivileges"] = false;
}

void SysctlsAndSeccomp(nlohmann::json& c) {
  c["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}, {"net.core.somaxconn", "512"}, {"kernel.shmmni", "2048"}};
  c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                           {"syscalls", {{{"names", {"mknod", "mknodat"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
}

class DifferentialTest : public ::testing::TestWithParam<Case> {};

TEST_P(DifferentialTest, SameViewAsDebianRunc) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  struct stat st;
  if (stat(kReferenceRunc, &st) != 0) {
    if (OptedOut()) GTEST_SKIP() << kReferenceRunc << " not installed, and " << kOptOut << "=1";
    FAIL() << kReferenceRunc << " not installed (make deps), or set " << kOptOut << "=1 to skip";
  }
  const Case& c = GetParam();

  Bundle bundle;
  nlohmann::json config;
  if (c.fixture.empty()) {
    config = bundle.config();
  } else {
    std::ifstream in(std::string(RUNC_SOURCE_DIR) + "/golden/" + c.fixture);
    ASSERT_TRUE(in) << c.fixture;
    config = nlohmann::json::parse(in);
  }
  if (c.edit) c.edit(config);
  const std::string id = UniqueId("diff-" + c.name);
  const std::string cgroups_path = "/runc-diff-" + id;
  Adapt(config, bundle.path(), cgroups_path);
  bundle.config() = config;
  bundle.Write();

  Outcome theirs = RunUnder(kReferenceRunc, bundle.path(), cgroups_path, id);
  if (theirs.run.status != kProbeExit) {
    if (OptedOut()) GTEST_SKIP() << "Debian's runc cannot run this case here (exit " << theirs.run.status << "): " << theirs.run.err;
    FAIL() << "Debian's runc cannot run this case here (exit " << theirs.run.status << "), so there is nothing to "
           << "compare with (" << kOptOut << "=1 skips instead): " << theirs.run.err;
  }
  Outcome ours = RunUnder(RUNC_BINARY, bundle.path(), cgroups_path, id);

  EXPECT_EQ(ours.run.status, theirs.run.status) << ours.run.err;
  EXPECT_EQ(ours.run.err, theirs.run.err);
  auto a = Sections(ours.run.out);
  auto b = Sections(theirs.run.out);
  ASSERT_EQ(a.size(), b.size()) << "ours:\n" << ours.run.out << "\nrunc:\n" << theirs.run.out;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_EQ(a[i].second, b[i].second) << "section " << b[i].first << " differs (ours first)";
  }
  EXPECT_EQ(ours.cgroup_files, theirs.cgroup_files);
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(
    Bundles, DifferentialTest,
    ::testing::Values(Case{"default", "", nullptr}, Case{"nobody", "", NobodyWithGroups},
                      Case{"writable", "", Writable}, Case{"limited", "", Limited},
                      Case{"shared_namespaces", "", NoNetNoPid},
                      Case{"sysctls_seccomp", "", SysctlsAndSeccomp},
                      Case{"runc_spec", "fixture-runc/config.json", nullptr},
                      Case{"runc_spec_rootless", "fixture-runc-rootless/config.json", nullptr},
                      Case{"crun_spec", "fixture-crun/config.json", nullptr},
                      Case{"containerd", "fixture-containerd/config.json", nullptr},
                      Case{"podman", "fixture-podman/config.json", nullptr}),
    CaseName);

// The probe sees each property it compares: two configs that differ in one mount option, one
// namespace, one sysctl and the seccomp filter, run by the reference, differ in exactly the
// sections that show them (so a difference there between the runtimes would fail the test).
TEST(DifferentialProbe, SeesEachComparedProperty) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  struct stat ref;
  if (stat(kReferenceRunc, &ref) != 0) {
    if (OptedOut()) GTEST_SKIP() << kReferenceRunc << " not installed, and " << kOptOut << "=1";
    FAIL() << kReferenceRunc << " not installed (make deps), or set " << kOptOut << "=1 to skip";
  }
  auto probe = [](bool variant) {
    Bundle bundle;
    nlohmann::json config = bundle.config();
    SysctlsAndSeccomp(config);
    if (variant) {
      for (auto& m : config["mounts"]) {
        if (m["destination"] != "/dev/shm") continue;
        nlohmann::json options = nlohmann::json::array();
        for (const auto& o : m["options"])
          if (o != "nosuid") options.push_back(o);
        m["options"] = options;
      }
      config["linux"]["namespaces"].push_back({{"type", "cgroup"}});
      config["linux"]["sysctl"]["net.core.somaxconn"] = "256";
      config["linux"].erase("seccomp");
    }
    const std::string id = UniqueId(variant ? "probe-b" : "probe-a");
    const std::string cgroups_path = "/runc-diff-" + id;
    Adapt(config, bundle.path(), cgroups_path);
    bundle.config() = config;
    bundle.Write();
    Outcome o = RunUnder(kReferenceRunc, bundle.path(), cgroups_path, id);
    EXPECT_EQ(o.run.status, kProbeExit) << o.run.err;
    return Sections(o.run.out);
  };
  auto a = probe(false);
  auto b = probe(true);
  ASSERT_EQ(a.size(), b.size());
  std::vector<std::string> differing;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].second != b[i].second) differing.push_back(a[i].first);
  }
  // cgroup: /proc/self/cgroup reads "/" in a cgroup namespace of its own.
  EXPECT_THAT(differing, ::testing::ElementsAre("status", "namespaces", "mounts", "sysctls", "cgroup"));
}

TEST(DifferentialExitCodes, SameExitCodes) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  struct stat ref;
  if (stat(kReferenceRunc, &ref) != 0) {
    if (OptedOut()) GTEST_SKIP() << kReferenceRunc << " not installed, and " << kOptOut << "=1";
    FAIL() << kReferenceRunc << " not installed (make deps), or set " << kOptOut << "=1 to skip";
  }
  for (const char* script : {"exit 0", "exit 1", "exit 3", "exit 255", "kill -9 $$; sleep 1", "false"}) {
    Bundle bundle({"sh", "-c", std::string("sh -c '") + script + "'"});
    const std::string id = UniqueId("exit");
    const std::string cgroups_path = "/runc-diff-" + id;
    bundle.config()["linux"]["cgroupsPath"] = cgroups_path;
    bundle.Write();
    TempDir theirs_root("runc-diff-root"), ours_root("runc-diff-root");
    RunResult theirs = test::Run({kReferenceRunc, "--root", theirs_root.path(), "run", "--bundle", bundle.path(), id});
    RunResult ours = test::Run({RUNC_BINARY, "--root", ours_root.path(), "run", "--bundle", bundle.path(), id});
    EXPECT_EQ(ours.status, theirs.status) << script << ": " << ours.err;
    struct stat st;
    EXPECT_NE(stat(("/sys/fs/cgroup/pids" + cgroups_path).c_str(), &st), 0) << script;
  }
}

}  // namespace
}  // namespace runc::test
