// One diagnostic type for the whole project: where (file, line, column, JSON pointer) and what.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace runc {

struct Diagnostic {
  std::string file;     // display name, usually "config.json"; empty when not about a file
  int line = 0;         // 1-based; 0 = unknown
  int col = 0;          // 1-based; 0 = unknown
  std::string pointer;  // RFC 6901 pointer of the field ("" = whole document)
  std::string message;  // lowercase, no trailing period
  int err = 0;          // errno when the diagnostic comes from a syscall

  // "config.json:14:7: /process/args: expected array, got string".
  // Parts that are unknown are left out: "config.json: /x: msg", "config.json:3:1: msg", "msg".
  std::string ToString() const;
};

using Diagnostics = std::vector<Diagnostic>;

// RFC 6901 escaping of one reference token ("~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(const std::string& token);
// Appends `token` escaped the same way (no temporary string).
void AppendPointerToken(std::string& out, std::string_view token);

}  // namespace runc
