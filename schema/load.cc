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
  if (!ReadJsonFile(path, display_name, doc, diags)) return false;
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

}  // namespace runc
