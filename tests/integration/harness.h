// Support for integration tests: temporary directories, busybox bundles, running the built runc.
// Every test uses its own --root under a temp dir and unique container ids and cgroup paths.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace runc::test {

// A directory under /tmp removed (recursively, after unmounting anything left below it) on
// destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "runc-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct RunResult {
  int status = -1;  // exit code, or 128+signal
  std::string out;
  std::string err;
};

struct RunOptions {
  std::string cwd;
  std::string input;                       // written to stdin, then closed
  std::map<std::string, std::string> env;  // added to the environment
  int timeout_seconds = 60;                // the child is killed (by pid) after this
};

// fork+exec argv (argv[0] is a path), capture stdout/stderr.
RunResult Run(const std::vector<std::string>& argv, const RunOptions& options = {});

// The runc under test (RUNC_BINARY) with `--root root` prepended.
RunResult Runc(const std::string& root, const std::vector<std::string>& args, const RunOptions& options = {});

// A fresh unique container id: "t<pid>-<counter>-<suffix>".
std::string UniqueId(const std::string& suffix = "c");

// Builds a minimal busybox-static rootfs at `dir` (bin/busybox + applet symlinks, /proc /sys /dev /etc
// /tmp /root, etc/passwd and etc/group with root and nobody).
void MakeBusyboxRootfs(const std::string& dir);

// A bundle: a temp dir with rootfs/ (busybox) and config.json.
class Bundle {
 public:
  // `config` defaults to `runc spec`'s default made non-interactive: terminal false, args as given.
  explicit Bundle(const std::vector<std::string>& args = {"true"});
  nlohmann::json& config() { return config_; }
  void Write();  // writes config.json (call after editing config())
  const std::string& path() const { return dir_.path(); }
  std::string rootfs() const { return dir_.path() + "/rootfs"; }

 private:
  TempDir dir_;
  nlohmann::json config_;
};

// The default runc spec (same as `runc spec`), terminal false.
nlohmann::json DefaultConfig(const std::vector<std::string>& args);

bool IsRoot();
std::string ReadFile(const std::string& path);  // "" when unreadable

// Moves this (single-threaded) test process into a private copy of its mount namespace, so that a
// test comparing /proc/self/mountinfo before and after its containers ran sees what its own
// runtime left there, and not the mounts other tests make on the host meanwhile (ctest -j).
// "" on success, else what failed.
std::string EnterPrivateMountNamespace();

// A --console-socket listener: receives the pty masters the runtime sends (SCM_RIGHTS), as a
// shim does.
class ConsoleSocket {
 public:
  explicit ConsoleSocket(const std::string& path);
  ~ConsoleSocket();
  ConsoleSocket(const ConsoleSocket&) = delete;
  ConsoleSocket& operator=(const ConsoleSocket&) = delete;
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  // The next master sent (-1: none), waiting up to `timeout_ms` for it.
  int Receive(int timeout_ms);
  // Whatever connected (a create that failed after it connected): nothing may stay queued.
  void Drain();

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace runc::test
