// What every command file of cli/ shares: Boost.Program_options parsing with runc's conventions,
// the flags of create and run, and the container library's context from the global flags.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/commands.h"
#include "container/container.h"
#include "schema/diag.h"

namespace runc {

// Parses a command's flags (adds --help). Returns -1 to go on, or the exit status to return (after
// --help or a usage error).
// A command's --help in runc's layout: "NAME:\n   runc NAME - SUMMARY", USAGE, OPTIONS.
void PrintCommandHelp(const char* name, const char* usage, const boost::program_options::options_description& desc);

int ParseFlags(const char* name, const char* usage, boost::program_options::options_description& desc,
               const boost::program_options::positional_options_description& pos,
               const std::vector<std::string>& args, boost::program_options::variables_map& vm);

// The flags create and run share.
void AddCreateFlags(boost::program_options::options_description& desc, container::CreateOptions& f);

// The positional container id; false (after logging runc's message) when it is missing.
bool RequireId(const char* command, const boost::program_options::variables_map& vm, std::string& id);

container::Context ContextFrom(const GlobalOptions& global);

// The whole of a file, or of stdin for "-". false after logging why not.
bool ReadInput(const std::string& path, std::string& out);
// How diagnostics name such an input: the path, or "stdin".
std::string InputDisplayName(const std::string& path);

// Logs each diagnostic as an error; returns 1 (the exit status of a failed command).
int Fail(const Diagnostics& errors);
int Fail(const Diagnostic& error);

}  // namespace runc
