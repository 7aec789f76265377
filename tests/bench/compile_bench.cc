// Load + validate + compile in one process, for the default config and podman's config (issue 2's
// target: at least 10,000 default configs/s), and the same pipeline stage by stage, so that a miss
// can be attributed to a stage.
//
//   compile_bench [google benchmark flags]      the benchmarks
//   compile_bench --profile CASE STAGE N         runs one stage N times and nothing else, for
//                                                `valgrind --tool=callgrind` or `perf record`
//                                                (CASE default|fixture-podman, STAGE as below)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include <benchmark/benchmark.h>

#include "compiler/compile.h"
#include "compiler/plan.h"
#include "executor/common/state.h"
#include "schema/load.h"

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// One golden config with every stage's input prepared, so that each stage can run alone.
struct Case {
  std::string text;
  runc::JsonDocument doc;
  runc::Spec spec;
  runc::HostFacts host = runc::FixedHost(runc::CgroupMode::kV1);
  runc::CompileOptions options;
  runc::Plan plan;
  runc::ContainerState state;
  bool ok = false;

  explicit Case(const std::string& name) {
    text = Slurp(std::string(RUNC_SOURCE_DIR) + "/golden/" + name + "/config.json");
    options.bundle = "/bundle";
    runc::Diagnostics diags;
    ok = !text.empty() && runc::ParseJson(text, "config.json", doc, diags) &&
         runc::ValidateSchema(doc, diags) && runc::ValidateSemantics(doc, diags);
    if (ok) spec = runc::SpecFromJson(doc);
    if (ok) plan = runc::Compile(spec, host, options);
    state.id = "container";
    state.pid = 4242;
    state.bundle = "/bundle";
    state.rootfs = "/bundle/rootfs";
    state.created = "2026-12-07T09:00:00.123456789Z";
    state.owner = "root";
    state.init_start_time = 123456;
    state.freezer = "/sys/fs/cgroup/freezer/container/freezer.state";
    for (const auto& d : diags) std::fprintf(stderr, "%s: %s\n", name.c_str(), d.message.c_str());
  }
};

const Case& GetCase(const std::string& name) {
  static std::map<std::string, Case> cases;
  auto it = cases.find(name);
  if (it == cases.end()) it = cases.try_emplace(name, name).first;
  return it->second;
}

// Each stage returns false when its input did not pass (which would make the figure meaningless).
using Stage = std::function<bool(const Case&)>;

const std::map<std::string, Stage>& Stages() {
  static const std::map<std::string, Stage> stages = {
      // The whole front end and the compiler: what `runc plan` does after reading the file.
      {"all",
       [](const Case& c) {
         runc::Spec spec;
         runc::Diagnostics diags;
         if (!runc::LoadSpecText(c.text, "config.json", spec, diags)) return false;
         runc::Plan plan = runc::Compile(spec, c.host, c.options);
         benchmark::DoNotOptimize(plan);
         return true;
       }},
      {"parse",
       [](const Case& c) {
         runc::JsonDocument doc;
         runc::Diagnostics diags;
         bool ok = runc::ParseJson(c.text, "config.json", doc, diags);
         benchmark::DoNotOptimize(doc);
         return ok;
       }},
      {"schema",
       [](const Case& c) {
         runc::Diagnostics diags;
         return runc::ValidateSchema(c.doc, diags);
       }},
      {"semantic",
       [](const Case& c) {
         runc::Diagnostics diags;
         return runc::ValidateSemantics(c.doc, diags);
       }},
      {"spec",
       [](const Case& c) {
         runc::Spec spec = runc::SpecFromJson(c.doc);
         benchmark::DoNotOptimize(spec);
         return true;
       }},
      {"compile",
       [](const Case& c) {
         runc::Plan plan = runc::Compile(c.spec, c.host, c.options);
         benchmark::DoNotOptimize(plan);
         return true;
       }},
      // The state files `create` writes (executor/common/state.cc, SavePlan and SaveState), as text.
      {"plan_json",
       [](const Case& c) {
         std::string text = runc::PlanToJsonText(c.plan);
         benchmark::DoNotOptimize(text);
         return !text.empty();
       }},
      {"state_json",
       [](const Case& c) {
         std::string text = runc::StateToFileJson(c.state).dump(2) + "\n";
         benchmark::DoNotOptimize(text);
         return !text.empty();
       }},
  };
  return stages;
}

void RunStage(benchmark::State& state, const std::string& name, const Stage& stage) {
  const Case& c = GetCase(name);
  if (!c.ok) {
    state.SkipWithError("config did not validate");
    return;
  }
  for (auto _ : state) {
    if (!stage(c)) {
      state.SkipWithError("stage failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

int Profile(const std::string& name, const std::string& stage_name, long n) {
  auto it = Stages().find(stage_name);
  if (it == Stages().end()) {
    std::fprintf(stderr, "compile_bench: unknown stage %s\n", stage_name.c_str());
    return 2;
  }
  const Case& c = GetCase(name);
  if (!c.ok) return 1;
  // One untimed call first, so that what is built once per process (the valijson schema) is not
  // counted N times; the profile then shows the steady state.
  if (!it->second(c)) return 1;
  for (long i = 0; i < n; ++i) {
    if (!it->second(c)) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "--profile") == 0) {
    return Profile(argv[2], argv[3], std::atol(argv[4]));
  }
  // Stage order as the pipeline runs; "all" first so that the headline figures come first.
  for (const char* config : {"default", "fixture-podman"}) {
    for (const char* stage : {"all", "parse", "schema", "semantic", "spec", "compile"}) {
      std::string name = std::string(config) + "/" + stage;
      benchmark::RegisterBenchmark(name.c_str(), [config, stage](benchmark::State& state) {
        RunStage(state, config, Stages().at(stage));
      });
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
