// Reading config.json with nlohmann/json while remembering where every value starts, so that every
// later diagnostic (schema, semantic) can name config.json:LINE:COL.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "schema/diag.h"

namespace runc {

struct Position {
  int line = 0;  // 1-based
  int col = 0;   // 1-based
};

struct JsonDocument {
  nlohmann::json root;
  std::string filename;  // display name used in diagnostics ("config.json")
  // RFC 6901 pointer -> position of the first character of that value ("" is the root).
  std::unordered_map<std::string, Position> positions;

  // Position of `pointer`, or of its nearest ancestor that has one.
  Position PositionOf(const std::string& pointer) const;
  // A diagnostic for `pointer` with file, line and column filled in.
  Diagnostic Diag(const std::string& pointer, std::string message) const;
};

// Parses `text`. On a syntax error appends exactly one diagnostic
// "config.json:LINE:COL: <what>" and returns false.
bool ParseJson(std::string_view text, const std::string& filename, JsonDocument& out, Diagnostics& diags);

// Reads and parses a file; a read error is "config.json: <strerror>" (file = display name).
bool ReadJsonFile(const std::string& path, const std::string& display_name, JsonDocument& out,
                  Diagnostics& diags);

}  // namespace runc
