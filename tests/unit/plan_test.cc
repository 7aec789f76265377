#include "compiler/plan.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <set>
#include <sstream>

namespace runc {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(StepKindTableTest, OneEntryPerKindInEnumOrder) {
  ASSERT_EQ(kStepKindCount, static_cast<size_t>(StepKind::kStateRemove) + 1);
  std::set<std::string_view> names;
  for (size_t i = 0; i < kStepKindCount; ++i) {
    EXPECT_EQ(static_cast<size_t>(kStepKinds[i].kind), i);
    EXPECT_FALSE(kStepKinds[i].name.empty());
    EXPECT_FALSE(kStepKinds[i].help.empty()) << kStepKinds[i].name;
    EXPECT_TRUE(names.insert(kStepKinds[i].name).second) << "duplicate " << kStepKinds[i].name;
  }
}

TEST(StepKindTableTest, NamesRoundTrip) {
  for (size_t i = 0; i < kStepKindCount; ++i) {
    StepKind k;
    ASSERT_TRUE(KindByName(kStepKinds[i].name, k)) << kStepKinds[i].name;
    EXPECT_EQ(k, kStepKinds[i].kind);
    EXPECT_EQ(KindInfo(k).name, kStepKinds[i].name);
  }
  StepKind k = StepKind::kMount;
  EXPECT_FALSE(KindByName("mnt", k));
  EXPECT_FALSE(KindByName("", k));
  EXPECT_EQ(k, StepKind::kMount);
  EXPECT_EQ(KindInfo(StepKind::kCgroupWrite).name, "cgroup.write");
  EXPECT_EQ(KindInfo(StepKind::kCgroupWrite).phase, Phase::kHost);
  EXPECT_EQ(KindInfo(StepKind::kMount).phase, Phase::kRootfs);
  EXPECT_EQ(KindInfo(StepKind::kRlimit).phase, Phase::kProcess);
  EXPECT_EQ(KindInfo(StepKind::kExecve).phase, Phase::kStart);
  EXPECT_EQ(KindInfo(StepKind::kCgroupRmdir).phase, Phase::kTeardown);
}

TEST(PhaseTest, NamesRoundTrip) {
  const std::vector<std::pair<Phase, std::string_view>> phases = {
      {Phase::kHost, "host"},       {Phase::kSpawn, "spawn"}, {Phase::kRootfs, "rootfs"},
      {Phase::kProcess, "process"}, {Phase::kStart, "start"}, {Phase::kTeardown, "teardown"}};
  for (const auto& [phase, name] : phases) {
    EXPECT_EQ(PhaseName(phase), name);
    Phase p;
    ASSERT_TRUE(PhaseByName(name, p));
    EXPECT_EQ(p, phase);
  }
  Phase p;
  EXPECT_FALSE(PhaseByName("init", p));
}

Step MakeStep(Phase phase, StepKind kind, std::string origin) {
  Step s;
  s.phase = phase;
  s.kind = kind;
  s.origin = std::move(origin);
  return s;
}

TEST(PlanTest, PhaseBegin) {
  Plan plan;
  plan.steps.push_back(MakeStep(Phase::kHost, StepKind::kStateDir, "default"));
  plan.steps.push_back(MakeStep(Phase::kSpawn, StepKind::kClone, "/linux/namespaces"));
  plan.steps.push_back(MakeStep(Phase::kSpawn, StepKind::kCgroupJoin, "default"));
  plan.steps.push_back(MakeStep(Phase::kStart, StepKind::kWaitStart, "default"));
  EXPECT_EQ(plan.PhaseBegin(Phase::kHost), 0u);
  EXPECT_EQ(plan.PhaseBegin(Phase::kSpawn), 1u);
  EXPECT_EQ(plan.PhaseBegin(Phase::kStart), 3u);
  EXPECT_EQ(plan.PhaseBegin(Phase::kRootfs), 4u);
  EXPECT_EQ(plan.PhaseBegin(Phase::kTeardown), 4u);
}

// A plan with one step of most kinds, each with the arguments a compiled plan gives it.
Plan SamplePlan() {
  Plan plan;
  plan.id = "demo";
  plan.bundle = "/b";
  plan.rootfs = "/b/rootfs";
  plan.oci_version = "1.3.0";
  plan.host_label = "cgroup-v1";
  auto add = [&](Phase phase, StepKind kind, std::string origin) -> Step& {
    plan.steps.push_back(MakeStep(phase, kind, std::move(origin)));
    plan.steps.back().index = static_cast<int>(plan.steps.size());
    return plan.steps.back();
  };
  add(Phase::kHost, StepKind::kStateDir, "default").path = "/run/runc/demo";
  Step& mkdir = add(Phase::kHost, StepKind::kCgroupMkdir, "/linux/cgroupsPath");
  mkdir.name = "memory";
  mkdir.path = "/sys/fs/cgroup/memory/demo";
  Step& write = add(Phase::kHost, StepKind::kCgroupWrite, "/linux/resources/memory/limit");
  write.path = "/sys/fs/cgroup/memory/demo/memory.limit_in_bytes";
  write.value = "1610612736";
  Step& dev = add(Phase::kHost, StepKind::kCgroupWrite, "/linux/resources/devices/1");
  dev.path = "/sys/fs/cgroup/devices/demo/devices.allow";
  dev.value = "c 1:3 rwm";
  Step& hook = add(Phase::kSpawn, StepKind::kHook, "/hooks/prestart/0");
  hook.name = "prestart";
  hook.path = "/usr/bin/hook";
  hook.argv = {"hook", "--say", "hello world"};
  hook.env = {"A=1"};
  hook.nums = {5};
  add(Phase::kSpawn, StepKind::kClone, "/linux/namespaces").flags =
      CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER;
  add(Phase::kSpawn, StepKind::kUidMap, "/linux/uidMappings").value = "0 1000 1\n1 100000 65536\n";
  Step& join = add(Phase::kSpawn, StepKind::kNsJoin, "/linux/namespaces/2");
  join.name = "network";
  join.path = "/var/run/netns/x";
  join.flags = CLONE_NEWNET;
  Step& prop = add(Phase::kRootfs, StepKind::kPropagation, "default");
  prop.path = "/";
  prop.flags = MS_SLAVE | MS_REC;
  Step& proc = add(Phase::kRootfs, StepKind::kMount, "/mounts/0");
  proc.source = "proc";
  proc.path = "/proc";
  proc.fstype = "proc";
  proc.flags = MS_NOSUID | MS_NOEXEC | MS_NODEV;
  Step& tmpfs = add(Phase::kRootfs, StepKind::kMount, "/mounts/1");
  tmpfs.source = "tmpfs";
  tmpfs.path = "/dev";
  tmpfs.fstype = "tmpfs";
  tmpfs.flags = MS_NOSUID | MS_STRICTATIME;
  tmpfs.value = "mode=755,size=65536k";
  Step& bind = add(Phase::kRootfs, StepKind::kMount, "/mounts/2");
  bind.source = "/host/data";
  bind.path = "/data";
  bind.fstype = "bind";
  bind.flags = MS_BIND | MS_REC;
  bind.flags2 = MS_PRIVATE | MS_REC;
  bind.nums = {MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0};
  Step& remount = add(Phase::kRootfs, StepKind::kRemount, "/mounts/2");
  remount.path = "/data";
  remount.flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
  Step& node = add(Phase::kRootfs, StepKind::kMknod, "default");
  node.path = "/dev/null";
  node.nums = {S_IFCHR | 0666, 1, 3, 0, 0};
  Step& link = add(Phase::kRootfs, StepKind::kSymlink, "default");
  link.path = "/dev/ptmx";
  link.source = "pts/ptmx";
  add(Phase::kRootfs, StepKind::kPivotRoot, "/root/path").path = "/b/rootfs";
  add(Phase::kProcess, StepKind::kMask, "/linux/maskedPaths/2").path = "/proc/kcore";
  Step& sysctl = add(Phase::kProcess, StepKind::kSysctl, "/linux/sysctl/net.ipv4.ip_forward");
  sysctl.name = "net.ipv4.ip_forward";
  sysctl.path = "/proc/sys/net/ipv4/ip_forward";
  sysctl.value = "1";
  Step& rlimit = add(Phase::kProcess, StepKind::kRlimit, "/process/rlimits/0");
  rlimit.name = "RLIMIT_NOFILE";
  rlimit.nums = {7, 1024, 1024};
  Step& core = add(Phase::kProcess, StepKind::kRlimit, "/process/rlimits/1");
  core.name = "RLIMIT_CORE";
  core.nums = {4, -1, -1};
  add(Phase::kProcess, StepKind::kUser, "/process/user").nums = {1000, 1000, 10, 20};
  add(Phase::kProcess, StepKind::kUmask, "/process/user/umask").nums = {022};
  const int64_t caps = (int64_t{1} << 29) | (int64_t{1} << 5) | (int64_t{1} << 10);
  add(Phase::kProcess, StepKind::kCaps, "/process/capabilities").nums = {caps, caps, 0, caps, 0};
  add(Phase::kProcess, StepKind::kNoNewPrivs, "/process/noNewPrivileges");
  add(Phase::kProcess, StepKind::kSeccomp, "/linux/seccomp").argv = {"default ERRNO(38)", "ALLOW 300 syscalls"};
  add(Phase::kStart, StepKind::kWaitStart, "default").path = "/run/runc/demo/exec.fifo";
  Step& exec = add(Phase::kStart, StepKind::kExecve, "/process/args");
  exec.path = "/bin/sh";
  exec.argv = {"sh", "-c", "echo \"hi\""};
  exec.env = {"PATH=/bin"};
  add(Phase::kTeardown, StepKind::kKill, "default").nums = {9};
  return plan;
}

TEST(PlanToTextTest, WholeLines) {
  const std::vector<std::string> expected = {
      "# runc plan \xC2\xB7 id=demo \xC2\xB7 bundle=/b \xC2\xB7 ociVersion=1.3.0 \xC2\xB7 host=cgroup-v1",
      "host        1  state_dir      /run/runc/demo                                    # default",
      "host        2  cgroup.mkdir   /sys/fs/cgroup/memory/demo                        # /linux/cgroupsPath",
      "host        3  cgroup.write   /sys/fs/cgroup/memory/demo/memory.limit_in_bytes = 1610612736  "
      "# /linux/resources/memory/limit",
      "host        4  cgroup.write   /sys/fs/cgroup/devices/demo/devices.allow = \"c 1:3 rwm\"  "
      "# /linux/resources/devices/1",
      "spawn       5  hook           prestart /usr/bin/hook [hook --say \"hello world\"] timeout=5s env=[A=1]  "
      "# /hooks/prestart/0",
      "spawn       6  clone          user|mount|pid|network|ipc|uts                    # /linux/namespaces",
      "spawn       7  uid_map        0 1000 1, 1 100000 65536                          # /linux/uidMappings",
      "spawn       8  ns.join        network /var/run/netns/x                          # /linux/namespaces/2",
      "rootfs      9  propagation    / rslave                                          # default",
      "rootfs     10  mount          proc on /proc type proc nosuid,nodev,noexec       # /mounts/0",
      "rootfs     11  mount          tmpfs on /dev type tmpfs nosuid,strictatime mode=755,size=65536k  # /mounts/1",
      "rootfs     12  mount          /host/data on /data type bind rbind propagation=rprivate setattr=ro,nosuid  "
      "# /mounts/2",
      "rootfs     13  remount        /data ro,remount,bind                             # /mounts/2",
      "rootfs     14  mknod          /dev/null c 1:3 0666 uid=0 gid=0                  # default",
      "rootfs     15  symlink        /dev/ptmx -> pts/ptmx                             # default",
      "rootfs     16  pivot_root     /b/rootfs                                         # /root/path",
      "process    17  mask           /proc/kcore                                       # /linux/maskedPaths/2",
      "process    18  sysctl         net.ipv4.ip_forward = 1                           "
      "# /linux/sysctl/net.ipv4.ip_forward",
      "process    19  rlimit         NOFILE soft=1024 hard=1024                        # /process/rlimits/0",
      "process    20  rlimit         CORE soft=unlimited hard=unlimited                # /process/rlimits/1",
      "process    21  user           uid=1000 gid=1000 groups=10,20                    # /process/user",
      "process    22  umask          0022                                              # /process/user/umask",
      "process    23  caps           bounding=KILL,NET_BIND_SERVICE,AUDIT_WRITE effective=KILL,NET_BIND_SERVICE,"
      "AUDIT_WRITE inheritable=none permitted=KILL,NET_BIND_SERVICE,AUDIT_WRITE ambient=none  "
      "# /process/capabilities",
      "process    24  no_new_privs                                                     # /process/noNewPrivileges",
      "process    25  seccomp        default ERRNO(38); ALLOW 300 syscalls             # /linux/seccomp",
      "start      26  wait_start     /run/runc/demo/exec.fifo                          # default",
      "start      27  execve         /bin/sh [sh -c \"echo \\\"hi\\\"\"] env=[PATH=/bin]     # /process/args",
      "teardown   28  kill           KILL                                              # default",
  };
  const std::vector<std::string> actual = Lines(PlanToText(SamplePlan()));
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(actual[i], expected[i]) << "line " << i;
}

TEST(PlanToTextTest, IsByteDeterministic) {
  const Plan plan = SamplePlan();
  EXPECT_EQ(PlanToText(plan), PlanToText(SamplePlan()));
  EXPECT_EQ(PlanToText(plan), PlanToText(plan));
}

Seccomp SampleSeccomp() {
  Seccomp sc;
  sc.default_action = "SCMP_ACT_ERRNO";
  sc.default_errno_ret = 38;
  sc.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  sc.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  sc.listener_path = "/run/listener.sock";
  sc.listener_metadata = "meta";
  SeccompSyscall allow;
  allow.names = {"read", "write"};
  allow.action = "SCMP_ACT_ALLOW";
  allow.origin = "/linux/seccomp/syscalls/0";
  SeccompSyscall personality;
  personality.names = {"personality"};
  personality.action = "SCMP_ACT_ERRNO";
  personality.errno_ret = 1;
  personality.args = {SeccompArg{0, 8, 0, "SCMP_CMP_EQ"}, SeccompArg{1, 0xff, 0x10, "SCMP_CMP_MASKED_EQ"}};
  personality.origin = "/linux/seccomp/syscalls/1";
  sc.syscalls = {allow, personality};
  return sc;
}

TEST(PlanJsonTest, RoundTripsEveryField) {
  Plan plan = SamplePlan();
  plan.terminal = true;
  plan.console_size = ConsoleSize{24, 80};
  plan.annotations = {{"a", "1"}, {"org.example/b", "two"}};
  plan.seccomp = SampleSeccomp();
  plan.steps[5].flags2 = 0x1234;  // every field non-default somewhere
  plan.steps[11].env = {"X=1"};

  const nlohmann::json j = PlanToJson(plan);
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(j, back, error)) << error;
  EXPECT_EQ(back.id, plan.id);
  EXPECT_EQ(back.bundle, plan.bundle);
  EXPECT_EQ(back.rootfs, plan.rootfs);
  EXPECT_EQ(back.oci_version, plan.oci_version);
  EXPECT_EQ(back.host_label, plan.host_label);
  EXPECT_TRUE(back.terminal);
  ASSERT_TRUE(back.console_size.has_value());
  EXPECT_EQ(back.console_size->height, 24u);
  EXPECT_EQ(back.console_size->width, 80u);
  EXPECT_EQ(back.annotations, plan.annotations);
  EXPECT_EQ(back.steps, plan.steps);
  ASSERT_TRUE(back.seccomp.has_value());
  const Seccomp& sc = *back.seccomp;
  EXPECT_EQ(sc.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(sc.default_errno_ret, std::optional<uint32_t>(38));
  EXPECT_EQ(sc.architectures, plan.seccomp->architectures);
  EXPECT_EQ(sc.flags, plan.seccomp->flags);
  EXPECT_EQ(sc.listener_path, "/run/listener.sock");
  EXPECT_EQ(sc.listener_metadata, "meta");
  ASSERT_EQ(sc.syscalls.size(), 2u);
  EXPECT_EQ(sc.syscalls[0].names, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(sc.syscalls[0].action, "SCMP_ACT_ALLOW");
  EXPECT_FALSE(sc.syscalls[0].errno_ret.has_value());
  EXPECT_EQ(sc.syscalls[0].origin, "/linux/seccomp/syscalls/0");
  EXPECT_EQ(sc.syscalls[1].errno_ret, std::optional<uint32_t>(1));
  ASSERT_EQ(sc.syscalls[1].args.size(), 2u);
  EXPECT_EQ(sc.syscalls[1].args[1].index, 1u);
  EXPECT_EQ(sc.syscalls[1].args[1].value, 0xffu);
  EXPECT_EQ(sc.syscalls[1].args[1].value_two, 0x10u);
  EXPECT_EQ(sc.syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ");
  // A second trip is the identity on the JSON form, through text too.
  EXPECT_EQ(PlanToJson(back), j);
  Plan again;
  ASSERT_TRUE(PlanFromJson(nlohmann::json::parse(j.dump()), again, error)) << error;
  EXPECT_EQ(PlanToJson(again), j);
  EXPECT_EQ(PlanToText(again), PlanToText(plan));
}

// plan.json is written by PlanToJsonText without building the nlohmann tree; it must be the same
// bytes as PlanToJson's dump(1): every field, strings that need escaping, multi-byte UTF-8, and
// a string that is not UTF-8 (nlohmann throws; so must it).
TEST(PlanJsonTest, TextIsNlohmannsDumpOfPlanToJson) {
  Plan plan = SamplePlan();
  plan.terminal = true;
  plan.console_size = ConsoleSize{24, 80};
  plan.exec_pid = 4242;
  plan.annotations = {{"a", "1"}, {"org.example/b", "two"}, {"quote\"and\\slash", "tab\there\nnewline"}};
  plan.seccomp = SampleSeccomp();
  plan.steps[5].flags2 = 0x1234;
  plan.steps[5].flags = UINT64_MAX;
  plan.steps[11].env = {"X=1", "CTL=\x01\x1f\x7f\b\f\r"};
  plan.steps[3].nums = {-1, 0, INT64_MAX, INT64_MIN};
  plan.steps[4].argv = {"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", ""};
  plan.steps[6].name = "\xed\x9f\xbf \xef\xbf\xbf \xf4\x8f\xbf\xbf";  // the last code points before the gaps
  EXPECT_EQ(PlanToJsonText(plan), PlanToJson(plan).dump(1) + "\n");

  Plan bare;
  EXPECT_EQ(PlanToJsonText(bare), PlanToJson(bare).dump(1) + "\n");

  for (const char* bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80", "\xff"}) {
    Plan p = SamplePlan();
    p.steps[0].path = std::string("x") + bad;
    EXPECT_THROW(PlanToJson(p).dump(1), nlohmann::json::exception) << bad;
    EXPECT_THROW(PlanToJsonText(p), nlohmann::json::exception) << bad;
  }
}

TEST(PlanJsonTest, StepsUseNamesNotNumbers) {
  const nlohmann::json j = PlanToJson(SamplePlan());
  EXPECT_EQ(j["steps"][2]["kind"], "cgroup.write");
  EXPECT_EQ(j["steps"][2]["phase"], "host");
  EXPECT_EQ(j["steps"][2]["origin"], "/linux/resources/memory/limit");
  EXPECT_EQ(j["steps"][2]["value"], "1610612736");
  EXPECT_FALSE(j["steps"][2].contains("argv"));
  EXPECT_FALSE(j.contains("seccomp"));
}

TEST(PlanJsonTest, Errors) {
  Plan out;
  std::string error;
  EXPECT_FALSE(PlanFromJson(nlohmann::json::array(), out, error));
  EXPECT_EQ(error, "plan: expected object");

  EXPECT_FALSE(PlanFromJson(nlohmann::json{{"id", "x"}}, out, error));
  EXPECT_EQ(error, "plan: /steps: expected array");

  nlohmann::json j = PlanToJson(SamplePlan());
  j["steps"][3]["kind"] = "teleport";
  EXPECT_FALSE(PlanFromJson(j, out, error));
  EXPECT_EQ(error, "plan: /steps/3/kind: unknown step kind \"teleport\"");

  j = PlanToJson(SamplePlan());
  j["steps"][1]["phase"] = "later";
  EXPECT_FALSE(PlanFromJson(j, out, error));
  EXPECT_EQ(error, "plan: /steps/1/phase: unknown phase \"later\"");

  j = PlanToJson(SamplePlan());
  j["steps"][4]["argv"] = "not a list";
  EXPECT_FALSE(PlanFromJson(j, out, error));
  EXPECT_EQ(error, "plan: /steps/4/argv: expected array of strings");

  j = PlanToJson(SamplePlan());
  j["steps"][4]["nums"] = {1, "2"};
  EXPECT_FALSE(PlanFromJson(j, out, error));
  EXPECT_EQ(error, "plan: /steps/4/nums: expected array of integers");

  j = PlanToJson(SamplePlan());
  j["steps"][5]["flags"] = -1;
  EXPECT_FALSE(PlanFromJson(j, out, error));
  EXPECT_EQ(error, "plan: /steps/5/flags: expected unsigned integer");

  j = PlanToJson(SamplePlan());
  j["steps"][6] = "clone";
  EXPECT_FALSE(PlanFromJson(j, out, error));
  EXPECT_EQ(error, "plan: /steps/6: expected object");

  j = PlanToJson(SamplePlan());
  j["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", {{{"names", {"read"}}, {"errnoRet", 1ull << 40}}}}};
  EXPECT_FALSE(PlanFromJson(j, out, error));
  EXPECT_EQ(error, "plan: /seccomp/syscalls/0/errnoRet: out of range");

  j = PlanToJson(SamplePlan());
  j["id"] = 5;
  EXPECT_FALSE(PlanFromJson(j, out, error));
  EXPECT_EQ(error, "plan: /id: expected string");
  EXPECT_TRUE(out.steps.empty());  // untouched on failure
}

// cgroup v2 device rules: one step, its rules in nums, their origins in argv.
Plan DevicesPlan() {
  Plan plan;
  plan.id = "demo";
  plan.bundle = "/b";
  plan.oci_version = "1.3.0";
  plan.host_label = "cgroup-v2";
  Step s = MakeStep(Phase::kHost, StepKind::kCgroupDevices, "/linux/resources/devices");
  s.index = 1;
  s.path = "/sys/fs/cgroup/demo";
  s.nums = {0, 2, -1, -1, 1, 2, 1, 3, 7, 1, 8, -1, 2};
  s.argv = {"/linux/resources/devices/0", "default", "default", "/linux/resources/devices/1,/linux/devices/0"};
  plan.steps.push_back(s);
  Step deny_list = s;
  deny_list.index = 2;
  deny_list.nums = {1, 2, 1, 5, 4};
  deny_list.argv = {"/linux/resources/devices/0", "/linux/resources/devices/1"};
  plan.steps.push_back(deny_list);
  return plan;
}

TEST(PlanToTextTest, CgroupDevices) {
  EXPECT_EQ(Lines(PlanToText(DevicesPlan())),
            (std::vector<std::string>{
                "# runc plan \xC2\xB7 id=demo \xC2\xB7 bundle=/b \xC2\xB7 ociVersion=1.3.0 \xC2\xB7 host=cgroup-v2",
                "host        1  cgroup.device  /sys/fs/cgroup/demo default deny (/linux/resources/devices/0); allow c "
                "*:* m (default); allow c 1:3 rwm (default); allow b 8:* r (/linux/resources/devices/1,/linux/devices/0)"
                "  # /linux/resources/devices",
                "host        2  cgroup.device  /sys/fs/cgroup/demo default allow (/linux/resources/devices/0); deny c "
                "1:5 w (/linux/resources/devices/1)  # /linux/resources/devices",
            }));
  EXPECT_EQ(KindInfo(StepKind::kCgroupDevices).phase, Phase::kHost);
}

TEST(PlanJsonTest, CgroupDevicesRoundTrip) {
  const Plan plan = DevicesPlan();
  const nlohmann::json j = PlanToJson(plan);
  EXPECT_EQ(j["steps"][0]["kind"], "cgroup.device");
  EXPECT_EQ(plan.steps[0].nums, j["steps"][0]["nums"]);
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(nlohmann::json::parse(j.dump()), back, error)) << error;
  EXPECT_EQ(back.steps, plan.steps);
  EXPECT_EQ(PlanToText(back), PlanToText(plan));
}

// Idmapped mounts: the mount's own maps, or the joined user namespace they come from.
Plan IdmapPlan() {
  Plan plan;
  plan.id = "demo";
  plan.bundle = "/b";
  plan.oci_version = "1.3.0";
  plan.host_label = "cgroup-v1";
  Step own = MakeStep(Phase::kSpawn, StepKind::kIdmapMount, "/mounts/7");
  own.index = 1;
  own.source = "/var/lib/data";
  own.path = "/data";
  own.flags = MS_BIND | MS_REC;
  own.flags2 = MS_REC;
  own.argv = {"0 1000 1\n1 100000 65536\n", "0 1000 1\n"};
  plan.steps.push_back(own);
  Step joined = MakeStep(Phase::kSpawn, StepKind::kIdmapMount, "/mounts/8");
  joined.index = 2;
  joined.source = "/b/app conf";
  joined.path = "/etc/app.conf";
  joined.flags = MS_BIND;
  joined.name = "/proc/4321/ns/user";
  plan.steps.push_back(joined);
  return plan;
}

TEST(PlanToTextTest, IdmapMounts) {
  EXPECT_EQ(KindInfo(StepKind::kIdmapMount).name, "mount.idmap");
  EXPECT_EQ(KindInfo(StepKind::kIdmapMount).phase, Phase::kSpawn);
  const std::vector<std::string> lines = Lines(PlanToText(IdmapPlan()));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].substr(lines[1].find("mount.idmap")),
            "mount.idmap    /var/lib/data on /data rbind ridmap uids=0:1000:1,1:100000:65536 gids=0:1000:1  # /mounts/7");
  EXPECT_EQ(lines[2].substr(lines[2].find("mount.idmap")),
            "mount.idmap    \"/b/app conf\" on /etc/app.conf bind idmap userns=/proc/4321/ns/user  # /mounts/8");
}

TEST(PlanJsonTest, IdmapMountsRoundTrip) {
  const Plan plan = IdmapPlan();
  const nlohmann::json j = PlanToJson(plan);
  EXPECT_EQ(j["steps"][0]["kind"], "mount.idmap");
  EXPECT_EQ(j["steps"][0]["argv"][0], "0 1000 1\n1 100000 65536\n");
  EXPECT_EQ(j["steps"][1]["name"], "/proc/4321/ns/user");
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(nlohmann::json::parse(j.dump()), back, error)) << error;
  EXPECT_EQ(back.steps, plan.steps);
  EXPECT_EQ(PlanToText(back), PlanToText(plan));
}

}  // namespace
}  // namespace runc
