// runc events [--stats] [--interval 5s] ID: one JSON document a line on stdout.
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "cli/flags.h"
#include "executor/common/log.h"

namespace po = boost::program_options;

namespace runc {
namespace {

// Go's time.ParseDuration for what an interval needs: "5s", "500ms", "1m30s", "1.5s".
bool ParseDurationMs(const std::string& text, int64_t& out_ms) {
  struct Unit { const char* name; double ms; };
  static constexpr Unit kUnits[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1}, {"s", 1e3}, {"m", 6e4}, {"h", 3.6e6}};
  double total = 0;
  size_t i = 0;
  if (text.empty()) return false;
  if (text == "0") {
    out_ms = 0;
    return true;
  }
  while (i < text.size()) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str() + i, &end);
    if (end == text.c_str() + i || v < 0) return false;
    i = static_cast<size_t>(end - text.c_str());
    const Unit* unit = nullptr;
    for (const auto& u : kUnits) {
      const std::string name = u.name;
      if (text.compare(i, name.size(), name) == 0 && (!unit || name.size() > std::string(unit->name).size())) unit = &u;
    }
    if (!unit) return false;
    i += std::string(unit->name).size();
    total += v * unit->ms;
  }
  out_ms = static_cast<int64_t>(std::llround(total));
  return true;
}

}  // namespace

int CmdEvents(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  std::string interval = "5s";
  container::EventsOptions options;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("interval", po::value(&interval), "set the stats collection interval (default: 5s)")
      ("stats", po::bool_switch(&options.stats_only), "display the container's stats then exit")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("events", "[--stats] [--interval DURATION] ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("events", vm, id)) return 1;
  int64_t ms = 0;
  if (!ParseDurationMs(interval, ms)) {
    LogError("events: --interval: invalid duration \"" + interval + "\"");
    return 1;
  }
  if (ms <= 0) {
    LogError("events: duration interval must be greater than 0");
    return 1;
  }
  options.interval_ms = static_cast<int>(std::min<int64_t>(ms, INT32_MAX));
  Diagnostic err;
  const bool ok = container::Events(ContextFrom(global), id, options,
                                    [](const nlohmann::ordered_json& e) { std::cout << e.dump() << std::endl; }, err);
  if (!ok) return Fail(err);
  return 0;
}

}  // namespace runc
