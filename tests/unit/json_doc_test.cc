#include "schema/json_doc.h"
#include "schema/schema_json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace runc {
namespace {

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(RUNC_SOURCE_DIR) + "/tests/data/schema/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The single diagnostic a syntax error must produce, as text.
std::string SyntaxError(std::string_view text) {
  JsonDocument doc;
  Diagnostics diags;
  EXPECT_FALSE(ParseJson(text, "config.json", doc, diags));
  if (diags.size() != 1) return "expected exactly one diagnostic, got " + std::to_string(diags.size());
  return diags[0].ToString();
}

std::string Pos(const JsonDocument& doc, const std::string& pointer) {
  if (!doc.root.at_pointer(pointer)) return "missing";
  Position pos = doc.PositionOf(pointer);
  return std::to_string(pos.line) + ":" + std::to_string(pos.col);
}

size_t CountValues(const JsonValue& v) {
  size_t n = 1;
  for (const auto& e : v.elements()) n += CountValues(e);
  for (const auto& m : v.items()) n += CountValues(m.second);
  return n;
}

TEST(JsonDocTest, RecordsThePositionOfEveryValue) {
  const std::string text =
      "{\n"
      "  \"ociVersion\": \"1.0.0\",\n"
      "  \"process\": {\n"
      "    \"args\": [\"sh\",\n"
      "             \"-c\"],\n"
      "    \"a/b\": {\"m~n\": null}\n"
      "  },\n"
      "\t\"x\": [[], {}, -1.5e3, true]\n"
      "}\n";
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson(text, "config.json", doc, diags));
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(doc.filename, "config.json");
  EXPECT_EQ(ToNlohmann(doc.root)["process"]["args"][1], "-c");
  EXPECT_EQ(Pos(doc, ""), "1:1");
  EXPECT_EQ(Pos(doc, "/ociVersion"), "2:17");
  EXPECT_EQ(Pos(doc, "/process"), "3:14");
  EXPECT_EQ(Pos(doc, "/process/args"), "4:13");
  EXPECT_EQ(Pos(doc, "/process/args/0"), "4:14");
  EXPECT_EQ(Pos(doc, "/process/args/1"), "5:14");
  EXPECT_EQ(Pos(doc, "/process/a~1b"), "6:12");
  EXPECT_EQ(Pos(doc, "/process/a~1b/m~0n"), "6:20");
  EXPECT_EQ(Pos(doc, "/x"), "8:7");
  EXPECT_EQ(Pos(doc, "/x/0"), "8:8");
  EXPECT_EQ(Pos(doc, "/x/1"), "8:12");
  EXPECT_EQ(Pos(doc, "/x/2"), "8:16");
  EXPECT_EQ(Pos(doc, "/x/3"), "8:24");
  EXPECT_EQ(CountValues(doc.root), 13u);
}

TEST(JsonDocTest, ColumnsCountCharactersNotBytes) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson("{\"h\u00e9llo\": \"\u00e9\u00e9\", \"b\": 1}", "config.json", doc, diags));
  EXPECT_EQ(Pos(doc, "/h\u00e9llo"), "1:11");
  EXPECT_EQ(Pos(doc, "/b"), "1:22");
}

TEST(JsonDocTest, EscapedKeysAreDecodedIntoThePointer) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson(R"({"a\u002fb": 1, "\ud83d\ude00": 2, "q\"t": 3})", "config.json", doc, diags));
  EXPECT_EQ(Pos(doc, "/a~1b"), "1:14");
  EXPECT_EQ(Pos(doc, "/\U0001F600"), "1:33");
  EXPECT_EQ(Pos(doc, "/q\"t"), "1:44");
  EXPECT_EQ(ToNlohmann(doc.root)["\U0001F600"], 2);
}

TEST(JsonDocTest, DuplicateKeysKeepTheLastValueAndItsPosition) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson("{\"a\": 1,\n \"a\": 2}", "config.json", doc, diags));
  EXPECT_EQ(ToNlohmann(doc.root)["a"], 2);
  EXPECT_EQ(Pos(doc, "/a"), "2:7");
}

TEST(JsonDocTest, PositionOfFallsBackToTheNearestAncestor) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson("{\n  \"process\": {\n    \"cwd\": \"/\"\n  }\n}", "config.json", doc, diags));
  EXPECT_EQ(doc.PositionOf("/process/cwd").line, 3);
  EXPECT_EQ(doc.PositionOf("/process/args/0").line, 2);
  EXPECT_EQ(doc.PositionOf("/process/args/0").col, 14);
  EXPECT_EQ(doc.PositionOf("/nothing").line, 1);
  EXPECT_EQ(doc.Diag("/process/args", "missing").ToString(), "config.json:2:14: /process/args: missing");
}

// Every value nlohmann sees is in the tree, with the offset of its first character.
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

TEST(JsonDocTest, FixturesHaveAPositionForEveryValue) {
  for (const char* name : {"runc-1.1.5-spec.json", "runc-1.1.5-spec-rootless.json", "crun-1.8.1-spec.json",
                           "podman-4.3.1-config.json", "containerd-1.6.20-config.json",
                           "pre-draft-2015-fixed.json"}) {
    SCOPED_TRACE(name);
    JsonDocument doc;
    Diagnostics diags;
    ASSERT_TRUE(ParseJson(ReadData(name), "config.json", doc, diags));
    std::vector<std::string> pointers;
    CollectPointers(ToNlohmann(doc.root), "", pointers);
    EXPECT_EQ(CountValues(doc.root), pointers.size());
    for (const auto& p : pointers) {
      const JsonValue* v = doc.root.at_pointer(p);
      ASSERT_TRUE(v) << p;
      ASSERT_LT(v->offset(), doc.text().size()) << p;
      const char c = doc.text()[v->offset()];
      const std::string starts = v->is_object()   ? "{"
                                 : v->is_array()  ? "["
                                 : v->is_string() ? "\""
                                 : v->is_number() ? "-0123456789"
                                                  : "tfn";
      EXPECT_NE(starts.find(c), std::string::npos) << p << " starts with " << c;
    }
  }
}

// The value must be exactly what nlohmann's own parser makes, down to the number representation.
void ExpectIdentical(const nlohmann::json& expected, const nlohmann::json& actual, const std::string& where) {
  ASSERT_EQ(expected.type(), actual.type()) << where;
  if (expected.is_object()) {
    ASSERT_EQ(expected.size(), actual.size()) << where;
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      ASSERT_TRUE(actual.contains(it.key())) << where << "/" << it.key();
      ExpectIdentical(it.value(), actual[it.key()], where + "/" + it.key());
    }
  } else if (expected.is_array()) {
    ASSERT_EQ(expected.size(), actual.size()) << where;
    for (size_t i = 0; i < expected.size(); ++i) ExpectIdentical(expected[i], actual[i], where + "/" + std::to_string(i));
  } else {
    EXPECT_EQ(expected, actual) << where;
    EXPECT_EQ(expected.dump(), actual.dump()) << where;
  }
}

TEST(JsonDocTest, ValuesAreWhatNlohmannWouldParse) {
  std::vector<std::string> texts;
  for (const char* name : {"runc-1.1.5-spec.json", "runc-1.1.5-spec-rootless.json", "crun-1.8.1-spec.json",
                           "podman-4.3.1-config.json", "containerd-1.6.20-config.json",
                           "pre-draft-2015-fixed.json", "oci-1.3-every-field.json"}) {
    texts.push_back(ReadData(name));
  }
  texts.push_back(R"({"n": [0, -0, 1, -1, 9223372036854775807, -9223372036854775808, 9223372036854775808,
    18446744073709551615, 18446744073709551616, -9223372036854775809, 1.5, -2.5e-3, 1E10, 0.1, 1e-400, 12.0, 1.7976931348623157e308],
    "s": ["", "a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d\ud83d\ude00", "é中", "\u0000x"],
    "l": [true, false, null, {}, []], "dup": 1, "dup": {"x": 2}, "": {"": ""}})");
  for (const auto& text : texts) {
    JsonDocument doc;
    Diagnostics diags;
    ASSERT_TRUE(ParseJson(text, "config.json", doc, diags)) << text.substr(0, 40);
    ExpectIdentical(nlohmann::json::parse(text), ToNlohmann(doc.root), "");
  }
}

TEST(JsonDocTest, PreDraftSampleAsWrittenHasATrailingComma) {
  std::string text = ReadData("pre-draft-2015-as-written.json");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(SyntaxError(text), "config.json:204:1: syntax error: unexpected '}', expected a member name (trailing comma?)");
}

TEST(JsonDocTest, SyntaxErrors) {
  EXPECT_EQ(SyntaxError(""), "config.json:1:1: syntax error: empty file, expected a JSON object");
  EXPECT_EQ(SyntaxError("\n  \n "), "config.json:3:2: syntax error: empty file, expected a JSON object");
  EXPECT_EQ(SyntaxError("{\n  \"args\": [\"sh\", \"-c\""),
            "config.json:2:22: syntax error: unexpected end of file, expected ',' or ']'");
  EXPECT_EQ(SyntaxError("{\n  \"process\": {"),
            "config.json:2:15: syntax error: unexpected end of file, expected a member name or '}'");
  EXPECT_EQ(SyntaxError("{\"terminal\": tru}"),
            "config.json:1:14: syntax error: invalid literal 'tru', expected true, false, null, a number or a string");
  EXPECT_EQ(SyntaxError("{\"terminal\": True}"),
            "config.json:1:14: syntax error: invalid literal 'True', expected true, false, null, a number or a string");
  EXPECT_EQ(SyntaxError("{\"a\": 1\n \"b\": 2}"),
            "config.json:2:2: syntax error: unexpected '\"', expected ',' or '}' (missing comma?)");
  EXPECT_EQ(SyntaxError("{\"a\": [1 2]}"),
            "config.json:1:10: syntax error: unexpected '2', expected ',' or ']' (missing comma?)");
  EXPECT_EQ(SyntaxError("{\"a\": [1, 2, ]}"),
            "config.json:1:14: syntax error: unexpected ']', expected a value (trailing comma?)");
  EXPECT_EQ(SyntaxError("{\"a\" 1}"), "config.json:1:6: syntax error: unexpected '1', expected ':' after member name");
  EXPECT_EQ(SyntaxError("{'a': 1}"),
            "config.json:1:2: syntax error: unexpected \"'\", expected a member name or '}' (strings take double quotes)");
  EXPECT_EQ(SyntaxError("{\"a\": 1, // note\n}"),
            "config.json:1:10: syntax error: unexpected '/', expected a member name (comments are not allowed in JSON)");
  EXPECT_EQ(SyntaxError("{\"a\": \"abc\n\"}"),
            "config.json:1:11: syntax error: unterminated string (missing '\"' before the end of the line)");
  EXPECT_EQ(SyntaxError("{\"a\": \"a\tb\"}"),
            "config.json:1:9: syntax error: control character U+0009 in a string must be escaped");
  EXPECT_EQ(SyntaxError("{\"a\": \"\\x\"}"), "config.json:1:8: syntax error: invalid escape '\\x' in a string");
  EXPECT_EQ(SyntaxError("{\"a\": \"\\u12G4\"}"),
            "config.json:1:8: syntax error: invalid \\u escape (expected 4 hex digits)");
  EXPECT_EQ(SyntaxError("{\"a\": \"\\ud800x\"}"),
            "config.json:1:8: syntax error: invalid \\u escape (high surrogate without a low surrogate)");
  EXPECT_EQ(SyntaxError("{\"a\": \"\xff\"}"), "config.json:1:8: syntax error: invalid UTF-8 byte in a string");
  EXPECT_EQ(SyntaxError("{\"a\": 007}"), "config.json:1:7: syntax error: invalid number: leading zeros are not allowed");
  EXPECT_EQ(SyntaxError("{\"a\": 1.}"), "config.json:1:9: syntax error: invalid number: expected a digit after '.'");
  EXPECT_EQ(SyntaxError("{\"a\": -x}"), "config.json:1:8: syntax error: invalid number: expected a digit after '-'");
  EXPECT_EQ(SyntaxError("{\"a\": 1e+}"),
            "config.json:1:10: syntax error: invalid number: expected a digit in the exponent");
  EXPECT_EQ(SyntaxError("{\"a\": -1e400}"), "config.json:1:7: syntax error: number -1e400 is out of range");
  EXPECT_EQ(SyntaxError("{\"a\": 1}\n}"),
            "config.json:2:1: syntax error: unexpected '}' after the end of the JSON document");
  EXPECT_EQ(SyntaxError("{\"a\": \"x"), "config.json:1:9: syntax error: unexpected end of file in a string (missing '\"'?)");
  EXPECT_EQ(SyntaxError("{\"a\": }"), "config.json:1:7: syntax error: unexpected '}', expected a value");
  EXPECT_EQ(SyntaxError("{\"\u00e9\": \u00e9}"), "config.json:1:7: syntax error: unexpected character U+00E9, expected a value");
  EXPECT_EQ(SyntaxError(std::string(600, '[') + std::string(600, ']')),
            "config.json:1:514: syntax error: nested deeper than 512 levels");
}

TEST(JsonDocTest, ParseJsonValueWithoutPositions) {
  nlohmann::json value;
  std::string error;
  ASSERT_TRUE(ParseJsonValue(R"({"a": [1, -2, 3.5, "x"]})", value, &error));
  EXPECT_EQ(value, nlohmann::json::parse(R"({"a": [1, -2, 3.5, "x"]})"));
  EXPECT_FALSE(ParseJsonValue("{\n  \"a\": [1,]}", value, &error));
  EXPECT_EQ(error, "2:11: syntax error: unexpected ']', expected a value (trailing comma?)");
}

TEST(JsonDocTest, ByteOrderMarkIsSkipped) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ParseJson("\xEF\xBB\xBF{\"a\": 1}", "config.json", doc, diags));
  EXPECT_EQ(Pos(doc, "/a"), "1:7");
}

TEST(JsonDocTest, ReadJsonFileReportsAMissingFile) {
  JsonDocument doc;
  Diagnostics diags;
  EXPECT_FALSE(ReadJsonFile("/nonexistent/dir/config.json", "config.json", doc, diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(), "config.json: no such file or directory");
  EXPECT_EQ(diags[0].err, ENOENT);
}

TEST(JsonDocTest, ReadJsonFileReadsAFixture) {
  JsonDocument doc;
  Diagnostics diags;
  ASSERT_TRUE(ReadJsonFile(std::string(RUNC_SOURCE_DIR) + "/tests/data/schema/runc-1.1.5-spec.json",
                           "config.json", doc, diags));
  EXPECT_EQ(ToNlohmann(doc.root)["hostname"], "runc");
  EXPECT_EQ(Pos(doc, "/hostname"), "52:14");
}

// config.json comes from the bundle, which may be hostile: what is not a regular file, or is larger
// than the cap, is refused before it is read (`config.json -> /dev/zero` used to be read until
// std::bad_alloc, and a fifo without a writer blocked for ever).
class ReadJsonFileLimitsTest : public ::testing::Test {
 protected:
  static constexpr size_t kCap = 16 * 1024 * 1024;  // what the message says

  void SetUp() override {
    char tmpl[] = "/tmp/json_doc_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/config.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Every diagnostic of reading path_, as text.
  std::vector<std::string> Read() {
    JsonDocument doc;
    Diagnostics diags;
    const bool ok = ReadJsonFile(path_, "config.json", doc, diags);
    EXPECT_EQ(ok, diags.empty());
    std::vector<std::string> out;
    for (const auto& d : diags) out.push_back(d.ToString());
    return out;
  }
  // A file of exactly `size` bytes: `text`, then spaces.
  void WriteSized(const std::string& text, size_t size) {
    std::string data = text;
    data.resize(size, ' ');
    std::ofstream(path_, std::ios::binary) << data;
  }

  std::string dir_, path_;
};

TEST_F(ReadJsonFileLimitsTest, RefusesASymlinkToADevice) {
  ASSERT_EQ(symlink("/dev/zero", path_.c_str()), 0);
  EXPECT_EQ(Read(), std::vector<std::string>{"config.json: not a regular file"});
}

TEST_F(ReadJsonFileLimitsTest, RefusesAFifoWithoutWaitingForAWriter) {
  ASSERT_EQ(mkfifo(path_.c_str(), 0600), 0);
  EXPECT_EQ(Read(), std::vector<std::string>{"config.json: not a regular file"});
}

TEST_F(ReadJsonFileLimitsTest, RefusesADirectory) {
  ASSERT_EQ(mkdir(path_.c_str(), 0700), 0);
  EXPECT_EQ(Read(), std::vector<std::string>{"config.json: not a regular file"});
}

TEST_F(ReadJsonFileLimitsTest, RefusesAFileLargerThanTheCap) {
  // Sparse: the size alone refuses it, nothing is read.
  const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(kCap) + 1), 0);
  close(fd);
  EXPECT_EQ(Read(), std::vector<std::string>{"config.json: larger than 16 MiB"});
}

TEST_F(ReadJsonFileLimitsTest, ReadsAFileOfExactlyTheCap) {
  WriteSized("{\"ociVersion\": \"1.0.0\"}", kCap);
  EXPECT_EQ(Read(), std::vector<std::string>{});
}

TEST_F(ReadJsonFileLimitsTest, ASymlinkToARegularFileIsRead) {
  const std::string target = dir_ + "/real.json";
  std::ofstream(target) << "{\"a\": 1}";
  ASSERT_EQ(symlink(target.c_str(), path_.c_str()), 0);
  EXPECT_EQ(Read(), std::vector<std::string>{});
}

}  // namespace
}  // namespace runc
