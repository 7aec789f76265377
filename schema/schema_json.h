// Module-internal: the config parser of json_doc.cc without the position bookkeeping, for JSON the
// runtime itself embeds (the schema), where nobody needs a line:col and start-up time counts.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace runc {

// Parses `text` into `out` exactly as ParseJson would. On a syntax error returns false and, when
// `error` is not null, sets it to "LINE:COL: syntax error: <what>".
bool ParseJsonValue(std::string_view text, nlohmann::json& out, std::string* error);

}  // namespace runc
