// runc delete [--force] ID
#include "cli/flags.h"

namespace po = boost::program_options;

namespace runc {

int CmdDelete(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  bool force = false;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("force,f", po::bool_switch(&force), "forcibly delete the container if it is still running (uses SIGKILL)")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("delete", "[--force] ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("delete", vm, id)) return 1;
  Diagnostic err;
  if (!container::Delete(ContextFrom(global), id, force, err)) return Fail(err);
  return 0;
}

}  // namespace runc
