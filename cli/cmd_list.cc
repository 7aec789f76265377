// runc list [--format table|json] [-q]
#include <iostream>

#include "cli/flags.h"
#include "executor/common/log.h"

namespace po = boost::program_options;

namespace runc {

int CmdList(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string format = "table";
  bool quiet = false;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("format,f", po::value(&format), "select one of: table or json")
      ("quiet,q", po::bool_switch(&quiet), "display only container IDs");
  po::positional_options_description pos;
  po::variables_map vm;
  if (int r = ParseFlags("list", "[--format table|json] [-q]", desc, pos, args, vm); r >= 0) return r;
  if (format != "table" && format != "json") {
    LogError("invalid format option");
    return 1;
  }
  const std::vector<ContainerState> states = container::List(ContextFrom(global));
  if (quiet) {
    for (const auto& s : states) std::cout << s.id << "\n";
    return 0;
  }
  std::cout << (format == "json" ? FormatContainerJson(states) : FormatContainerTable(states));
  return 0;
}

}  // namespace runc
