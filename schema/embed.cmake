# Turns the JSON Schema into a C++ source file holding it as a string (run at build time).
file(READ ${IN} content)
file(WRITE ${OUT} "// Generated from schema/config.schema.json by schema/embed.cmake. Do not edit.\n"
  "#include <string_view>\n"
  "namespace runc {\n"
  "extern const std::string_view kEmbeddedSchema;\n"
  "const std::string_view kEmbeddedSchema = R\"RUNC_SCHEMA(${content})RUNC_SCHEMA\";\n"
  "}  // namespace runc\n")
