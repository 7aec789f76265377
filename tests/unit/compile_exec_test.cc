// CompileExec: the exec plan from a container's plan and a process (compiler/compile_exec.cc).
#include <sched.h>

#include <gtest/gtest.h>

#include "compiler/compile.h"
#include "tests/unit/compile_test_util.h"

namespace runc {
namespace {

using testing_util::IndexOf;
using testing_util::Options;
using testing_util::RuncDefaultSpec;
using testing_util::StepsOf;

ExecProcess ProcessOf(const Spec& spec) {
  ExecProcess p;
  p.process = spec.process;
  p.process.args = {"ps"};
  p.process.terminal = false;
  return p;
}

ExecCompileOptions Pid(int pid) {
  ExecCompileOptions o;
  o.pid = pid;
  return o;
}

TEST(CompileExecTest, JoinsEveryNamespaceOfTheInitUserFirst) {
  Spec spec = RuncDefaultSpec();
  spec.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "", "/linux/namespaces/5"});
  spec.linux.namespaces.push_back(Namespace{NamespaceType::kCgroup, "", "/linux/namespaces/6"});
  spec.linux.uid_mappings = {IdMapping{0, 100000, 65536}};
  spec.linux.gid_mappings = {IdMapping{0, 100000, 65536}};
  const HostFacts host = FixedHost(CgroupMode::kV1);
  const Plan container = Compile(spec, host, Options());
  Plan plan;
  Diagnostics errors;
  ASSERT_TRUE(CompileExec(container, ProcessOf(spec), host, Pid(4242), plan, errors));
  std::vector<std::string> joins;
  for (const Step* s : StepsOf(plan, StepKind::kNsJoin)) joins.push_back(s->path);
  EXPECT_EQ(joins, (std::vector<std::string>{"/proc/4242/ns/user", "/proc/4242/ns/ipc", "/proc/4242/ns/uts",
                                             "/proc/4242/ns/net", "/proc/4242/ns/pid", "/proc/4242/ns/mnt",
                                             "/proc/4242/ns/cgroup"}));
  EXPECT_EQ(StepsOf(plan, StepKind::kNsOpen).size(), joins.size());
  EXPECT_EQ(StepsOf(plan, StepKind::kNsJoin).at(0)->flags, static_cast<uint64_t>(CLONE_NEWUSER));
  EXPECT_EQ(StepsOf(plan, StepKind::kNsJoin).back()->origin, "/linux/namespaces/6");
  // No rootfs, no state, no wait: namespaces, clone, cgroups, process, execve.
  EXPECT_EQ(IndexOf(plan, StepKind::kStateDir), plan.steps.size());
  EXPECT_EQ(IndexOf(plan, StepKind::kWaitStart), plan.steps.size());
  EXPECT_EQ(IndexOf(plan, StepKind::kMount), plan.steps.size());
  EXPECT_EQ(StepsOf(plan, StepKind::kClone).at(0)->flags, 0u);
  EXPECT_LT(IndexOf(plan, StepKind::kClone), IndexOf(plan, StepKind::kCgroupJoin));
  EXPECT_EQ(plan.steps.back().kind, StepKind::kExecve);
  EXPECT_EQ(plan.exec_pid, 4242);
  // The same cgroups as the container's init.
  std::vector<std::string> mine, init;
  for (const Step* s : StepsOf(plan, StepKind::kCgroupJoin)) mine.push_back(s->path);
  for (const Step* s : StepsOf(container, StepKind::kCgroupJoin)) init.push_back(s->path);
  EXPECT_EQ(mine, init);
}

// As the init's: in the container's user namespace under a rootless runtime the process stays
// dumpable until its become_root step; otherwise it is non-dumpable from its init step.
TEST(CompileExecTest, RootlessProcessInAUserNamespaceIsDumpableUntilBecomeRoot) {
  Spec spec = RuncDefaultSpec();
  spec.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "", "/linux/namespaces/5"});
  spec.linux.uid_mappings = {IdMapping{0, 100000, 65536}};
  spec.linux.gid_mappings = {IdMapping{0, 100000, 65536}};
  const HostFacts host = FixedHost(CgroupMode::kV2);
  ExecCompileOptions rootless = Pid(7);
  rootless.rootless = true;
  Plan plan;
  Diagnostics errors;
  ASSERT_TRUE(CompileExec(Compile(spec, host, Options()), ProcessOf(spec), host, rootless, plan, errors));
  EXPECT_EQ(StepsOf(plan, StepKind::kInitSetup).at(0)->flags, kDumpableForMaps);
  EXPECT_LT(IndexOf(plan, StepKind::kInitSetup), IndexOf(plan, StepKind::kBecomeRoot));
  Plan strict;
  ASSERT_TRUE(CompileExec(Compile(spec, host, Options()), ProcessOf(spec), host, Pid(7), strict, errors));
  EXPECT_EQ(StepsOf(strict, StepKind::kInitSetup).at(0)->flags, 0u);
  const Spec plain = RuncDefaultSpec();
  Plan no_userns;
  ASSERT_TRUE(CompileExec(Compile(plain, host, Options()), ProcessOf(plain), host, rootless, no_userns, errors));
  EXPECT_EQ(StepsOf(no_userns, StepKind::kInitSetup).at(0)->flags, 0u);
}

TEST(CompileExecTest, NoUserNamespaceWithoutOne) {
  const Spec spec = RuncDefaultSpec();
  const HostFacts host = FixedHost(CgroupMode::kV2);
  Plan plan;
  Diagnostics errors;
  ASSERT_TRUE(CompileExec(Compile(spec, host, Options()), ProcessOf(spec), host, Pid(7), plan, errors));
  for (const Step* s : StepsOf(plan, StepKind::kNsJoin)) EXPECT_NE(s->name, "user");
  EXPECT_EQ(StepsOf(plan, StepKind::kNsJoin).size(), 5u);
}

TEST(CompileExecTest, ProcessStepsAndOrigins) {
  Spec spec = RuncDefaultSpec();
  const HostFacts host = FixedHost(CgroupMode::kV1);
  ExecProcess p = ProcessOf(spec);
  p.process.cwd = "/srv/../tmp";
  p.overrides["cwd"] = "--cwd";
  p.process.user.uid = 1000;
  p.process.user.additional_gids = {10};
  p.overrides["user"] = "--user";
  p.process.exec_cpu_affinity = CpuAffinity{"0", "0-1"};
  Plan plan;
  Diagnostics errors;
  ASSERT_TRUE(CompileExec(Compile(spec, host, Options()), p, host, Pid(9), plan, errors));
  const Step& cwd = *StepsOf(plan, StepKind::kCwd).at(0);
  EXPECT_EQ(cwd.path, "/tmp");
  EXPECT_EQ(cwd.origin, "--cwd");
  const Step& user = *StepsOf(plan, StepKind::kUser).at(0);
  EXPECT_EQ(user.nums, (std::vector<int64_t>{1000, 0, 10}));
  EXPECT_EQ(user.origin, "--user");
  EXPECT_EQ(StepsOf(plan, StepKind::kRlimit).at(0)->origin, "/process/rlimits/0");
  EXPECT_EQ(StepsOf(plan, StepKind::kNoNewPrivs).at(0)->origin, "/process/noNewPrivileges");
  EXPECT_EQ(StepsOf(plan, StepKind::kExecve).at(0)->argv, std::vector<std::string>{"ps"});
  // initial before the cgroup joins, final after them.
  auto aff = StepsOf(plan, StepKind::kCpuAffinity);
  ASSERT_EQ(aff.size(), 2u);
  EXPECT_EQ(aff[0]->name, "initial");
  EXPECT_EQ(aff[0]->nums, std::vector<int64_t>{0});
  EXPECT_EQ(aff[1]->name, "final");
  EXPECT_EQ(aff[1]->nums, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(aff[1]->origin, "/process/execCPUAffinity/final");
  EXPECT_LT(IndexOf(plan, StepKind::kCpuAffinity), IndexOf(plan, StepKind::kCgroupJoin));
  EXPECT_GT(static_cast<size_t>(aff[1] - plan.steps.data()),
            static_cast<size_t>(StepsOf(plan, StepKind::kCgroupJoin).back() - plan.steps.data()));
  // A process.json's fields point into that file.
  p.base = "process.json#";
  p.overrides.clear();
  ASSERT_TRUE(CompileExec(Compile(spec, host, Options()), p, host, Pid(9), plan, errors));
  EXPECT_EQ(StepsOf(plan, StepKind::kRlimit).at(0)->origin, "process.json#/rlimits/0");
  EXPECT_EQ(StepsOf(plan, StepKind::kCaps).at(0)->origin, "process.json#/capabilities");
  EXPECT_EQ(StepsOf(plan, StepKind::kExecve).at(0)->origin, "process.json#/args");
}

TEST(CompileExecTest, SeccompIsTheContainersAndLast) {
  Spec spec = RuncDefaultSpec();
  Seccomp sc;
  sc.default_action = "SCMP_ACT_ALLOW";
  spec.linux.seccomp = sc;
  spec.process.no_new_privileges = false;
  const HostFacts host = FixedHost(CgroupMode::kV1);
  Plan plan;
  Diagnostics errors;
  ExecProcess p = ProcessOf(spec);
  ASSERT_TRUE(CompileExec(Compile(spec, host, Options()), p, host, Pid(9), plan, errors));
  ASSERT_TRUE(plan.seccomp);
  ASSERT_GE(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[plan.steps.size() - 2].kind, StepKind::kSeccomp);
  EXPECT_EQ(plan.steps[plan.steps.size() - 2].origin, "/linux/seccomp");
  // Without no_new_privs the filter needs CAP_SYS_ADMIN until execve.
  EXPECT_EQ(StepsOf(plan, StepKind::kCaps).at(0)->nums.size(), 6u);
}

TEST(CompileExecTest, SubCgroups) {
  const Spec spec = RuncDefaultSpec();
  const HostFacts host = FixedHost(CgroupMode::kV1);
  const Plan container = Compile(spec, host, Options());
  ExecCompileOptions o = Pid(9);
  o.sub_cgroups = {{"memory", "m"}, {"", "all"}};
  Plan plan;
  Diagnostics errors;
  ASSERT_TRUE(CompileExec(container, ProcessOf(spec), host, o, plan, errors));
  for (const Step* s : StepsOf(plan, StepKind::kCgroupJoin)) {
    EXPECT_EQ(s->origin, "--cgroup");
    if (s->name == "memory") {
      EXPECT_EQ(s->path, "/sys/fs/cgroup/memory/c1/m/cgroup.procs");
    } else {
      EXPECT_NE(s->path.find("/c1/all/cgroup.procs"), std::string::npos) << s->path;
    }
  }
  o.sub_cgroups = {{"", "a/../../x"}};
  errors.clear();
  EXPECT_FALSE(CompileExec(container, ProcessOf(spec), host, o, plan, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(), "--cgroup: a/../../x is not a sub cgroup path (it leaves the container's cgroup)");
  o.sub_cgroups = {{"nosuch", "x"}};
  errors.clear();
  EXPECT_FALSE(CompileExec(container, ProcessOf(spec), host, o, plan, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(), "--cgroup: the container has no cgroup hierarchy with controller nosuch");
}

TEST(CompileExecTest, RefusesWhatTheHostCannotDo) {
  Spec spec = RuncDefaultSpec();
  const HostFacts host = FixedHost(CgroupMode::kV1);
  ExecProcess p = ProcessOf(spec);
  p.process.apparmor_profile = "x";
  p.overrides["apparmorProfile"] = "--apparmor";
  Plan plan;
  Diagnostics errors;
  EXPECT_FALSE(CompileExec(Compile(spec, host, Options()), p, host, Pid(9), plan, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(), "--apparmor: apparmor is not enabled on this host");
}

TEST(CompileExecTest, PlanRoundTripsThroughJson) {
  const Spec spec = RuncDefaultSpec();
  const HostFacts host = FixedHost(CgroupMode::kV1);
  ExecProcess p = ProcessOf(spec);
  p.process.exec_cpu_affinity = CpuAffinity{"1", ""};
  Plan plan;
  Diagnostics errors;
  ASSERT_TRUE(CompileExec(Compile(spec, host, Options()), p, host, Pid(9), plan, errors));
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(PlanToJson(plan), back, error)) << error;
  EXPECT_EQ(back.exec_pid, 9);
  EXPECT_EQ(back.steps, plan.steps);
  EXPECT_EQ(PlanToText(back), PlanToText(plan));
}

}  // namespace
}  // namespace runc
