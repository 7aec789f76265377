#include "executor/common/log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>

namespace runc {
namespace {

LogConfig g_config;

std::string Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return buf;
}

// Appends one line with a single write(2) so lines of concurrent processes do not interleave.
void WriteFileLine(const char* level, const std::string& msg) {
  if (g_config.file.empty()) return;
  std::string line;
  if (g_config.format == LogFormat::kJson) {
    nlohmann::json j = {{"level", level}, {"msg", msg}, {"time", Now()}};
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    line = Now() + " " + level + ": " + msg + "\n";
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
