#include "compiler/compile.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <sstream>

#include "compiler/compile_internal.h"
#include "tests/unit/compile_test_util.h"

namespace runc {
namespace {

using namespace testing_util;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> Kinds(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& s : plan.steps) out.emplace_back(KindInfo(s.kind).name);
  return out;
}

TEST(PathTest, CleanLikeGo) {
  using compile_internal::CleanPath;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "."},           {"/", "/"},         {"//", "/"},           {"/a/b", "/a/b"},     {"/a/b/", "/a/b"},
      {"a/b", "a/b"},      {"./a", "a"},       {"a/./b", "a/b"},      {"a/../b", "b"},      {"../a", "../a"},
      {"../../a/..", "../.."}, {"/..", "/"},   {"/../a", "/a"},       {"/a/..", "/"},       {"a/..", "."},
      {"a/b/../../..", ".."}, {"/a//b/../c/.", "/a/c"}, {".", "."},   {"..", ".."},         {"x/../../y", "../y"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(CleanPath(in), out) << in;
  EXPECT_EQ(compile_internal::JoinPath("/run/runc/", "c1"), "/run/runc/c1");
  EXPECT_EQ(compile_internal::JoinPath("/bundle", "../rootfs"), "/rootfs");
  EXPECT_EQ(compile_internal::JoinPath("", "a/"), "a");
}

TEST(CompileTest, MinimalSpecOnV2WholePlan) {
  Spec s = MinimalSpec();
  s.hostname = "box";
  s.linux.namespaces.push_back(Namespace{NamespaceType::kUts, "", "/linux/namespaces/2"});
  s.linux.cgroups_path = "/demo";
  Resources r;
  r.pids_limit = 64;
  s.linux.resources = r;
  const std::vector<std::string> expected = {
      "# runc plan \xC2\xB7 id=c1 \xC2\xB7 bundle=/bundle \xC2\xB7 ociVersion=1.3.0 \xC2\xB7 host=cgroup-v2",
      "host        1  seal           re-exec from a sealed copy                        # default",
      "host        2  state_dir      /run/runc/c1                                      # default",
      "host        3  cgroup.mkdir   /sys/fs/cgroup/demo                               # /linux/cgroupsPath",
      "host        4  cgroup.write   /sys/fs/cgroup/demo/pids.max = 64                 # /linux/resources/pids/limit",
      "host        5  cgroup.device  /sys/fs/cgroup/demo default deny (default); allow c *:* m (default); allow b "
      "*:* m (default); allow c 1:3 rwm (default); allow c 1:8 rwm (default); allow c 1:7 rwm (default); allow c "
      "5:0 rwm (default); allow c 1:5 rwm (default); allow c 1:9 rwm (default); allow c 136:* rwm (default); allow "
      "c 5:2 rwm (default); allow c 10:200 rwm (default)  # default",
      "spawn       6  clone          mount|pid|uts into /sys/fs/cgroup/demo            # /linux/namespaces",
      "spawn       7  init           non-dumpable, pdeathsig=KILL, close inherited fds, setsid  # default",
      "rootfs      8  propagation    / rslave                                          # default",
      "rootfs      9  rootfs_bind    /bundle/rootfs                                    # /root/path",
      "rootfs     10  mount          proc on /proc type proc nosuid,nodev,noexec       # /mounts/0",
      "rootfs     11  mknod          /dev/null c 1:3 0666 uid=0 gid=0                  # default",
      "rootfs     12  mknod          /dev/random c 1:8 0666 uid=0 gid=0                # default",
      "rootfs     13  mknod          /dev/full c 1:7 0666 uid=0 gid=0                  # default",
      "rootfs     14  mknod          /dev/tty c 5:0 0666 uid=0 gid=0                   # default",
      "rootfs     15  mknod          /dev/zero c 1:5 0666 uid=0 gid=0                  # default",
      "rootfs     16  mknod          /dev/urandom c 1:9 0666 uid=0 gid=0               # default",
      "rootfs     17  symlink        /dev/ptmx -> pts/ptmx                             # default",
      "rootfs     18  symlink        /dev/fd -> /proc/self/fd                          # default",
      "rootfs     19  symlink        /dev/stdin -> /proc/self/fd/0                     # default",
      "rootfs     20  symlink        /dev/stdout -> /proc/self/fd/1                    # default",
      "rootfs     21  symlink        /dev/stderr -> /proc/self/fd/2                    # default",
      "rootfs     22  pivot_root     /bundle/rootfs                                    # /root/path",
      "process    23  keyring        _ses.c1 perm+=0x80000                             # default",
      "process    24  hostname       box                                               # /hostname",
      "process    25  umask          0022                                              # default",
      "process    26  cwd            /                                                 # /process/cwd",
      "process    27  env.home       HOME of uid=0 in /etc/passwd                      # default",
      "process    28  user           uid=0 gid=0 groups=none                           # /process/user",
      "process    29  caps           bounding=none effective=none inheritable=none permitted=none ambient=none  "
      "# default",
      "process    30  exec.lookup    /bin/true                                         # /process/args",
      "start      31  wait_start     /run/runc/c1/exec.fifo                            # default",
      "start      32  execve         $30 [/bin/true] env=[PATH=/bin HOME=$27]          # /process/args",
      "teardown   33  kill           KILL                                              # default",
      "teardown   34  cgroup.rmdir   /sys/fs/cgroup/demo                               # /linux/cgroupsPath",
      "teardown   35  state_remove   /run/runc/c1                                      # default",
  };
  const auto actual = Lines(PlanToText(Compile(s, FixedHost(CgroupMode::kV2), Options())));
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(actual[i], expected[i]) << "line " << i;
}

TEST(CompileTest, DefaultSpecIsWellFormedOnEveryHost) {
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    const Plan plan = Compile(RuncDefaultSpec(), FixedHost(mode), Options());
    ASSERT_FALSE(plan.steps.empty());
    Phase last = Phase::kHost;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const Step& s = plan.steps[i];
      EXPECT_EQ(s.index, static_cast<int>(i + 1));
      EXPECT_FALSE(s.origin.empty()) << i;
      EXPECT_GE(static_cast<int>(s.phase), static_cast<int>(last)) << "step " << s.index << " goes back a phase";
      last = s.phase;
      if (s.kind != StepKind::kHook) {
        EXPECT_EQ(s.phase, KindInfo(s.kind).phase) << "step " << s.index << " " << KindInfo(s.kind).name;
      }
    }
    EXPECT_EQ(plan.id, "c1");
    EXPECT_EQ(plan.bundle, "/bundle");
    EXPECT_EQ(plan.rootfs, "/bundle/rootfs");
    EXPECT_EQ(plan.oci_version, "1.0.2-dev");
    EXPECT_EQ(plan.host_label, FixedHost(mode).Label());
    EXPECT_TRUE(plan.terminal);
  }
}

// Issue 11, item 3: what the runtime and the init do besides the config's steps is in the plan: the
// sealed re-exec first, the subreaper only for a foreground run, the init's own set-up right after
// the clone, and no become_root without a user namespace.
TEST(CompileTest, RuntimeAndInitSetUpAreSteps) {
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    const Plan plan = Compile(RuncDefaultSpec(), FixedHost(mode), Options());
    EXPECT_EQ(plan.steps.at(0).kind, StepKind::kSeal);
    EXPECT_EQ(plan.steps.at(0).index, 1);
    EXPECT_EQ(plan.steps.at(1).kind, StepKind::kStateDir);
    EXPECT_TRUE(StepsOf(plan, StepKind::kSubreaper).empty());
    EXPECT_EQ(IndexOf(plan, StepKind::kInitSetup), IndexOf(plan, StepKind::kClone) + 1);
    EXPECT_TRUE(StepsOf(plan, StepKind::kBecomeRoot).empty());
    CompileOptions run = Options();
    run.subreaper = true;
    const Plan run_plan = Compile(RuncDefaultSpec(), FixedHost(mode), run);
    EXPECT_EQ(run_plan.steps.at(0).kind, StepKind::kSeal);
    EXPECT_EQ(run_plan.steps.at(1).kind, StepKind::kSubreaper);
    EXPECT_EQ(run_plan.steps.size(), plan.steps.size() + 1);
  }
}

TEST(CompileTest, DefaultSpecSteps) {
  const Plan plan = Compile(RuncDefaultSpec(), FixedHost(CgroupMode::kV1), Options());
  EXPECT_EQ(StepsOf(plan, StepKind::kStateDir).at(0)->path, "/run/runc/c1");
  EXPECT_EQ(StepsOf(plan, StepKind::kClone).at(0)->flags,
            static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS));
  EXPECT_TRUE(StepsOf(plan, StepKind::kNsJoin).empty());
  EXPECT_TRUE(StepsOf(plan, StepKind::kUidMap).empty());
  EXPECT_TRUE(StepsOf(plan, StepKind::kSeccomp).empty());

  const Step& prop = *StepsOf(plan, StepKind::kPropagation).at(0);
  EXPECT_EQ(prop.path, "/");
  EXPECT_EQ(prop.flags, static_cast<uint64_t>(MS_SLAVE | MS_REC));
  EXPECT_EQ(prop.origin, "default");

  const auto mounts = StepsOf(plan, StepKind::kMount);
  ASSERT_GE(mounts.size(), 7u);
  EXPECT_EQ(mounts[0]->source, "proc");
  EXPECT_EQ(mounts[0]->path, "/proc");
  EXPECT_EQ(mounts[0]->fstype, "proc");
  EXPECT_EQ(mounts[0]->flags, 0u);
  EXPECT_EQ(mounts[1]->flags, static_cast<uint64_t>(MS_NOSUID | MS_STRICTATIME));
  EXPECT_EQ(mounts[1]->value, "mode=755,size=65536k");
  EXPECT_EQ(mounts[5]->path, "/sys");
  EXPECT_EQ(mounts[5]->flags, static_cast<uint64_t>(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));

  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kMask)),
            (std::vector<std::string>{"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                      "/proc/scsi"}));
  EXPECT_EQ(StepsOf(plan, StepKind::kMask)[2]->origin, "/linux/maskedPaths/2");
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kReadonlyPath)),
            (std::vector<std::string>{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}));
  EXPECT_EQ(StepsOf(plan, StepKind::kRootReadonly).size(), 1u);
  EXPECT_EQ(StepsOf(plan, StepKind::kHostname).at(0)->value, "runc");
  EXPECT_EQ(StepsOf(plan, StepKind::kConsole).at(0)->path, "/dev/pts/ptmx");
  EXPECT_TRUE(StepsOf(plan, StepKind::kConsole).at(0)->nums.empty());

  const Step& rlimit = *StepsOf(plan, StepKind::kRlimit).at(0);
  EXPECT_EQ(rlimit.name, "RLIMIT_NOFILE");
  EXPECT_EQ(rlimit.nums, (std::vector<int64_t>{7, 1024, 1024}));
  EXPECT_EQ(rlimit.origin, "/process/rlimits/0");

  const int64_t three = (int64_t{1} << 29) | (int64_t{1} << 5) | (int64_t{1} << 10);  // AUDIT_WRITE KILL NET_BIND
  // Not inheritable, so not ambient either: the step raises none and records what was asked.
  EXPECT_EQ(StepsOf(plan, StepKind::kCaps).at(0)->nums, (std::vector<int64_t>{three, three, 0, three, 0, 0, three}));
  EXPECT_EQ(StepsOf(plan, StepKind::kUser).at(0)->nums, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(StepsOf(plan, StepKind::kUmask).at(0)->nums, (std::vector<int64_t>{022}));
  EXPECT_EQ(StepsOf(plan, StepKind::kNoNewPrivs).size(), 1u);
  EXPECT_EQ(StepsOf(plan, StepKind::kCwd).at(0)->path, "/");
  EXPECT_EQ(StepsOf(plan, StepKind::kWaitStart).at(0)->path, "/run/runc/c1/exec.fifo");

  const Step& exec = *StepsOf(plan, StepKind::kExecve).at(0);
  EXPECT_EQ(exec.path, "sh");
  EXPECT_EQ(exec.argv, (std::vector<std::string>{"sh"}));
  EXPECT_EQ(exec.env, RuncDefaultSpec().process.env);
  const Step& lookup = *StepsOf(plan, StepKind::kExecLookup).at(0);
  const Step& home = *StepsOf(plan, StepKind::kHomeLookup).at(0);
  EXPECT_EQ(exec.nums, (std::vector<int64_t>{lookup.index, home.index}));
  EXPECT_EQ(lookup.path, "sh");
  EXPECT_EQ(lookup.value, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_LT(lookup.index, StepsOf(plan, StepKind::kWaitStart).at(0)->index);
  EXPECT_EQ(home.nums, (std::vector<int64_t>{0}));
  EXPECT_EQ(StepsOf(plan, StepKind::kKeyring).at(0)->name, "_ses.c1");
  EXPECT_EQ(StepsOf(plan, StepKind::kKeyring).at(0)->nums, (std::vector<int64_t>{0x80000}));
  EXPECT_TRUE(StepsOf(plan, StepKind::kStdioChown).empty());  // uid 0
  EXPECT_EQ(exec.origin, "/process/args");

  EXPECT_EQ(StepsOf(plan, StepKind::kKill).at(0)->nums, (std::vector<int64_t>{SIGKILL}));
  EXPECT_EQ(plan.steps.back().kind, StepKind::kStateRemove);
  EXPECT_EQ(plan.steps.back().path, "/run/runc/c1");
}

TEST(CompileTest, StateRootComesFromTheHost) {
  HostFacts host = FixedHost(CgroupMode::kV2);
  host.state_root = "/tmp/r/";
  const Plan plan = Compile(MinimalSpec(), host, Options("x"));
  EXPECT_EQ(StepsOf(plan, StepKind::kStateDir).at(0)->path, "/tmp/r/x");
  EXPECT_EQ(StepsOf(plan, StepKind::kWaitStart).at(0)->path, "/tmp/r/x/exec.fifo");
  EXPECT_EQ(StepsOf(plan, StepKind::kStateRemove).at(0)->path, "/tmp/r/x");
}

TEST(CompileTest, AbsoluteRootfsAndCwd) {
  Spec s = MinimalSpec();
  s.root.path = "/srv/images/a/../b/rootfs/";
  s.process.cwd = "/home//user/";
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  EXPECT_EQ(plan.rootfs, "/srv/images/b/rootfs");
  EXPECT_EQ(StepsOf(plan, StepKind::kRootfsBind).at(0)->path, "/srv/images/b/rootfs");
  EXPECT_EQ(StepsOf(plan, StepKind::kPivotRoot).at(0)->path, "/srv/images/b/rootfs");
  EXPECT_EQ(StepsOf(plan, StepKind::kCwd).at(0)->path, "/home/user");
}

TEST(CompileTest, PhaseOrderOfTheProcessSteps) {
  Spec s = RuncDefaultSpec();
  s.linux.sysctl = {{"net.ipv4.ip_forward", "1"}, {"kernel.msgmax", "8192"}};
  s.domainname = "example.org";
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  std::vector<std::string> process;
  for (const auto& step : plan.steps) {
    if (step.phase == Phase::kProcess) process.emplace_back(KindInfo(step.kind).name);
  }
  // console, read-only root, names, sysctl before read-only /proc/sys, privileges before the user
  // switch, capabilities after it.
  std::vector<std::string> expected = {"keyring", "console", "root_readonly", "hostname", "domainname", "sysctl", "sysctl"};
  expected.insert(expected.end(), 5, "readonly_path");
  expected.insert(expected.end(), 10, "mask");
  for (const char* k : {"rlimit", "umask", "no_new_privs", "cwd", "env.home", "user", "caps", "exec.lookup"}) {
    expected.emplace_back(k);
  }
  EXPECT_EQ(process, expected);

  const auto sysctls = StepsOf(plan, StepKind::kSysctl);
  EXPECT_EQ(sysctls[0]->name, "kernel.msgmax");
  EXPECT_EQ(sysctls[0]->path, "/proc/sys/kernel/msgmax");
  EXPECT_EQ(sysctls[0]->value, "8192");
  EXPECT_EQ(sysctls[0]->origin, "/linux/sysctl/kernel.msgmax");
  EXPECT_EQ(sysctls[1]->path, "/proc/sys/net/ipv4/ip_forward");
  EXPECT_EQ(StepsOf(plan, StepKind::kDomainname).at(0)->value, "example.org");
}

TEST(CompileTest, UserNamespaceMapsAndDeviceBinds) {
  Spec s = MinimalSpec();
  s.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "", "/linux/namespaces/2"});
  s.linux.uid_mappings = {IdMapping{0, 1000, 1}, IdMapping{1, 100000, 65536}};
  s.linux.gid_mappings = {IdMapping{0, 1000, 1}};
  Device fuse;
  fuse.type = 'c';
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.origin = "/linux/devices/0";
  s.linux.devices = {fuse};
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());

  EXPECT_EQ(StepsOf(plan, StepKind::kClone).at(0)->flags,
            static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUSER));
  const Step& uid = *StepsOf(plan, StepKind::kUidMap).at(0);
  EXPECT_EQ(uid.value, "0 1000 1\n1 100000 65536\n");
  EXPECT_EQ(uid.origin, "/linux/uidMappings");
  EXPECT_EQ(StepsOf(plan, StepKind::kGidMap).at(0)->value, "0 1000 1\n");
  EXPECT_TRUE(StepsOf(plan, StepKind::kSetgroups).empty());  // root writes gid_map without it
  EXPECT_LT(IndexOf(plan, StepKind::kClone), IndexOf(plan, StepKind::kUidMap));
  EXPECT_LT(IndexOf(plan, StepKind::kUidMap), IndexOf(plan, StepKind::kGidMap));
  // Root of the new user namespace before the first rootfs step.
  EXPECT_EQ(StepsOf(plan, StepKind::kBecomeRoot).size(), 1u);
  EXPECT_EQ(IndexOf(plan, StepKind::kBecomeRoot), plan.PhaseBegin(Phase::kRootfs));

  // No mknod in a user namespace: every node is the host's, bind-mounted.
  EXPECT_TRUE(StepsOf(plan, StepKind::kMknod).empty());
  const auto binds = StepsOf(plan, StepKind::kDeviceBind);
  EXPECT_EQ(Paths(binds), (std::vector<std::string>{"/dev/null", "/dev/random", "/dev/full", "/dev/tty", "/dev/zero",
                                                    "/dev/urandom", "/dev/fuse"}));
  EXPECT_EQ(binds.back()->source, "/dev/fuse");
  EXPECT_EQ(binds.back()->origin, "/linux/devices/0");
}

TEST(CompileTest, RootlessDeniesSetgroupsBeforeTheGidMap) {
  Spec s = MinimalSpec();
  s.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "", "/linux/namespaces/2"});
  s.linux.uid_mappings = {IdMapping{0, 1000, 1}};
  s.linux.gid_mappings = {IdMapping{0, 1000, 1}};
  CompileOptions o = Options();
  o.rootless = true;
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), o);
  const auto setgroups = StepsOf(plan, StepKind::kSetgroups);
  ASSERT_EQ(setgroups.size(), 1u);
  EXPECT_EQ(setgroups[0]->value, "deny");
  EXPECT_EQ(setgroups[0]->origin, "cli");
  EXPECT_LT(IndexOf(plan, StepKind::kSetgroups), IndexOf(plan, StepKind::kGidMap));
}

// An unprivileged runtime writes the maps of the init's user namespace through /proc: in a rootless
// plan the init stays dumpable until become_root, and its step says so; otherwise (not rootless,
// or no user namespace) it is non-dumpable from its init step.
TEST(CompileTest, RootlessUserNamespaceInitIsDumpableUntilBecomeRoot) {
  Spec userns = MinimalSpec();
  userns.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "", "/linux/namespaces/2"});
  userns.linux.uid_mappings = {IdMapping{0, 1000, 1}};
  userns.linux.gid_mappings = {IdMapping{0, 1000, 1}};
  Spec joined = MinimalSpec();
  joined.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "/proc/42/ns/user", "/linux/namespaces/2"});
  CompileOptions rootless = Options();
  rootless.rootless = true;
  auto init_line = [](const Plan& plan) {
    std::istringstream in(PlanToText(plan));
    for (std::string line; std::getline(in, line);) {
      if (line.find(" init ") != std::string::npos) return line;
    }
    return std::string();
  };
  for (const Spec* s : {&userns, &joined}) {
    const Plan plan = Compile(*s, FixedHost(CgroupMode::kV2), rootless);
    EXPECT_EQ(StepsOf(plan, StepKind::kInitSetup).at(0)->flags, kDumpableForMaps);
    EXPECT_NE(init_line(plan).find(" dumpable until become_root, pdeathsig=KILL"), std::string::npos)
        << init_line(plan);
    EXPECT_LT(IndexOf(plan, StepKind::kInitSetup), IndexOf(plan, StepKind::kBecomeRoot));
  }
  for (const Plan& plan : {Compile(userns, FixedHost(CgroupMode::kV2), Options()),
                           Compile(MinimalSpec(), FixedHost(CgroupMode::kV2), rootless)}) {
    EXPECT_EQ(StepsOf(plan, StepKind::kInitSetup).at(0)->flags, 0u);
    EXPECT_NE(init_line(plan).find(" non-dumpable, pdeathsig=KILL"), std::string::npos) << init_line(plan);
  }
}

TEST(CompileTest, JoinedNamespacesUserFirstBeforeClone) {
  Spec s = MinimalSpec();
  s.linux.namespaces = {
      Namespace{NamespaceType::kPid, "", "/linux/namespaces/0"},
      Namespace{NamespaceType::kNetwork, "/var/run/netns/blue", "/linux/namespaces/1"},
      Namespace{NamespaceType::kMount, "", "/linux/namespaces/2"},
      Namespace{NamespaceType::kUser, "/proc/42/ns/user", "/linux/namespaces/3"},
  };
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto opens = StepsOf(plan, StepKind::kNsOpen);
  ASSERT_EQ(opens.size(), 2u);
  EXPECT_EQ(opens[0]->phase, Phase::kHost);
  EXPECT_EQ(opens[0]->name, "user");
  EXPECT_EQ(opens[0]->path, "/proc/42/ns/user");
  EXPECT_EQ(opens[0]->flags, static_cast<uint64_t>(CLONE_NEWUSER));
  EXPECT_EQ(opens[1]->name, "network");

  const auto joins = StepsOf(plan, StepKind::kNsJoin);
  ASSERT_EQ(joins.size(), 2u);
  EXPECT_EQ(joins[0]->name, "user");
  EXPECT_EQ(joins[0]->origin, "/linux/namespaces/3");
  EXPECT_EQ(joins[1]->name, "network");
  EXPECT_EQ(joins[1]->path, "/var/run/netns/blue");
  EXPECT_EQ(joins[1]->flags, static_cast<uint64_t>(CLONE_NEWNET));
  EXPECT_EQ(joins[1]->phase, Phase::kSpawn);
  EXPECT_LT(IndexOf(plan, StepKind::kNsJoin), IndexOf(plan, StepKind::kClone));
  EXPECT_EQ(StepsOf(plan, StepKind::kClone).at(0)->flags, static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWNS));
  // A joined user namespace has its maps already, and its devices cannot be made.
  EXPECT_TRUE(StepsOf(plan, StepKind::kUidMap).empty());
  EXPECT_TRUE(StepsOf(plan, StepKind::kMknod).empty());
  EXPECT_FALSE(StepsOf(plan, StepKind::kDeviceBind).empty());
}

TEST(CompileTest, CgroupNamespaceIsUnsharedAfterJoiningTheCgroups) {
  Spec s = RuncDefaultSpec();
  s.linux.namespaces.push_back(Namespace{NamespaceType::kCgroup, "", "/linux/namespaces/5"});
  const Plan plan = Compile(s, FixedHost(CgroupMode::kHybrid), Options());
  EXPECT_EQ(StepsOf(plan, StepKind::kClone).at(0)->flags & CLONE_NEWCGROUP, 0u);
  const auto unshare = StepsOf(plan, StepKind::kUnshare);
  ASSERT_EQ(unshare.size(), 1u);
  EXPECT_EQ(unshare[0]->flags, static_cast<uint64_t>(CLONE_NEWCGROUP));
  EXPECT_EQ(unshare[0]->origin, "/linux/namespaces/5");
  EXPECT_EQ(IndexOf(plan, StepKind::kUnshare), LastIndexOf(plan, StepKind::kCgroupJoin) + 1);

  // With its own cgroup namespace the container mounts each v1 hierarchy afresh.
  std::vector<std::string> cgroup_mounts;
  for (const auto* m : StepsOf(plan, StepKind::kMount)) {
    if (m->fstype == "cgroup") cgroup_mounts.push_back(m->source + " " + m->path + " " + m->value);
  }
  EXPECT_EQ(cgroup_mounts, (std::vector<std::string>{
                               "cgroup /sys/fs/cgroup/blkio blkio",
                               "cgroup /sys/fs/cgroup/cpu,cpuacct cpu,cpuacct",
                               "cgroup /sys/fs/cgroup/cpuset cpuset",
                               "cgroup /sys/fs/cgroup/devices devices",
                               "cgroup /sys/fs/cgroup/freezer freezer",
                               "cgroup /sys/fs/cgroup/hugetlb hugetlb",
                               "cgroup /sys/fs/cgroup/memory memory",
                               "cgroup /sys/fs/cgroup/misc misc",
                               "cgroup /sys/fs/cgroup/net_cls,net_prio net_cls,net_prio",
                               "cgroup /sys/fs/cgroup/perf_event perf_event",
                               "cgroup /sys/fs/cgroup/pids pids",
                               "cgroup /sys/fs/cgroup/rdma rdma",
                               "systemd /sys/fs/cgroup/systemd name=systemd",
                           }));
}

TEST(CompileTest, CgroupMountOnV1BindsTheContainersCgroups) {
  HostFacts host = FixedHost(CgroupMode::kV1);
  host.v1_mounts = {{"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
                    {"cpuacct", "/sys/fs/cgroup/cpu,cpuacct"},
                    {"memory", "/sys/fs/cgroup/memory"}};
  const Plan plan = Compile(RuncDefaultSpec(), host, Options());
  std::vector<std::string> lines;
  for (const auto& step : plan.steps) {
    if (step.origin != "/mounts/6") continue;
    std::string line(KindInfo(step.kind).name);
    line += " " + step.path;
    if (!step.source.empty()) line += " <- " + step.source;
    lines.push_back(line);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "mount /sys/fs/cgroup <- tmpfs",
                       "mount /sys/fs/cgroup/cpu,cpuacct <- /sys/fs/cgroup/cpu,cpuacct/c1",
                       "remount /sys/fs/cgroup/cpu,cpuacct",
                       "mount /sys/fs/cgroup/memory <- /sys/fs/cgroup/memory/c1",
                       "remount /sys/fs/cgroup/memory",
                       "symlink /sys/fs/cgroup/cpu <- cpu,cpuacct",
                       "symlink /sys/fs/cgroup/cpuacct <- cpu,cpuacct",
                   }));
  // Only the hierarchies are read-only; the tmpfs holding them stays writable, as runc 1.1 leaves it.
  const auto remounts = StepsOf(plan, StepKind::kRemount);
  ASSERT_EQ(remounts.size(), 2u);
  EXPECT_EQ(remounts[0]->flags,
            static_cast<uint64_t>(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME));
  const Step& tmpfs = *StepsOf(plan, StepKind::kMount).at(6);
  EXPECT_EQ(tmpfs.fstype, "tmpfs");
  EXPECT_EQ(tmpfs.value, "mode=755");
  EXPECT_EQ(tmpfs.flags, static_cast<uint64_t>(MS_NOSUID | MS_NOEXEC | MS_NODEV));
}

TEST(CompileTest, CgroupMountOnV2IsACgroup2Mount) {
  const Plan plan = Compile(RuncDefaultSpec(), FixedHost(CgroupMode::kV2), Options());
  const Step& m = *StepsOf(plan, StepKind::kMount).at(6);
  EXPECT_EQ(m.fstype, "cgroup2");
  EXPECT_EQ(m.source, "cgroup");
  EXPECT_EQ(m.path, "/sys/fs/cgroup");
  EXPECT_EQ(m.flags, static_cast<uint64_t>(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY));
  EXPECT_EQ(m.origin, "/mounts/6");
}

TEST(CompileTest, TimeNamespaceOffsetsBeforeClone) {
  Spec s = MinimalSpec();
  s.linux.namespaces.push_back(Namespace{NamespaceType::kTime, "", "/linux/namespaces/2"});
  s.linux.time_offsets = {{"monotonic", TimeOffset{5, 500}}, {"boottime", TimeOffset{-1, 0}}};
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto offsets = StepsOf(plan, StepKind::kTimeOffsets);
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0]->value, "boottime -1 0\nmonotonic 5 500\n");
  EXPECT_EQ(offsets[0]->origin, "/linux/timeOffsets");
  EXPECT_EQ(IndexOf(plan, StepKind::kTimeOffsets) + 1, IndexOf(plan, StepKind::kClone));
  EXPECT_EQ(StepsOf(plan, StepKind::kClone).at(0)->flags & CLONE_NEWTIME, 0u);
}

TEST(CompileTest, NoPivotMovesAndChroots) {
  CompileOptions o = Options();
  o.no_pivot = true;
  const Plan plan = Compile(MinimalSpec(), FixedHost(CgroupMode::kV2), o);
  EXPECT_TRUE(StepsOf(plan, StepKind::kPivotRoot).empty());
  const auto mc = StepsOf(plan, StepKind::kMoveChroot);
  ASSERT_EQ(mc.size(), 1u);
  EXPECT_EQ(mc[0]->path, "/bundle/rootfs");
  EXPECT_EQ(mc[0]->origin, "cli");
  EXPECT_EQ(mc[0]->phase, Phase::kRootfs);
}

TEST(CompileTest, WithoutAMountNamespaceNothingTouchesTheHostMounts) {
  Spec s = RuncDefaultSpec();
  s.linux.namespaces.pop_back();  // mount
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  for (StepKind k : {StepKind::kPropagation, StepKind::kRootfsBind, StepKind::kMount, StepKind::kMknod,
                     StepKind::kSymlink, StepKind::kPivotRoot, StepKind::kMask, StepKind::kReadonlyPath,
                     StepKind::kRootReadonly}) {
    EXPECT_TRUE(StepsOf(plan, k).empty()) << KindInfo(k).name;
  }
}

Hook MakeHook(std::string path, std::string origin) {
  Hook h;
  h.path = std::move(path);
  h.origin = std::move(origin);
  return h;
}

TEST(CompileTest, HooksRunWhereTheLifecycleSays) {
  Spec s = MinimalSpec();
  s.hooks.prestart = {MakeHook("/bin/pre0", "/hooks/prestart/0"), MakeHook("/bin/pre1", "/hooks/prestart/1")};
  s.hooks.create_runtime = {MakeHook("/bin/cr", "/hooks/createRuntime/0")};
  s.hooks.create_container = {MakeHook("/bin/cc", "/hooks/createContainer/0")};
  s.hooks.start_container = {MakeHook("/bin/sc", "/hooks/startContainer/0")};
  s.hooks.poststart = {MakeHook("/bin/ps", "/hooks/poststart/0")};
  s.hooks.poststop = {MakeHook("/bin/stop", "/hooks/poststop/0")};
  s.hooks.prestart[1].args = {"pre1", "--flag"};
  s.hooks.prestart[1].env = {"K=V"};
  s.hooks.prestart[1].timeout = 7;
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());

  std::vector<std::string> order;
  for (const auto& step : plan.steps) {
    switch (step.kind) {
      case StepKind::kHook:
        order.push_back(std::string(PhaseName(step.phase)) + " " + step.name + " " + step.path);
        break;
      case StepKind::kClone:
      case StepKind::kCgroupJoin:
      case StepKind::kPivotRoot:
      case StepKind::kWaitStart:
      case StepKind::kExecve:
      case StepKind::kKill:
      case StepKind::kStateRemove:
        order.emplace_back(KindInfo(step.kind).name);
        break;
      default:
        break;
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "clone", "spawn prestart /bin/pre0", "spawn prestart /bin/pre1",
                       "spawn createRuntime /bin/cr", "rootfs createContainer /bin/cc", "pivot_root", "wait_start",
                       "start startContainer /bin/sc", "execve", "start poststart /bin/ps", "kill", "state_remove",
                       "teardown poststop /bin/stop"}));
  const auto hooks = StepsOf(plan, StepKind::kHook);
  EXPECT_EQ(hooks[0]->argv, (std::vector<std::string>{"/bin/pre0"}));  // no args: argv[0] is the path
  EXPECT_EQ(hooks[0]->nums, (std::vector<int64_t>{0}));
  EXPECT_EQ(hooks[1]->argv, (std::vector<std::string>{"pre1", "--flag"}));
  EXPECT_EQ(hooks[1]->env, (std::vector<std::string>{"K=V"}));
  EXPECT_EQ(hooks[1]->nums, (std::vector<int64_t>{7}));
  EXPECT_EQ(hooks[1]->origin, "/hooks/prestart/1");
}

TEST(CompileTest, SpecDevicesOverrideDefaults) {
  Spec s = MinimalSpec();
  Device null_dev;
  null_dev.type = 'c';
  null_dev.path = "/dev/null";
  null_dev.major = 1;
  null_dev.minor = 3;
  null_dev.file_mode = 0600;
  null_dev.uid = 1000;
  null_dev.gid = 1001;
  null_dev.origin = "/linux/devices/0";
  Device disk;
  disk.type = 'b';
  disk.path = "/dev/sda";
  disk.major = 8;
  disk.minor = 0;
  disk.origin = "/linux/devices/1";
  Device fifo;
  fifo.type = 'p';
  fifo.path = "/dev/myfifo";
  fifo.origin = "/linux/devices/2";
  s.linux.devices = {null_dev, disk, fifo};
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto nodes = StepsOf(plan, StepKind::kMknod);
  EXPECT_EQ(Paths(nodes), (std::vector<std::string>{"/dev/random", "/dev/full", "/dev/tty", "/dev/zero",
                                                    "/dev/urandom", "/dev/null", "/dev/sda", "/dev/myfifo"}));
  EXPECT_EQ(nodes[5]->nums, (std::vector<int64_t>{S_IFCHR | 0600, 1, 3, 1000, 1001}));
  EXPECT_EQ(nodes[5]->origin, "/linux/devices/0");
  EXPECT_EQ(nodes[6]->nums, (std::vector<int64_t>{S_IFBLK | 0666, 8, 0, 0, 0}));
  EXPECT_EQ(nodes[7]->nums, (std::vector<int64_t>{S_IFIFO | 0666, 0, 0, 0, 0}));
  EXPECT_EQ(nodes[0]->nums, (std::vector<int64_t>{S_IFCHR | 0666, 1, 8, 0, 0}));
  EXPECT_EQ(nodes[0]->origin, "default");
  // Nodes come after every mount, links after the nodes.
  EXPECT_LT(LastIndexOf(plan, StepKind::kMount), IndexOf(plan, StepKind::kMknod));
  EXPECT_LT(LastIndexOf(plan, StepKind::kMknod), IndexOf(plan, StepKind::kSymlink));
  std::vector<std::string> links;
  for (const auto* l : StepsOf(plan, StepKind::kSymlink)) links.push_back(l->path + " -> " + l->source);
  EXPECT_EQ(links, (std::vector<std::string>{"/dev/ptmx -> pts/ptmx", "/dev/fd -> /proc/self/fd",
                                             "/dev/stdin -> /proc/self/fd/0", "/dev/stdout -> /proc/self/fd/1",
                                             "/dev/stderr -> /proc/self/fd/2"}));
}

TEST(CompileTest, HostDevBindSkipsNodesAndLinks) {
  Spec s = MinimalSpec();
  s.mounts.push_back(MakeMount("/dev", "bind", "/dev", {"rbind"}, 1));
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  EXPECT_TRUE(StepsOf(plan, StepKind::kMknod).empty());
  EXPECT_TRUE(StepsOf(plan, StepKind::kSymlink).empty());
}

TEST(CompileTest, BindMountsRemountForTheirFlags) {
  Spec s = MinimalSpec();
  s.mounts.push_back(MakeMount("/data", "bind", "shared/data", {"rbind", "ro", "nosuid", "rprivate"}, 1));
  s.mounts.push_back(MakeMount("/etc/hosts", "", "/tmp/hosts", {"bind"}, 2));
  s.mounts.push_back(MakeMount("/opt/", "none", "/opt", {"rbind", "rro", "rnosuid"}, 3));
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto mounts = StepsOf(plan, StepKind::kMount);
  ASSERT_EQ(mounts.size(), 4u);

  EXPECT_EQ(mounts[1]->source, "/bundle/shared/data");  // relative to the bundle
  EXPECT_EQ(mounts[1]->path, "/data");
  EXPECT_EQ(mounts[1]->fstype, "bind");
  EXPECT_EQ(mounts[1]->flags, static_cast<uint64_t>(MS_BIND | MS_REC));
  EXPECT_EQ(mounts[1]->flags2, static_cast<uint64_t>(MS_PRIVATE | MS_REC));
  const size_t at = IndexOf(plan, StepKind::kMount) + 1;
  ASSERT_EQ(plan.steps[at + 1].kind, StepKind::kRemount);
  EXPECT_EQ(plan.steps[at + 1].path, "/data");
  EXPECT_EQ(plan.steps[at + 1].flags, static_cast<uint64_t>(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID));
  EXPECT_EQ(plan.steps[at + 1].origin, "/mounts/1");

  // A plain bind has nothing to remount.
  EXPECT_EQ(mounts[2]->flags, static_cast<uint64_t>(MS_BIND));
  EXPECT_EQ(plan.steps[at + 3].kind, StepKind::kMount);

  // Recursive attributes go to mount_setattr.
  EXPECT_EQ(mounts[3]->path, "/opt");
  EXPECT_EQ(mounts[3]->nums,
            (std::vector<int64_t>{MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0}));
  EXPECT_EQ(StepsOf(plan, StepKind::kRemount).size(), 1u);
}

TEST(CompileTest, ReadOnlyTmpfsIsRemountedAfterItIsFilled) {
  Spec s = MinimalSpec();
  s.mounts.push_back(MakeMount("/dev", "tmpfs", "tmpfs", {"ro", "nosuid", "mode=755"}, 1));
  s.mounts.push_back(MakeMount("/run", "tmpfs", "tmpfs", {"ro", "nodev"}, 2));
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto mounts = StepsOf(plan, StepKind::kMount);
  EXPECT_EQ(mounts[1]->flags, static_cast<uint64_t>(MS_NOSUID));
  EXPECT_EQ(mounts[2]->flags, static_cast<uint64_t>(MS_NODEV));
  const auto remounts = StepsOf(plan, StepKind::kRemount);
  ASSERT_EQ(remounts.size(), 2u);
  EXPECT_EQ(remounts[0]->path, "/run");  // right after its mount
  EXPECT_EQ(remounts[0]->flags, static_cast<uint64_t>(MS_REMOUNT | MS_RDONLY | MS_NODEV));
  EXPECT_EQ(remounts[1]->path, "/dev");  // after the nodes and links in it
  EXPECT_EQ(remounts[1]->flags, static_cast<uint64_t>(MS_REMOUNT | MS_RDONLY | MS_NOSUID));
  EXPECT_GT(LastIndexOf(plan, StepKind::kRemount), LastIndexOf(plan, StepKind::kSymlink));
  EXPECT_EQ(LastIndexOf(plan, StepKind::kRemount) + 1, IndexOf(plan, StepKind::kPivotRoot));
}

TEST(CompileTest, RootfsPropagationFromTheSpec) {
  Spec s = MinimalSpec();
  s.linux.rootfs_propagation = "rprivate";
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const Step& prop = *StepsOf(plan, StepKind::kPropagation).at(0);
  EXPECT_EQ(prop.flags, static_cast<uint64_t>(MS_PRIVATE | MS_REC));
  EXPECT_EQ(prop.origin, "/linux/rootfsPropagation");
}

Seccomp PodmanLikeSeccomp() {
  Seccomp sc;
  sc.default_action = "SCMP_ACT_ERRNO";
  sc.default_errno_ret = 38;
  sc.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  SeccompSyscall errno1;
  errno1.names = {"bdflush", "kexec_load", "nfsservctl", "vm86"};
  errno1.action = "SCMP_ACT_ERRNO";
  errno1.errno_ret = 1;
  SeccompSyscall allow;
  allow.names = {"read", "write", "openat", "close", "exit_group"};
  allow.action = "SCMP_ACT_ALLOW";
  SeccompSyscall personality;
  personality.names = {"personality"};
  personality.action = "SCMP_ACT_ALLOW";
  personality.args = {SeccompArg{0, 8, 0, "SCMP_CMP_EQ"}};
  SeccompSyscall clone;
  clone.names = {"clone"};
  clone.action = "SCMP_ACT_ALLOW";
  clone.args = {SeccompArg{0, 2114060288, 0, "SCMP_CMP_MASKED_EQ"}};
  SeccompSyscall more_allow;
  more_allow.names = {"socket"};
  more_allow.action = "SCMP_ACT_ALLOW";
  SeccompSyscall kill;
  kill.names = {"ptrace"};
  kill.action = "SCMP_ACT_KILL_PROCESS";
  sc.syscalls = {errno1, allow, personality, clone, more_allow, kill};
  return sc;
}

TEST(CompileTest, SeccompSummaryAndFilter) {
  Spec s = MinimalSpec();
  s.linux.seccomp = PodmanLikeSeccomp();
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto steps = StepsOf(plan, StepKind::kSeccomp);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0]->origin, "/linux/seccomp");
  EXPECT_EQ(steps[0]->argv, (std::vector<std::string>{
                                "default ERRNO(38)",
                                "arch x86_64,x86,x32",
                                "ERRNO(1) 4 syscalls",
                                "ALLOW 6 syscalls",
                                "KILL_PROCESS ptrace",
                                "ALLOW personality [arg0 == 8]",
                                "ALLOW clone [arg0 & 2114060288 == 0]",
                            }));
  ASSERT_TRUE(plan.seccomp.has_value());
  EXPECT_EQ(plan.seccomp->syscalls.size(), 6u);
  EXPECT_EQ(plan.seccomp->default_errno_ret, std::optional<uint32_t>(38));
}

// The filter is the last step before execve with and without no_new_privs: after the start wait
// and the startContainer hooks. Without no_new_privs the caps step keeps CAP_SYS_ADMIN (needed to
// load it) until execve, unless the container's effective set has it anyway.
TEST(CompileTest, SeccompIsTheLastStepBeforeExecve) {
  Spec s = MinimalSpec();
  s.linux.seccomp = PodmanLikeSeccomp();
  s.hooks.start_container = {MakeHook("/bin/started", "/hooks/startContainer/0")};
  s.hooks.poststart = {MakeHook("/bin/poststart", "/hooks/poststart/0")};
  const int64_t sys_admin = int64_t{1} << 21;
  for (bool nnp : {true, false}) {
    SCOPED_TRACE(nnp ? "noNewPrivileges" : "no noNewPrivileges");
    s.process.no_new_privileges = nnp;
    const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
    std::vector<std::string> tail;
    for (const auto& step : plan.steps) {
      if (static_cast<size_t>(step.index) > IndexOf(plan, StepKind::kCwd) + 1 && step.phase != Phase::kTeardown)
        tail.push_back(std::string(PhaseName(step.phase)) + " " + std::string(KindInfo(step.kind).name) + " " +
                       step.origin);
    }
    EXPECT_EQ(tail, (std::vector<std::string>{"process env.home default", "process user /process/user",
                                              "process caps default", "process exec.lookup /process/args",
                                              "start wait_start default", "start hook /hooks/startContainer/0",
                                              "start seccomp /linux/seccomp", "start execve /process/args",
                                              "start hook /hooks/poststart/0"}));
    EXPECT_EQ(StepsOf(plan, StepKind::kNoNewPrivs).size(), nnp ? 1u : 0u);
    const std::vector<int64_t> caps = nnp ? std::vector<int64_t>{0, 0, 0, 0, 0}
                                          : std::vector<int64_t>{0, 0, 0, 0, 0, sys_admin};
    EXPECT_EQ(StepsOf(plan, StepKind::kCaps).at(0)->nums, caps);
    const std::string text = PlanToText(plan);
    EXPECT_EQ(text.find("ambient=none keep_until_execve=SYS_ADMIN  # default\n") != std::string::npos, !nnp)
        << text;
  }
  // Effective already: nothing to keep.
  Capabilities caps;
  caps.bounding = caps.effective = caps.permitted = {"CAP_SYS_ADMIN"};
  caps.origin = "/process/capabilities";
  s.process.capabilities = caps;
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  EXPECT_EQ(StepsOf(plan, StepKind::kCaps).at(0)->nums,
            (std::vector<int64_t>{sys_admin, sys_admin, 0, sys_admin, 0}));
  // No filter: nothing to keep either.
  s.process.capabilities.reset();
  s.linux.seccomp.reset();
  EXPECT_EQ(StepsOf(Compile(s, FixedHost(CgroupMode::kV2), Options()), StepKind::kCaps).at(0)->nums,
            (std::vector<int64_t>{0, 0, 0, 0, 0}));
}

// Like runc, a denying default gives ENOSYS to the syscalls newer than the profile; the plan says so.
TEST(CompileTest, SeccompSummaryNamesTheEnosysForNewerSyscalls) {
  struct Case {
    std::string action;
    std::optional<uint32_t> errno_ret;
    bool enosys;
  };
  for (const Case& c : std::vector<Case>{{"SCMP_ACT_ERRNO", std::nullopt, true},
                                         {"SCMP_ACT_ERRNO", 1, true},
                                         {"SCMP_ACT_ERRNO", 38, false},
                                         {"SCMP_ACT_KILL", std::nullopt, true},
                                         {"SCMP_ACT_KILL_PROCESS", std::nullopt, true},
                                         {"SCMP_ACT_KILL_THREAD", std::nullopt, true},
                                         {"SCMP_ACT_TRAP", std::nullopt, true},
                                         {"SCMP_ACT_ALLOW", std::nullopt, false},
                                         {"SCMP_ACT_LOG", std::nullopt, false},
                                         {"SCMP_ACT_TRACE", std::nullopt, false}}) {
    Spec s = MinimalSpec();
    s.linux.seccomp = PodmanLikeSeccomp();
    s.linux.seccomp->default_action = c.action;
    s.linux.seccomp->default_errno_ret = c.errno_ret;
    EXPECT_EQ(SeccompEnosysForNewerSyscalls(*s.linux.seccomp), c.enosys) << c.action;
    const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
    const auto& argv = StepsOf(plan, StepKind::kSeccomp).at(0)->argv;
    ASSERT_GE(argv.size(), 2u);
    EXPECT_EQ(argv[1] == "ERRNO(38) newer syscalls", c.enosys) << c.action;
  }
}

TEST(CompileTest, ProcessAttributes) {
  Spec s = MinimalSpec();
  Process& p = s.process;
  p.terminal = true;
  p.console_size = ConsoleSize{40, 120};
  p.user.uid = 1000;
  p.user.gid = 100;
  p.user.additional_gids = {10, 20};
  p.user.umask = 077;
  p.oom_score_adj = -500;
  p.rlimits = {Rlimit{4, UINT64_MAX, UINT64_MAX, "/process/rlimits/0"}};
  Scheduler sched;
  sched.policy = "SCHED_DEADLINE";
  sched.flags = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"};
  sched.runtime = 10000;
  sched.deadline = 20000;
  sched.period = 30000;
  p.scheduler = sched;
  p.io_priority = IoPriority{"IOPRIO_CLASS_BE", 4};
  Capabilities caps;
  caps.bounding = {"CAP_CHOWN", "CAP_SYS_ADMIN"};
  caps.permitted = {"CAP_CHOWN"};
  caps.inheritable = {"CAP_CHOWN"};
  caps.origin = "/process/capabilities";
  p.capabilities = caps;
  s.linux.personality = Personality{"LINUX32", {}};
  s.linux.memory_policy = MemoryPolicy{"MPOL_BIND", "0-1", {"MPOL_F_STATIC_NODES"}};
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());

  EXPECT_EQ(StepsOf(plan, StepKind::kConsole).at(0)->nums, (std::vector<int64_t>{40, 120}));
  EXPECT_EQ(StepsOf(plan, StepKind::kUser).at(0)->nums, (std::vector<int64_t>{1000, 100, 10, 20}));
  EXPECT_EQ(StepsOf(plan, StepKind::kUmask).at(0)->nums, (std::vector<int64_t>{077}));
  EXPECT_EQ(StepsOf(plan, StepKind::kUmask).at(0)->origin, "/process/user/umask");
  EXPECT_EQ(StepsOf(plan, StepKind::kOomScoreAdj).at(0)->nums, (std::vector<int64_t>{-500}));
  EXPECT_EQ(StepsOf(plan, StepKind::kRlimit).at(0)->nums, (std::vector<int64_t>{4, -1, -1}));
  EXPECT_EQ(StepsOf(plan, StepKind::kScheduler).at(0)->nums,
            (std::vector<int64_t>{6, 0, 0, 0x03, 10000, 20000, 30000}));
  EXPECT_EQ(StepsOf(plan, StepKind::kIoPriority).at(0)->nums, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(StepsOf(plan, StepKind::kPersonality).at(0)->nums, (std::vector<int64_t>{8}));
  EXPECT_EQ(StepsOf(plan, StepKind::kMemoryPolicy).at(0)->nums, (std::vector<int64_t>{2 | (1 << 15)}));
  EXPECT_EQ(StepsOf(plan, StepKind::kMemoryPolicy).at(0)->value, "0-1");
  const int64_t chown = 1, sys_admin = int64_t{1} << 21;
  EXPECT_EQ(StepsOf(plan, StepKind::kCaps).at(0)->nums,
            (std::vector<int64_t>{chown | sys_admin, 0, chown, chown, 0}));

  const std::string text = PlanToText(plan);
  EXPECT_NE(text.find("  scheduler      SCHED_DEADLINE nice=0 priority=0 flags=SCHED_FLAG_RESET_ON_FORK|"
                      "SCHED_FLAG_RECLAIM runtime=10000 deadline=20000 period=30000  # /process/scheduler\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  memory_policy  MPOL_BIND|MPOL_F_STATIC_NODES nodes=0-1"), std::string::npos) << text;
  EXPECT_NE(text.find("  personality    LINUX32 "), std::string::npos) << text;
  EXPECT_NE(text.find("  io_priority    IOPRIO_CLASS_BE priority=4 "), std::string::npos) << text;
  EXPECT_NE(text.find("  console        /dev/pts/ptmx size=40x120 "), std::string::npos) << text;
  EXPECT_NE(text.find("  oom_score_adj  -500 "), std::string::npos) << text;
  EXPECT_NE(text.find("  umask          0077 "), std::string::npos) << text;
}

TEST(CompileTest, NetDevicesMoveBeforeTheHooks) {
  Spec s = MinimalSpec();
  s.linux.namespaces.push_back(Namespace{NamespaceType::kNetwork, "", "/linux/namespaces/2"});
  s.linux.net_devices = {{"eth1", NetDevice{"ceth0"}}, {"dummy0", NetDevice{""}}};
  s.hooks.prestart = {MakeHook("/bin/cni", "/hooks/prestart/0")};
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto devs = StepsOf(plan, StepKind::kNetDevice);
  ASSERT_EQ(devs.size(), 2u);
  EXPECT_EQ(devs[0]->name, "dummy0");
  EXPECT_EQ(devs[0]->value, "dummy0");
  EXPECT_EQ(devs[1]->name, "eth1");
  EXPECT_EQ(devs[1]->value, "ceth0");
  EXPECT_EQ(devs[1]->origin, "/linux/netDevices/eth1");
  EXPECT_LT(LastIndexOf(plan, StepKind::kNetDevice), IndexOf(plan, StepKind::kHook));
  EXPECT_GT(IndexOf(plan, StepKind::kNetDevice), IndexOf(plan, StepKind::kClone));
}

TEST(CompileTest, PreDraftOrigins) {
  Spec s = RuncDefaultSpec();
  s.format = SpecFormat::kPreDraft;
  s.oci_version = "pre-draft";
  s.linux.sysctl = {{"kernel.shmmax", "1"}};
  Memory mem;
  mem.disable_oom_killer = true;
  s.linux.resources->memory = mem;
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV1), Options());
  EXPECT_EQ(plan.oci_version, "pre-draft");
  EXPECT_EQ(StepsOf(plan, StepKind::kSysctl).at(0)->origin, "/linux/systemProperties/kernel.shmmax");
  const auto writes = CgroupWrites(plan);
  EXPECT_NE(std::find(writes.begin(), writes.end(),
                      "/sys/fs/cgroup/memory/c1/memory.oom_control = 1  # /linux/resources/disableOOMKiller"),
            writes.end());
}

TEST(CompileTest, DeterministicAndJsonRoundTrip) {
  Spec s = RuncDefaultSpec();
  s.linux.seccomp = PodmanLikeSeccomp();
  s.hooks.poststop = {MakeHook("/bin/stop", "/hooks/poststop/0")};
  s.annotations = {{"org.example", "yes"}};
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    const Plan a = Compile(s, FixedHost(mode), Options());
    const Plan b = Compile(s, FixedHost(mode), Options());
    EXPECT_EQ(PlanToText(a), PlanToText(b));
    EXPECT_EQ(a.steps, b.steps);

    Plan back;
    std::string error;
    ASSERT_TRUE(PlanFromJson(nlohmann::json::parse(PlanToJson(a).dump()), back, error)) << error;
    EXPECT_EQ(back.steps, a.steps);
    EXPECT_EQ(back.annotations, a.annotations);
    EXPECT_EQ(PlanToJson(back), PlanToJson(a));
    EXPECT_EQ(PlanToText(back), PlanToText(a));
  }
}

TEST(CompileTest, KindsOfTheDefaultPlanOnV2) {
  const Plan plan = Compile(RuncDefaultSpec(), FixedHost(CgroupMode::kV2), Options());
  std::vector<std::string> expected = {"seal",  "state_dir",   "cgroup.mkdir", "cgroup.device",
                                       "clone", "init", "propagation", "rootfs_bind"};
  expected.insert(expected.end(), 7, "mount");
  expected.insert(expected.end(), 6, "mknod");
  expected.insert(expected.end(), 5, "symlink");
  for (const char* k : {"pivot_root", "keyring", "console", "root_readonly", "hostname"}) expected.emplace_back(k);
  expected.insert(expected.end(), 5, "readonly_path");
  expected.insert(expected.end(), 10, "mask");
  for (const char* k : {"rlimit", "umask", "no_new_privs", "cwd", "env.home", "user", "caps", "exec.lookup",
                        "wait_start", "execve", "kill", "cgroup.rmdir", "state_remove"}) {
    expected.emplace_back(k);
  }
  EXPECT_EQ(Kinds(plan), expected);
}

// runtime-spec "IntelRdt": the group is the container id without closID; l3CacheSchema loses its
// MB: lines when memBwSchema is set; the 1.3 schemata lines follow; monitoring adds a mon group.
TEST(CompileTest, IntelRdtGroupOfTheContainer) {
  Spec s = MinimalSpec();
  IntelRdt rdt;
  rdt.l3_cache_schema = "L3:0=7f0;1=1f\nMB:0=100";
  rdt.mem_bw_schema = "MB:0=20;1=70";
  rdt.schemata = {"L2:0=3"};
  rdt.enable_monitoring = true;
  s.linux.intel_rdt = rdt;
  HostFacts host = FixedHost(CgroupMode::kV1);
  host.resctrl_mount = "/mnt/resctrl";
  const Plan plan = Compile(s, host, Options("c7"));
  const auto groups = StepsOf(plan, StepKind::kRdtGroup);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0]->path, "/mnt/resctrl/c7");
  EXPECT_EQ(groups[0]->value, "L3:0=7f0;1=1f\nMB:0=20;1=70\nL2:0=3\n");
  EXPECT_EQ(groups[0]->nums, (std::vector<int64_t>{0}));
  EXPECT_EQ(groups[0]->origin, "/linux/intelRdt");
  EXPECT_EQ(groups[1]->path, "/mnt/resctrl/c7/mon_groups/c7");
  EXPECT_EQ(groups[1]->value, "");
  EXPECT_EQ(groups[1]->origin, "/linux/intelRdt/enableMonitoring");
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kRdtJoin)),
            (std::vector<std::string>{"/mnt/resctrl/c7/tasks", "/mnt/resctrl/c7/mon_groups/c7/tasks"}));
  // Joined after the cgroups, removed deepest first, before the state dir.
  EXPECT_GT(IndexOf(plan, StepKind::kRdtJoin), LastIndexOf(plan, StepKind::kCgroupJoin));
  EXPECT_LT(LastIndexOf(plan, StepKind::kRdtGroup), IndexOf(plan, StepKind::kClone));
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kRdtRemove)),
            (std::vector<std::string>{"/mnt/resctrl/c7/mon_groups/c7", "/mnt/resctrl/c7"}));
  EXPECT_LT(LastIndexOf(plan, StepKind::kRdtRemove), IndexOf(plan, StepKind::kStateRemove));
}

// A closID without a schema names a pre-configured group: it must exist and delete keeps it.
TEST(CompileTest, IntelRdtPreconfiguredClosId) {
  Spec s = MinimalSpec();
  IntelRdt rdt;
  rdt.clos_id = "guaranteed_group";
  s.linux.intel_rdt = rdt;
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto groups = StepsOf(plan, StepKind::kRdtGroup);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]->path, "/sys/fs/resctrl/guaranteed_group");
  EXPECT_EQ(groups[0]->nums, (std::vector<int64_t>{1}));
  EXPECT_EQ(groups[0]->origin, "/linux/intelRdt/closID");
  EXPECT_TRUE(StepsOf(plan, StepKind::kRdtRemove).empty());
  // With a schema the closID group is created when missing (nums {0}), still not removed.
  s.linux.intel_rdt->mem_bw_schema = "MB:0=50";
  const Plan with_schema = Compile(s, FixedHost(CgroupMode::kV2), Options());
  EXPECT_EQ(StepsOf(with_schema, StepKind::kRdtGroup).at(0)->nums, (std::vector<int64_t>{0}));
  EXPECT_EQ(StepsOf(with_schema, StepKind::kRdtGroup).at(0)->value, "MB:0=50\n");
  EXPECT_TRUE(StepsOf(with_schema, StepKind::kRdtRemove).empty());
  // Without intelRdt the runtime never touches resctrl.
  EXPECT_TRUE(StepsOf(Compile(MinimalSpec(), FixedHost(CgroupMode::kV2), Options()), StepKind::kRdtGroup).empty());
}

// --no-new-keyring drops the keyring step; in a user namespace the keyring is made searchable by
// others (its owner may be unmapped), as runc does.
TEST(CompileTest, KeyringStep) {
  CompileOptions o = Options();
  o.no_new_keyring = true;
  EXPECT_TRUE(StepsOf(Compile(MinimalSpec(), FixedHost(CgroupMode::kV2), o), StepKind::kKeyring).empty());
  Spec s = MinimalSpec();
  s.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "", "/linux/namespaces/2"});
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options("k1"));
  const Step& k = *StepsOf(plan, StepKind::kKeyring).at(0);
  EXPECT_EQ(k.name, "_ses.k1");
  EXPECT_EQ(k.nums, (std::vector<int64_t>{0x8}));
  EXPECT_EQ(k.phase, Phase::kProcess);
}

// A non-root user of a detached container gets its stdio (stdio.chown before the user step); a
// foreground run's caller keeps its files.
TEST(CompileTest, StdioChownOnlyForADetachedNonRootContainer) {
  Spec s = MinimalSpec();
  s.process.user.uid = 1000;
  s.process.user.gid = 100;
  const Plan detached = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto chown = StepsOf(detached, StepKind::kStdioChown);
  ASSERT_EQ(chown.size(), 1u);
  EXPECT_EQ(chown[0]->nums, (std::vector<int64_t>{1000}));
  EXPECT_EQ(chown[0]->origin, "/process/user/uid");
  EXPECT_EQ(static_cast<size_t>(chown[0]->index), IndexOf(detached, StepKind::kUser));  // right before it
  CompileOptions o = Options();
  o.foreground = true;
  EXPECT_TRUE(StepsOf(Compile(s, FixedHost(CgroupMode::kV2), o), StepKind::kStdioChown).empty());
  // A terminal's stdio is the pty the console step made, in the foreground too.
  s.process.terminal = true;
  EXPECT_EQ(StepsOf(Compile(s, FixedHost(CgroupMode::kV2), o), StepKind::kStdioChown).size(), 1u);
}

// HOME in the config: no env.home step, and the execve step names none.
TEST(CompileTest, HomeFromTheConfig) {
  Spec s = MinimalSpec();
  s.process.env.push_back("HOME=/srv");
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  EXPECT_TRUE(StepsOf(plan, StepKind::kHomeLookup).empty());
  EXPECT_EQ(StepsOf(plan, StepKind::kExecve).at(0)->nums.at(1), 0);
  EXPECT_NE(PlanToText(plan).find("env=[PATH=/bin HOME=/srv]"), std::string::npos);
}

// The ambient set the kernel keeps is permitted & inheritable & requested; the rest is printed.
TEST(CompileTest, AmbientIsWhatTheKernelGrants) {
  Spec s = MinimalSpec();
  Capabilities caps;
  caps.bounding = caps.effective = caps.permitted = caps.ambient = {"CAP_KILL", "CAP_CHOWN"};
  caps.inheritable = {"CAP_KILL"};
  caps.origin = "/process/capabilities";
  s.process.capabilities = caps;
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const int64_t kill = 1 << 5, chown = 1;
  EXPECT_EQ(StepsOf(plan, StepKind::kCaps).at(0)->nums,
            (std::vector<int64_t>{kill | chown, kill | chown, kill, kill | chown, kill, 0, kill | chown}));
  EXPECT_NE(PlanToText(plan).find(" ambient=KILL ambient_not_granted=CHOWN  # /process/capabilities\n"),
            std::string::npos)
      << PlanToText(plan);
  caps.inheritable = caps.ambient;
  s.process.capabilities = caps;
  EXPECT_EQ(StepsOf(Compile(s, FixedHost(CgroupMode::kV2), Options()), StepKind::kCaps).at(0)->nums,
            (std::vector<int64_t>{kill | chown, kill | chown, kill | chown, kill | chown, kill | chown}));
}

// NOTIFY_SOCKET: a notify.dir step, the directory bound read-only at /run/notify (runc's place),
// NOTIFY_SOCKET in the container's env naming the socket there.
TEST(CompileTest, NotifySocket) {
  CompileOptions o = Options();
  o.notify_socket = "/run/user/0/systemd/notify";
  const Plan plan = Compile(MinimalSpec(), FixedHost(CgroupMode::kV2), o);
  const Step& dir = *StepsOf(plan, StepKind::kNotifySocket).at(0);
  EXPECT_EQ(dir.path, "/run/runc/c1/notify");
  EXPECT_EQ(dir.value, "/run/user/0/systemd/notify");
  EXPECT_EQ(dir.phase, Phase::kHost);
  const Step* bind = nullptr;
  for (const Step* m : StepsOf(plan, StepKind::kMount)) {
    if (m->origin == "NOTIFY_SOCKET") bind = m;
  }
  ASSERT_NE(bind, nullptr);
  EXPECT_EQ(bind->source, "/run/runc/c1/notify");
  EXPECT_EQ(bind->path, "/run/notify");
  const auto exec = StepsOf(plan, StepKind::kExecve).at(0);
  EXPECT_EQ(exec->env.back(), "NOTIFY_SOCKET=/run/notify/notify.sock");
  EXPECT_TRUE(StepsOf(Compile(MinimalSpec(), FixedHost(CgroupMode::kV2), Options()), StepKind::kNotifySocket).empty());
}

}  // namespace
}  // namespace runc
