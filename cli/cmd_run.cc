// runc run [flags] ID
#include "cli/flags.h"

namespace po = boost::program_options;

namespace runc {

int CmdRun(const GlobalOptions& global, const std::vector<std::string>& args) {
  container::RunOptions options;
  std::string id;
  po::options_description desc("OPTIONS");
  AddCreateFlags(desc, options.create);
  desc.add_options()
      ("detach,d", po::bool_switch(&options.detach), "detach from the container's process")
      ("keep", po::bool_switch(&options.keep), "do not delete the container after it exits")
      ("no-subreaper", po::bool_switch(&options.no_subreaper), "disable the use of the subreaper used to reap reparented processes")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("run",
                         "[--detach] [--keep] [--bundle B] [--pid-file F] [--console-socket S] [--no-pivot] "
                         "[--no-new-keyring] [--preserve-fds N] [--no-subreaper] ID",
                         desc, pos, args, vm);
      r >= 0)
    return r;
  if (!RequireId("run", vm, id)) return 1;
  Diagnostic err;
  if (!container::SealRuntime(err)) return Fail(err);
  int status = 0;
  Diagnostics errors;
  const bool ok = container::Run(ContextFrom(global), id, options, status, errors);
  if (!errors.empty()) Fail(errors);  // after a run, a failed delete is reported; the status stays
  return ok ? status : 1;
}

}  // namespace runc
