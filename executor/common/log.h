// Runtime log: errors always go to stderr as "runc: ..."; with --log FILE they also go to FILE, as
// text or as runc-style JSON lines {"level":"error","msg":"...","time":"..."} (--log-format json).
// podman shows the msg of the last JSON line when a call fails.
#pragma once

#include <string>

namespace runc {

enum class LogFormat { kText, kJson };

struct LogConfig {
  std::string file;  // empty = no log file
  LogFormat format = LogFormat::kText;
  bool debug = false;  // --debug: debug lines (each executed step) are written too
};

void InitLog(const LogConfig& config);
const LogConfig& CurrentLogConfig();

void LogError(const std::string& msg);  // stderr "runc: msg" + log file
void LogWarn(const std::string& msg);   // stderr "runc: warning: msg" + log file
void LogInfo(const std::string& msg);   // log file only
void LogDebug(const std::string& msg);  // with --debug: stderr + log file

}  // namespace runc
