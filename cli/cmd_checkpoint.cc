// runc checkpoint [OPTIONS] ID, runc restore [OPTIONS] ID: runc's flags. Both need CRIU (the
// global --criu names its binary).
#include <iostream>

#include "cli/flags.h"
#include "executor/common/log.h"

namespace po = boost::program_options;

namespace runc {
namespace {

void AddCommonCriuFlags(po::options_description& desc, container::CriuOptions& o) {
  desc.add_options()
      ("image-path", po::value(&o.image_path), "path for saving criu image files")
      ("work-path", po::value(&o.work_path), "path for saving work files and logs")
      ("tcp-established", po::bool_switch(&o.tcp_established), "allow open tcp connections")
      ("ext-unix-sk", po::bool_switch(&o.ext_unix_sk), "allow external unix sockets")
      ("shell-job", po::bool_switch(&o.shell_job), "allow shell jobs")
      ("lazy-pages", po::bool_switch(&o.lazy_pages), "use userfaultfd to lazily restore memory pages")
      ("file-locks", po::bool_switch(&o.file_locks), "handle file locks, for safety")
      ("manage-cgroups-mode", po::value(&o.manage_cgroups_mode), "cgroups mode: soft, full, strict or ignore")
      ("empty-ns", po::value(&o.empty_ns)->composing(), "create a namespace, but don't restore its properties")
      ("auto-dedup", po::bool_switch(&o.auto_dedup), "enable auto deduplication of memory images");
}

bool CheckCgroupsMode(const std::string& name, const container::CriuOptions& o) {
  const std::string& m = o.manage_cgroups_mode;
  if (m.empty() || m == "soft" || m == "full" || m == "strict" || m == "ignore") return true;
  LogError(name + ": invalid --manage-cgroups-mode \"" + m + "\" (soft, full, strict or ignore)");
  return false;
}

}  // namespace

int CmdCheckpoint(const GlobalOptions& global, const std::vector<std::string>& args) {
  container::CriuOptions o;
  o.criu = global.criu;
  std::string id;
  po::options_description desc("OPTIONS");
  AddCommonCriuFlags(desc, o);
  desc.add_options()
      ("parent-path", po::value(&o.parent_path), "path for previous criu image files in pre-dump")
      ("leave-running", po::bool_switch(&o.leave_running), "leave the process running after checkpointing")
      ("page-server", po::value(&o.page_server), "ADDRESS:PORT of the page server")
      ("status-fd", po::value(&o.status_fd), "criu writes \\0 to this FD once lazy-pages is ready")
      ("pre-dump", po::bool_switch(&o.pre_dump), "dump container's memory information only, leave the container running after this")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("checkpoint", "[OPTIONS] ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("checkpoint", vm, id)) return 1;
  if (!CheckCgroupsMode("checkpoint", o)) return 1;
  if (o.image_path.empty()) o.image_path = "checkpoint";  // runc's default: ./checkpoint
  Diagnostic err;
  if (!container::Checkpoint(ContextFrom(global), id, o, err)) return Fail(err);
  return 0;
}

int CmdRestore(const GlobalOptions& global, const std::vector<std::string>& args) {
  container::CriuOptions o;
  o.criu = global.criu;
  std::string id;
  std::string lsm_profile, lsm_mount_context;
  po::options_description desc("OPTIONS");
  AddCommonCriuFlags(desc, o);
  desc.add_options()
      ("bundle,b", po::value(&o.bundle), "path to the root of the bundle directory")
      ("console-socket", po::value(&o.console_socket),
       "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal")
      ("detach,d", po::bool_switch(&o.detach), "detach from the container's process")
      ("pid-file", po::value(&o.pid_file), "specify the file to write the process id to")
      ("no-subreaper", po::bool_switch(&o.no_subreaper), "disable the use of the subreaper used to reap reparented processes")
      ("no-pivot", po::bool_switch(&o.no_pivot), "do not use pivot root to jail process inside rootfs")
      ("lsm-profile", po::value(&lsm_profile), "LSM profile to set on restore (TYPE:NAME)")
      ("lsm-mount-context", po::value(&lsm_mount_context), "LSM mount context to set on restore")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("restore", "[OPTIONS] ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("restore", vm, id)) return 1;
  if (!CheckCgroupsMode("restore", o)) return 1;
  if (o.image_path.empty()) o.image_path = "checkpoint";
  int status = 0;
  Diagnostic err;
  if (!container::Restore(ContextFrom(global), id, o, status, err)) return Fail(err);
  return status;
}

}  // namespace runc
