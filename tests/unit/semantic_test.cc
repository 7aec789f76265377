#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "schema/load.h"

namespace runc {
namespace {

namespace fs = std::filesystem;

const fs::path kDataDir = fs::path(RUNC_SOURCE_DIR) / "tests" / "data" / "semantic";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> Messages(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.ToString());
  return out;
}

// Runs the semantic pass on a file parsed with positions (as LoadSpec does).
std::vector<std::string> CheckFile(const fs::path& path, bool* ok = nullptr) {
  JsonDocument doc;
  Diagnostics diags;
  if (!ParseJson(ReadFile(path), "config.json", doc, diags)) {
    ADD_FAILURE() << "cannot parse " << path;
    return Messages(diags);
  }
  const bool valid = ValidateSemantics(doc, diags);
  if (ok) *ok = valid;
  EXPECT_EQ(valid, diags.empty());
  return Messages(diags);
}

// Documents built in code carry no positions: diagnostics then read "config.json: /pointer: message".
std::vector<std::string> CheckJson(const nlohmann::json& root) {
  JsonDocument doc;
  doc.Assign(root);
  doc.filename = "config.json";
  Diagnostics diags;
  const bool valid = ValidateSemantics(doc, diags);
  EXPECT_EQ(valid, diags.empty());
  return Messages(diags);
}

nlohmann::json MinimalOci() {
  return nlohmann::json::parse(R"({
    "ociVersion": "1.3.0",
    "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"},
    "root": {"path": "rootfs"},
    "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}
  })");
}

nlohmann::json MinimalPreDraft() {
  return nlohmann::json::parse(R"({
    "version": "pre-draft",
    "platform": {"os": "linux", "arch": "amd64"},
    "process": {"terminal": false, "user": {"uid": 0, "gid": 0, "additionalGids": null},
                "args": ["sh"], "env": null, "cwd": ""},
    "root": {"path": "rootfs", "readonly": false},
    "mounts": [],
    "linux": {"namespaces": [{"type": "pid", "path": ""}, {"type": "mount", "path": ""}]}
  })");
}

TEST(SemanticFixturesTest, ValidConfigsPass) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kDataDir / "valid")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    bool ok = false;
    EXPECT_EQ(CheckFile(entry.path(), &ok), std::vector<std::string>{});
    EXPECT_TRUE(ok);
    ++count;
  }
  // The six real configs from ../shared/fixtures plus our own edge cases.
  EXPECT_GE(count, 8);
}

// Each invalid/NAME.json comes with NAME.errors: every diagnostic, in order, one a line.
TEST(SemanticFixturesTest, InvalidConfigsReportEveryError) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kDataDir / "invalid")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    fs::path expected = entry.path();
    expected.replace_extension(".errors");
    ASSERT_TRUE(fs::exists(expected)) << expected;
    bool ok = true;
    const auto got = CheckFile(entry.path(), &ok);
    EXPECT_FALSE(ok);
    EXPECT_EQ(got, Lines(ReadFile(expected)));
    ++count;
  }
  EXPECT_GE(count, 15);
}

// Through the whole front end (LoadSpec: parse, schema, semantics) the invalid fixtures pass the
// schema, so what a user sees is exactly the semantic diagnostics; the valid ones load.
TEST(SemanticFixturesTest, LoadSpecReachesTheSemanticPass) {
  for (const auto& dir : {"valid", "invalid"}) {
    for (const auto& entry : fs::directory_iterator(kDataDir / dir)) {
      if (entry.path().extension() != ".json") continue;
      SCOPED_TRACE(entry.path().filename().string());
      Spec spec;
      Diagnostics diags;
      const bool ok = LoadSpec(entry.path().string(), "config.json", spec, diags);
      if (std::string(dir) == "valid") {
        EXPECT_TRUE(ok);
        EXPECT_EQ(Messages(diags), std::vector<std::string>{});
      } else {
        fs::path expected = entry.path();
        expected.replace_extension(".errors");
        EXPECT_FALSE(ok);
        EXPECT_EQ(Messages(diags), Lines(ReadFile(expected)));
      }
    }
  }
}

TEST(SemanticFixturesTest, SeveralErrorsAllReported) {
  const auto got = CheckFile(kDataDir / "invalid" / "many-errors.json");
  EXPECT_EQ(got, (std::vector<std::string>{
                     "config.json:2:17: /ociVersion: unsupported ociVersion \"3.1.0\" (want 1.x)",
                     "config.json:8:13: /process/args: args must not be empty",
                     "config.json:15:9: /process/capabilities/effective/0: unknown capability \"CAP_NOPE\"",
                     "config.json:32:15: /hostname: hostname requires a uts namespace",
                     "config.json:35:22: /mounts/0/destination: mount destination \"proc\" is not absolute",
                     "config.json:51:17: /linux/namespaces/1/type: duplicate namespace \"pid\"",
                     "config.json:57:20: /linux/cgroupsPath: cgroupsPath \"../escape\" must not contain \"..\"",
                     "config.json:61:9: /linux/seccomp/architectures/0: unknown seccomp architecture "
                     "\"SCMP_ARCH_PDP11\"",
                 }));
}

TEST(SemanticTest, MinimalConfigsPass) {
  EXPECT_EQ(CheckJson(MinimalOci()), std::vector<std::string>{});
  EXPECT_EQ(CheckJson(MinimalPreDraft()), std::vector<std::string>{});
}

TEST(SemanticTest, HostnameNeedsUts) {
  auto c = MinimalOci();
  c["hostname"] = "box";
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{"config.json: /hostname: hostname requires a uts namespace"});
  c["hostname"] = "";  // runc ignores an empty hostname
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{});
  c["hostname"] = "box";
  c["linux"]["namespaces"].push_back({{"type", "uts"}, {"path", "/proc/1/ns/uts"}});  // joined is fine
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{});
}

TEST(SemanticTest, NamespacePaths) {
  auto c = MinimalOci();
  c["linux"]["namespaces"] = nlohmann::json::parse(R"([
    {"type": "pid", "path": ""}, {"type": "network", "path": "/var/run/netns/x"},
    {"type": "ipc", "path": "ipcns"}, {"type": "time", "path": "/proc/1/ns/time"},
    {"type": "cgroup", "path": "/proc/1/ns/cgroup"}, {"type": "mount"}])");
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{
                              "config.json: /linux/namespaces/2/path: namespace path \"ipcns\" is not absolute"});
}

TEST(SemanticTest, UserNamespaceAndMappings) {
  auto c = MinimalOci();
  c["linux"]["uidMappings"] = nlohmann::json::parse(R"([{"containerID": 0, "hostID": 1000, "size": 1}])");
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{
                              "config.json: /linux/uidMappings: uid mappings require a user namespace"});
  c["linux"]["namespaces"].push_back({{"type", "user"}});
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{
                              "config.json: /linux/namespaces/2: user namespace requires linux.gidMappings"});
  c["linux"]["gidMappings"] = c["linux"]["uidMappings"];
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{});

  auto p = MinimalPreDraft();
  p["linux"]["namespaces"].push_back({{"type", "user"}, {"path", ""}});
  p["linux"]["uidMapping"] = nullptr;
  EXPECT_EQ(CheckJson(p), (std::vector<std::string>{
                              "config.json: /linux/namespaces/2: user namespace requires linux.uidMapping",
                              "config.json: /linux/namespaces/2: user namespace requires linux.gidMapping"}));
}

TEST(SemanticTest, UnknownCapabilityPerSet) {
  auto c = MinimalOci();
  c["process"]["capabilities"] = nlohmann::json::parse(
      R"({"bounding": ["CAP_KILL", "CAP_CHOWN", "CAP_FOO"], "permitted": ["CAP_BPF"], "ambient": ["CAP_BAR"]})");
  EXPECT_EQ(CheckJson(c), (std::vector<std::string>{
                              "config.json: /process/capabilities/bounding/2: unknown capability \"CAP_FOO\"",
                              "config.json: /process/capabilities/ambient/0: unknown capability \"CAP_BAR\""}));
  auto p = MinimalPreDraft();
  p["linux"]["capabilities"] = {"AUDIT_WRITE", "CAP_KILL", "NOPE"};
  EXPECT_EQ(CheckJson(p), std::vector<std::string>{"config.json: /linux/capabilities/2: unknown capability \"NOPE\""});
}

TEST(SemanticTest, Rlimits) {
  auto c = MinimalOci();
  c["process"]["rlimits"] = nlohmann::json::parse(R"([
    {"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024},
    {"type": "RLIMIT_NOPE", "soft": 1, "hard": 1},
    {"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}])");
  EXPECT_EQ(CheckJson(c), (std::vector<std::string>{
                              "config.json: /process/rlimits/0: soft limit 2048 is greater than hard limit 1024",
                              "config.json: /process/rlimits/1/type: unknown rlimit \"RLIMIT_NOPE\"",
                              "config.json: /process/rlimits/2/type: duplicate rlimit \"RLIMIT_NOFILE\""}));
  auto p = MinimalPreDraft();
  p["linux"]["rlimits"] = nlohmann::json::parse(R"([{"type": 15, "soft": 1, "hard": 1}, {"type": -1, "soft": 1, "hard": 1}])");
  EXPECT_EQ(CheckJson(p), std::vector<std::string>{"config.json: /linux/rlimits/1/type: unknown rlimit type -1"});
}

TEST(SemanticTest, OciVersion) {
  const std::pair<const char*, const char*> cases[] = {
      {"1.0.0", nullptr},
      {"1.0.2-dev", nullptr},
      {"1.3.0", nullptr},
      {"1.2.0+build.5", nullptr},
      {"2.0.0", "config.json: /ociVersion: unsupported ociVersion \"2.0.0\" (want 1.x)"},
      {"0.9", "config.json: /ociVersion: unsupported ociVersion \"0.9\" (want 1.x)"},
      {"0.5.0", "config.json: /ociVersion: unsupported ociVersion \"0.5.0\" (want 1.x)"},
      {"10.0.0", "config.json: /ociVersion: unsupported ociVersion \"10.0.0\" (want 1.x)"},
      {"1", "config.json: /ociVersion: invalid ociVersion \"1\""},
      {"1.0", "config.json: /ociVersion: invalid ociVersion \"1.0\""},
      {"1.0.0-", "config.json: /ociVersion: invalid ociVersion \"1.0.0-\""},
      {"v1.0.0", "config.json: /ociVersion: invalid ociVersion \"v1.0.0\""},
      {"", "config.json: /ociVersion: invalid ociVersion \"\""},
  };
  for (const auto& [version, want] : cases) {
    SCOPED_TRACE(version);
    auto c = MinimalOci();
    c["ociVersion"] = version;
    EXPECT_EQ(CheckJson(c), want ? std::vector<std::string>{want} : std::vector<std::string>{});
  }
}

TEST(SemanticTest, ProcessArgs) {
  auto c = MinimalOci();
  c["process"]["args"] = nlohmann::json::array();
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{"config.json: /process/args: args must not be empty"});
  c["process"].erase("args");
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{"config.json: /process: process requires args"});
}

// Without root the bundle directory used to become the rootfs; without process there is nothing to
// create. runc refuses both; the pre-draft schema already requires them.
TEST(SemanticTest, RootAndProcessAreRequired) {
  auto c = MinimalOci();
  c.erase("root");
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{"config.json: missing required field \"root\""});
  c = MinimalOci();
  c.erase("process");
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{"config.json: missing required field \"process\""});
  c.erase("root");
  EXPECT_EQ(CheckJson(c), (std::vector<std::string>{"config.json: missing required field \"root\"",
                                                    "config.json: missing required field \"process\""}));
  c = MinimalOci();
  c["root"]["path"] = "";
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{"config.json: /root/path: root path must not be empty"});
  auto p = MinimalPreDraft();
  p["root"]["path"] = "";
  EXPECT_EQ(CheckJson(p), std::vector<std::string>{"config.json: /root/path: root path must not be empty"});
}

TEST(SemanticTest, RootAndProcessMissingWithPositions) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson("{\n  \"ociVersion\": \"1.3.0\"\n}\n", "config.json", doc, diags));
  EXPECT_FALSE(ValidateSemantics(doc, diags));
  EXPECT_EQ(Messages(diags), (std::vector<std::string>{"config.json:1:1: missing required field \"root\"",
                                                       "config.json:1:1: missing required field \"process\""}));
}

TEST(SemanticTest, EnvironmentEntriesNeedAnEqualsSign) {
  auto c = MinimalOci();
  c["process"]["env"] = {"PATH=/bin", "EMPTY=", "A==b", "NOEQUALS", "=value", ""};
  c["hooks"] = nlohmann::json::parse(R"({
    "prestart": [{"path": "/bin/true", "env": ["OK=1"]}],
    "poststop": [{"path": "/bin/true"}, {"path": "/bin/true", "env": ["HOOKVAR", "X=1"]}]})");
  EXPECT_EQ(CheckJson(c), (std::vector<std::string>{
                              "config.json: /process/env/3: environment variable \"NOEQUALS\" has no \"=\"",
                              "config.json: /process/env/4: environment variable \"=value\" has an empty name",
                              "config.json: /process/env/5: environment variable \"\" has no \"=\"",
                              "config.json: /hooks/poststop/1/env/0: environment variable \"HOOKVAR\" has no \"=\""}));
  auto p = MinimalPreDraft();
  p["process"]["env"] = {"TERM=xterm", "BARE"};
  EXPECT_EQ(CheckJson(p), std::vector<std::string>{
                              "config.json: /process/env/1: environment variable \"BARE\" has no \"=\""});
}

// An escaped NUL would cut the C string the executor makes of a value short ("sh\u0000evil" would
// run "sh"): every string and member name is refused with one.
TEST(SemanticTest, StringsWithANulCharacterAreRefused) {
  using namespace std::string_literals;
  auto c = MinimalOci();
  c["process"]["args"] = {"sh\0evil"s, "-c"};
  c["process"]["env"] = {"A=1\0B=2"s};
  c["root"]["path"] = "rootfs\0/../../"s;
  c["linux"]["sysctl"] = {{"net.ipv4.ip_forward\0x"s, "1"}};
  c["linux"]["namespaces"].push_back({{"type", "network"}});
  c["annotations"] = {{"k", std::string(50, 'a') + "\0"s}};
  EXPECT_EQ(CheckJson(c), (std::vector<std::string>{
                              "config.json: /annotations/k: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" contains a "
                              "NUL character",
                              "config.json: /linux/sysctl: member name \"net.ipv4.ip_forward\\u0000x\" contains a NUL "
                              "character",
                              "config.json: /process/args/0: \"sh\\u0000evil\" contains a NUL character",
                              "config.json: /process/env/0: \"A=1\\u0000B=2\" contains a NUL character",
                              "config.json: /root/path: \"rootfs\\u0000/../../\" contains a NUL character"}));
}

TEST(SemanticTest, NulCharactersAreReportedWithTheirPositions) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson(R"({
  "ociVersion": "1.3.0",
  "process": {"cwd": "/", "args": ["sh\u0000evil"]},
  "root": {"path": "rootfs\u0000"},
  "annotations": {"a\u0000b": "c"}
})",
                        "config.json", doc, diags));
  EXPECT_FALSE(ValidateSemantics(doc, diags));
  EXPECT_EQ(Messages(diags), (std::vector<std::string>{
                                 "config.json:3:36: /process/args/0: \"sh\\u0000evil\" contains a NUL character",
                                 "config.json:4:20: /root/path: \"rootfs\\u0000\" contains a NUL character",
                                 "config.json:5:31: /annotations: member name \"a\\u0000b\" contains a NUL character"}));
}

// Parsed text is only walked for NULs when it contains "\u0000"; after an escaped backslash that
// is no NUL.
TEST(SemanticTest, TextWithoutANulEscapeHasNoNul) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson(R"({"ociVersion": "1.3.0", "process": {"cwd": "/", "args": ["echo", "\\u0000"]},
                             "root": {"path": "rootfs"}})",
                        "config.json", doc, diags));
  ASSERT_EQ(doc.root.at_pointer("/process/args/1")->str(), "\\u0000");
  EXPECT_TRUE(ValidateSemantics(doc, diags));
  EXPECT_EQ(Messages(diags), std::vector<std::string>{});
}

TEST(SemanticTest, CgroupsPath) {
  const std::pair<const char*, const char*> cases[] = {
      {"/default/d1", nullptr},
      {"libpod_parent/libpod-1", nullptr},
      {"/a..b/..c", nullptr},
      {"system.slice:docker:abc", nullptr},
      {":runc:abc", nullptr},
      {"", nullptr},
      {"/a/../b", "config.json: /linux/cgroupsPath: cgroupsPath \"/a/../b\" must not contain \"..\""},
      {"..", "config.json: /linux/cgroupsPath: cgroupsPath \"..\" must not contain \"..\""},
      {"a/..", "config.json: /linux/cgroupsPath: cgroupsPath \"a/..\" must not contain \"..\""},
      {"a:b", "config.json: /linux/cgroupsPath: cgroupsPath \"a:b\" is neither a path nor \"slice:prefix:name\""},
      {"machine:runc:x", "config.json: /linux/cgroupsPath: invalid slice \"machine\" in cgroupsPath \"machine:runc:x\""},
      {"x.slice:a/b:c", "config.json: /linux/cgroupsPath: cgroupsPath \"x.slice:a/b:c\" has \"/\" in its prefix or name"},
  };
  for (const auto& [path, want] : cases) {
    SCOPED_TRACE(path);
    auto c = MinimalOci();
    c["linux"]["cgroupsPath"] = path;
    EXPECT_EQ(CheckJson(c), want ? std::vector<std::string>{want} : std::vector<std::string>{});
  }
}

TEST(SemanticTest, PreDraftDevices) {
  auto p = MinimalPreDraft();
  p["linux"]["devices"] = nlohmann::json::parse(R"([
    {"type": 99, "path": "/dev/null", "major": 1, "minor": 3, "permissions": "rwm", "fileMode": 438, "uid": 0, "gid": 0},
    {"type": 98, "path": "/dev/sda", "major": 8, "minor": 0, "permissions": "", "fileMode": 432, "uid": 0, "gid": 0},
    {"type": 97, "path": "/dev/x", "major": 1, "minor": 1, "permissions": "rwm"},
    {"type": 112, "path": "/dev/fifo", "major": 1, "permissions": "rwm"}])");
  EXPECT_EQ(CheckJson(p), std::vector<std::string>{"config.json: /linux/devices/2/type: unknown device type 97"});
}

// runtime-spec: major and minor are required for c, b and u, optional (not forbidden) for p.
TEST(SemanticTest, FifoDevicesMayCarryMajorAndMinor) {
  auto c = MinimalOci();
  c["linux"]["devices"] = nlohmann::json::parse(R"([
    {"type": "p", "path": "/dev/fifo0"},
    {"type": "p", "path": "/dev/fifo1", "major": 0, "minor": 0},
    {"type": "p", "path": "/dev/fifo2", "major": 4, "minor": 5},
    {"type": "c", "path": "/dev/c", "major": 1}])");
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{"config.json: /linux/devices/3: minor is required for device type \"c\""});
}

TEST(SemanticTest, PreDraftStringResources) {
  auto p = MinimalPreDraft();
  p["linux"]["resources"] = nlohmann::json::parse(R"({
    "blockIO": {"blkioWeightDevice": "8:0 500\n8:16 300\n", "blkioThrottleReadBpsDevice": "8:0 1048576",
                "blkioThrottleWriteBpsDevice": "", "blkioThrottleReadIopsDevice": "8 100",
                "blkioThrottleWriteIopsDevice": "8:0 x"},
    "network": {"classId": "0x100001", "priorities": null}})");
  EXPECT_EQ(CheckJson(p), (std::vector<std::string>{
                              "config.json: /linux/resources/blockIO/blkioThrottleReadIopsDevice: invalid blkio device "
                              "list \"8 100\" (want \"MAJOR:MINOR VALUE\" lines)",
                              "config.json: /linux/resources/blockIO/blkioThrottleWriteIopsDevice: invalid blkio "
                              "device list \"8:0 x\" (want \"MAJOR:MINOR VALUE\" lines)"}));
}

TEST(SemanticTest, PreDraftEmptyNamespacePathMeansNone) {
  auto p = MinimalPreDraft();
  p["hostname"] = "shell";
  p["linux"]["namespaces"].push_back({{"type", "uts"}, {"path", ""}});
  p["linux"]["namespaces"].push_back({{"type", "time"}, {"path", ""}});
  p["linux"]["timeOffsets"] = nlohmann::json::parse(R"({"monotonic": {"secs": 1}})");
  // An empty path creates the namespace, so time offsets may be set on it.
  EXPECT_EQ(CheckJson(p), std::vector<std::string>{});
}

TEST(SemanticTest, SeccompSyscallsResolvedByLibseccomp) {
  auto c = MinimalOci();
  c["linux"]["seccomp"] = nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
                      "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390X", "SCMP_ARCH_MIPSEL64N32"],
    "syscalls": [
      {"names": ["chown32", "_llseek", "vm86", "read", "clone3"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["reboot"], "action": "SCMP_ACT_KILL_PROCESS"},
      {"names": ["Read"], "action": "SCMP_ACT_LOG"}]})");
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{
                              "config.json: /linux/seccomp/syscalls/2/names/0: unknown syscall \"Read\""});
}

TEST(SemanticTest, DocumentThatIsNotAnObject) {
  // The schema pass rejects it; the semantic pass must simply not crash.
  EXPECT_EQ(CheckJson(nlohmann::json::array()), std::vector<std::string>{});
  EXPECT_EQ(CheckJson(nlohmann::json("x")), std::vector<std::string>{});
}

TEST(SemanticTest, WrongTypesAreLeftToTheSchema) {
  auto c = MinimalOci();
  c["hostname"] = 5;
  c["process"]["capabilities"] = {{"bounding", "CAP_KILL"}};
  c["process"]["rlimits"] = nlohmann::json::parse(R"([{"type": 7, "soft": "a", "hard": 1}])");
  c["mounts"] = nlohmann::json::parse(R"([{"destination": 1, "options": "ro"}])");
  c["linux"]["namespaces"] = nlohmann::json::parse(R"([{"type": 1}, "pid"])");
  c["linux"]["sysctl"] = nlohmann::json::array();
  EXPECT_EQ(CheckJson(c), std::vector<std::string>{});
}

}  // namespace
}  // namespace runc
