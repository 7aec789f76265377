// libFuzzer target: config.json bytes -> ParseJson (the arena tree with offsets, schema/json_doc.h).
//
// Checks, besides the sanitizers: a syntax error is exactly one "config.json:LINE:COL: syntax
// error: ..." diagnostic inside the text; a parsed tree finds each of its values by its RFC 6901
// pointer, each value's offset is where the value starts in the text, and PositionOf/Diag work on
// any pointer; and the tree is the value nlohmann::json::parse makes of the same bytes (accepted
// and rejected alike, same dump()), as json_doc.cc promises.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schema/json_doc.h"
#include "tests/fuzz/fuzz_util.h"

namespace runc::fuzz {
namespace {

struct Walker {
  const JsonDocument& doc;
  std::string_view text;
  int lines;
  size_t visited = 0;

  void Visit(const JsonValue& v, std::string& pointer) {
    ++visited;
    Check(doc.root.at_pointer(pointer) == &v, "at_pointer does not find the value at \"" + pointer + "\"");
    Check(v.offset() < text.size(), "offset past the end at \"" + pointer + "\"");
    const char c = text[v.offset()];
    const bool starts = v.is_string()   ? c == '"'
                        : v.is_object() ? c == '{'
                        : v.is_array()  ? c == '['
                        : v.is_number() ? (c == '-' || (c >= '0' && c <= '9'))
                        : v.is_boolean() ? (c == 't' || c == 'f')
                                        : c == 'n';
    Check(starts, "offset of \"" + pointer + "\" is not where its value starts");
    // Positions cost a scan of the text each: only the first values (still every shape of line).
    if (visited <= 256) {
      Position pos = doc.PositionOf(pointer);
      Check(pos.line >= 1 && pos.line <= lines && pos.col >= 1, "bad position for \"" + pointer + "\"");
      (void)doc.Diag(pointer, "x").ToString();
    }
    if (v.is_string() && !v.str().empty() && v.str()[0] == '/' && visited <= 256) {
      // A string of the document as a pointer: arbitrary tokens, escapes and indices.
      (void)doc.root.at_pointer(v.str());
      (void)doc.PositionOf(v.str());
    }
    const size_t base = pointer.size();
    size_t i = 0;
    for (const JsonValue& e : v.elements()) {
      pointer += '/';
      pointer += std::to_string(i++);
      Visit(e, pointer);
      pointer.resize(base);
    }
    std::string_view previous;
    bool first = true;
    for (const JsonMember& m : v.items()) {
      const std::string_view key = m.first;
      Check(first || previous < key, "members not sorted or not unique at \"" + pointer + "\"");
      first = false;
      previous = key;
      Check(v.find(key) == &m.second, "find() misses member \"" + std::string(key) + "\"");
      pointer += '/';
      AppendPointerToken(pointer, key);
      Visit(m.second, pointer);
      pointer.resize(base);
    }
  }
};

void Run(std::string_view text) {
  JsonDocument doc;
  Diagnostics diags;
  const bool ok = ParseJson(text, "config.json", doc, diags);
  // nlohmann's parser does not recurse while parsing and (3.11) destroys iteratively, so any depth
  // is safe here.
  const nlohmann::json ref = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!ok) {
    Check(diags.size() == 1, "a syntax error must be one diagnostic");
    CheckDiagnostics(diags, text, "load");
    Check(diags[0].message.rfind("syntax error: ", 0) == 0, "not a syntax error: " + diags[0].ToString());
    Check(doc.root.is_null(), "a failed parse leaves a tree");
    // The depth limit is ours alone, and nlohmann takes a NUL byte where a token could start for
    // the end of the input (its lexer's "end of a C string"), so it accepts "{}\0junk": we do not.
    if (diags[0].message.find("nested deeper than") == std::string::npos && text.find('\0') == std::string_view::npos) {
      Check(ref.is_discarded(), "nlohmann accepts what we reject: " + diags[0].ToString());
    }
    return;
  }
  Check(diags.empty(), "diagnostics from a successful parse");
  Check(!ref.is_discarded(), "nlohmann rejects what we accept");
  Check(ToNlohmann(doc.root) == ref, "tree differs from nlohmann's value");
  Check(doc.root.dump() == ref.dump(), "dump() differs from nlohmann's");
  Check(doc.root.dump(2) == ref.dump(2), "dump(2) differs from nlohmann's");
  Check(doc.root == doc.root, "tree not equal to itself");
  std::string pointer;
  Walker{doc, doc.text(), LineCount(text)}.Visit(doc.root, pointer);
}

}  // namespace
}  // namespace runc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  runc::fuzz::Run(runc::fuzz::AsText(data, size));
  return 0;
}
