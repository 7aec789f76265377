// `runc spec` must write what runc 1.1 writes (the fixtures are its real output), but as 1.3.0.
#include "schema/default_spec.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "schema/json_doc.h"
#include "schema/load.h"

namespace runc {
namespace {

nlohmann::json Fixture(const std::string& name) {
  std::ifstream in(std::string(RUNC_SOURCE_DIR) + "/tests/data/schema/" + name);
  EXPECT_TRUE(in.good()) << name;
  return nlohmann::json::parse(in);
}

// Compares field by field so that a mismatch names the field, not just "the documents differ".
void ExpectSameFields(const nlohmann::json& expected, const nlohmann::json& actual) {
  auto patch = nlohmann::json::diff(expected, actual);
  EXPECT_TRUE(patch.empty()) << "differences (JSON patch from runc's output to ours):\n" << patch.dump(2);
}

std::vector<std::string> SchemaErrors(const nlohmann::json& spec) {
  JsonDocument doc;
  Diagnostics diags;
  EXPECT_TRUE(ParseJson(spec.dump(2), "config.json", doc, diags));
  ValidateSchema(doc, diags);
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.ToString());
  return out;
}

TEST(DefaultSpecTest, IsRuncsDefaultWithOciVersion130) {
  nlohmann::json spec = DefaultSpec(false);
  EXPECT_EQ(spec["ociVersion"], "1.3.0");
  nlohmann::json runc = Fixture("runc-1.1.5-spec.json");
  ASSERT_EQ(runc["ociVersion"], "1.0.2-dev");
  runc["ociVersion"] = "1.3.0";
  ExpectSameFields(runc, spec);
}

TEST(DefaultSpecTest, RootlessIsRuncsRootlessDefault) {
  nlohmann::json runc = Fixture("runc-1.1.5-spec-rootless.json");
  runc["ociVersion"] = "1.3.0";
  // The fixture was generated as root, so the caller's ids were 0.
  ExpectSameFields(runc, DefaultSpec(true, 0, 0));
}

TEST(DefaultSpecTest, RootlessMapsTheCallersIds) {
  nlohmann::json spec = DefaultSpec(true, 1000, 1001);
  EXPECT_EQ(spec["linux"]["uidMappings"],
            nlohmann::json::parse(R"([{"containerID": 0, "hostID": 1000, "size": 1}])"));
  EXPECT_EQ(spec["linux"]["gidMappings"],
            nlohmann::json::parse(R"([{"containerID": 0, "hostID": 1001, "size": 1}])"));
  // Only the rootless default depends on the caller.
  EXPECT_EQ(DefaultSpec(false, 1000, 1001), DefaultSpec(false));
}

TEST(DefaultSpecTest, BothDefaultsPassTheSchema) {
  EXPECT_TRUE(SchemaErrors(DefaultSpec(false)).empty());
  EXPECT_TRUE(SchemaErrors(DefaultSpec(true, 1000, 1000)).empty());
}

}  // namespace
}  // namespace runc
