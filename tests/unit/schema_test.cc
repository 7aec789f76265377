// ValidateSchema against the embedded JSON Schema: real configs pass, and broken ones give exactly
// one specific diagnostic per problem (pointer + line:col), none of valijson's enclosing noise.
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schema/json_doc.h"
#include "schema/load.h"
#include "schema/schema_json.h"

namespace runc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(RUNC_SOURCE_DIR) + "/tests/data/schema/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parse + schema validation, every diagnostic as text.
std::vector<std::string> Errors(std::string_view text) {
  JsonDocument doc;
  Diagnostics diags;
  if (ParseJson(text, "config.json", doc, diags)) {
    bool ok = ValidateSchema(doc, diags);
    EXPECT_EQ(ok, diags.empty());
  }
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.ToString());
  return out;
}

TEST(SchemaTest, EmbeddedSchemaIsDraft7Json) {
  auto schema = nlohmann::json::parse(EmbeddedSchema());
  EXPECT_EQ(schema["$schema"], "http://json-schema.org/draft-07/schema#");
  EXPECT_TRUE(schema["definitions"].contains("Oci"));
  EXPECT_TRUE(schema["definitions"].contains("PreDraft"));
}

// ValidateSchema explains valijson's errors by walking the schema again; the walker follows only
// these keywords, so a schema that starts using another one must extend it first.
void CheckKeywords(const nlohmann::json& schema, const std::string& where, bool in_if) {
  static const std::set<std::string> kWalked = {
      "$schema", "$comment", "title", "description", "definitions", "$ref", "type", "properties",
      "additionalProperties", "items", "required", "enum", "const", "minimum", "maximum", "minItems",
      "if", "then", "else"};
  static const std::set<std::string> kInIf = {"required", "not", "properties", "const", "type", "enum"};
  ASSERT_TRUE(schema.is_object()) << where;
  for (const auto& [key, value] : schema.items()) {
    EXPECT_TRUE(in_if ? kInIf.count(key) > 0 : kWalked.count(key) > 0) << where << ": " << key;
    if (key == "definitions" || key == "properties") {
      for (const auto& [name, sub] : value.items()) CheckKeywords(sub, where + "/" + key + "/" + name, in_if);
    } else if (key == "additionalProperties" || key == "items" || key == "then" || key == "else" || key == "not") {
      CheckKeywords(value, where + "/" + key, in_if);
    } else if (key == "if") {
      CheckKeywords(value, where + "/if", true);
    }
  }
}

TEST(SchemaTest, SchemaUsesOnlyKeywordsTheExplainerUnderstands) {
  CheckKeywords(nlohmann::json::parse(EmbeddedSchema()), "", false);
}

TEST(SchemaTest, RealConfigsValidate) {
  for (const char* name : {"runc-1.1.5-spec.json", "runc-1.1.5-spec-rootless.json", "crun-1.8.1-spec.json",
                           "podman-4.3.1-config.json", "containerd-1.6.20-config.json",
                           "pre-draft-2015-fixed.json", "oci-1.3-every-field.json"}) {
    SCOPED_TRACE(name);
    std::string text = ReadData(name);
    ASSERT_FALSE(text.empty());
    EXPECT_THAT(Errors(text), IsEmpty());
  }
}

// ValidateSchema decides valid or not with a pass/fail run of valijson's visitor that skips the
// error contexts (validate_schema.cc); valijson's Validator must always agree with it. Every config
// of the repository, and the fixtures with each value replaced by values of every type and with
// each member removed.
std::vector<std::filesystem::path> JsonFilesUnder(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(RUNC_SOURCE_DIR) + "/" + dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") out.push_back(entry.path());
  }
  return out;
}

// ValidateSchema builds, for an OCI config, a schema pruned to the members the config has (see
// PrunedDefinitions); it must give the verdicts and the messages of the whole schema.
void ExpectSameVerdicts(const nlohmann::json& value, const std::string& what) {
  JsonDocument doc;
  doc.Assign(value);
  const SchemaVerdicts v = CompareSchemaVerdicts(doc.root);
  EXPECT_EQ(v.pass_fail, v.validator) << what;
  EXPECT_EQ(v.pruned_pass_fail, v.pass_fail) << what;
  EXPECT_EQ(v.pruned_validator, v.validator) << what;
  const SchemaDiagnostics d = CompareSchemaDiagnostics(doc);
  EXPECT_EQ(d.pruned_ok, d.full_ok) << what;
  ASSERT_EQ(d.pruned.size(), d.full.size()) << what;
  for (size_t i = 0; i < d.full.size(); ++i) {
    EXPECT_EQ(d.pruned[i].pointer, d.full[i].pointer) << what;
    EXPECT_EQ(d.pruned[i].message, d.full[i].message) << what;
    EXPECT_EQ(d.pruned[i].line, d.full[i].line) << what;
  }
}

// What makes the pruning exact: each pruned definition is referenced once in the schema, from
// the property of the place it is said to apply at (the root's from the "else" branch), and
// constrains members with "properties" and "required" only.
TEST(SchemaTest, PrunedDefinitionsApplyAtOnePlaceOnly) {
  const nlohmann::json schema = nlohmann::json::parse(EmbeddedSchema());
  std::map<std::string, int> refs;
  std::function<void(const nlohmann::json&)> count = [&](const nlohmann::json& v) {
    if (v.is_object()) {
      for (const auto& [key, child] : v.items()) {
        if (key == "$ref" && child.is_string()) ++refs[child.get<std::string>()];
        count(child);
      }
    } else if (v.is_array()) {
      for (const auto& child : v) count(child);
    }
  };
  count(schema);
  const auto pruned = PrunedDefinitions();
  ASSERT_GE(pruned.size(), 3u);
  std::map<std::string, std::string> def_at;
  for (const auto& [def, pointer] : pruned) def_at[pointer] = def;
  for (const auto& [def, pointer] : pruned) {
    SCOPED_TRACE(def);
    const std::string ref = "#/definitions/" + def;
    EXPECT_EQ(refs[ref], 1);
    const nlohmann::json& d = schema["definitions"][def];
    for (const auto& [key, child] : d.items()) {
      EXPECT_TRUE(key == "type" || key == "required" || key == "properties" || key == "description") << key;
    }
    if (pointer.empty()) {
      EXPECT_EQ(schema["else"]["$ref"], ref);
      continue;
    }
    const size_t slash = pointer.rfind('/');
    const std::string parent = pointer.substr(0, slash), member = pointer.substr(slash + 1);
    ASSERT_TRUE(def_at.count(parent)) << "the place above " << pointer << " is not pruned";
    EXPECT_EQ(schema["definitions"][def_at[parent]]["properties"][member]["$ref"], ref);
  }
}

void CollectPointers(const nlohmann::json& value, const std::string& pointer, std::vector<std::string>& out) {
  out.push_back(pointer);
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      std::string token;
      for (char c : key) token += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      CollectPointers(child, pointer + "/" + token, out);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) CollectPointers(value[i], pointer + "/" + std::to_string(i), out);
  }
}

TEST(SchemaTest, PassFailRunAgreesWithValijsonOnEveryConfig) {
  size_t checked = 0;
  for (const char* dir : {"golden", "tests/data"}) {
    for (const auto& path : JsonFilesUnder(dir)) {
      std::ifstream in(path);
      std::stringstream ss;
      ss << in.rdbuf();
      nlohmann::json value = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
      if (value.is_discarded()) continue;  // the syntax-error cases
      ExpectSameVerdicts(value, path.string());
      ++checked;
    }
  }
  EXPECT_GT(checked, 50u);
}

TEST(SchemaTest, PassFailRunAgreesWithValijsonOnMutatedConfigs) {
  // A value of another kind everywhere, and numbers at the edges of the schema's ranges.
  const nlohmann::json numbers = nlohmann::json::parse("[-1, 4294967296, 18446744073709551615, 1.5]");
  // The pre-draft shares the traversal code: a value of another kind at each place is enough there.
  for (const char* name : {"oci-1.3-every-field.json", "pre-draft-2015-fixed.json"}) {
    const bool every_case = std::string_view(name) != "pre-draft-2015-fixed.json";
    nlohmann::json doc = nlohmann::json::parse(ReadData(name));
    std::vector<std::string> pointers;
    CollectPointers(doc, "", pointers);
    for (const auto& p : pointers) {
      // Each case changes `doc` in place and puts it back.
      const nlohmann::json::json_pointer pointer(p);
      nlohmann::json& value = doc[pointer];
      const nlohmann::json saved = value;
      nlohmann::json replacements = nlohmann::json::array({saved.is_object() ? nlohmann::json("x")
                                                                            : nlohmann::json{{"x", 1}}});
      if (every_case && saved.is_number()) replacements.insert(replacements.end(), numbers.begin(), numbers.end());
      for (const auto& r : replacements) {
        value = r;
        ExpectSameVerdicts(doc, std::string(name) + " " + p + " = " + r.dump());
      }
      value = saved;
      if (!every_case) continue;
      if (saved.is_object()) {
        value["unknownField"] = 1;
        ExpectSameVerdicts(doc, std::string(name) + " " + p + " + unknownField");
        value.erase("unknownField");
      }
      if (!p.empty() && doc[pointer.parent_pointer()].is_object()) {
        nlohmann::json& parent = doc[pointer.parent_pointer()];
        parent.erase(pointer.back());
        ExpectSameVerdicts(doc, std::string(name) + " without " + p);
        parent[pointer.back()] = saved;
      }
    }
  }
}

TEST(SchemaTest, PreDraftSampleAsWrittenStopsAtTheSyntaxError) {
  EXPECT_THAT(Errors(ReadData("pre-draft-2015-as-written.json")),
              ElementsAre("config.json:204:1: syntax error: unexpected '}', expected a member name (trailing comma?)"));
}

TEST(SchemaTest, UnknownFieldsAreIgnored) {
  // runtime-spec: implementations MUST NOT generate an error on an unknown property.
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "future": {"x": 1}, "process": {"cwd": "/", "later": []}})"),
              IsEmpty());
}

TEST(SchemaTest, WrongTypeNamesWhatWasExpected) {
  EXPECT_THAT(Errors("{\n"
                     "  \"ociVersion\": \"1.0.0\",\n"
                     "  \"process\": {\n"
                     "    \"cwd\": \"/\",\n"
                     "    \"args\": \"sh\"\n"
                     "  }\n"
                     "}\n"),
              ElementsAre("config.json:5:13: /process/args: expected array, got string"));
}

TEST(SchemaTest, MissingRequiredField) {
  EXPECT_THAT(Errors("{\n"
                     "  \"ociVersion\": \"1.0.0\",\n"
                     "  \"process\": {\n"
                     "    \"args\": [\"sh\"]\n"
                     "  },\n"
                     "  \"root\": {}\n"
                     "}\n"),
              ElementsAre("config.json:3:14: /process: missing required field \"cwd\"",
                          "config.json:6:11: /root: missing required field \"path\""));
}

TEST(SchemaTest, UnknownNamespaceTypeListsTheChoices) {
  EXPECT_THAT(Errors("{\n"
                     "  \"ociVersion\": \"1.0.0\",\n"
                     "  \"linux\": {\n"
                     "    \"namespaces\": [\n"
                     "      {\"type\": \"pid\"},\n"
                     "      {\"type\": \"pidd\"},\n"
                     "      {\"path\": \"/proc/1/ns/net\"}\n"
                     "    ]\n"
                     "  }\n"
                     "}\n"),
              ElementsAre("config.json:6:16: /linux/namespaces/1/type: \"pidd\" is not one of pid, network, mount, "
                          "ipc, uts, user, cgroup, time",
                          "config.json:7:7: /linux/namespaces/2: missing required field \"type\""));
}

TEST(SchemaTest, EmptyStringChoiceIsShownQuoted) {
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "linux": {"rootfsPropagation": "weird"}})"),
              ElementsAre("config.json:1:56: /linux/rootfsPropagation: \"weird\" is not one of \"\", private, "
                          "rprivate, shared, rshared, slave, rslave, unbindable, runbindable"));
}

TEST(SchemaTest, NumberRanges) {
  EXPECT_THAT(Errors("{\n"
                     "  \"ociVersion\": \"1.0.0\",\n"
                     "  \"process\": {\n"
                     "    \"cwd\": \"/\",\n"
                     "    \"user\": {\"uid\": -1, \"gid\": 4294967296},\n"
                     "    \"oomScoreAdj\": 1001\n"
                     "  },\n"
                     "  \"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"timeout\": 0}]}\n"
                     "}\n"),
              ElementsAre("config.json:5:21: /process/user/uid: -1 is less than the minimum 0",
                          "config.json:5:32: /process/user/gid: 4294967296 is greater than the maximum 4294967295",
                          "config.json:6:20: /process/oomScoreAdj: 1001 is greater than the maximum 1000",
                          "config.json:8:59: /hooks/prestart/0/timeout: 0 is less than the minimum 1"));
}

TEST(SchemaTest, Uint64BeyondInt64IsHandled) {
  // valijson reads integers through int64_t; RLIM_INFINITY must still pass and an oversized uid
  // must still fail.
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "process": {"cwd": "/", "rlimits": [)"
                     R"({"type": "RLIMIT_CORE", "soft": 18446744073709551615, "hard": 18446744073709551615}]}})"),
              IsEmpty());
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "process": {"cwd": "/", "user": {"uid": 18446744073709551615}}})"),
              ElementsAre("config.json:1:65: /process/user/uid: 18446744073709551615 is greater than the maximum "
                          "4294967295"));
}

// int64 fields above INT64_MAX used to pass (valijson reads them as negative int64_t) and were then
// dropped by the mapping: a pids limit of 2^63 became no limit at all.
TEST(SchemaTest, Int64BeyondItsRangeIsRefused) {
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "linux": {"resources": {"pids": {"limit": 9223372036854775807}}}})"),
              IsEmpty());
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "linux": {"resources": {"pids": {"limit": 9223372036854775808}}}})"),
              ElementsAre("config.json:1:67: /linux/resources/pids/limit: 9223372036854775808 is greater than the "
                          "maximum 9223372036854775807"));
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "linux": {"resources": {"memory": {"limit": 18446744073709551615}},)"
                     R"( "devices": [{"type": "c", "path": "/dev/x", "major": 9223372036854775809, "minor": 1}]}})"),
              ElementsAre("config.json:1:69: /linux/resources/memory/limit: 18446744073709551615 is greater than "
                          "the maximum 9223372036854775807",
                          "config.json:1:146: /linux/devices/0/major: 9223372036854775809 is greater than the "
                          "maximum 9223372036854775807"));
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "linux": {"resources": {"pids": {"limit": -9223372036854775808}}}})"),
              IsEmpty());
}

TEST(SchemaTest, EveryErrorIsReportedInFileOrder) {
  EXPECT_THAT(
      Errors("{\n"
             "  \"ociVersion\": \"1.0.0\",\n"
             "  \"process\": {\n"
             "    \"args\": \"sh\",\n"
             "    \"user\": {\"uid\": -1, \"gid\": \"0\"},\n"
             "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024}]\n"
             "  },\n"
             "  \"mounts\": [{\"destination\": \"/proc\", \"options\": \"nosuid,noexec\"}],\n"
             "  \"linux\": {\n"
             "    \"resources\": {\"memory\": {\"limit\": \"1g\", \"swappiness\": 200}, \"pids\": {}},\n"
             "    \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
             "      {\"names\": [], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 7, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}\n"
             "    ]}\n"
             "  },\n"
             "  \"hooks\": {\"poststop\": {}}\n"
             "}\n"),
      ElementsAre("config.json:3:14: /process: missing required field \"cwd\"",
                  "config.json:4:13: /process/args: expected array, got string",
                  "config.json:5:21: /process/user/uid: -1 is less than the minimum 0",
                  "config.json:5:32: /process/user/gid: expected integer, got string",
                  "config.json:6:17: /process/rlimits/0: missing required field \"hard\"",
                  "config.json:8:50: /mounts/0/options: expected array, got string",
                  "config.json:10:39: /linux/resources/memory/limit: expected integer, got string",
                  "config.json:10:59: /linux/resources/memory/swappiness: 200 is greater than the maximum 100",
                  "config.json:10:73: /linux/resources/pids: missing required field \"limit\"",
                  "config.json:12:17: /linux/seccomp/syscalls/0/names: expected at least 1 item, got 0",
                  "config.json:12:68: /linux/seccomp/syscalls/0/args/0/index: 7 is greater than the maximum 5",
                  "config.json:15:25: /hooks/poststop: expected array, got object"));
}

TEST(SchemaTest, NewerRuntimeSpecFields) {
  EXPECT_THAT(
      Errors("{\n"
             "  \"ociVersion\": \"1.2.0\",\n"
             "  \"process\": {\n"
             "    \"cwd\": \"/\",\n"
             "    \"scheduler\": {\"policy\": \"SCHED_NORMAL\", \"nice\": 20},\n"
             "    \"ioPriority\": {\"priority\": 8},\n"
             "    \"consoleSize\": {\"height\": 25}\n"
             "  },\n"
             "  \"mounts\": [{\"destination\": \"/d\", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1}]}],\n"
             "  \"linux\": {\n"
             "    \"timeOffsets\": {\"monotonic\": {\"secs\": \"10\"}},\n"
             "    \"personality\": {\"domain\": \"LINUX64\"},\n"
             "    \"memoryPolicy\": {\"nodes\": \"0\", \"flags\": [\"MPOL_F_BOGUS\"]},\n"
             "    \"netDevices\": {\"eth0\": {\"name\": 1}},\n"
             "    \"intelRdt\": {\"schemata\": 5},\n"
             "    \"resources\": {\"rdma\": {\"mlx\": {\"hcaHandles\": -1}}, \"unified\": {\"cpu.max\": 5}}\n"
             "  },\n"
             "  \"annotations\": {\"a\": 1}\n"
             "}\n"),
      ElementsAre(
          "config.json:5:29: /process/scheduler/policy: \"SCHED_NORMAL\" is not one of SCHED_OTHER, SCHED_FIFO, "
          "SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE",
          "config.json:5:53: /process/scheduler/nice: 20 is greater than the maximum 19",
          "config.json:6:19: /process/ioPriority: missing required field \"class\"",
          "config.json:6:32: /process/ioPriority/priority: 8 is greater than the maximum 7",
          "config.json:7:20: /process/consoleSize: missing required field \"width\"",
          "config.json:9:52: /mounts/0/uidMappings/0: missing required field \"size\"",
          "config.json:11:43: /linux/timeOffsets/monotonic/secs: expected integer, got string",
          "config.json:12:31: /linux/personality/domain: \"LINUX64\" is not one of LINUX, LINUX32",
          "config.json:13:21: /linux/memoryPolicy: missing required field \"mode\"",
          "config.json:13:46: /linux/memoryPolicy/flags/0: \"MPOL_F_BOGUS\" is not one of MPOL_F_NUMA_BALANCING, "
          "MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES",
          "config.json:14:37: /linux/netDevices/eth0/name: expected string, got integer",
          "config.json:15:30: /linux/intelRdt/schemata: expected array or string, got integer",
          "config.json:16:50: /linux/resources/rdma/mlx/hcaHandles: -1 is less than the minimum 0",
          "config.json:16:79: /linux/resources/unified/cpu.max: expected string, got integer",
          "config.json:18:24: /annotations/a: expected string, got integer"));
}

TEST(SchemaTest, DocumentLevelErrors) {
  EXPECT_THAT(Errors("[1]"), ElementsAre("config.json:1:1: expected object, got array"));
  EXPECT_THAT(Errors("{}"), ElementsAre("config.json:1:1: missing required field \"ociVersion\""));
  EXPECT_THAT(Errors(R"({"ociVersion": 1, "process": "x"})"),
              ElementsAre("config.json:1:16: /ociVersion: expected string, got integer",
                          "config.json:1:30: /process: expected object, got string"));
}

// An OCI config written with pre-draft habits gets OCI errors, not "does not match oneOf".
TEST(SchemaTest, OciConfigWithPreDraftFields) {
  EXPECT_THAT(Errors("{\n"
                     "  \"ociVersion\": \"1.0.2\",\n"
                     "  \"process\": {\n"
                     "    \"cwd\": \"/\",\n"
                     "    \"args\": [\"sh\"],\n"
                     "    \"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": null},\n"
                     "    \"rlimits\": [{\"type\": 7, \"hard\": 1024, \"soft\": 1024}]\n"
                     "  },\n"
                     "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
                     "  \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\", \"options\": \"\"}],\n"
                     "  \"linux\": {\n"
                     "    \"uidMapping\": null,\n"
                     "    \"capabilities\": [\"KILL\"],\n"
                     "    \"devices\": [{\"type\": 99, \"path\": \"/dev/null\", \"major\": 1, \"minor\": 3}]\n"
                     "  }\n"
                     "}\n"),
              ElementsAre("config.json:6:52: /process/user/additionalGids: expected array, got null",
                          "config.json:7:26: /process/rlimits/0/type: expected string, got integer",
                          "config.json:10:84: /mounts/0/options: expected array, got string",
                          "config.json:14:26: /linux/devices/0/type: expected string, got integer"));
}

// And a pre-draft config written with OCI habits gets pre-draft errors.
TEST(SchemaTest, PreDraftConfigWithOciFields) {
  EXPECT_THAT(Errors("{\n"
                     "  \"version\": \"pre-draft\",\n"
                     "  \"process\": {\"args\": [\"sh\"], \"user\": {\"additionalGids\": null}},\n"
                     "  \"root\": {\"path\": \"rootfs\"},\n"
                     "  \"mounts\": [{\"destination\": \"/proc\", \"options\": [\"nosuid\"]}],\n"
                     "  \"linux\": {\n"
                     "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 1}],\n"
                     "    \"capabilities\": {\"bounding\": []},\n"
                     "    \"devices\": [{\"type\": \"c\", \"path\": \"/dev/null\"}],\n"
                     "    \"resources\": {\"memory\": {\"swappiness\": -1}, \"network\": {\"classId\": 1}}\n"
                     "  }\n"
                     "}\n"),
              ElementsAre("config.json:5:50: /mounts/0/options: expected string, got array",
                          "config.json:7:26: /linux/rlimits/0/type: expected integer, got string",
                          "config.json:8:21: /linux/capabilities: expected array or null, got object",
                          "config.json:9:26: /linux/devices/0/type: expected integer, got string",
                          "config.json:10:72: /linux/resources/network/classId: expected string, got integer"));
}

TEST(SchemaTest, PreDraftVersionAndRequiredFields) {
  EXPECT_THAT(Errors(R"({"version": "1.0"})"),
              ElementsAre("config.json:1:1: missing required field \"process\"",
                          "config.json:1:1: missing required field \"root\"",
                          "config.json:1:13: /version: expected \"pre-draft\", got \"1.0\""));
  // ociVersion wins when both are there: "version" is then an unknown (ignored) field.
  EXPECT_THAT(Errors(R"({"ociVersion": "1.0.0", "version": "pre-draft", "mounts": [{"destination": "/p", "options": "ro"}]})"),
              ElementsAre("config.json:1:93: /mounts/0/options: expected array, got string"));
}

TEST(SchemaTest, PreDraftAcceptsItsNulls) {
  EXPECT_THAT(Errors(R"({"version": "pre-draft", "process": {"args": ["sh"], "cwd": "", "user": {"additionalGids": null}},
    "root": {"path": "rootfs"}, "mounts": null,
    "linux": {"uidMapping": null, "gidMapping": null, "rlimits": null, "systemProperties": null,
              "namespaces": null, "capabilities": null, "devices": null,
              "resources": {"hugepageLimits": null, "network": {"priorities": null}, "memory": {"swappiness": -1}}}})"),
              IsEmpty());
}

}  // namespace
}  // namespace runc
