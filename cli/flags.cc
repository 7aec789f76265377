#include "cli/flags.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "executor/common/log.h"

namespace po = boost::program_options;

namespace runc {
namespace {

// runc (urfave/cli) also takes a boolean flag as `--force=true` / `--force=false`. Boost's
// bool_switch takes no value, so rewrite those forms first: `=true` -> the flag, `=false` -> nothing.
std::vector<std::string> NormalizeSwitches(const po::options_description& desc, const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    if (arg.rfind("-", 0) != 0 || eq == std::string::npos) {
      out.push_back(arg);
      continue;
    }
    const std::string name = arg.substr(arg.find_first_not_of('-'), eq - arg.find_first_not_of('-'));
    const std::string value = arg.substr(eq + 1);
    const po::option_description* option = desc.find_nothrow(name, false);
    if (!option || option->semantic()->max_tokens() != 0 || name.empty()) {
      out.push_back(arg);
      continue;
    }
    if (value == "true" || value == "1") {
      out.push_back(arg.substr(0, eq));
    } else if (value != "false" && value != "0") {
      out.push_back(arg);  // let the parser report it
    }
  }
  return out;
}

}  // namespace

void PrintCommandHelp(const char* name, const char* usage, const po::options_description& desc) {
  // runc's layout (urfave/cli): NAME, USAGE, OPTIONS.
  const char* summary = "";
  for (const auto& c : Commands()) {
    if (std::string_view(c.name) == name) summary = c.summary;
  }
  std::cout << "NAME:\n   runc " << name << " - " << summary << "\n\nUSAGE:\n   runc " << name << " " << usage
            << "\n\n" << desc;
}

int ParseFlags(const char* name, const char* usage, po::options_description& desc,
               const po::positional_options_description& pos, const std::vector<std::string>& args,
               po::variables_map& vm) {
  desc.add_options()("help,h", "show help");
  try {
    po::store(po::command_line_parser(NormalizeSwitches(desc, args)).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    LogError(std::string(name) + ": " + e.what());
    return 1;
  }
  if (vm.count("help")) {
    PrintCommandHelp(name, usage, desc);
    return 0;
  }
  return -1;
}

void AddCreateFlags(po::options_description& desc, container::CreateOptions& f) {
  desc.add_options()
      ("bundle,b", po::value(&f.bundle), "path to the root of the bundle directory (default: current directory)")
      ("console-socket", po::value(&f.console_socket),
       "path to an AF_UNIX socket which will receive the pty master (with process.terminal)")
      ("pid-file", po::value(&f.pid_file), "file to write the container init's pid to")
      ("no-pivot", po::bool_switch(&f.no_pivot), "do not use pivot_root (MS_MOVE + chroot instead)")
      ("no-new-keyring", po::bool_switch(&f.no_new_keyring), "do not create a new session keyring")
      ("preserve-fds", po::value(&f.preserve_fds), "pass N additional file descriptors (3..3+N-1) to the container");
  // podman --sdnotify=container, systemd units: the container's sd_notify goes through us.
  if (const char* notify = getenv("NOTIFY_SOCKET")) f.notify_socket = notify;
}

bool RequireId(const char* command, const po::variables_map& vm, std::string& id) {
  if (!vm.count("id")) {
    LogError(std::string(command) + ": container id cannot be empty");
    return false;
  }
  id = vm["id"].as<std::string>();
  return true;
}

container::Context ContextFrom(const GlobalOptions& global) {
  container::Context ctx;
  ctx.root = global.root;
  ctx.debug = global.debug;
  ctx.systemd_cgroup = global.systemd_cgroup;
  ctx.rootless = global.rootless;
  return ctx;
}

bool ReadInput(const std::string& path, std::string& out) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      LogError("open " + path + ": " + std::strerror(errno));
      return false;
    }
    text << in.rdbuf();
  }
  out = text.str();
  return true;
}

std::string InputDisplayName(const std::string& path) { return path == "-" ? "stdin" : path; }

int Fail(const Diagnostics& errors) {
  for (const auto& d : errors) LogError(d.ToString());
  return 1;
}

int Fail(const Diagnostic& error) { return Fail(Diagnostics{error}); }

}  // namespace runc
