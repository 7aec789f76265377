// runc create [flags] ID
#include "cli/flags.h"

namespace po = boost::program_options;

namespace runc {

int CmdCreate(const GlobalOptions& global, const std::vector<std::string>& args) {
  container::CreateOptions options;
  std::string id;
  po::options_description desc("OPTIONS");
  AddCreateFlags(desc, options);
  desc.add_options()("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("create",
                         "[--bundle B] [--pid-file F] [--console-socket S] [--no-pivot] [--no-new-keyring] "
                         "[--preserve-fds N] ID",
                         desc, pos, args, vm);
      r >= 0)
    return r;
  if (!RequireId("create", vm, id)) return 1;
  Diagnostic err;
  if (!container::SealRuntime(err)) return Fail(err);
  container::Created created;
  Diagnostics errors;
  if (!container::Create(ContextFrom(global), id, options, created, errors)) return Fail(errors);
  return 0;
}

}  // namespace runc
