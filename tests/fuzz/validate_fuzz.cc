// libFuzzer target: config.json bytes -> ParseJson -> ValidateSchema (valijson) -> ValidateSemantics
// -> SpecFromJson, the front end as LoadSpecText runs it (schema/load.h).
//
// Beyond the order LoadSpecText follows, the semantic pass and the Spec mapping also run on
// documents the schema rejected: both promise never to throw or misbehave on a document of any
// shape (semantic.cc, spec_from_json.cc). Checks, besides the sanitizers: every diagnostic names
// config.json:LINE:COL inside the text, none is an "internal error" (a caught exception), a stage
// that fails says why, and LoadSpecText agrees with the stages run one by one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "schema/load.h"
#include "tests/fuzz/fuzz_util.h"

namespace runc::fuzz {
namespace {

void Run(std::string_view text) {
  JsonDocument doc;
  Diagnostics diags;
  if (!ParseJson(text, "config.json", doc, diags)) return;  // load_fuzz covers syntax errors

  Diagnostics schema_diags;
  const bool schema_ok = ValidateSchema(doc, schema_diags);
  CheckDiagnostics(schema_diags, text, "schema");
  Check(schema_ok == schema_diags.empty(), "schema: result and diagnostics disagree");

  Diagnostics semantic_diags;
  const bool semantic_ok = ValidateSemantics(doc, semantic_diags);
  CheckDiagnostics(semantic_diags, text, "semantic");
  Check(semantic_ok == semantic_diags.empty(), "semantic: result and diagnostics disagree");

  const Spec spec = SpecFromJson(doc);
  (void)spec;

  // The front end as runc calls it: the same verdict, and the first stage's diagnostics.
  Spec loaded;
  Diagnostics load_diags;
  const bool load_ok = LoadSpecText(text, "config.json", loaded, load_diags);
  Check(load_ok == (schema_ok && semantic_ok), "LoadSpecText disagrees with the stages");
  if (!load_ok) {
    const Diagnostics& expected = schema_ok ? semantic_diags : schema_diags;
    Check(load_diags.size() == expected.size(), "LoadSpecText reports other diagnostics");
    for (size_t i = 0; i < expected.size(); ++i) {
      Check(load_diags[i].ToString() == expected[i].ToString(),
            "LoadSpecText reports other diagnostics: " + load_diags[i].ToString());
    }
  }
}

}  // namespace
}  // namespace runc::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  runc::fuzz::Run(runc::fuzz::AsText(data, size));
  return 0;
}
