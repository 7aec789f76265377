// Cgroup directories and resource writes: v1, v2 and hybrid file names and value conversions.
#include <gtest/gtest.h>

#include "compiler/compile.h"
#include "tests/unit/compile_test_util.h"

namespace runc {
namespace {

using namespace testing_util;
using Strings = std::vector<std::string>;

Spec WithResources(const Resources& r, std::string cgroups_path = "/ct") {
  Spec s = MinimalSpec();
  s.linux.resources = r;
  s.linux.cgroups_path = std::move(cgroups_path);
  return s;
}

// The writes of a plan except the device allow-list every v1 container gets.
Strings NonDeviceWrites(const Plan& plan) {
  Strings out;
  for (auto& w : CgroupWrites(plan)) {
    if (w.find("/devices.allow = ") == std::string::npos && w.find("/devices.deny = ") == std::string::npos) {
      out.push_back(std::move(w));
    }
  }
  return out;
}

Strings Writes(const Resources& r, CgroupMode mode) {
  return NonDeviceWrites(Compile(WithResources(r), FixedHost(mode), Options()));
}

TEST(CgroupPathTest, AbsolutePathInEveryV1Hierarchy) {
  const Plan plan = Compile(WithResources(Resources{}, "/default/d1"), FixedHost(CgroupMode::kV1), Options());
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)),
            (Strings{"/sys/fs/cgroup/blkio/default/d1", "/sys/fs/cgroup/cpu,cpuacct/default/d1",
                     "/sys/fs/cgroup/cpuset/default/d1", "/sys/fs/cgroup/devices/default/d1",
                     "/sys/fs/cgroup/freezer/default/d1", "/sys/fs/cgroup/hugetlb/default/d1",
                     "/sys/fs/cgroup/memory/default/d1", "/sys/fs/cgroup/misc/default/d1",
                     "/sys/fs/cgroup/net_cls,net_prio/default/d1", "/sys/fs/cgroup/perf_event/default/d1",
                     "/sys/fs/cgroup/pids/default/d1", "/sys/fs/cgroup/rdma/default/d1",
                     "/sys/fs/cgroup/systemd/default/d1"}));
  const auto mkdirs = StepsOf(plan, StepKind::kCgroupMkdir);
  EXPECT_EQ(mkdirs[1]->name, "cpu,cpuacct");
  EXPECT_EQ(mkdirs[12]->name, "systemd");
  EXPECT_EQ(mkdirs[0]->origin, "/linux/cgroupsPath");
  const auto joins = StepsOf(plan, StepKind::kCgroupJoin);
  ASSERT_EQ(joins.size(), 13u);
  // The init moves itself into each v1 cgroup (kSelfJoin): "0" written to the tasks file.
  EXPECT_EQ(joins[6]->path, "/sys/fs/cgroup/memory/default/d1/tasks");
  EXPECT_EQ(joins[6]->flags, kSelfJoin);
  // Teardown removes them in reverse.
  const auto rmdirs = StepsOf(plan, StepKind::kCgroupRmdir);
  ASSERT_EQ(rmdirs.size(), 13u);
  EXPECT_EQ(rmdirs[0]->path, "/sys/fs/cgroup/systemd/default/d1");
  EXPECT_EQ(rmdirs[12]->path, "/sys/fs/cgroup/blkio/default/d1");
}

// Rootless without cgroupsPath: the cgroup steps are best effort (runc's rootless managers ignore
// permission errors only then), and the v1 cgroup mount's binds fall back to the runtime's own
// cgroup; with a cgroupsPath, or not rootless, nothing is best effort.
TEST(CgroupPathTest, RootlessWithoutPathIsIfPermitted) {
  CompileOptions rootless = Options();
  rootless.rootless = true;
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kHybrid, CgroupMode::kV2}) {
    Spec s = MinimalSpec();
    s.linux.cgroups_path.reset();
    runc::Mount cg;
    cg.destination = "/sys/fs/cgroup";
    cg.type = "cgroup";
    cg.source = "cgroup";
    cg.origin = "/mounts/1";
    s.mounts.push_back(cg);
    const Plan plan = Compile(s, FixedHost(mode), rootless);
    const auto mkdirs = StepsOf(plan, StepKind::kCgroupMkdir);
    const auto joins = StepsOf(plan, StepKind::kCgroupJoin);
    const auto copies = StepsOf(plan, StepKind::kCgroupCopy);
    ASSERT_FALSE(mkdirs.empty());
    // The cgroup2 directory is joined by the clone (CLONE_INTO_CGROUP), the others by cgroup.join.
    ASSERT_EQ(JoinedCgroupDirs(plan).size(), mkdirs.size());
    ASSERT_EQ(joins.size(), mkdirs.size() - (mode == CgroupMode::kV1 ? 0 : 1));
    for (const Step* st : mkdirs) EXPECT_EQ(st->flags, kIfPermitted) << st->path;
    for (const Step* st : joins) EXPECT_EQ(st->flags, kIfPermitted) << st->path;
    for (const Step* st : copies) EXPECT_EQ(st->flags, kIfPermitted) << st->path;
    // The clone's placement into the cgroup2 directory is as best effort as its cgroup.mkdir.
    const Step& clone = *StepsOf(plan, StepKind::kClone).at(0);
    EXPECT_EQ(clone.flags2, mode == CgroupMode::kV1 ? 0u : kIfPermitted);
    if (mode != CgroupMode::kV1) {
      EXPECT_NE(PlanToText(plan).find(" into " + clone.path + " if-permitted "), std::string::npos) << PlanToText(plan);
    }
    EXPECT_NE(PlanToText(plan).find(" if-permitted "), std::string::npos);
    if (mode == CgroupMode::kV1) {
      int binds = 0;
      for (const Step& st : plan.steps) {
        if (st.kind != StepKind::kMount || st.fstype != "bind" || st.path.rfind("/sys/fs/cgroup/", 0) != 0) continue;
        ++binds;
        ASSERT_EQ(st.argv.size(), 1u) << st.path;
        EXPECT_EQ(st.source.substr(0, st.argv[0].size()), st.argv[0]) << "the fallback is the runtime's own cgroup";
      }
      EXPECT_GT(binds, 1);
    }
    Spec named = s;
    named.linux.cgroups_path = "/named";
    for (const Plan& strict : {Compile(named, FixedHost(mode), rootless), Compile(s, FixedHost(mode), Options())}) {
      for (const Step& st : strict.steps) {
        if (st.kind == StepKind::kCgroupMkdir || st.kind == StepKind::kCgroupJoin) {
          EXPECT_EQ(st.flags & kIfPermitted, 0u);
        }
        if (st.kind == StepKind::kClone) {
          EXPECT_EQ(st.flags2, 0u);
        }
        if (st.kind == StepKind::kMount) {
          EXPECT_TRUE(st.argv.empty());
        }
      }
      EXPECT_EQ(PlanToText(strict).find("if-permitted"), std::string::npos);
    }
  }
}

TEST(CgroupPathTest, HybridAlsoUsesTheUnifiedHierarchy) {
  const Plan plan = Compile(WithResources(Resources{}, "/x"), FixedHost(CgroupMode::kHybrid), Options());
  const auto mkdirs = StepsOf(plan, StepKind::kCgroupMkdir);
  ASSERT_EQ(mkdirs.size(), 14u);
  EXPECT_EQ(mkdirs.back()->path, "/sys/fs/cgroup/unified/x");
  EXPECT_EQ(mkdirs.back()->name, "unified");
  // The clone joins the cgroup2 directory (CLONE_INTO_CGROUP): no cgroup.join step says it again.
  EXPECT_EQ(StepsOf(plan, StepKind::kClone).at(0)->path, "/sys/fs/cgroup/unified/x");
  EXPECT_EQ(StepsOf(plan, StepKind::kCgroupJoin).size(), 13u);
  EXPECT_EQ(StepsOf(plan, StepKind::kCgroupJoin).back()->path, "/sys/fs/cgroup/systemd/x/tasks");
  EXPECT_EQ(StepsOf(plan, StepKind::kCgroupRmdir).front()->path, "/sys/fs/cgroup/unified/x");
  EXPECT_EQ(JoinedCgroupDirs(plan).front(), "/sys/fs/cgroup/unified/x");
  EXPECT_EQ(JoinedCgroupDirs(plan).size(), 14u);
}

// The init joins its v1 cgroups itself (writes 0 to tasks: no global lock, no RCU grace period)
// only where it sees the host's cgroup files as the runtime does, with the runtime's credentials:
// not in a user namespace of its own, not in a joined mount or cgroup namespace, not best effort.
// Otherwise the runtime writes its pid to cgroup.procs, as before.
TEST(CgroupPathTest, TheInitJoinsItsV1CgroupsItselfOnlyWhereItSeesTheHostsCgroups) {
  auto joins_of = [](const Plan& plan) { return StepsOf(plan, StepKind::kCgroupJoin); };
  const Spec base = WithResources(Resources{}, "/x");
  const Plan v1 = Compile(base, FixedHost(CgroupMode::kV1), Options());
  for (const Step* j : joins_of(v1)) {
    EXPECT_EQ(j->flags, kSelfJoin) << j->path;
    EXPECT_EQ(j->path.substr(j->path.size() - 6), "/tasks") << j->path;
  }
  EXPECT_NE(PlanToText(Compile(base, FixedHost(CgroupMode::kV1), Options())).find("tasks = 0 by the init"),
            std::string::npos);
  // cgroup2 only: the clone places the init (CLONE_INTO_CGROUP), no join step at all.
  EXPECT_TRUE(joins_of(Compile(base, FixedHost(CgroupMode::kV2), Options())).empty());
  Spec userns = base;
  userns.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "", "/linux/namespaces/9"});
  userns.linux.uid_mappings.push_back(IdMapping{0, 100000, 65536});
  userns.linux.gid_mappings.push_back(IdMapping{0, 100000, 65536});
  Spec joined_mnt = base;
  bool had_mnt = false;
  for (auto& ns : joined_mnt.linux.namespaces) {
    if (ns.type == NamespaceType::kMount) {
      ns.path = "/proc/1/ns/mnt";
      had_mnt = true;
    }
  }
  if (!had_mnt) joined_mnt.linux.namespaces.push_back(Namespace{NamespaceType::kMount, "/proc/1/ns/mnt", "/linux/namespaces/9"});
  for (const Spec& s : {userns, joined_mnt}) {
    const Plan plan = Compile(s, FixedHost(CgroupMode::kV1), Options());
    const auto joins = joins_of(plan);
    ASSERT_EQ(joins.size(), 13u);
    for (const Step* j : joins) {
      EXPECT_EQ(j->flags, 0u) << j->path;
      EXPECT_EQ(j->path.substr(j->path.size() - 13), "/cgroup.procs") << j->path;
    }
  }
}

// A new v1 cpuset gets its parent's cpus and mems in steps of their own, right after its mkdir and
// before the config's writes.
TEST(CgroupPathTest, V1CpusetCopiesItsParentsCpusAndMems) {
  Resources r;
  r.cpu.emplace();
  r.cpu->cpus = "1";
  const Plan plan = Compile(WithResources(r, "/x"), FixedHost(CgroupMode::kV1), Options());
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupCopy)),
            (Strings{"/sys/fs/cgroup/cpuset/x/cpuset.cpus", "/sys/fs/cgroup/cpuset/x/cpuset.mems"}));
  const size_t inherit = IndexOf(plan, StepKind::kCgroupCopy);
  EXPECT_EQ(plan.steps[inherit - 1].kind, StepKind::kCgroupMkdir);
  EXPECT_EQ(plan.steps[inherit - 1].path, "/sys/fs/cgroup/cpuset/x");
  EXPECT_LT(inherit, IndexOf(plan, StepKind::kCgroupWrite));
  EXPECT_TRUE(StepsOf(Compile(WithResources(r, "/x"), FixedHost(CgroupMode::kV2), Options()),
                      StepKind::kCgroupCopy).empty());
  EXPECT_EQ(StepsOf(Compile(WithResources(r, "/x"), FixedHost(CgroupMode::kV2), Options()), StepKind::kClone)
                .at(0)->path,
            "/sys/fs/cgroup/x");
}

TEST(CgroupPathTest, V2HasOneDirectory) {
  const Plan plan = Compile(WithResources(Resources{}, "/libpod_parent/libpod-1"), FixedHost(CgroupMode::kV2),
                            Options());
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)), (Strings{"/sys/fs/cgroup/libpod_parent/libpod-1"}));
  EXPECT_TRUE(StepsOf(plan, StepKind::kCgroupJoin).empty());
  EXPECT_EQ(StepsOf(plan, StepKind::kClone).at(0)->path, "/sys/fs/cgroup/libpod_parent/libpod-1");
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupRmdir)), (Strings{"/sys/fs/cgroup/libpod_parent/libpod-1"}));
}

TEST(CgroupPathTest, DefaultAndRelativePathsGoUnderTheRuntimesOwnCgroup) {
  HostFacts host = FixedHost(CgroupMode::kHybrid);
  host.v1_mounts = {{"memory", "/sys/fs/cgroup/memory"}, {"pids", "/sys/fs/cgroup/pids"}};
  host.own_cgroups = {{"memory", "/process_api/abc"}, {"pids", "/"}, {"", "/sess"}};

  Spec s = MinimalSpec();  // no cgroupsPath: the container id
  Plan plan = Compile(s, host, Options("web"));
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)),
            (Strings{"/sys/fs/cgroup/memory/process_api/abc/web", "/sys/fs/cgroup/pids/web",
                     "/sys/fs/cgroup/unified/sess/web"}));
  EXPECT_EQ(StepsOf(plan, StepKind::kCgroupMkdir)[0]->origin, "default");

  s.linux.cgroups_path = "a/../../b/c";  // cannot climb out of the parent
  plan = Compile(s, host, Options("web"));
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)),
            (Strings{"/sys/fs/cgroup/memory/process_api/abc/b/c", "/sys/fs/cgroup/pids/b/c",
                     "/sys/fs/cgroup/unified/sess/b/c"}));

  s.linux.cgroups_path = "/abs//path/";  // absolute: from the hierarchy's root
  plan = Compile(s, host, Options("web"));
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)),
            (Strings{"/sys/fs/cgroup/memory/abs/path", "/sys/fs/cgroup/pids/abs/path",
                     "/sys/fs/cgroup/unified/abs/path"}));
}

TEST(CgroupPathTest, PureV2UsesTheParentOfItsOwnCgroup) {
  HostFacts host = FixedHost(CgroupMode::kV2);
  host.own_cgroups = {{"", "/user.slice/session-1.scope"}};
  const Plan plan = Compile(MinimalSpec(), host, Options("web"));
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)), (Strings{"/sys/fs/cgroup/user.slice/web"}));
}

TEST(CgroupPathTest, SystemdCgroupPaths) {
  CompileOptions o = Options("web");
  o.systemd_cgroup = true;
  Spec s = MinimalSpec();
  Plan plan = Compile(s, FixedHost(CgroupMode::kV2), o);
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)), (Strings{"/sys/fs/cgroup/system.slice/runc-web.scope"}));

  s.linux.cgroups_path = "machine-app.slice:crio:abc";
  plan = Compile(s, FixedHost(CgroupMode::kV2), o);
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)),
            (Strings{"/sys/fs/cgroup/machine.slice/machine-app.slice/crio-abc.scope"}));

  s.linux.cgroups_path = ":runc:x";
  plan = Compile(s, FixedHost(CgroupMode::kV2), o);
  EXPECT_EQ(Paths(StepsOf(plan, StepKind::kCgroupMkdir)), (Strings{"/sys/fs/cgroup/system.slice/runc-x.scope"}));
}

TEST(CgroupV1Test, DeviceRules) {
  Resources r;
  DeviceRule deny;
  deny.access = "rwm";
  deny.origin = "/linux/resources/devices/0";
  DeviceRule fuse;
  fuse.allow = true;
  fuse.type = 'c';
  fuse.major = 10;
  fuse.minor = 229;
  fuse.access = "rw";
  fuse.origin = "/linux/resources/devices/1";
  DeviceRule blocks;
  blocks.allow = false;
  blocks.type = 'b';
  blocks.major = 8;
  blocks.origin = "/linux/resources/devices/2";
  r.devices = {deny, fuse, blocks};
  Spec s = WithResources(r);
  Device tun;
  tun.type = 'c';
  tun.path = "/dev/tty";  // redefines a default node: its default rule goes
  tun.major = 5;
  tun.minor = 0;
  tun.origin = "/linux/devices/0";
  s.linux.devices = {tun};
  const Strings writes = CgroupWrites(Compile(s, FixedHost(CgroupMode::kV1), Options()));
  const std::string d = "/sys/fs/cgroup/devices/ct/";
  EXPECT_EQ(writes, (Strings{
                        d + "devices.deny = a  # /linux/resources/devices/0",
                        d + "devices.allow = c 10:229 rw  # /linux/resources/devices/1",
                        d + "devices.deny = b 8:* rwm  # /linux/resources/devices/2",
                        d + "devices.allow = c *:* m  # default",
                        d + "devices.allow = b *:* m  # default",
                        d + "devices.allow = c 1:3 rwm  # default",
                        d + "devices.allow = c 1:8 rwm  # default",
                        d + "devices.allow = c 1:7 rwm  # default",
                        d + "devices.allow = c 1:5 rwm  # default",
                        d + "devices.allow = c 1:9 rwm  # default",
                        d + "devices.allow = c 136:* rwm  # default",
                        d + "devices.allow = c 5:2 rwm  # default",
                        d + "devices.allow = c 10:200 rwm  # default",
                        // /dev/tty: the spec's node replaces the default one, and, as in runc
                        // 1.1, a linux.devices node gets no rule of its own.
                    }));
  // Without a leading deny-all rule the allow-list is still an allow-list: runc's emulator starts
  // from "deny everything".
  Spec t = s;
  t.linux.resources->devices = {fuse};
  Strings without_deny = CgroupWrites(Compile(t, FixedHost(CgroupMode::kV1), Options()));
  ASSERT_GE(without_deny.size(), 2u);
  EXPECT_EQ(without_deny[0], d + "devices.deny = a  # default");
  EXPECT_EQ(without_deny[1], d + "devices.allow = c 10:229 rw  # /linux/resources/devices/1");
  t.linux.resources.reset();
  without_deny = CgroupWrites(Compile(t, FixedHost(CgroupMode::kV1), Options()));
  ASSERT_EQ(without_deny.size(), 11u);
  EXPECT_EQ(without_deny[0], d + "devices.deny = a  # default");
  EXPECT_EQ(without_deny[1], d + "devices.allow = c *:* m  # default");

  // v2 device control is an eBPF program (its own step, CgroupV2DevicesTest), not a write;
  // rootless cannot program devices.
  EXPECT_TRUE(CgroupWrites(Compile(s, FixedHost(CgroupMode::kV2), Options())).empty());
  CompileOptions rootless = Options();
  rootless.rootless = true;
  EXPECT_TRUE(CgroupWrites(Compile(s, FixedHost(CgroupMode::kV1), rootless)).empty());
}

// ---- cgroup v2 devices: one cgroup.device step with what runc's device emulator ends with

DeviceRule MakeRule(bool allow, char type, std::optional<int64_t> major, std::optional<int64_t> minor,
                    std::string access, size_t index) {
  DeviceRule r;
  r.allow = allow;
  r.type = type;
  r.major = major;
  r.minor = minor;
  r.access = std::move(access);
  r.origin = "/linux/resources/devices/" + std::to_string(index);
  return r;
}

// The step's rules as "allow c 1:3 rwm  # ORIGINS", the default first.
Strings DeviceRulesOf(const Step& s) {
  Strings out;
  if (s.nums.empty() || s.argv.size() != 1 + (s.nums.size() - 1) / 4) return {"malformed"};
  const bool allow = s.nums[0] == 1;
  out.push_back(std::string(allow ? "default allow" : "default deny") + "  # " + s.argv[0]);
  auto number = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
  for (size_t i = 1; i + 3 < s.nums.size(); i += 4) {
    std::string access;
    if (s.nums[i + 3] & 2) access += 'r';
    if (s.nums[i + 3] & 4) access += 'w';
    if (s.nums[i + 3] & 1) access += 'm';
    const std::string type = s.nums[i] == 2 ? "c" : s.nums[i] == 1 ? "b" : "?";
    out.push_back(std::string(allow ? "deny " : "allow ") + type + " " + number(s.nums[i + 1]) + ":" +
                  number(s.nums[i + 2]) + " " + access + "  # " + s.argv[1 + (i - 1) / 4]);
  }
  return out;
}

// runc's default allow-list as the step lists it.
Strings DefaultAllowList() {
  return {"allow c *:* m  # default",      "allow b *:* m  # default",    "allow c 1:3 rwm  # default",
          "allow c 1:8 rwm  # default",    "allow c 1:7 rwm  # default",  "allow c 5:0 rwm  # default",
          "allow c 1:5 rwm  # default",    "allow c 1:9 rwm  # default",  "allow c 136:* rwm  # default",
          "allow c 5:2 rwm  # default",    "allow c 10:200 rwm  # default"};
}

Strings Concat(Strings a, const Strings& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const Step* DevicesStep(const Plan& plan) {
  const auto steps = StepsOf(plan, StepKind::kCgroupDevices);
  return steps.size() == 1 ? steps[0] : nullptr;
}

TEST(CgroupV2DevicesTest, SameRulesAsV1AsOneStep) {
  Resources r;
  r.devices = {MakeRule(false, 'a', std::nullopt, std::nullopt, "rwm", 0),
               MakeRule(true, 'c', 10, 229, "rw", 1), MakeRule(false, 'b', 8, std::nullopt, "", 2)};
  Spec s = WithResources(r);
  Device tty;
  tty.type = 'c';
  tty.path = "/dev/tty";  // redefines a default node: its default rule goes
  tty.major = 5;
  tty.minor = 0;
  tty.origin = "/linux/devices/0";
  Device fuse = tty;
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.origin = "/linux/devices/1";
  s.linux.devices = {tty, fuse};
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const Step* d = DevicesStep(plan);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->phase, Phase::kHost);
  EXPECT_EQ(d->path, "/sys/fs/cgroup/ct");
  EXPECT_EQ(d->origin, "/linux/resources/devices");
  // The deny of b 8:* takes nothing away (there is no such exception); the spec's devices get no
  // rule of their own (runc 1.1): /dev/fuse has the spec's rw, /dev/tty's default rule is gone.
  EXPECT_EQ(DeviceRulesOf(*d), (Strings{"default deny  # /linux/resources/devices/0",
                                        "allow c 10:229 rw  # /linux/resources/devices/1",
                                        "allow c *:* m  # default",
                                        "allow b *:* m  # default",
                                        "allow c 1:3 rwm  # default",
                                        "allow c 1:8 rwm  # default",
                                        "allow c 1:7 rwm  # default",
                                        "allow c 1:5 rwm  # default",
                                        "allow c 1:9 rwm  # default",
                                        "allow c 136:* rwm  # default",
                                        "allow c 5:2 rwm  # default",
                                        "allow c 10:200 rwm  # default"}));
  // Encoded for the executor: BPF_DEVCG_DEV_* types, BPF_DEVCG_ACC_* bits, -1 = any.
  ASSERT_GE(d->nums.size(), 9u);
  EXPECT_EQ((std::vector<int64_t>(d->nums.begin(), d->nums.begin() + 9)),
            (std::vector<int64_t>{0, 2, 10, 229, 6, 2, -1, -1, 1}));
  // The printed form lists them in the same order.
  const std::string text = PlanToText(plan);
  EXPECT_NE(text.find("cgroup.device  /sys/fs/cgroup/ct default deny (/linux/resources/devices/0); allow c 10:229 "
                      "rw (/linux/resources/devices/1); allow c *:* m (default); allow b *:* m "
                      "(default); allow c 1:3 rwm (default);"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("allow c 10:200 rwm (default)  # /linux/resources/devices\n"), std::string::npos) << text;
}

TEST(CgroupV2DevicesTest, WithoutResourcesTheDefaultAllowList) {
  Spec s = MinimalSpec();
  s.linux.cgroups_path = "/ct";
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const Step* d = DevicesStep(plan);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->origin, "default");
  EXPECT_EQ(DeviceRulesOf(*d), Concat({"default deny  # default"}, DefaultAllowList()));
  // Right after the mkdir, before the clone.
  EXPECT_EQ(IndexOf(plan, StepKind::kCgroupDevices), LastIndexOf(plan, StepKind::kCgroupMkdir) + 1);
  EXPECT_LT(IndexOf(plan, StepKind::kCgroupDevices), IndexOf(plan, StepKind::kClone));
}

TEST(CgroupV2DevicesTest, EmulatorSemantics) {
  auto rules_of = [](std::vector<DeviceRule> rules) {
    Resources r;
    r.devices = std::move(rules);
    const Plan plan = Compile(WithResources(r), FixedHost(CgroupMode::kV2), Options());
    const Step* d = DevicesStep(plan);
    return d ? DeviceRulesOf(*d) : Strings{"no step"};
  };
  // A deny takes bits away from the exception with exactly its numbers; what is left keeps every
  // origin that shaped it.
  EXPECT_EQ(rules_of({MakeRule(true, 'c', 42, 1, "rwm", 0), MakeRule(false, 'c', 42, 1, "w", 1),
                      MakeRule(true, 'c', 42, 2, "r", 2), MakeRule(false, 'c', 42, 2, "rm", 3)}),
            Concat({"default deny  # default", "allow c 42:1 rm  # /linux/resources/devices/0,/linux/resources/devices/1"},
                   DefaultAllowList()));
  // A deny never punches a hole into a wildcard exception (the v1 kernel ignores it too), and a
  // spec rule cannot take away a device of runc's default list, which comes after it.
  EXPECT_EQ(rules_of({MakeRule(true, 'c', 42, std::nullopt, "rw", 0), MakeRule(false, 'c', 42, 7, "rw", 1),
                      MakeRule(false, 'c', 1, 5, "rwm", 2)}),
            Concat({"default deny  # default", "allow c 42:* rw  # /linux/resources/devices/0"}, DefaultAllowList()));
  // "allow a" makes it a deny-list: later allows remove deny exceptions, denies add them, and the
  // default allow-list has nothing left to do.
  EXPECT_EQ(rules_of({MakeRule(true, 'a', std::nullopt, std::nullopt, "", 0), MakeRule(false, 'c', 42, 1, "w", 1),
                      MakeRule(false, 'b', std::nullopt, std::nullopt, "rw", 2),
                      MakeRule(false, 'c', 1, 3, "w", 3)}),
            (Strings{"default allow  # /linux/resources/devices/0", "deny c 42:1 w  # /linux/resources/devices/1",
                     "deny b *:* rw  # /linux/resources/devices/2"}));
  // A later "a" forgets everything before it.
  EXPECT_EQ(rules_of({MakeRule(true, 'c', 42, 1, "rwm", 0), MakeRule(false, 'a', std::nullopt, std::nullopt, "r", 1),
                      MakeRule(true, 'b', 8, 0, "", 2)}),
            Concat({"default deny  # /linux/resources/devices/1", "allow b 8:0 rwm  # /linux/resources/devices/2"},
                   DefaultAllowList()));
}

TEST(CgroupV2DevicesTest, OrderRootlessAndOtherLayouts) {
  Resources r;
  r.pids_limit = 10;
  Cpu c;
  c.shares = 1024;
  c.cpus = "0";
  r.cpu = c;
  const Plan plan = Compile(WithResources(r), FixedHost(CgroupMode::kV2), Options());
  // fs2.Set order: pids, memory, io, cpu, devices, cpuset, ...
  std::vector<std::string> kinds;
  for (const auto& s : plan.steps) {
    if (s.phase != Phase::kHost || s.kind == StepKind::kSeal || s.kind == StepKind::kStateDir ||
        s.kind == StepKind::kCgroupMkdir)
      continue;
    kinds.push_back(std::string(KindInfo(s.kind).name) + " " + s.path);
  }
  EXPECT_EQ(kinds, (Strings{"cgroup.write /sys/fs/cgroup/ct/pids.max", "cgroup.write /sys/fs/cgroup/ct/cpu.weight",
                            "cgroup.device /sys/fs/cgroup/ct", "cgroup.write /sys/fs/cgroup/ct/cpuset.cpus"}));
  CompileOptions rootless = Options();
  rootless.rootless = true;
  EXPECT_EQ(DevicesStep(Compile(WithResources(r), FixedHost(CgroupMode::kV2), rootless)), nullptr);
  // v1 and hybrid program the devices controller's files instead.
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kHybrid}) {
    EXPECT_TRUE(StepsOf(Compile(WithResources(r), FixedHost(mode), Options()), StepKind::kCgroupDevices).empty());
  }
}

Resources MemoryResources(std::optional<int64_t> limit, std::optional<int64_t> swap) {
  Resources r;
  Memory m;
  m.limit = limit;
  m.swap = swap;
  r.memory = m;
  return r;
}

TEST(CgroupV1Test, MemoryAndSwapOrder) {
  const std::string d = "/sys/fs/cgroup/memory/ct/";
  EXPECT_EQ(Writes(MemoryResources(104857600, 209715200), CgroupMode::kV1),
            (Strings{d + "memory.limit_in_bytes = 104857600  # /linux/resources/memory/limit",
                     d + "memory.memsw.limit_in_bytes = 209715200  # /linux/resources/memory/swap"}));
  // Unlimited swap has to be in place before the limit goes under it.
  EXPECT_EQ(Writes(MemoryResources(104857600, -1), CgroupMode::kV1),
            (Strings{d + "memory.memsw.limit_in_bytes = -1  # /linux/resources/memory/swap",
                     d + "memory.limit_in_bytes = 104857600  # /linux/resources/memory/limit"}));
  // 0 means "not set", as in runc.
  EXPECT_EQ(Writes(MemoryResources(0, 0), CgroupMode::kV1), Strings{});
}

TEST(CgroupV1Test, MemoryExtras) {
  Resources r;
  Memory m;
  m.reservation = 52428800;
  m.kernel = 1048576;  // deprecated, ignored
  m.kernel_tcp = 2097152;
  m.disable_oom_killer = true;
  m.swappiness = 10;
  r.memory = m;
  const std::string d = "/sys/fs/cgroup/memory/ct/";
  EXPECT_EQ(Writes(r, CgroupMode::kV1),
            (Strings{d + "memory.soft_limit_in_bytes = 52428800  # /linux/resources/memory/reservation",
                     d + "memory.kmem.tcp.limit_in_bytes = 2097152  # /linux/resources/memory/kernelTCP",
                     d + "memory.oom_control = 1  # /linux/resources/memory/disableOOMKiller",
                     d + "memory.swappiness = 10  # /linux/resources/memory/swappiness"}));
}

TEST(CgroupV2Test, MemoryConversions) {
  const std::string d = "/sys/fs/cgroup/ct/";
  // memory.swap.max is swap alone; the config's swap is memory+swap.
  EXPECT_EQ(Writes(MemoryResources(104857600, 314572800), CgroupMode::kV2),
            (Strings{d + "memory.swap.max = 209715200  # /linux/resources/memory/swap",
                     d + "memory.max = 104857600  # /linux/resources/memory/limit"}));
  EXPECT_EQ(Writes(MemoryResources(104857600, 104857600), CgroupMode::kV2),
            (Strings{d + "memory.swap.max = 0  # /linux/resources/memory/swap",
                     d + "memory.max = 104857600  # /linux/resources/memory/limit"}));
  EXPECT_EQ(Writes(MemoryResources(-1, std::nullopt), CgroupMode::kV2),
            (Strings{d + "memory.swap.max = max  # /linux/resources/memory/swap",
                     d + "memory.max = max  # /linux/resources/memory/limit"}));
  EXPECT_EQ(Writes(MemoryResources(104857600, -1), CgroupMode::kV2),
            (Strings{d + "memory.swap.max = max  # /linux/resources/memory/swap",
                     d + "memory.max = 104857600  # /linux/resources/memory/limit"}));
  // Swap below the limit is refused by the kernel at this step, naming the field.
  EXPECT_EQ(Writes(MemoryResources(200, 100), CgroupMode::kV2),
            (Strings{d + "memory.swap.max = -100  # /linux/resources/memory/swap",
                     d + "memory.max = 200  # /linux/resources/memory/limit"}));
  Resources r;
  Memory m;
  m.reservation = 4096;
  r.memory = m;
  EXPECT_EQ(Writes(r, CgroupMode::kV2), (Strings{d + "memory.low = 4096  # /linux/resources/memory/reservation"}));
}

Resources CpuResources(Cpu c) {
  Resources r;
  r.cpu = std::move(c);
  return r;
}

TEST(CgroupV1Test, Cpu) {
  Cpu c;
  c.shares = 512;
  c.quota = 50000;
  c.period = 100000;
  c.realtime_runtime = 950000;
  c.realtime_period = 1000000;
  c.cpus = "0-3,7";
  c.mems = "0";
  c.idle = 1;
  const std::string cpu = "/sys/fs/cgroup/cpu,cpuacct/ct/";
  const std::string cpuset = "/sys/fs/cgroup/cpuset/ct/";
  EXPECT_EQ(Writes(CpuResources(c), CgroupMode::kV1),
            (Strings{cpuset + "cpuset.cpus = 0-3,7  # /linux/resources/cpu/cpus",
                     cpuset + "cpuset.mems = 0  # /linux/resources/cpu/mems",
                     cpu + "cpu.shares = 512  # /linux/resources/cpu/shares",
                     cpu + "cpu.cfs_period_us = 100000  # /linux/resources/cpu/period",
                     cpu + "cpu.cfs_quota_us = 50000  # /linux/resources/cpu/quota",
                     // runc's order: the period again after the quota (a pod's limit may refuse it first)
                     cpu + "cpu.cfs_period_us = 100000  # /linux/resources/cpu/period",
                     cpu + "cpu.rt_period_us = 1000000  # /linux/resources/cpu/realtimePeriod",
                     cpu + "cpu.rt_runtime_us = 950000  # /linux/resources/cpu/realtimeRuntime",
                     cpu + "cpu.idle = 1  # /linux/resources/cpu/idle"}));
}

TEST(CgroupV2Test, Cpu) {
  const std::string d = "/sys/fs/cgroup/ct/";
  Cpu c;
  c.shares = 1024;
  c.quota = 50000;
  c.period = 100000;
  c.cpus = "1";
  EXPECT_EQ(Writes(CpuResources(c), CgroupMode::kV2),
            (Strings{d + "cpu.weight = 39  # /linux/resources/cpu/shares",
                     d + "cpu.max = 50000 100000  # /linux/resources/cpu/quota",
                     d + "cpuset.cpus = 1  # /linux/resources/cpu/cpus"}));
  // The ends of the shares range map onto the ends of the weight range.
  Cpu low, high;
  low.shares = 2;
  high.shares = 262144;
  EXPECT_EQ(Writes(CpuResources(low), CgroupMode::kV2), (Strings{d + "cpu.weight = 1  # /linux/resources/cpu/shares"}));
  EXPECT_EQ(Writes(CpuResources(high), CgroupMode::kV2),
            (Strings{d + "cpu.weight = 10000  # /linux/resources/cpu/shares"}));
  Cpu unlimited;
  unlimited.quota = -1;
  unlimited.period = 250000;
  EXPECT_EQ(Writes(CpuResources(unlimited), CgroupMode::kV2),
            (Strings{d + "cpu.max = max 250000  # /linux/resources/cpu/quota"}));
  Cpu period_only;
  period_only.period = 100000;
  EXPECT_EQ(Writes(CpuResources(period_only), CgroupMode::kV2),
            (Strings{d + "cpu.max = max 100000  # /linux/resources/cpu/period"}));
}

TEST(CgroupTest, Pids) {
  for (auto [limit, text] : {std::pair<int64_t, const char*>{100, "100"}, {-1, "max"}, {0, "max"}}) {
    Resources r;
    r.pids_limit = limit;
    EXPECT_EQ(Writes(r, CgroupMode::kV1),
              (Strings{"/sys/fs/cgroup/pids/ct/pids.max = " + std::string(text) + "  # /linux/resources/pids/limit"}));
    EXPECT_EQ(Writes(r, CgroupMode::kV2),
              (Strings{"/sys/fs/cgroup/ct/pids.max = " + std::string(text) + "  # /linux/resources/pids/limit"}));
  }
}

Resources BlkioResources() {
  Resources r;
  BlockIO io;
  io.weight = 500;
  WeightDevice wd;
  wd.major = 8;
  wd.minor = 0;
  wd.weight = 100;
  io.weight_device = {wd};
  io.throttle_read_bps = {ThrottleDevice{8, 0, 1048576}};
  io.throttle_write_iops = {ThrottleDevice{8, 16, 300}};
  r.block_io = io;
  return r;
}

TEST(CgroupV1Test, Blkio) {
  const std::string d = "/sys/fs/cgroup/blkio/ct/";
  EXPECT_EQ(Writes(BlkioResources(), CgroupMode::kV1),
            (Strings{d + "blkio.weight = 500  # /linux/resources/blockIO/weight",
                     d + "blkio.weight_device = 8:0 100  # /linux/resources/blockIO/weightDevice/0",
                     d + "blkio.throttle.read_bps_device = 8:0 1048576  # "
                         "/linux/resources/blockIO/throttleReadBpsDevice/0",
                     d + "blkio.throttle.write_iops_device = 8:16 300  # "
                         "/linux/resources/blockIO/throttleWriteIOPSDevice/0"}));
}

TEST(CgroupV2Test, Io) {
  const std::string d = "/sys/fs/cgroup/ct/";
  EXPECT_EQ(Writes(BlkioResources(), CgroupMode::kV2),
            (Strings{d + "io.weight = default 4950  # /linux/resources/blockIO/weight",
                     d + "io.weight = 8:0 910  # /linux/resources/blockIO/weightDevice/0",
                     d + "io.max = 8:0 rbps=1048576  # /linux/resources/blockIO/throttleReadBpsDevice/0",
                     d + "io.max = 8:16 wiops=300  # /linux/resources/blockIO/throttleWriteIOPSDevice/0"}));
}

TEST(CgroupTest, HugetlbNetworkRdma) {
  Resources r;
  r.hugepage_limits = {HugepageLimit{"2MB", 209715200}, HugepageLimit{"1GB", 1073741824}};
  NetworkResources n;
  n.class_id = 1048577;
  n.priorities = {{"eth0", 5}, {"lo", 1}};
  r.network = n;
  r.rdma = {{"mlx4_0", RdmaLimit{2, 2000}}, {"mlx5_1", RdmaLimit{std::nullopt, 10}}};
  EXPECT_EQ(Writes(r, CgroupMode::kV1),
            (Strings{
                "/sys/fs/cgroup/hugetlb/ct/hugetlb.2MB.limit_in_bytes = 209715200  # /linux/resources/hugepageLimits/0",
                "/sys/fs/cgroup/hugetlb/ct/hugetlb.1GB.limit_in_bytes = 1073741824  # /linux/resources/hugepageLimits/1",
                "/sys/fs/cgroup/net_cls,net_prio/ct/net_cls.classid = 1048577  # /linux/resources/network/classID",
                "/sys/fs/cgroup/net_cls,net_prio/ct/net_prio.ifpriomap = eth0 5  # /linux/resources/network/priorities/0",
                "/sys/fs/cgroup/net_cls,net_prio/ct/net_prio.ifpriomap = lo 1  # /linux/resources/network/priorities/1",
                "/sys/fs/cgroup/rdma/ct/rdma.max = mlx4_0 hca_handle=2 hca_object=2000  # /linux/resources/rdma/mlx4_0",
                "/sys/fs/cgroup/rdma/ct/rdma.max = mlx5_1 hca_object=10  # /linux/resources/rdma/mlx5_1",
            }));
  const Strings v2 = Writes(r, CgroupMode::kV2);
  ASSERT_EQ(v2.size(), 7u);
  EXPECT_EQ(v2[0], "/sys/fs/cgroup/ct/hugetlb.2MB.max = 209715200  # /linux/resources/hugepageLimits/0");
  EXPECT_EQ(v2[5], "/sys/fs/cgroup/ct/rdma.max = mlx4_0 hca_handle=2 hca_object=2000  # /linux/resources/rdma/mlx4_0");
}

TEST(CgroupTest, UnifiedKeysAreWrittenAsIs) {
  Resources r;
  r.unified = {{"memory.high", "1G"}, {"io/odd", "x"}};
  EXPECT_EQ(Writes(r, CgroupMode::kV2), (Strings{"/sys/fs/cgroup/ct/io/odd = x  # /linux/resources/unified/io~1odd",
                                                 "/sys/fs/cgroup/ct/memory.high = 1G  # /linux/resources/unified/memory.high"}));
  EXPECT_EQ(Writes(r, CgroupMode::kHybrid)[1],
            "/sys/fs/cgroup/unified/ct/memory.high = 1G  # /linux/resources/unified/memory.high");
  // A v1 host has no unified hierarchy: the write targets where it would be, and fails there.
  EXPECT_EQ(Writes(r, CgroupMode::kV1)[1],
            "/sys/fs/cgroup/unified/ct/memory.high = 1G  # /linux/resources/unified/memory.high");
}

TEST(CgroupTest, AResourceOfAMissingControllerIsNotDropped) {
  HostFacts host = FixedHost(CgroupMode::kV1);
  host.v1_mounts.erase("hugetlb");
  Resources r;
  r.hugepage_limits = {HugepageLimit{"2MB", 4194304}};
  const Plan plan = Compile(WithResources(r), host, Options());
  EXPECT_EQ(NonDeviceWrites(plan),
            (Strings{"/sys/fs/cgroup/hugetlb/ct/hugetlb.2MB.limit_in_bytes = 4194304  # "
                     "/linux/resources/hugepageLimits/0"}));
  for (const auto* m : StepsOf(plan, StepKind::kCgroupMkdir)) EXPECT_NE(m->name, "hugetlb");

  // v2 cannot do realtime groups or net_cls: those writes fail visibly too.
  Cpu c;
  c.realtime_runtime = 1000;
  Resources rt = CpuResources(c);
  NetworkResources n;
  n.class_id = 7;
  rt.network = n;
  EXPECT_EQ(Writes(rt, CgroupMode::kV2),
            (Strings{"/sys/fs/cgroup/ct/cpu.rt_runtime_us = 1000  # /linux/resources/cpu/realtimeRuntime",
                     "/sys/fs/cgroup/ct/net_cls.classid = 7  # /linux/resources/network/classID"}));
}

TEST(CgroupTest, WritesComeAfterEveryMkdirAndBeforeTheClone) {
  Resources r = BlkioResources();
  r.pids_limit = 10;
  const Plan plan = Compile(WithResources(r), FixedHost(CgroupMode::kHybrid), Options());
  EXPECT_LT(LastIndexOf(plan, StepKind::kCgroupMkdir), IndexOf(plan, StepKind::kCgroupWrite));
  EXPECT_LT(LastIndexOf(plan, StepKind::kCgroupWrite), IndexOf(plan, StepKind::kClone));
  for (const auto* w : StepsOf(plan, StepKind::kCgroupWrite)) EXPECT_EQ(w->phase, Phase::kHost);
}

}  // namespace
}  // namespace runc
