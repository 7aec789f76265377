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

}  // namespace runc
