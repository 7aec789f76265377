#include "executor/common/log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "executor/common/state.h"

namespace runc {
namespace {

LogConfig g_config;

// Appends one line with a single write(2) so lines of concurrent processes do not interleave.
void WriteFileLine(const char* level, const std::string& msg) {
  if (g_config.file.empty()) return;
  std::string line;
  if (g_config.format == LogFormat::kJson) {
    nlohmann::json j = {{"level", level}, {"msg", msg}, {"time", NowRfc3339()}};
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    line = NowRfc3339() + " " + level + ": " + msg + "\n";
  }
  int fd = open(g_config.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t ignored = write(fd, line.data(), line.size());
  (void)ignored;
  close(fd);
}

void WriteStderr(const std::string& text) {
  std::string line = text + "\n";
  ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace

void InitLog(const LogConfig& config) { g_config = config; }
const LogConfig& CurrentLogConfig() { return g_config; }

void LogError(const std::string& msg) {
  WriteStderr("runc: " + msg);
  WriteFileLine("error", msg);
}

void LogWarn(const std::string& msg) {
  WriteStderr("runc: warning: " + msg);
  WriteFileLine("warning", msg);
}

void LogInfo(const std::string& msg) { WriteFileLine("info", msg); }

void LogDebug(const std::string& msg) {
  if (!g_config.debug) return;
  WriteStderr("runc: debug: " + msg);
  WriteFileLine("debug", msg);
}

}  // namespace runc
