// Shared by the libFuzzer targets: what every diagnostic must look like, and how a broken promise
// is reported. A target reports a finding by aborting (libFuzzer saves the input as crash-*);
// sanitizer reports (ASan, UBSan with -fno-sanitize-recover) and uncaught exceptions abort too.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "schema/diag.h"

namespace runc::fuzz {

[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz: broken invariant: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void Check(bool ok, const std::string& what) {
  if (!ok) Fail(what);
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Lines in `text` as an editor counts them (a diagnostic's line can be one past the last newline).
inline int LineCount(std::string_view text) {
  int lines = 1;
  for (char c : text) lines += c == '\n';
  return lines;
}

// Every diagnostic about a document parsed from `text` names config.json with a line and column
// inside the text, and no stage may turn an exception into an "internal error".
inline void CheckDiagnostics(const Diagnostics& diags, std::string_view text, const char* stage) {
  const int lines = LineCount(text);
  for (const Diagnostic& d : diags) {
    const std::string s = d.ToString();
    Check(!d.message.empty(), std::string(stage) + ": empty message: " + s);
    // Messages quote the config, so only the form of the module's own catch blocks counts.
    Check(d.message.rfind("internal error", 0) != 0, std::string(stage) + ": " + s);
    Check(d.file == "config.json", std::string(stage) + ": diagnostic without the file: " + s);
    Check(d.line >= 1 && d.line <= lines && d.col >= 1,
          std::string(stage) + ": diagnostic without a position in the text: " + s);
    Check(d.pointer.empty() || d.pointer[0] == '/', std::string(stage) + ": bad pointer: " + s);
  }
}

// FNV-1a: a deterministic choice per input (the compile options to try), so that a saved crash
// reproduces.
inline uint64_t Hash(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace runc::fuzz
