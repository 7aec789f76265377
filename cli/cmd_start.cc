// runc start ID, and the 2015 README's `runc start` (in a bundle) / `runc start path/to/config.json`.
#include <sys/stat.h>

#include <cerrno>

#include "cli/flags.h"

namespace po = boost::program_options;

namespace runc {
namespace {

int LegacyStart(const GlobalOptions& global, const std::string& config_path) {
  int status = 0;
  Diagnostics errors;
  const bool ok = container::LegacyStart(ContextFrom(global), config_path, status, errors);
  if (!errors.empty()) Fail(errors);
  return ok ? status : 1;
}

}  // namespace

int CmdStart(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  po::options_description desc("OPTIONS");
  desc.add_options()("id", po::value(&id), "container id (or, 2015 form, a config file to run)");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("start", "ID | [path/to/config.json]", desc, pos, args, vm); r >= 0) return r;
  if (id.empty()) return LegacyStart(global, "config.json");
  Diagnostic err;
  if (container::Start(ContextFrom(global), id, err)) return 0;
  // The 2015 form names a config file: no container has that name (or it is no container id).
  // Start found out before it changed anything (its lock is the first thing it takes), so the
  // state is read once, by Start.
  std::string id_error;
  if (!ValidContainerId(id, id_error) || err.err == ENOENT) {
    struct stat st;
    if (stat(id.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return LegacyStart(global, id);
  }
  return Fail(err);
}
}  // namespace runc
