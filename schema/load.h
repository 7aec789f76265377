// The front end of the compiler: config.json -> validated, typed Spec.
#pragma once

#include <string>

#include "schema/diag.h"
#include "schema/json_doc.h"
#include "schema/spec.h"

namespace runc {

// JSON Schema validation (valijson) against the project's schema, embedded at build time.
// Selects the OCI or the pre-draft schema by the document's "ociVersion" / "version".
// Appends one diagnostic per error ("config.json:14:7: /process/args: expected array, got string")
// and returns true when there were none.
bool ValidateSchema(const JsonDocument& doc, Diagnostics& diags);

// Rules a schema cannot say (uts namespace for hostname, unknown capability names, ...).
// Runs on a document that passed ValidateSchema. Reports every problem, not just the first.
bool ValidateSemantics(const JsonDocument& doc, Diagnostics& diags);

// Maps a document that passed both validations onto the typed Spec (either format).
Spec SpecFromJson(const JsonDocument& doc);

// The whole front end: read, parse, validate schema, validate semantics, build the Spec.
// Schema errors stop before the semantic pass; syntax errors stop before both.
bool LoadSpec(const std::string& path, const std::string& display_name, Spec& out, Diagnostics& diags);
bool LoadSpecText(std::string_view text, const std::string& display_name, Spec& out, Diagnostics& diags);

// An OCI process document (`runc exec --process FILE`): the config's "process" object on its own.
// It is checked by the same schema and semantic rules as a config's process; diagnostics name the
// file with pointers relative to it ("process.json:3:11: /args: expected array, got string").
// The Process' own origins (rlimits, capabilities) keep their "/process" prefix.
bool LoadProcess(const std::string& path, const std::string& display_name, Process& out, Diagnostics& diags);
// A `linux.resources` document on its own (`runc update --resources FILE`), validated exactly as
// that field of a config.json is: the schema and the semantic rules. Diagnostics point into the
// document itself ("update.json:3:14: /memory/limit: expected integer, got string"). On success
// `out` is the typed Resources.
bool LoadResourcesText(std::string_view text, const std::string& display_name, Resources& out, Diagnostics& diags);

// The embedded JSON Schema text (for `runc validate --print-schema` and tests).
std::string_view EmbeddedSchema();

}  // namespace runc
