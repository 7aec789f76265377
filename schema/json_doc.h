// Reading config.json into a JsonValue tree that remembers where every value starts, so that every
// later diagnostic (schema, semantic) can name config.json:LINE:COL.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// Users of this header have long received nlohmann::json through it.
#include <nlohmann/json.hpp>

#include "schema/diag.h"
#include "schema/json_value.h"

namespace runc {

struct Position {
  int line = 0;  // 1-based
  int col = 0;   // 1-based
};

// A parsed document: its tree, and the text the tree's offsets (and most of its strings) point
// into, both held in the document's arena. Move-only.
struct JsonDocument {
  JsonValue root;
  std::string filename;  // display name used in diagnostics ("config.json")

  JsonDocument() = default;
  JsonDocument(JsonDocument&&) noexcept = default;
  JsonDocument& operator=(JsonDocument&&) noexcept = default;

  // Position of the value at `pointer` (RFC 6901, "" is the root), or of its nearest ancestor that
  // exists; {0, 0} when the document was not parsed from text. Computed from the value's offset
  // on each call: positions are only needed for diagnostics.
  Position PositionOf(std::string_view pointer) const;
  // A diagnostic for `pointer` with file, line and column filled in.
  Diagnostic Diag(const std::string& pointer, std::string message) const;

  // Makes this a copy of `value` without positions (documents built in code, in tests).
  void Assign(const nlohmann::json& value);

  // The parsed text ("" when the document was not parsed).
  std::string_view text() const { return text_; }

 private:
  friend bool ParseJson(std::string_view, const std::string&, JsonDocument&, Diagnostics&);

  JsonArena arena_;
  std::string_view text_;
};

// Parses `text` (copied into the document). On a syntax error appends exactly one diagnostic
// "config.json:LINE:COL: <what>" and returns false.
bool ParseJson(std::string_view text, const std::string& filename, JsonDocument& out, Diagnostics& diags);

// The largest config ReadJsonFile reads. Real ones are a few KB (podman's is 10 KB).
inline constexpr size_t kMaxJsonFileSize = 16 * 1024 * 1024;

// Reads and parses a file; a read error is "config.json: <strerror>" (file = display name). What is
// not a regular file ("config.json: not a regular file") or is larger than kMaxJsonFileSize
// ("config.json: larger than 16 MiB") is refused before it is read.
bool ReadJsonFile(const std::string& path, const std::string& display_name, JsonDocument& out,
                  Diagnostics& diags);
// The same for a file the caller names on the command line (`runc exec --process FILE`): as runc,
// a pipe, `/dev/stdin` or `<(...)` is read too (blocking, to its end or past kMaxJsonFileSize:
// "larger than 16 MiB"); only a directory is refused ("is a directory").
bool ReadJsonInput(const std::string& path, const std::string& display_name, JsonDocument& out,
                   Diagnostics& diags);

}  // namespace runc
