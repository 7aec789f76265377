// checkpoint and restore (runc checkpoint / runc restore) through CRIU. CRIU must be installed and
// pass `criu check` first; where it is missing or fails (CRIU 3.17 cannot run on this machine's
// kernel) both fail before they change anything: the container keeps running, no image directory
// is made. Dumping and restoring over CRIU's RPC (criu swrk) is not implemented yet: it waits for a
// host where CRIU runs, so that it can be tested.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "container/internal.h"

namespace runc::container {
namespace {

// `name` as execvp would find it; "" when it is nowhere.
std::string FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Runs `argv` with stdout and stderr captured, killing it after `timeout_ms`. The exit status, or
// -1 (with `error`) when it could not run.
int RunCaptured(const std::vector<std::string>& argv, int timeout_ms, std::string& output, Diagnostic& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = Error("pipe: " + Errno(errno), errno);
    return -1;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    error = Error("fork: " + Errno(errno), errno);
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  int waited = 0;
  bool killed = false;
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    const int r = poll(&p, 1, 100);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      waited += 100;
      if (waited >= timeout_ms && !killed) {
        kill(pid, SIGKILL);
        killed = true;
      }
      continue;
    }
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (killed) {
    error = Error("timed out after " + std::to_string(timeout_ms / 1000) + " s");
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The last non-empty line of `text` (what CRIU's check prints last is its verdict).
std::string LastLine(const std::string& text) {
  std::istringstream in(text);
  std::string last;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  return last;
}

bool Unsupported(const char* what, Diagnostic& error) {
  error = Error(std::string(what) +
                ": CRIU passed its check, but this runtime does not drive CRIU yet (checkpoint and restore over "
                "criu swrk are not implemented)");
  return false;
}

}  // namespace

bool CheckCriu(const std::string& criu, Diagnostic& error) {
  const std::string binary = FindExecutable(criu.empty() ? "criu" : criu);
  if (binary.empty()) {
    error = Error("CRIU is not installed: \"" + criu + "\" was not found" +
                  (criu.find('/') == std::string::npos ? " in PATH" : "") +
                  " (checkpoint and restore need CRIU; --criu names its binary)");
    return false;
  }
  std::string output;
  Diagnostic run_error;
  const int status = RunCaptured({binary, "check"}, 30000, output, run_error);
  if (status == 0) return true;
  std::string why = status < 0 ? run_error.message : "exit status " + std::to_string(status);
  const std::string last = LastLine(output);
  error = Error("CRIU cannot run on this host: `" + binary + " check` failed (" + why + ")" +
                (last.empty() ? std::string() : ": " + last));
  return false;
}

bool Checkpoint(const Context& ctx, const std::string& id, const CriuOptions& options, Diagnostic& error) {
  ContainerLock lock;
  if (!lock.Lock(ctx.root, id, error)) return false;
  ContainerState state;
  if (!LoadState(ctx.root, id, state, error)) return false;
  if (state.status != ContainerStatus::kRunning && state.status != ContainerStatus::kPaused) {
    error = Error("container " + id + " is not running");
    return false;
  }
  if (!CheckCriu(options.criu, error)) {
    error.message = "checkpoint: " + error.message;
    return false;
  }
  return Unsupported("checkpoint", error);
}

bool Restore(const Context& ctx, const std::string& id, const CriuOptions& options, int& exit_status,
             Diagnostic& error) {
  exit_status = 1;
  std::string id_error;
  if (!ValidContainerId(id, id_error)) {
    error = Error(id_error);
    return false;
  }
  ContainerState existing;
  Diagnostic ignored;
  if (LoadState(ctx.root, id, existing, ignored)) {
    error = Error("container with id exists: " + id);
    return false;
  }
  if (!CheckCriu(options.criu, error)) {
    error.message = "restore: " + error.message;
    return false;
  }
  return Unsupported("restore", error);
}

}  // namespace runc::container
