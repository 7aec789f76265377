// Idmapped mounts (runtime-spec 1.2: mounts[].uidMappings/gidMappings, options idmap/ridmap): the
// runtime-side mount.idmap step and the mount step that attaches what it prepares.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include "compiler/compile.h"
#include "tests/unit/compile_test_util.h"

namespace runc {
namespace {

using namespace testing_util;

Mount IdmapBind(std::string dest, std::string source, std::vector<std::string> options, size_t index,
                std::vector<IdMapping> uids = {}, std::vector<IdMapping> gids = {}) {
  Mount m = MakeMount(std::move(dest), "bind", std::move(source), std::move(options), index);
  m.uid_mappings = std::move(uids);
  m.gid_mappings = std::move(gids);
  return m;
}

Spec UsernsSpec() {
  Spec s = MinimalSpec();
  s.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "", "/linux/namespaces/2"});
  s.linux.uid_mappings = {IdMapping{0, 100000, 65536}};
  s.linux.gid_mappings = {IdMapping{0, 200000, 65536}};
  return s;
}

// The mount step of the same origin and destination as `idmap`, after it.
const Step* AttachingMount(const Plan& plan, const Step& idmap) {
  bool seen = false;
  for (const auto& s : plan.steps) {
    if (&s == &idmap) seen = true;
    if (seen && s.kind == StepKind::kMount && s.origin == idmap.origin && s.path == idmap.path) return &s;
  }
  return nullptr;
}

TEST(CompileIdmapTest, OwnMappingsRecursive) {
  Spec s = UsernsSpec();
  s.mounts.push_back(IdmapBind("/data/", "/srv/data", {"rbind", "ridmap", "ro"}, 1,
                               {IdMapping{0, 1000, 1}, IdMapping{1, 300000, 65536}}, {IdMapping{0, 1000, 1}}));
  Hook hook;
  hook.path = "/bin/hook";
  hook.origin = "/hooks/createRuntime/0";
  s.hooks.create_runtime = {hook};
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV1), Options());

  const auto steps = StepsOf(plan, StepKind::kIdmapMount);
  ASSERT_EQ(steps.size(), 1u);
  const Step& idm = *steps[0];
  EXPECT_EQ(idm.phase, Phase::kSpawn);
  EXPECT_EQ(idm.origin, "/mounts/1");
  EXPECT_EQ(idm.source, "/srv/data");
  EXPECT_EQ(idm.path, "/data");
  EXPECT_EQ(idm.flags, static_cast<uint64_t>(MS_BIND | MS_REC));
  EXPECT_EQ(idm.flags2, static_cast<uint64_t>(MS_REC));
  EXPECT_EQ(idm.argv, (std::vector<std::string>{"0 1000 1\n1 300000 65536\n", "0 1000 1\n"}));
  EXPECT_TRUE(idm.name.empty());

  // After the maps, the cgroup joins and the hooks; the last step of the spawn phase.
  const size_t at = static_cast<size_t>(idm.index - 1);
  EXPECT_GT(at, IndexOf(plan, StepKind::kGidMap));
  EXPECT_GT(at, LastIndexOf(plan, StepKind::kCgroupJoin));
  EXPECT_GT(at, IndexOf(plan, StepKind::kHook));
  EXPECT_EQ(at + 1, plan.PhaseBegin(Phase::kRootfs));

  // The mount step is the bind it always was; the read-only remount follows it.
  const Step* mount = AttachingMount(plan, idm);
  ASSERT_NE(mount, nullptr);
  EXPECT_EQ(mount->source, "/srv/data");
  EXPECT_EQ(mount->flags, static_cast<uint64_t>(MS_BIND | MS_REC));
  const Step& next = plan.steps[static_cast<size_t>(mount->index)];
  EXPECT_EQ(next.kind, StepKind::kRemount);
  EXPECT_EQ(next.path, "/data");
  EXPECT_TRUE(next.flags & MS_RDONLY);

  const std::string text = PlanToText(plan);
  EXPECT_NE(text.find("mount.idmap    /srv/data on /data rbind ridmap uids=0:1000:1,1:300000:65536 gids=0:1000:1"),
            std::string::npos)
      << text;
}

// idmap without mappings: the container's user namespace maps (runtime-spec 1.2 allows it).
TEST(CompileIdmapTest, WithoutMappingsTheContainersUserNamespace) {
  Spec s = UsernsSpec();
  s.mounts.push_back(IdmapBind("/data", "vol", {"bind", "idmap"}, 1));
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV2), Options());
  const auto steps = StepsOf(plan, StepKind::kIdmapMount);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0]->source, "/bundle/vol");  // relative to the bundle, like any bind source
  EXPECT_EQ(steps[0]->flags, static_cast<uint64_t>(MS_BIND));
  EXPECT_EQ(steps[0]->flags2, 0u);
  EXPECT_EQ(steps[0]->argv, (std::vector<std::string>{"0 100000 65536\n", "0 200000 65536\n"}));
}

// ... or, when the user namespace is joined, its file: its maps are not known before run time.
TEST(CompileIdmapTest, WithoutMappingsAJoinedUserNamespace) {
  Spec s = MinimalSpec();
  s.linux.namespaces.push_back(Namespace{NamespaceType::kUser, "/proc/42/ns/user", "/linux/namespaces/2"});
  s.mounts.push_back(IdmapBind("/data", "/srv", {"rbind", "ridmap"}, 1));
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV1), Options());
  const auto steps = StepsOf(plan, StepKind::kIdmapMount);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_TRUE(steps[0]->argv.empty());
  EXPECT_EQ(steps[0]->name, "/proc/42/ns/user");
  EXPECT_NE(PlanToText(plan).find("/srv on /data rbind ridmap userns=/proc/42/ns/user"), std::string::npos);
}

// Mappings without idmap/ridmap are an idmapped mount too (as in runc); no user namespace needed.
TEST(CompileIdmapTest, MappingsWithoutTheOptionAndWithoutAUserNamespace) {
  Spec s = MinimalSpec();
  s.mounts.push_back(IdmapBind("/data", "/srv", {"rbind"}, 1, {IdMapping{0, 100000, 65536}},
                               {IdMapping{0, 100000, 65536}}));
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV1), Options());
  const auto steps = StepsOf(plan, StepKind::kIdmapMount);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0]->flags, static_cast<uint64_t>(MS_BIND | MS_REC));
  EXPECT_EQ(steps[0]->flags2, 0u);  // idmap: only the top mount of the rbind
  EXPECT_EQ(steps[0]->argv, (std::vector<std::string>{"0 100000 65536\n", "0 100000 65536\n"}));
  ASSERT_NE(AttachingMount(plan, *steps[0]), nullptr);
}

// Several idmapped mounts keep the order of `mounts`; plain binds and non-bind mounts get none.
TEST(CompileIdmapTest, OnlyIdmappedBindMountsInMountOrder) {
  Spec s = UsernsSpec();
  s.mounts.push_back(IdmapBind("/b", "/srv/b", {"bind", "idmap"}, 1));
  s.mounts.push_back(MakeMount("/plain", "bind", "/srv/plain", {"rbind"}, 2));
  s.mounts.push_back(MakeMount("/tmp", "tmpfs", "tmpfs", {"idmap"}, 3));  // refused by the semantic pass
  s.mounts.push_back(IdmapBind("/a", "/srv/a", {"rbind", "ridmap"}, 4));
  const Plan plan = Compile(s, FixedHost(CgroupMode::kV1), Options());
  const auto steps = StepsOf(plan, StepKind::kIdmapMount);
  EXPECT_EQ(Paths(steps), (std::vector<std::string>{"/b", "/a"}));
  EXPECT_EQ(steps.at(0)->origin, "/mounts/1");
  EXPECT_EQ(steps.at(1)->origin, "/mounts/4");
}

TEST(CompileIdmapTest, NoneWithoutIdmappedMounts) {
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    EXPECT_TRUE(StepsOf(Compile(RuncDefaultSpec(), FixedHost(mode), Options()), StepKind::kIdmapMount).empty());
  }
}

// Without a mount namespace no mount is made at all, idmapped or not.
TEST(CompileIdmapTest, NoneWithoutAMountNamespace) {
  Spec s = UsernsSpec();
  s.linux.namespaces.erase(s.linux.namespaces.begin() + 1);  // mount
  s.mounts.push_back(IdmapBind("/data", "/srv", {"bind", "idmap"}, 1));
  EXPECT_TRUE(StepsOf(Compile(s, FixedHost(CgroupMode::kV1), Options()), StepKind::kIdmapMount).empty());
}

TEST(CompileIdmapTest, Deterministic) {
  Spec s = UsernsSpec();
  s.mounts.push_back(IdmapBind("/data", "/srv", {"rbind", "ridmap"}, 1, {IdMapping{0, 1, 2}}, {IdMapping{3, 4, 5}}));
  EXPECT_EQ(PlanToText(Compile(s, FixedHost(CgroupMode::kV1), Options())),
            PlanToText(Compile(s, FixedHost(CgroupMode::kV1), Options())));
  EXPECT_EQ(PlanToJson(Compile(s, FixedHost(CgroupMode::kV1), Options())),
            PlanToJson(Compile(s, FixedHost(CgroupMode::kV1), Options())));
}

}  // namespace
}  // namespace runc
