// runc pause ID, runc resume ID
#include "cli/flags.h"

namespace po = boost::program_options;

namespace runc {
namespace {

using Operation = bool (*)(const container::Context&, const std::string&, Diagnostic&);

int FreezeCommand(const char* name, Operation op, const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  po::options_description desc("OPTIONS");
  desc.add_options()("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags(name, "ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId(name, vm, id)) return 1;
  Diagnostic err;
  if (!op(ContextFrom(global), id, err)) return Fail(err);
  return 0;
}

}  // namespace

int CmdPause(const GlobalOptions& global, const std::vector<std::string>& args) {
  return FreezeCommand("pause", container::Pause, global, args);
}

int CmdResume(const GlobalOptions& global, const std::vector<std::string>& args) {
  return FreezeCommand("resume", container::Resume, global, args);
}

}  // namespace runc
