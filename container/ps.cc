// ps: the processes of a container, as runc ps lists them: the pids of its cgroup(s) (json), or the
// host's ps output reduced to the container's lines (table; runc runs ps too).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "container/internal.h"

namespace runc::container {
namespace {

// Runs `argv` (looked up in PATH) with stdout captured; stderr stays ours, as runc's exec.Command
// with CombinedOutput would not separate it either way for a user.
bool Capture(const std::vector<std::string>& argv, std::string& out, Diagnostic& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = Error("pipe: " + Errno(errno), errno);
    return false;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    error = Error("fork: " + Errno(errno), errno);
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (pid == 0) {
    dup2(fds[1], 1);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    error = Error(WIFEXITED(status) && WEXITSTATUS(status) == 127
                      ? "exec " + argv[0] + ": not found"
                      : cmd + " failed (exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + ")");
    return false;
  }
  return true;
}

std::vector<std::string> Fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

}  // namespace

bool Processes(const Context& ctx, const std::string& id, std::vector<pid_t>& out, Diagnostic& error) {
  ContainerState state;
  if (!LoadState(ctx.root, id, state, error)) return false;
  // A stopped container that is not deleted yet still has its (empty) cgroup: no processes, not an
  // error (runc's ps.bats "ps after the container stopped").
  Plan plan;
  if (!LoadContainerPlan(ctx.root, id, plan, error)) return false;
  const std::set<pid_t> pids = CgroupPids(plan);
  out.assign(pids.begin(), pids.end());
  // Without a cgroup the container is its init alone as far as we can tell.
  if (!HasCgroup(plan) && state.pid > 0 && state.status != ContainerStatus::kStopped) out = {state.pid};
  return true;
}

bool ProcessTable(const Context& ctx, const std::string& id, const std::vector<std::string>& ps_args,
                  std::string& out, Diagnostic& error) {
  std::vector<pid_t> pids;
  if (!Processes(ctx, id, pids, error)) return false;
  std::vector<std::string> argv = {"ps"};
  if (ps_args.empty()) {
    argv.push_back("-ef");
  } else {
    argv.insert(argv.end(), ps_args.begin(), ps_args.end());
  }
  std::string text;
  if (!Capture(argv, text, error)) return false;
  std::istringstream lines(text);
  std::string header;
  std::getline(lines, header);
  const std::vector<std::string> columns = Fields(header);
  const auto pid_column = std::find(columns.begin(), columns.end(), "PID");
  if (pid_column == columns.end()) {
    error = Error("couldn't find PID field in ps output");
    return false;
  }
  const size_t index = static_cast<size_t>(pid_column - columns.begin());
  out = header + "\n";
  for (std::string line; std::getline(lines, line);) {
    const std::vector<std::string> fields = Fields(line);
    if (fields.size() <= index) continue;
    char* end = nullptr;
    errno = 0;
    const long pid = std::strtol(fields[index].c_str(), &end, 10);
    if (errno != 0 || end == fields[index].c_str() || *end != '\0') {
      error = Error("unexpected pid \"" + fields[index] + "\" in ps output");
      return false;
    }
    if (std::binary_search(pids.begin(), pids.end(), static_cast<pid_t>(pid))) out += line + "\n";
  }
  return true;
}

}  // namespace runc::container
