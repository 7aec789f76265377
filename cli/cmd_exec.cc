// runc exec [flags] ID [COMMAND [ARGS...]]
#include <iostream>

#include "cli/flags.h"
#include "executor/common/log.h"

namespace po = boost::program_options;

namespace runc {
namespace {

// runc (urfave/cli) stops reading flags at the first argument that is not one: `exec ID sh -c X`
// gives -c to sh. The flags (with the values of those that take one) and the id go to the parser;
// what follows the id is the command.
void SplitCommand(const po::options_description& desc, const std::vector<std::string>& args,
                  std::vector<std::string>& flags, std::vector<std::string>& command) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    flags.push_back(a);
    if (a.find('=') != std::string::npos) continue;
    const po::option_description* option = nullptr;
    if (a[1] == '-') {
      option = desc.find_nothrow(a.substr(2), false);
    } else if (a.size() == 2) {
      option = desc.find_nothrow(a, false);
      if (!option) option = desc.find_nothrow(a.substr(1), false);
    }
    if (option && option->semantic()->max_tokens() > 0 && i + 1 < args.size()) flags.push_back(args[++i]);
  }
  if (i < args.size()) flags.push_back(args[i++]);  // the id
  command.assign(args.begin() + static_cast<std::ptrdiff_t>(std::min(i, args.size())), args.end());
}

}  // namespace

int CmdExec(const GlobalOptions& global, const std::vector<std::string>& args) {
  container::ExecOptions o;
  std::string id;
  std::vector<int64_t> gids;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("process,p", po::value(&o.process_file), "path to the process.json (the other process flags are then ignored)")
      ("tty,t", po::bool_switch(&o.tty), "allocate a pseudo-TTY")
      ("console-socket", po::value(&o.console_socket), "path to an AF_UNIX socket which will receive the pty master")
      ("detach,d", po::bool_switch(&o.detach), "detach from the container's process")
      ("pid-file", po::value(&o.pid_file), "specify the file to write the process id to")
      ("cwd", po::value(&o.cwd), "current working directory in the container")
      ("env,e", po::value(&o.env)->composing(), "set environment variables (K=V)")
      ("user,u", po::value(&o.user), "UID (format: <uid>[:<gid>])")
      ("additional-gids,g", po::value(&gids)->composing(), "additional gids")
      ("cap,c", po::value(&o.caps)->composing(), "add a capability to the bounding set for the process")
      ("no-new-privs", po::bool_switch(&o.no_new_privs), "set the no new privileges value for the process")
      ("apparmor", po::value(&o.apparmor), "set the apparmor profile for the process")
      ("process-label", po::value(&o.process_label), "set the asm process label for the process")
      ("preserve-fds", po::value(&o.preserve_fds), "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)")
      ("ignore-paused", po::bool_switch(&o.ignore_paused), "allow exec in a paused container")
      ("cgroup", po::value(&o.cgroups)->composing(), "run the process in an (existing) sub-cgroup: [CONTROLLER:]PATH")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  std::vector<std::string> flags;
  SplitCommand(desc, args, flags, o.args);
  po::variables_map vm;
  if (int r = ParseFlags("exec",
                         "[--process FILE | ARGS...] [--tty] [--console-socket S] [--detach] [--pid-file F] "
                         "[--cwd D] [--env K=V]... [--user UID[:GID]] [--additional-gids G]... [--cap C]... "
                         "[--no-new-privs] [--apparmor P] [--process-label L] [--preserve-fds N] "
                         "[--ignore-paused] [--cgroup [CTRL:]PATH] ID [COMMAND [ARGS...]]",
                         desc, pos, flags, vm);
      r >= 0)
    return r;
  if (!RequireId("exec", vm, id)) return 1;
  for (int64_t g : gids) {
    if (g < 0 || g > UINT32_MAX) {
      LogError("exec: --additional-gids: " + std::to_string(g) + " is not a valid gid");
      return 1;
    }
    o.additional_gids.push_back(static_cast<uint32_t>(g));
  }
  if (o.process_file.empty() && o.args.empty()) {
    LogError("exec: exec args cannot be empty");
    return 1;
  }
  Diagnostic err;
  if (!container::SealRuntime(err)) return Fail(err);
  int status = 0;
  Diagnostics errors;
  if (!container::Exec(ContextFrom(global), id, o, status, errors)) return Fail(errors);
  return status;
}

}  // namespace runc
