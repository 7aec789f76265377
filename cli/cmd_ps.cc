// runc ps [--format table|json] ID [PS_ARGS...]: everything after the id goes to the host's ps.
#include <iostream>

#include "cli/flags.h"
#include "executor/common/log.h"

namespace po = boost::program_options;

namespace runc {

int CmdPs(const GlobalOptions& global, const std::vector<std::string>& args) {
  // The id is the first word that is neither a flag nor --format's value; what follows it (after
  // an optional "--") is ps's.
  size_t id_at = args.size();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--format" || a == "-f") {
      ++i;
      continue;
    }
    if (a == "--") {
      id_at = i + 1 < args.size() ? i + 1 : args.size();
      break;
    }
    if (a.empty() || a[0] != '-') {
      id_at = i;
      break;
    }
  }
  std::vector<std::string> head;
  for (size_t i = 0; i < id_at && i < args.size(); ++i) {
    if (args[i] != "--") head.push_back(args[i]);
  }
  std::vector<std::string> ps_args;
  if (id_at < args.size()) {
    head.push_back(args[id_at]);
    size_t rest = id_at + 1;
    if (rest < args.size() && args[rest] == "--") ++rest;
    ps_args.assign(args.begin() + static_cast<std::ptrdiff_t>(std::min(rest, args.size())), args.end());
  }
  std::string format = "table";
  std::string id;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("format,f", po::value(&format), "select one of: table or json (default: table)")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("ps", "[--format table|json] ID [-- PS_ARGS...]", desc, pos, head, vm); r >= 0) return r;
  if (!RequireId("ps", vm, id)) return 1;
  if (format != "table" && format != "json") {
    LogError("ps: invalid format option \"" + format + "\" (table or json)");
    return 1;
  }
  Diagnostic err;
  if (format == "json") {
    std::vector<pid_t> pids;
    if (!container::Processes(ContextFrom(global), id, pids, err)) return Fail(err);
    std::cout << nlohmann::json(pids).dump() << "\n";
    return 0;
  }
  std::string table;
  if (!container::ProcessTable(ContextFrom(global), id, ps_args, table, err)) return Fail(err);
  std::cout << table;
  return 0;
}

}  // namespace runc
