// runc kill [--all] ID [SIGNAL]
#include "cli/flags.h"
#include "executor/common/log.h"
#include "schema/grammar.h"

namespace po = boost::program_options;

namespace runc {

int CmdKill(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  std::string signal_arg = "SIGTERM";
  bool all = false;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("all,a", po::bool_switch(&all), "send the signal to every process in the container's cgroup")
      ("id", po::value(&id), "container id")
      ("signal", po::value(&signal_arg), "signal name (with or without SIG) or number (default SIGTERM)");
  po::positional_options_description pos;
  pos.add("id", 1).add("signal", 1);
  po::variables_map vm;
  if (int r = ParseFlags("kill", "[--all] ID [SIGNAL]", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("kill", vm, id)) return 1;
  int sig = 0;
  std::string sig_error;
  // Signal 0 checks that the process exists and sends nothing (kill(2)); runc accepts it.
  if (signal_arg != "0" && !ParseSignal(signal_arg, sig, sig_error)) {
    LogError(sig_error);
    return 1;
  }
  Diagnostic err;
  if (!container::Kill(ContextFrom(global), id, sig, all, err)) return Fail(err);
  return 0;
}

}  // namespace runc
