// Rootless: an unprivileged user (a uid made up by the test, without a passwd entry, no groups)
// runs containers from a `runc spec --rootless` config written as that user, without cgroups of
// its own (the cgroup steps are if-permitted and skipped) or with a delegated one. The state root
// is $XDG_RUNTIME_DIR/runc (a temp dir owned by the uid). Compared with Debian's runc by hand (see
// the commit that added this file): the same mounts, capabilities, /dev and namespaces.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

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

// Where a cgroup named `id` would be made for a process in the test's own cgroups: one directory
// per hierarchy (runc places a relative cgroup under the runtime's own).
std::vector<std::string> CgroupDirsNamed(const std::string& id) {
  std::vector<std::string> out;
  std::istringstream in(ReadFile("/proc/self/cgroup"));
  for (std::string line; std::getline(in, line);) {
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string name = line.substr(a + 1, b - a - 1);
    if (name.rfind("name=", 0) == 0) name = name.substr(5);
    if (name.empty()) name = "unified";
    std::string own = line.substr(b + 1);
    if (own == "/") own.clear();
    out.push_back("/sys/fs/cgroup/" + name + own + "/" + id);
  }
  return out;
}

class RootlessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(IsRoot()) << "the test makes its unprivileged user with setpriv, as root";
    uid_ = 40000 + static_cast<unsigned>(getpid()) % 20000;
    ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
    bundle_ = dir_.path() + "/bundle";
    xdg_ = dir_.path() + "/xdg";
    ASSERT_EQ(mkdir(bundle_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir(xdg_.c_str(), 0700), 0);
    MakeBusyboxRootfs(bundle_ + "/rootfs");
    const std::string owner = std::to_string(uid_) + ":" + std::to_string(uid_);
    ASSERT_EQ(test::Run({"/bin/chown", "-R", owner, bundle_, xdg_}).status, 0);
    RunResult spec = AsUser({RUNC_BINARY, "spec", "--rootless"});
    ASSERT_EQ(spec.status, 0) << spec.err;
    config_ = nlohmann::json::parse(ReadFile(bundle_ + "/config.json"));
    config_["process"]["terminal"] = false;
  }

  // The command as the test's user: setpriv with the uid and gid, no supplementary groups,
  // XDG_RUNTIME_DIR set, in the bundle.
  std::vector<std::string> UserArgv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid_),
                                     "--regid=" + std::to_string(uid_), "--clear-groups"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  RunResult AsUser(const std::vector<std::string>& args) const {
    RunOptions options;
    options.cwd = bundle_;
    options.env["XDG_RUNTIME_DIR"] = xdg_;
    return test::Run(UserArgv(args), options);
  }
  // A shell command line of UserArgv(args), for redirections.
  std::string UserShell(const std::vector<std::string>& args) const {
    std::string out = "XDG_RUNTIME_DIR=" + xdg_ + " exec";
    for (const auto& a : UserArgv(args)) out += " '" + a + "'";
    return out;
  }

  void WriteConfig(const std::vector<std::string>& args) {
    config_["process"]["args"] = args;
    const std::string path = bundle_ + "/config.json";
    std::ofstream(path, std::ios::trunc) << config_.dump(2);
    ASSERT_EQ(chown(path.c_str(), uid_, uid_), 0);
  }

  std::string StateStatus(const std::string& id) const {
    RunResult r = AsUser({RUNC_BINARY, "state", id});
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j.value("status", "") : "(state failed: " + r.err + ")";
  }

  void ExpectNoCgroup(const std::string& id) const {
    for (const auto& dir : CgroupDirsNamed(id)) EXPECT_FALSE(Exists(dir)) << dir << " exists";
  }

  TempDir dir_{"runc-rootless"};
  unsigned uid_ = 0;
  std::string bundle_, xdg_;
  nlohmann::json config_;
};

// `run` in the foreground: the output, the exit status, the single mapping (the user's uid and
// gid as 0), no cgroup, the state under $XDG_RUNTIME_DIR/runc.
TEST_F(RootlessTest, RunShowsTheSingleMapping) {
  WriteConfig({"sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; exit 3"});
  const std::string id = UniqueId("rl-run");
  RunResult r = AsUser({RUNC_BINARY, "run", id});
  EXPECT_EQ(r.status, 3) << r.err;
  std::istringstream out(r.out);
  for (int i = 0; i < 2; ++i) {
    unsigned inside = 1, outside = 0, count = 0;
    out >> inside >> outside >> count;
    EXPECT_EQ(inside, 0u) << r.out;
    EXPECT_EQ(outside, uid_) << r.out;
    EXPECT_EQ(count, 1u) << r.out;
  }
  std::string uid;
  out >> uid;
  EXPECT_EQ(uid, "0");
  EXPECT_EQ(r.err, "");
  struct stat st;
  ASSERT_EQ(stat((xdg_ + "/runc").c_str(), &st), 0) << "no state root under $XDG_RUNTIME_DIR";
  EXPECT_EQ(st.st_uid, uid_);
  EXPECT_EQ(st.st_mode & 07777, 01700u);
  EXPECT_FALSE(Exists(xdg_ + "/runc/" + id)) << "state left behind";
  EXPECT_FALSE(Exists("/run/runc/" + id));
  ExpectNoCgroup(id);
}

// create / state / start / delete, detached, as the user; the init's maps seen from the host.
TEST_F(RootlessTest, CreateStartDelete) {
  WriteConfig({"sh", "-c", "cat /proc/self/uid_map; echo started"});
  const std::string id = UniqueId("rl-life");
  const std::string out = dir_.path() + "/out", err = dir_.path() + "/err";
  RunOptions options;
  options.cwd = bundle_;
  RunResult c = test::Run({"/bin/sh", "-c", UserShell({RUNC_BINARY, "create", id}) + " </dev/null >" + out + " 2>" + err},
                          options);
  ASSERT_EQ(c.status, 0) << ReadFile(err);
  EXPECT_EQ(StateStatus(id), "created");
  EXPECT_TRUE(Exists(xdg_ + "/runc/" + id + "/state.json"));
  ExpectNoCgroup(id);
  RunResult st = AsUser({RUNC_BINARY, "state", id});
  auto state = nlohmann::json::parse(st.out, nullptr, false);
  ASSERT_TRUE(state.is_object()) << st.err;
  const int pid = state.value("pid", 0);
  ASSERT_GT(pid, 0);
  std::istringstream map(ReadFile("/proc/" + std::to_string(pid) + "/uid_map"));
  unsigned inside = 1, outside = 0, count = 0;
  map >> inside >> outside >> count;
  EXPECT_EQ(inside, 0u);
  EXPECT_EQ(outside, uid_);
  EXPECT_EQ(count, 1u);

  RunResult s = AsUser({RUNC_BINARY, "start", id});
  ASSERT_EQ(s.status, 0) << s.err;
  for (int i = 0; i < 100 && StateStatus(id) != "stopped"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(StateStatus(id), "stopped");
  EXPECT_EQ(ReadFile(out), "         0" + std::string(std::max(0, 11 - static_cast<int>(std::to_string(uid_).size())), ' ') +
                               std::to_string(uid_) + "          1\nstarted\n");
  RunResult d = AsUser({RUNC_BINARY, "delete", id});
  EXPECT_EQ(d.status, 0) << d.err;
  EXPECT_FALSE(Exists(xdg_ + "/runc/" + id));
  ExpectNoCgroup(id);
}

// Limits need a cgroup: without one the run fails at the limit's step, naming it, and leaves
// nothing behind (runc: "cannot set pids limit: container could not join or create cgroup").
TEST_F(RootlessTest, LimitsWithoutCgroupsFailClearly) {
  config_["linux"]["resources"] = {{"pids", {{"limit", 10}}}};
  WriteConfig({"true"});
  const std::string id = UniqueId("rl-lim");
  RunResult r = AsUser({RUNC_BINARY, "run", id});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("cgroup.write (/linux/resources/pids/limit): cannot set pids.max"));
  EXPECT_THAT(r.err, HasSubstr("could not create its cgroup"));
  EXPECT_FALSE(Exists(xdg_ + "/runc/" + id));
  ExpectNoCgroup(id);
}

// The plan says which cgroup steps are best effort: all of them for a rootless plan without
// cgroupsPath (the clone's placement into its cgroup2 directory too), none with --rootless=false
// or with a cgroupsPath (runc's rule).
TEST_F(RootlessTest, PlanMarksCgroupStepsIfPermitted) {
  WriteConfig({"true"});
  auto count = [](const std::string& plan, const std::string& what, const std::string& also = "") {
    int n = 0;
    std::istringstream in(plan);
    for (std::string line; std::getline(in, line);) {
      n += line.find(what) != std::string::npos && line.find(also) != std::string::npos;
    }
    return n;
  };
  RunResult p = AsUser({RUNC_BINARY, "plan"});
  ASSERT_EQ(p.status, 0) << p.err;
  const int cgroup_steps = count(p.out, " cgroup.mkdir ") + count(p.out, " cgroup.join ") +
                           count(p.out, " cgroup.copy ") + count(p.out, " clone ", " into ");
  EXPECT_GT(cgroup_steps, 1);
  EXPECT_EQ(count(p.out, " if-permitted "), cgroup_steps) << p.out;
  RunResult strict = AsUser({RUNC_BINARY, "--rootless=false", "plan"});
  ASSERT_EQ(strict.status, 0) << strict.err;
  EXPECT_THAT(strict.out, Not(HasSubstr("if-permitted")));
  config_["linux"]["cgroupsPath"] = "/runc-rootless-named";
  WriteConfig({"true"});
  RunResult named = AsUser({RUNC_BINARY, "plan"});
  ASSERT_EQ(named.status, 0) << named.err;
  EXPECT_THAT(named.out, Not(HasSubstr("if-permitted")));
}

// An unprivileged runtime writes the init's maps through /proc, which lets it only while the init
// is dumpable: the plan's init step says "dumpable until become_root", and so it is. A
// createRuntime hook (the runtime's side, after the maps) finds the init's /proc files owned by
// the user (dumpable); a startContainer hook (in the container, after become_root) finds them
// owned by the host's root, unmapped in the container: 65534 (non-dumpable). Under a privileged
// runtime the init is non-dumpable from its init step (security_test).
TEST_F(RootlessTest, InitDumpableOnlyUntilBecomeRoot) {
  RunResult p = AsUser({RUNC_BINARY, "plan"});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_THAT(p.out, HasSubstr(" init           dumpable until become_root, pdeathsig=KILL"));
  EXPECT_THAT(p.out, HasSubstr(" become_root    non-dumpable, setresgid 0, setresuid 0"));

  const std::string runtime_seen = bundle_ + "/runtime-seen";
  config_["root"]["readonly"] = false;  // the startContainer hook writes into the rootfs
  config_["hooks"]["createRuntime"] = {
      {{"path", "/bin/sh"},
       {"args", {"sh", "-c", "pid=$(sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p'); stat -c %u /proc/$pid/status > " +
                                 runtime_seen}}}};
  config_["hooks"]["startContainer"] = {
      {{"path", "/bin/sh"}, {"args", {"sh", "-c", "stat -c %u /proc/1/status > /tmp/start-seen"}}}};
  WriteConfig({"true"});
  const std::string id = UniqueId("rl-dump");
  RunResult r = AsUser({RUNC_BINARY, "run", id});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ReadFile(runtime_seen), std::to_string(uid_) + "\n") << "the init is not dumpable while its maps are written";
  EXPECT_EQ(ReadFile(bundle_ + "/rootfs/tmp/start-seen"), "65534\n") << "the init is dumpable after become_root";
  EXPECT_FALSE(Exists(xdg_ + "/runc/" + id));
  ExpectNoCgroup(id);
}

// A delegated cgroup (a v1 pids directory and a cgroup2 directory in the hybrid host's unified
// hierarchy, both owned by the user, the runtime started inside them, as a login manager
// delegates one): the container's cgroups are made under them and the pids limit is applied; the
// other hierarchies are skipped. Nothing is left under them afterwards.
TEST_F(RootlessTest, DelegatedCgroupIsUsed) {
  const std::string id = UniqueId("rl-deleg");
  const std::string parent = "runc-rootless-" + id;
  std::string pids, unified;
  for (const auto& dir : CgroupDirsNamed(parent)) {
    if (dir.rfind("/sys/fs/cgroup/pids/", 0) == 0) pids = dir;
    if (dir.rfind("/sys/fs/cgroup/unified/", 0) == 0) unified = dir;
  }
  ASSERT_FALSE(pids.empty()) << "no pids hierarchy";
  ASSERT_FALSE(unified.empty()) << "no unified hierarchy";
  const std::string owner = std::to_string(uid_) + ":" + std::to_string(uid_);
  for (const auto& dir : {pids, unified}) {
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0) << dir;
    ASSERT_EQ(test::Run({"/bin/chown", "-R", owner, dir}).status, 0);
  }
  config_["linux"]["resources"] = {{"pids", {{"limit", 10}}}};
  WriteConfig({"sh", "-c", "grep -E ':pids:|^0::' /proc/self/cgroup; cat /sys/fs/cgroup/pids/pids.max"});
  RunOptions options;
  options.cwd = bundle_;
  RunResult r = test::Run({"/bin/sh", "-c", "echo $$ > " + pids + "/cgroup.procs && echo $$ > " + unified +
                                                "/cgroup.procs && " + UserShell({RUNC_BINARY, "run", id})},
                          options);
  const std::string pids_rel = pids.substr(std::string("/sys/fs/cgroup/pids").size());
  const std::string unified_rel = unified.substr(std::string("/sys/fs/cgroup/unified").size());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(":pids:" + pids_rel + "/" + id + "\n0::" + unified_rel + "/" + id + "\n10\n"));
  for (const auto& dir : {pids, unified}) {
    EXPECT_FALSE(Exists(dir + "/" + id)) << "cgroup left behind under " << dir;
    EXPECT_EQ(CgroupRemove(dir, 2000), 0) << dir;
  }
  ExpectNoCgroup(id);
}

}  // namespace
}  // namespace runc::test
