// The compiler's commands: spec, validate, plan. None of them changes the host (spec writes the
// bundle's config.json).
#include <stdlib.h>

#include <iostream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/flags.h"
#include "container/container.h"
#include "executor/common/log.h"

namespace po = boost::program_options;

namespace runc {
namespace {

// Parses a command's flags. Returns -1 to go on, or the exit status to return (after --help or a
// usage error).
int ParseCommand(const char* name, const char* usage, po::options_description& desc,
                 const po::positional_options_description& pos, const std::vector<std::string>& args,
                 po::variables_map& vm) {
  desc.add_options()("help,h", "show help");
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
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

void PrintDiagnostics(const Diagnostics& diags) {
  for (const auto& d : diags) LogError(d.ToString());
}

}  // namespace

int CmdSpec(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string bundle = ".";
  bool rootless = global.rootless;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("bundle,b", po::value(&bundle), "path to the root of the bundle directory")
      ("rootless", po::bool_switch(), "generate a configuration for a rootless container");
  po::positional_options_description pos;
  po::variables_map vm;
  if (int r = ParseCommand("spec", "[--bundle B] [--rootless]", desc, pos, args, vm); r >= 0) return r;
  if (vm["rootless"].as<bool>()) rootless = true;

  Diagnostic err;
  if (!container::WriteDefaultSpec(bundle, rootless, err)) {
    LogError(err.ToString());
    return 1;
  }
  return 0;
}

int CmdValidate(const GlobalOptions&, const std::vector<std::string>& args) {
  std::string bundle;
  std::string format = "text";
  std::vector<std::string> files;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("bundle,b", po::value(&bundle), "validate BUNDLE/config.json")
      ("format,f", po::value(&format), "output format: text or json")
      ("file", po::value(&files)->multitoken(), "config files to validate");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  if (int r = ParseCommand("validate", "[--bundle B | FILE...] [--format text|json]", desc, pos, args, vm); r >= 0)
    return r;
  if (format != "text" && format != "json") {
    LogError("validate: --format: expected text or json, got \"" + format + "\"");
    return 1;
  }
  std::vector<std::pair<std::string, std::string>> inputs;  // path, display name
  if (!bundle.empty() || files.empty()) {
    if (bundle.empty()) bundle = ".";
    inputs.emplace_back(bundle + "/config.json", container::BundleConfigName(bundle));
  }
  for (const auto& f : files) inputs.emplace_back(f, f);

  bool all_valid = true;
  nlohmann::json report = nlohmann::json::array();
  for (const auto& [path, display] : inputs) {
    Diagnostics diags;
    const bool valid = container::Validate(path, display, diags);
    all_valid = all_valid && valid;
    if (format == "json") {
      nlohmann::json entry = {{"file", display}, {"valid", valid}, {"diagnostics", nlohmann::json::array()}};
      for (const auto& d : diags) {
        entry["diagnostics"].push_back({{"line", d.line}, {"column", d.col}, {"pointer", d.pointer},
                                        {"message", d.message}, {"text", d.ToString()}});
      }
      report.push_back(entry);
    } else if (valid) {
      std::cout << display << ": valid\n";
    } else {
      for (const auto& d : diags) std::cout << d.ToString() << "\n";
    }
  }
  if (format == "json") std::cout << report.dump(2) << "\n";
  return all_valid ? 0 : 1;
}

int CmdPlan(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string bundle = ".";
  std::string format = "text";
  std::string host_arg;
  std::string id;
  std::string container;
  std::string exec_file;
  int exec_pid = 0;
  std::vector<std::string> exec_cgroups;
  std::string update_file;
  bool no_pivot = false;
  bool run = false;
  bool no_new_keyring = false;
  bool rootless = global.rootless;
  bool systemd_cgroup = global.systemd_cgroup;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("bundle,b", po::value(&bundle), "path to the root of the bundle directory")
      ("format,f", po::value(&format), "output format: text or json")
      ("rootless", po::bool_switch(&rootless), "plan for a rootless container (same as the global flag)")
      ("systemd-cgroup", po::bool_switch(&systemd_cgroup), "cgroupsPath is slice:prefix:name (same as the global flag)")
      ("host", po::value(&host_arg), "host facts: v1, v2, hybrid or a JSON file (default: probe this host)")
      ("id", po::value(&id), "container id to compile for (default: \"container\")")
      ("no-pivot", po::bool_switch(&no_pivot), "plan MS_MOVE + chroot instead of pivot_root")
      ("run", po::bool_switch(&run), "plan a foreground `run` (with its subreaper step, the caller's stdio)")
      ("no-new-keyring", po::bool_switch(&no_new_keyring), "plan without a new session keyring")
      ("container", po::value(&container), "print the plan of this created container")
      ("exec", po::value(&exec_file), "print the plan of an exec of this process.json (into ID, or with --pid)")
      ("pid", po::value(&exec_pid), "with --exec and a bundle: the init pid the exec plan joins")
      ("cgroup", po::value(&exec_cgroups)->composing(), "with --exec: the sub-cgroup, [CONTROLLER:]PATH")
      ("update", po::value(&update_file),
       "print the plan of `runc update --resources FILE` (a linux.resources document, - for stdin) for the "
       "container ID, or for the bundle's container");
  po::positional_options_description pos;
  pos.add("container", 1);
  po::variables_map vm;
  if (int r = ParseCommand("plan",
                           "[--bundle B] [--format text|json] [--host v1|v2|hybrid|FILE] "
                           "[--exec FILE [--pid N] [--cgroup P] | --update FILE] [ID]",
                           desc, pos,
                           args, vm);
      r >= 0)
    return r;
  if (format != "text" && format != "json") {
    LogError("plan: --format: expected text or json, got \"" + format + "\"");
    return 1;
  }

  std::string update_text;
  if (!update_file.empty() && !ReadInput(update_file, update_text)) return 1;
  Plan plan;
  if (!exec_file.empty() && !update_file.empty()) {
    LogError("plan: --exec and --update cannot be used together");
    return 1;
  }
  if (!exec_file.empty() && !container.empty()) {
    container::ExecOptions options;
    options.process_file = exec_file;
    options.cgroups = exec_cgroups;
    options.ignore_paused = true;  // only printed
    Diagnostics errors;
    if (!container::PlanExec(ContextFrom(global), container, options, plan, errors)) {
      PrintDiagnostics(errors);
      return 1;
    }
  } else if (!container.empty() && !update_file.empty()) {
    container::UpdateOptions update;
    update.resources = update_text;
    update.display_name = InputDisplayName(update_file);
    Diagnostics diags;
    if (!container::PlanUpdate(ContextFrom(global), container, update, plan, diags)) {
      PrintDiagnostics(diags);
      return 1;
    }
  } else if (!container.empty()) {
    Diagnostic err;
    if (!container::SavedPlan(ContextFrom(global), container, plan, err)) {
      LogError(err.ToString());
      return 1;
    }
  } else {
    if (!exec_file.empty() && exec_pid <= 0) {
      // A bundle has no running init: the exec plan joins the one --pid names.
      LogError("plan: --exec without a container ID needs --pid");
      return 1;
    }
    container::BundlePlanOptions options;
    options.bundle = bundle;
    options.host = host_arg;
    options.id = id;
    options.no_pivot = no_pivot;
    options.run = run;
    options.no_new_keyring = no_new_keyring;
    // As create does: NOTIFY_SOCKET in our environment is planned for.
    if (const char* notify = getenv("NOTIFY_SOCKET"); notify && notify[0] == '/') options.notify_socket = notify;
    options.exec_process_file = exec_file;
    options.exec_pid = exec_pid;
    options.exec_cgroups = exec_cgroups;
    if (!update_file.empty()) {
      options.update.emplace();
      options.update->resources = update_text;
      options.update->display_name = InputDisplayName(update_file);
    }
    container::Context ctx = ContextFrom(global);
    ctx.systemd_cgroup = systemd_cgroup || global.systemd_cgroup;
    ctx.rootless = rootless || global.rootless;
    Diagnostics diags;
    if (!container::PlanBundle(ctx, options, plan, diags)) {
      PrintDiagnostics(diags);
      return 1;
    }
  }
  if (format == "json") {
    std::cout << PlanToJson(plan).dump(2) << "\n";
  } else {
    std::cout << PlanToText(plan);
  }
  return 0;
}

}  // namespace runc
