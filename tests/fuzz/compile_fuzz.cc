// libFuzzer target: config.json bytes -> LoadSpecText -> Compile on each fixed host (v1, v2,
// hybrid) -> PlanToText and PlanToJson, what `runc plan [--format json] --host v1|v2|hybrid` does.
//
// Each host is compiled with the default options and once more with --no-pivot, --systemd-cgroup,
// --rootless and the container id chosen from a hash of the input (deterministic, so that a saved
// crash reproduces). Checks, besides the sanitizers and uncaught exceptions (nlohmann's dump()
// throws on a string that is not UTF-8): steps are numbered 1..n in phase order, every step has an
// origin, and the JSON form round-trips through its text and PlanFromJson (the state directory keeps
// it that way).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "compiler/compile.h"
#include "schema/load.h"
#include "tests/fuzz/fuzz_util.h"

namespace runc::fuzz {
namespace {

void CheckPlan(const Plan& plan, const char* what) {
  const std::string where = std::string(what) + " on " + plan.host_label;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    Check(s.index == static_cast<int>(i) + 1, where + ": steps not numbered 1..n");
    Check(!s.origin.empty(), where + ": step " + std::to_string(s.index) + " has no origin");
    Check(i == 0 || plan.steps[i - 1].phase <= s.phase, where + ": steps out of phase order");
  }
  const std::string text = PlanToText(plan);
  Check(!text.empty(), where + ": empty text form");
  const nlohmann::json json = PlanToJson(plan);
  const std::string dumped = json.dump(2);  // throws (a crash) on a string that is not UTF-8
  const nlohmann::json reread = nlohmann::json::parse(dumped, nullptr, /*allow_exceptions=*/false);
  Check(!reread.is_discarded() && reread == json, where + ": the JSON form does not parse back");
  Plan back;
  std::string error;
  Check(PlanFromJson(reread, back, error), where + ": PlanFromJson: " + error);
  Check(PlanToJson(back) == json, where + ": the JSON form does not round-trip");
  Check(PlanToText(back) == text, where + ": the text form changes through JSON");
}

void Run(std::string_view text) {
  Spec spec;
  Diagnostics diags;
  if (!LoadSpecText(text, "config.json", spec, diags)) {
    CheckDiagnostics(diags, text, "load");
    return;
  }
  Check(diags.empty(), "diagnostics from a valid config");
  const uint64_t h = Hash(text);
  CompileOptions variant;
  variant.bundle = "/run/bundle";
  variant.no_pivot = h & 1;
  variant.systemd_cgroup = h & 2;
  variant.rootless = h & 4;
  static const char* const kIds[] = {"container", "a", "ctr-1.test_x", "x-y.slice"};
  variant.id = kIds[(h >> 3) & 3];
  for (CgroupMode mode : {CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    const HostFacts host = FixedHost(mode);
    CompileOptions options;
    options.bundle = "/bundle";
    CheckPlan(Compile(spec, host, options), "default options");
    CheckPlan(Compile(spec, host, variant), "option variant");
  }
}

}  // namespace
}  // namespace runc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  runc::fuzz::Run(runc::fuzz::AsText(data, size));
  return 0;
}
