// Module-internal: the config parser of json_doc.cc for JSON the runtime itself embeds (the
// schema), where the text outlives the tree and start-up time counts.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "schema/json_value.h"

namespace runc {

// Parses `text` into a tree in `arena`, exactly as ParseJson would. Strings point into `text`,
// which must outlive the tree. On a syntax error returns false and, when `error` is not null, sets
// it to "LINE:COL: syntax error: <what>".
bool ParseJsonTree(std::string_view text, JsonArena& arena, JsonValue& out, std::string* error);

// The same, into an nlohmann::json.
bool ParseJsonValue(std::string_view text, nlohmann::json& out, std::string* error);

// For tests: whether `value` passes the schema according to ValidateSchema's pass/fail run and
// according to valijson's Validator. They must always agree.
struct SchemaVerdicts {
  bool pass_fail = false;
  bool validator = false;
};
SchemaVerdicts CompareSchemaVerdicts(const JsonValue& value);

}  // namespace runc
