// Global flags and dispatch. runc's global flags come before the command name; everything after
// the command name belongs to the command.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/commands.h"
#include "container/container.h"
#include "executor/common/log.h"

namespace po = boost::program_options;

namespace runc {
namespace {

constexpr const char* kVersion = "0.1.0";
#ifndef RUNC_COMMIT
#define RUNC_COMMIT "unknown"
#endif
constexpr const char* kSpecVersion = "1.3.0";

// Whether this process is in a user namespace other than the initial one (runc's
// userns.RunningInUserNS: /proc/self/uid_map is not the identity map of every id).
bool InUserNamespace() {
  std::ifstream in("/proc/self/uid_map");
  unsigned long inside = 0, outside = 0, count = 0;
  if (!(in >> inside >> outside >> count)) return false;
  return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

// `--rootless auto`: runc's shouldUseRootlessCgroupManager without systemd: rootless when the
// euid is not 0, or when root is root of a user namespace other than the initial one.
bool AutoRootless() { return geteuid() != 0 || InUserNamespace(); }

// Global flags that take a value (so the scan for the command name can skip the value).
bool GlobalTakesValue(std::string_view arg) {
  return arg == "--root" || arg == "--log" || arg == "--log-format" || arg == "--criu";
}

po::options_description GlobalDescription(GlobalOptions& g) {
  po::options_description desc("GLOBAL OPTIONS");
  desc.add_options()
      ("help,h", "show help")
      ("version,v", "print the version")
      ("root", po::value(&g.root)->default_value("/run/runc"), "root directory for storage of container state")
      ("log", po::value(&g.log), "set the log file to write runc logs to (default stderr only)")
      ("log-format", po::value(&g.log_format)->default_value("text"), "set the log format ('text' or 'json')")
      ("debug", po::bool_switch(&g.debug), "enable debug logging")
      ("systemd-cgroup", po::bool_switch(&g.systemd_cgroup), "cgroupsPath is slice:prefix:name (systemd form)")
      ("rootless", po::value<std::string>()->implicit_value("true"), "ignore cgroup permission errors (true, false, auto)")
      ("criu", po::value(&g.criu)->default_value("criu"), "path to the criu binary used for checkpoint and restore");
  return desc;
}

void PrintUsage(const po::options_description& desc) {
  // runc's layout (urfave/cli): NAME, USAGE, VERSION, COMMANDS, GLOBAL OPTIONS.
  std::cout << "NAME:\n   runc - Open Container Initiative runtime\n\n"
            << "   runc " << kVersion << ": an OCI container runtime built as a spec compiler\n\n"
            << "USAGE:\n   runc [global options] command [command options] [arguments...]\n\n"
            << "VERSION:\n   " << kVersion << "\n   commit: " << RUNC_COMMIT << "\n   spec: " << kSpecVersion
            << "\n\nCOMMANDS:\n";
  for (const auto& c : Commands()) {
    std::cout << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << "\n";
  }
  std::cout << "  help        shows a list of commands or help for one command\n";
  std::cout << "\n" << desc << "\nRun 'runc COMMAND --help' for a command's options.\n";
}

// runc's default state root: $XDG_RUNTIME_DIR/runc for an unprivileged user (and for root in a
// user namespace unless $USER is root), /run/runc otherwise or when XDG_RUNTIME_DIR is unset.
std::string DefaultRoot() {
  const char* xdg = getenv("XDG_RUNTIME_DIR");
  if (!xdg || !*xdg) return "/run/runc";
  bool honor = geteuid() != 0;
  if (!honor && InUserNamespace()) {
    const char* user = getenv("USER");
    honor = !user || std::string_view(user) != "root";
  }
  return honor ? std::string(xdg) + "/runc" : "/run/runc";
}

}  // namespace

const std::vector<CommandInfo>& Commands() {
  static const std::vector<CommandInfo> kCommands = {
      {"spec", CmdSpec, "create a new specification file (config.json)"},
      {"validate", CmdValidate, "check config.json files against the schema and the semantic rules"},
      {"plan", CmdPlan, "print the plan of steps a bundle compiles to (or of a created container)"},
      {"create", CmdCreate, "create a container"},
      {"start", CmdStart, "execute the user-defined process in a created container"},
      {"run", CmdRun, "create and run a container"},
      {"state", CmdState, "output the state of a container"},
      {"list", CmdList, "lists containers started by runc with the given root"},
      {"kill", CmdKill, "send a signal to the container's init process"},
      {"exec", CmdExec, "execute new process inside the container"},
      {"pause", CmdPause, "suspend all processes inside the container"},
      {"resume", CmdResume, "resume all processes that have been previously paused"},
      {"update", CmdUpdate, "update container resource constraints"},
      {"ps", CmdPs, "ps displays the processes running inside a container"},
      {"events", CmdEvents, "display container events such as OOM notifications, cpu, memory, and IO usage statistics"},
      {"checkpoint", CmdCheckpoint, "checkpoint a running container (needs CRIU)"},
      {"restore", CmdRestore, "restore a container from a previous checkpoint (needs CRIU)"},
      {"features", CmdFeatures, "show the enabled features (the runtime-spec features document)"},
      {"delete", CmdDelete, "delete any resources held by the container"},
  };
  return kCommands;
}

int RuncMain(int argc, char** argv) {
  // Before anything opens an fd that could land on a missing 0-2 (see OpenMissingStdio).
  Diagnostic stdio_err;
  if (!container::OpenMissingStdio(stdio_err)) {
    // stderr may be the missing one: the exit status is all a caller gets then.
    std::cerr << "runc: " << stdio_err.message << "\n";
    return 1;
  }
  GlobalOptions global;
  // runc takes `--rootless VALUE` as well as `--rootless=VALUE` (and a bare `--rootless`): join the
  // first form, so that the value is not taken for the command.
  std::vector<std::string> storage;
  bool in_globals = true;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i > 0 && in_globals) {
      if (arg.empty() || arg[0] != '-') {
        in_globals = false;
      } else if (arg == "--rootless" && i + 1 < argc &&
                 (std::string_view(argv[i + 1]) == "true" || std::string_view(argv[i + 1]) == "false" ||
                  std::string_view(argv[i + 1]) == "auto")) {
        storage.push_back("--rootless=" + std::string(argv[++i]));
        continue;
      } else if (GlobalTakesValue(arg) && i + 1 < argc) {
        storage.emplace_back(arg);
        storage.emplace_back(argv[++i]);
        continue;
      }
    }
    storage.emplace_back(arg);
  }
  std::vector<char*> arg_ptrs;
  for (auto& a : storage) arg_ptrs.push_back(a.data());
  arg_ptrs.push_back(nullptr);
  argc = static_cast<int>(storage.size());
  argv = arg_ptrs.data();
  int cmd_index = argc;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.empty() || arg[0] != '-') {
      cmd_index = i;
      break;
    }
    if (GlobalTakesValue(arg)) ++i;
  }

  // The commands that create container processes re-execute from a sealed copy of the binary
  // (their SealRuntime): before any more work, which the re-executed process would do again. Not
  // with --debug: then the seal step's trace line must come first, and the log is not set up yet.
  bool debug = false;
  for (int i = 1; i < cmd_index; ++i) debug = debug || std::string_view(argv[i]).rfind("--debug", 0) == 0;
  if (cmd_index < argc && !debug) {
    const std::string_view command = argv[cmd_index];
    if (command == "run" || command == "create" || command == "exec") container::SealRuntimeEarly();
  }
  po::options_description desc = GlobalDescription(global);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(cmd_index, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "runc: " << e.what() << "\n";
    return 1;
  }
  // --rootless auto, the default (runc: never with --systemd-cgroup).
  global.rootless = !global.systemd_cgroup && AutoRootless();
  if (vm.count("rootless")) {
    const std::string v = vm["rootless"].as<std::string>();
    if (v == "true" || v == "false") {
      global.rootless = v == "true";
    } else if (v == "auto") {
      global.rootless = !global.systemd_cgroup && AutoRootless();
    } else {
      std::cerr << "runc: --rootless: expected true, false or auto, got \"" << v << "\"\n";
      return 1;
    }
  }
  if (vm["root"].defaulted()) {
    global.root = DefaultRoot();
    if (global.root != "/run/runc") {
      // As runc: made if missing, and sticky so that the XDG runtime dir's clean-up keeps it.
      if ((mkdir(global.root.c_str(), 0700) != 0 && errno != EEXIST) || chmod(global.root.c_str(), 01700) != 0) {
        std::cerr << "runc: " << global.root << ": " << std::strerror(errno) << "\n";
        return 1;
      }
    }
  }
  if (global.log_format != "text" && global.log_format != "json") {
    std::cerr << "runc: --log-format: expected text or json, got \"" << global.log_format << "\"\n";
    return 1;
  }
  InitLog({global.log, global.log_format == "json" ? LogFormat::kJson : LogFormat::kText, global.debug});

  if (vm.count("version")) {
    // runc's three lines: version, the commit it was built from, the runtime-spec version.
    std::cout << "runc version " << kVersion << "\ncommit: " << RUNC_COMMIT << "\nspec: " << kSpecVersion << "\n";
    return 0;
  }
  if (vm.count("help") || cmd_index == argc) {
    PrintUsage(desc);
    return cmd_index == argc && !vm.count("help") ? 1 : 0;
  }

  std::string name = argv[cmd_index];
  std::vector<std::string> args(argv + cmd_index + 1, argv + argc);
  // `runc help` and `runc help COMMAND`, as urfave/cli has them.
  if (name == "help" || name == "h") {
    if (args.empty()) {
      PrintUsage(desc);
      return 0;
    }
    name = std::string(args[0]);
    args = {"--help"};
  }
  for (const auto& c : Commands()) {
    if (name == c.name) return c.fn(global, args);
  }
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") {  // urfave/cli's words for `runc foo -h`
      LogError("No help topic for '" + name + "'");
      return 1;
    }
  }
  LogError("unknown command \"" + name + "\" (see 'runc --help')");
  return 1;
}

}  // namespace runc
