// The whole front end: LoadSpec / LoadSpecText run parse -> schema -> semantics -> Spec and stop at
// the first stage that fails.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema/default_spec.h"
#include "schema/load.h"

namespace runc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string DataPath(const std::string& name) { return std::string(RUNC_SOURCE_DIR) + "/tests/data/schema/" + name; }

std::vector<std::string> Strings(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.ToString());
  return out;
}

TEST(SchemaLoadTest, LoadsEveryRealConfig) {
  for (const char* name : {"runc-1.1.5-spec.json", "runc-1.1.5-spec-rootless.json", "crun-1.8.1-spec.json",
                           "podman-4.3.1-config.json", "containerd-1.6.20-config.json"}) {
    SCOPED_TRACE(name);
    Spec spec;
    Diagnostics diags;
    EXPECT_TRUE(LoadSpec(DataPath(name), "config.json", spec, diags));
    EXPECT_THAT(Strings(diags), IsEmpty());
    EXPECT_EQ(spec.format, SpecFormat::kOci);
    EXPECT_FALSE(spec.process.args.empty());
  }
}

TEST(SchemaLoadTest, LoadsThePreDraftSample) {
  Spec spec;
  Diagnostics diags;
  ASSERT_TRUE(LoadSpec(DataPath("pre-draft-2015-fixed.json"), "config.json", spec, diags));
  EXPECT_THAT(Strings(diags), IsEmpty());
  EXPECT_EQ(spec.format, SpecFormat::kPreDraft);
  EXPECT_EQ(spec.hostname, "shell");
  EXPECT_EQ(spec.mounts.size(), 7u);
  EXPECT_EQ(spec.linux.devices.size(), 6u);
  EXPECT_EQ(spec.linux.namespaces.size(), 5u);
}

TEST(SchemaLoadTest, PreDraftSampleAsWrittenIsASyntaxError) {
  Spec spec;
  Diagnostics diags;
  EXPECT_FALSE(LoadSpec(DataPath("pre-draft-2015-as-written.json"), "config.json", spec, diags));
  EXPECT_THAT(Strings(diags),
              ElementsAre("config.json:204:1: syntax error: unexpected '}', expected a member name (trailing comma?)"));
}

TEST(SchemaLoadTest, MissingFile) {
  Spec spec;
  Diagnostics diags;
  EXPECT_FALSE(LoadSpec(DataPath("no-such-config.json"), "config.json", spec, diags));
  EXPECT_THAT(Strings(diags), ElementsAre("config.json: no such file or directory"));
}

TEST(SchemaLoadTest, TheDefaultSpecLoads) {
  for (bool rootless : {false, true}) {
    Spec spec;
    Diagnostics diags;
    EXPECT_TRUE(LoadSpecText(DefaultSpec(rootless, 1000, 1000).dump(1, '\t'), "config.json", spec, diags));
    EXPECT_THAT(Strings(diags), IsEmpty());
    EXPECT_EQ(spec.oci_version, "1.3.0");
    EXPECT_EQ(spec.mounts.size(), 7u);
  }
}

TEST(SchemaLoadTest, EveryFieldOf13Loads) {
  Spec spec;
  Diagnostics diags;
  EXPECT_TRUE(LoadSpec(DataPath("oci-1.3-every-field.json"), "config.json", spec, diags));
  EXPECT_THAT(Strings(diags), IsEmpty());
}

TEST(SchemaLoadTest, SchemaErrorsStopBeforeTheSemanticPass) {
  // A hostname without a uts namespace is a semantic error; it is not reported while the schema
  // still fails, since the semantic pass may rely on the schema's guarantees.
  const char* text = "{\n"
                     "  \"ociVersion\": \"1.0.0\",\n"
                     "  \"hostname\": \"box\",\n"
                     "  \"process\": {\"cwd\": \"/\", \"args\": \"sh\"}\n"
                     "}\n";
  Spec spec;
  Diagnostics diags;
  EXPECT_FALSE(LoadSpecText(text, "config.json", spec, diags));
  EXPECT_THAT(Strings(diags), ElementsAre("config.json:4:35: /process/args: expected array, got string"));
}

TEST(SchemaLoadTest, SemanticErrorsAfterASchemaValidDocument) {
  const char* text = "{\n"
                     "  \"ociVersion\": \"1.0.0\",\n"
                     "  \"hostname\": \"box\",\n"
                     "  \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]},\n"
                     "  \"root\": {\"path\": \"rootfs\"}\n"
                     "}\n";
  Spec spec;
  Diagnostics diags;
  EXPECT_FALSE(LoadSpecText(text, "config.json", spec, diags));
  EXPECT_THAT(Strings(diags), ElementsAre("config.json:3:15: /hostname: hostname requires a uts namespace"));
}

}  // namespace
}  // namespace runc
