// Start phase: the execve of the container process, with the PATH lookup done inside the container.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "executor/ctr_internal.h"

namespace runc {

int RunExecve(const Step&, InitContext& ctx, std::string& what) {
  PreparedPlan& prepared = *ctx.prepared;
  const PreparedContainer& prep = *prepared.container;
  const std::string* program = &prep.exec_file;
  if (prep.exec_lookup) {
    // Go's exec.LookPath, which gives runc's messages: the first candidate that is a non-directory
    // with an execute bit.
    program = nullptr;
    for (const auto& candidate : prep.exec_candidates) {
      struct stat st;
      if (stat(candidate.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111)) {
        program = &candidate;
        break;
      }
    }
    if (!program) {
      what = "exec: \"" + prep.exec_file + "\": executable file not found in $PATH";
      return ENOENT;
    }
  }
  execve(program->c_str(), prepared.exec_argv.data(), prepared.exec_envp.data());
  what = "exec " + *program;
  return errno;
}

}  // namespace runc
