// The front end: read -> parse (line:col) -> schema -> semantics -> typed Spec.
#include "schema/load.h"

#include <exception>
#include <string>

namespace runc {
namespace {

bool LoadDocument(const JsonDocument& doc, Spec& out, Diagnostics& diags) {
  // The semantic pass and the mapping may rely on the structure the schema guarantees, so neither
  // runs on a document that failed it.
  if (!ValidateSchema(doc, diags)) return false;
  if (!ValidateSemantics(doc, diags)) return false;
  try {
    out = SpecFromJson(doc);
  } catch (const std::exception& e) {
    diags.push_back(Diagnostic{doc.filename, 0, 0, "", std::string("internal error: ") + e.what(), 0});
    return false;
  }
  return true;
}

}  // namespace

bool LoadSpec(const std::string& path, const std::string& display_name, Spec& out, Diagnostics& diags) {
  JsonDocument doc;
  if (!ReadJsonFile(path, display_name, doc, diags)) return false;
  return LoadDocument(doc, out, diags);
}

bool LoadSpecText(std::string_view text, const std::string& display_name, Spec& out, Diagnostics& diags) {
  JsonDocument doc;
  if (!ParseJson(text, display_name, doc, diags)) return false;
  return LoadDocument(doc, out, diags);
}

bool LoadProcess(const std::string& path, const std::string& display_name, Process& out, Diagnostics& diags) {
  JsonDocument doc;
  if (!ReadJsonInput(path, display_name, doc, diags)) return false;
  // Validated as the process of a minimal config: the prefix is a line of its own, so a line of
  // the file is the next line of the whole and its columns are unchanged.
  std::string text = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, \"process\":\n";
  text.append(doc.text());
  text += "\n}";
  Spec spec;
  Diagnostics found;
  const bool ok = LoadSpecText(text, display_name, spec, found);
  for (auto& d : found) {
    if (d.line > 1) {
      --d.line;
    } else {
      d.line = d.col = 0;
    }
    if (d.pointer == "/process") {
      d.pointer.clear();
    } else if (d.pointer.rfind("/process/", 0) == 0) {
      d.pointer.erase(0, 8);
    }
    diags.push_back(std::move(d));
  }
  if (!ok) return false;
  out = std::move(spec.process);
  return true;
}

bool LoadResourcesText(std::string_view text, const std::string& display_name, Resources& out, Diagnostics& diags) {
  // The document is validated in its place in a minimal config: the prefix is on the document's
  // first line, so line numbers stay the document's and only line 1's columns shift.
  static constexpr std::string_view kPrefix =
      R"({"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"cwd":"/","args":["true"]},"linux":{"resources":)";
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    diags.push_back(Diagnostic{display_name, 0, 0, "", "empty document: expected a linux.resources object", 0});
    return false;
  }
  std::string wrapped;
  wrapped.reserve(kPrefix.size() + text.size() + 3);
  wrapped.append(kPrefix).append(text).append("\n}}");
  Spec spec;
  Diagnostics found;
  const bool ok = LoadSpecText(wrapped, display_name, spec, found);
  constexpr std::string_view kBase = "/linux/resources";
  for (auto& d : found) {
    if (d.line == 1 && d.col > static_cast<int>(kPrefix.size())) d.col -= static_cast<int>(kPrefix.size());
    else if (d.line == 1) d.col = 1;
    if (d.pointer.rfind(kBase, 0) == 0) d.pointer.erase(0, kBase.size());
    diags.push_back(std::move(d));
  }
  if (!ok) return false;
  out = spec.linux.resources.value_or(Resources{});
  return true;
}

}  // namespace runc
