// CompileUpdate (compiler/compile_update.cc) and LoadResourcesText (schema/load.cc): an update
// document becomes cgroup.write steps for the directories of the container's plan, in an order the
// kernel accepts from the container's current limits; what runc's update does not apply is left
// out; diagnostics point into the document.
#include <gtest/gtest.h>

#include "compiler/compile.h"
#include "schema/load.h"

namespace runc {
namespace {

Resources Load(const std::string& text) {
  Resources r;
  Diagnostics diags;
  EXPECT_TRUE(LoadResourcesText(text, "r.json", r, diags)) << (diags.empty() ? "" : diags[0].ToString());
  return r;
}

// The plan of a container on a hybrid host: v1 hierarchies plus the unified one.
Plan ContainerPlan(const std::string& host_label) {
  Plan p;
  p.id = "c";
  p.host_label = host_label;
  auto mkdir = [&](const std::string& label, const std::string& path) {
    Step& s = p.steps.emplace_back();
    s.kind = StepKind::kCgroupMkdir;
    s.name = label;
    s.path = path;
  };
  if (host_label == "cgroup-v2") {
    mkdir("unified", "/sys/fs/cgroup/c");
  } else {
    mkdir("cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/c");
    mkdir("memory", "/sys/fs/cgroup/memory/c");
    mkdir("pids", "/sys/fs/cgroup/pids/c");
    if (host_label == "cgroup-hybrid") mkdir("unified", "/sys/fs/cgroup/unified/c");
  }
  return p;
}

std::vector<std::string> Writes(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& s : plan.steps) {
    EXPECT_EQ(s.kind, StepKind::kCgroupWrite);
    out.push_back(s.path + "=" + s.value + " " + s.origin);
  }
  return out;
}

TEST(CompileUpdateTest, V1MemoryOrderFollowsTheCurrentLimit) {
  const Resources update = Load(R"({"memory": {"limit": 300, "swap": 400}})");
  // From a limit below the new swap: memsw has to grow first.
  Plan p = CompileUpdate(update, Load(R"({"memory": {"limit": 100, "swap": 200}})"), ContainerPlan("cgroup-v1"), false);
  EXPECT_EQ(Writes(p), (std::vector<std::string>{
                           "/sys/fs/cgroup/memory/c/memory.memsw.limit_in_bytes=400 /memory/swap",
                           "/sys/fs/cgroup/memory/c/memory.limit_in_bytes=300 /memory/limit",
                       }));
  // From a higher limit (or none): the limit comes down first.
  p = CompileUpdate(update, Load(R"({"memory": {"limit": 1000, "swap": 2000}})"), ContainerPlan("cgroup-v1"), false);
  EXPECT_EQ(Writes(p)[0], "/sys/fs/cgroup/memory/c/memory.limit_in_bytes=300 /memory/limit");
  p = CompileUpdate(update, Resources{}, ContainerPlan("cgroup-v1"), false);
  EXPECT_EQ(Writes(p)[0], "/sys/fs/cgroup/memory/c/memory.limit_in_bytes=300 /memory/limit");
  for (size_t i = 0; i < p.steps.size(); ++i) EXPECT_EQ(p.steps[i].index, static_cast<int>(i + 1));
}

TEST(CompileUpdateTest, OnlyWhatRuncsUpdateApplies) {
  const Resources update = Load(R"({
    "devices": [{"allow": true, "access": "rwm"}],
    "hugepageLimits": [{"pageSize": "2MB", "limit": 0}],
    "memory": {"swappiness": 10, "disableOOMKiller": true},
    "pids": {"limit": 7},
    "cpu": {"shares": 100, "cpus": "0"}
  })");
  Plan p = CompileUpdate(update, Resources{}, ContainerPlan("cgroup-v1"), false);
  EXPECT_EQ(Writes(p), (std::vector<std::string>{
                           // cpuset has no directory in this container: named as it would be, so that
                           // running it fails naming the file
                           "/sys/fs/cgroup/cpuset/c/cpuset.cpus=0 /cpu/cpus",
                           "/sys/fs/cgroup/cpu,cpuacct/c/cpu.shares=100 /cpu/shares",
                           "/sys/fs/cgroup/pids/c/pids.max=7 /pids/limit",
                       }));
}

TEST(CompileUpdateTest, V2AndHybridUnified) {
  const Resources update = Load(R"({"pids": {"limit": -1}, "unified": {"cgroup.max.depth": "3"}})");
  EXPECT_EQ(Writes(CompileUpdate(update, Resources{}, ContainerPlan("cgroup-v2"), false)),
            (std::vector<std::string>{"/sys/fs/cgroup/c/pids.max=max /pids/limit",
                                      "/sys/fs/cgroup/c/cgroup.max.depth=3 /unified/cgroup.max.depth"}));
  EXPECT_EQ(Writes(CompileUpdate(update, Resources{}, ContainerPlan("cgroup-hybrid"), false)),
            (std::vector<std::string>{"/sys/fs/cgroup/pids/c/pids.max=max /pids/limit",
                                      "/sys/fs/cgroup/unified/c/cgroup.max.depth=3 /unified/cgroup.max.depth"}));
}

TEST(LoadResourcesTextTest, DiagnosticsPointIntoTheDocument) {
  Resources r;
  Diagnostics diags;
  EXPECT_FALSE(LoadResourcesText("{\"pids\": {\"limit\": \"x\"}}", "r.json", r, diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(), "r.json:1:20: /pids/limit: expected integer, got string");
  diags.clear();
  EXPECT_FALSE(LoadResourcesText("{\n  \"memory\": {\"limit\": 1,\n  \"swap\": true}}", "r.json", r, diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(), "r.json:3:11: /memory/swap: expected integer, got boolean");
  diags.clear();
  EXPECT_FALSE(LoadResourcesText(" \n", "stdin", r, diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(), "stdin: empty document: expected a linux.resources object");
  diags.clear();
  EXPECT_FALSE(LoadResourcesText("[]", "r.json", r, diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(), "r.json:1:1: expected object, got array");
  diags.clear();
  ASSERT_TRUE(LoadResourcesText(R"({"memory": {"limit": 5}})", "r.json", r, diags));
  EXPECT_TRUE(diags.empty());
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 5);
}

}  // namespace
}  // namespace runc
