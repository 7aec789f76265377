// load + validate + compile, in one process, for the default config and podman's config.
#include <fstream>
#include <sstream>

#include <benchmark/benchmark.h>

#include "compiler/compile.h"
#include "schema/load.h"

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void LoadValidateCompile(benchmark::State& state, const std::string& file) {
  const std::string text = Slurp(std::string(RUNC_SOURCE_DIR) + "/golden/" + file + "/config.json");
  const runc::HostFacts host = runc::FixedHost(runc::CgroupMode::kV1);
  runc::CompileOptions options;
  options.bundle = "/bundle";
  for (auto _ : state) {
    runc::Spec spec;
    runc::Diagnostics diags;
    if (!runc::LoadSpecText(text, "config.json", spec, diags)) {
      state.SkipWithError("config did not validate");
      break;
    }
    runc::Plan plan = runc::Compile(spec, host, options);
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DefaultConfig(benchmark::State& state) { LoadValidateCompile(state, "default"); }
void BM_PodmanConfig(benchmark::State& state) { LoadValidateCompile(state, "fixture-podman"); }

BENCHMARK(BM_DefaultConfig);
BENCHMARK(BM_PodmanConfig);

}  // namespace

BENCHMARK_MAIN();
