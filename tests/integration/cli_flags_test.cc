// Global flags as runc takes them: `--rootless VALUE` and `--rootless=VALUE` alike (the value used
// to be taken for the command name: `runc: unknown command "true"`).
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

// `runc -v` / `--version`: runc's three lines (its version.bats checks each one's shape).
TEST(CliFlagsTest, VersionPrintsVersionCommitAndSpec) {
  for (const char* flag : {"-v", "--version"}) {
    RunResult r = runc::test::Run({RUNC_BINARY, flag});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(std::regex_match(r.out, std::regex("runc version [0-9]+\\.[0-9]+\\.[0-9]+\n"
                                                   "commit: ([0-9a-f]+(-dirty)?|unknown)\n"
                                                   "spec: [0-9]+\\.[0-9]+\\.[0-9]+\n")))
        << flag << ": " << r.out;
  }
}

TEST(CliFlagsTest, RootlessTakesItsValueWithOrWithoutEquals) {
  TempDir root("runc-cli-flags");
  for (const std::string value : {"true", "false", "auto"}) {
    for (const bool equals : {false, true}) {
      std::vector<std::string> argv = {RUNC_BINARY, "--root", root.path()};
      if (equals) {
        argv.push_back("--rootless=" + value);
      } else {
        argv.push_back("--rootless");
        argv.push_back(value);
      }
      argv.push_back("list");
      const RunResult r = runc::test::Run(argv);
      EXPECT_EQ(r.status, 0) << value << (equals ? " with =" : " as a word") << ": " << r.err;
      EXPECT_EQ(r.err, "");
      EXPECT_NE(r.out.find("ID"), std::string::npos) << r.out;
    }
  }
  // A bare --rootless before the command still means true; a bad value is refused.
  RunResult r = runc::test::Run({RUNC_BINARY, "--root", root.path(), "--rootless", "list"});
  EXPECT_EQ(r.status, 0) << r.err;
  r = runc::test::Run({RUNC_BINARY, "--root", root.path(), "--rootless=maybe", "list"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--rootless: expected true, false or auto, got \"maybe\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace runc::test
