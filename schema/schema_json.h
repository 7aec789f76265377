// Module-internal: the config parser of json_doc.cc for JSON the runtime itself embeds (the
// schema), where the text outlives the tree and start-up time counts.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "schema/diag.h"
#include "schema/json_doc.h"
#include "schema/json_value.h"

namespace runc {

// Parses `text` into a tree in `arena`, exactly as ParseJson would. Strings point into `text`,
// which must outlive the tree. On a syntax error returns false and, when `error` is not null, sets
// it to "LINE:COL: syntax error: <what>".
bool ParseJsonTree(std::string_view text, JsonArena& arena, JsonValue& out, std::string* error);

// The same, into an nlohmann::json.
bool ParseJsonValue(std::string_view text, nlohmann::json& out, std::string* error);

// For tests: whether `value` passes the schema according to ValidateSchema's pass/fail run and
// according to valijson's Validator, with the whole schema and with the schema pruned to the
// value's shape (what ValidateSchema uses for an OCI config). All four must always agree.
struct SchemaVerdicts {
  bool pass_fail = false;
  bool validator = false;
  bool pruned_pass_fail = false;
  bool pruned_validator = false;
};
SchemaVerdicts CompareSchemaVerdicts(const JsonValue& value);

// For tests: ValidateSchema's result and diagnostics with the pruned schema and with the whole
// one. They must always be equal.
struct SchemaDiagnostics {
  bool pruned_ok = false;
  bool full_ok = false;
  Diagnostics pruned;
  Diagnostics full;
};
SchemaDiagnostics CompareSchemaDiagnostics(const JsonDocument& doc);

// For tests: the definitions ValidateSchema prunes to the config's members, with the JSON pointer
// of the one place in a config where each applies.
std::vector<std::pair<std::string, std::string>> PrunedDefinitions();

}  // namespace runc
