// The runc sub-commands. cli/main.cc parses the global flags and dispatches here; each command
// parses its own flags with Boost.Program_options and returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace runc {

struct GlobalOptions {
  std::string root = "/run/runc";  // --root: state root
  std::string log;                 // --log FILE
  std::string log_format = "text"; // --log-format text|json
  bool debug = false;              // --debug
  bool systemd_cgroup = false;     // --systemd-cgroup
  bool rootless = false;           // --rootless (runc accepts true|false|auto; we take a flag)
  std::string criu = "criu";       // --criu: the CRIU binary (checkpoint, restore)
};

using CommandFn = int (*)(const GlobalOptions& global, const std::vector<std::string>& args);

struct CommandInfo {
  const char* name;
  CommandFn fn;
  const char* summary;
};

// cli/cmd_compile.cc
int CmdSpec(const GlobalOptions&, const std::vector<std::string>&);
int CmdValidate(const GlobalOptions&, const std::vector<std::string>&);
int CmdPlan(const GlobalOptions&, const std::vector<std::string>&);
// cli/cmd_create.cc, cmd_start.cc, cmd_run.cc, cmd_state.cc, cmd_list.cc, cmd_kill.cc, cmd_delete.cc:
// flags in, one call of the container library (container/container.h), output and exit status.
int CmdCreate(const GlobalOptions&, const std::vector<std::string>&);
int CmdStart(const GlobalOptions&, const std::vector<std::string>&);
int CmdRun(const GlobalOptions&, const std::vector<std::string>&);
int CmdState(const GlobalOptions&, const std::vector<std::string>&);
int CmdList(const GlobalOptions&, const std::vector<std::string>&);
int CmdKill(const GlobalOptions&, const std::vector<std::string>&);
int CmdDelete(const GlobalOptions&, const std::vector<std::string>&);
int CmdPause(const GlobalOptions&, const std::vector<std::string>&);
int CmdResume(const GlobalOptions&, const std::vector<std::string>&);
int CmdExec(const GlobalOptions&, const std::vector<std::string>&);
int CmdFeatures(const GlobalOptions&, const std::vector<std::string>&);
// cli/cmd_update.cc, cmd_ps.cc, cmd_events.cc, cmd_checkpoint.cc (checkpoint and restore)
int CmdUpdate(const GlobalOptions&, const std::vector<std::string>&);
int CmdPs(const GlobalOptions&, const std::vector<std::string>&);
int CmdEvents(const GlobalOptions&, const std::vector<std::string>&);
int CmdCheckpoint(const GlobalOptions&, const std::vector<std::string>&);
int CmdRestore(const GlobalOptions&, const std::vector<std::string>&);

// The table main() dispatches on and prints in --help.
const std::vector<CommandInfo>& Commands();

// Entry point used by main() and by tests.
int RuncMain(int argc, char** argv);

}  // namespace runc
