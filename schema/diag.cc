#include "schema/diag.h"

namespace runc {

std::string Diagnostic::ToString() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ':' + std::to_string(line);
      if (col > 0) out += ':' + std::to_string(col);
    }
    out += ": ";
  }
  if (!pointer.empty()) out += pointer + ": ";
  out += message;
  return out;
}

void AppendPointerToken(std::string& out, std::string_view token) {
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
}

std::string EscapePointerToken(const std::string& token) {
  std::string out;
  out.reserve(token.size());
  AppendPointerToken(out, token);
  return out;
}

}  // namespace runc
