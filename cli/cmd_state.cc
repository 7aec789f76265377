// runc state ID
#include <iostream>

#include "cli/flags.h"

namespace po = boost::program_options;

namespace runc {

int CmdState(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  po::options_description desc("OPTIONS");
  desc.add_options()("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("state", "ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("state", vm, id)) return 1;
  ContainerState state;
  Diagnostic err;
  if (!container::State(ContextFrom(global), id, state, err)) return Fail(err);
  std::cout << StateToOciJson(state).dump(2) << "\n";
  return 0;
}

}  // namespace runc
