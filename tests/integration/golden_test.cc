// Golden cases: golden/<case>/config.json compiles to golden/<case>/plan.txt, or fails with
// golden/<case>/error.txt (what `runc plan` prints on stderr). golden/<case>/args holds extra
// `runc plan` flags (default "--host v1"); an exec case has a golden/<case>/process.json and
// "--exec process.json --pid N" in its args; with `--update update.json` the case is an update plan
// (golden/<case>/update.json, a linux.resources document). UPDATE_GOLDEN=1 rewrites the expected files.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

const std::string kGoldenDir = std::string(RUNC_SOURCE_DIR) + "/golden";

std::vector<std::string> Cases() {
  std::vector<std::string> cases;
  if (DIR* d = opendir(kGoldenDir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name[0] == '.') continue;
      struct stat st;
      if (stat((kGoldenDir + "/" + name + "/config.json").c_str(), &st) == 0) cases.push_back(name);
    }
    closedir(d);
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

std::vector<std::string> SplitWords(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

// The plan's columns are padded to the paths' lengths, so the bundle must sit at the same path on
// every machine for the output to be byte-identical: each case is compiled from a copy of its
// config.json under /tmp/runc-golden/<case> (the rootfs need not exist to compile).
std::string FixedBundle(const std::string& name, const std::string& dir) {
  const std::string bundle = "/tmp/runc-golden/" + name;
  mkdir("/tmp/runc-golden", 0755);
  mkdir(bundle.c_str(), 0755);
  WriteFile(bundle + "/config.json", ReadFile(dir + "/config.json"));
  // An exec case (args: --exec process.json --pid N) compiles its process file too.
  if (access((dir + "/process.json").c_str(), F_OK) == 0) {
    WriteFile(bundle + "/process.json", ReadFile(dir + "/process.json"));
  }
  // `--update update.json` cases: the resources document beside it.
  if (access((dir + "/update.json").c_str(), F_OK) == 0) WriteFile(bundle + "/update.json", ReadFile(dir + "/update.json"));
  return bundle;
}

TEST_P(GoldenTest, PlanMatches) {
  const std::string dir = kGoldenDir + "/" + GetParam();
  std::vector<std::string> argv = {RUNC_BINARY, "--root", "/run/runc-golden", "plan"};
  std::string args = ReadFile(dir + "/args");
  if (args.empty()) args = "--host v1";
  for (const auto& w : SplitWords(args)) argv.push_back(w);
  RunOptions options;
  const std::string real = FixedBundle(GetParam(), dir);
  options.cwd = real;
  RunResult r = test::Run(argv, options);
  unlink((real + "/config.json").c_str());
  unlink((real + "/process.json").c_str());
  unlink((real + "/update.json").c_str());
  rmdir(real.c_str());
  rmdir("/tmp/runc-golden");  // fails while another case's copy is there, which is fine
  const bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  const bool expect_error = access((dir + "/error.txt").c_str(), F_OK) == 0;
  if (expect_error || (update && r.status != 0)) {
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.out, "");
    if (update) {
      WriteFile(dir + "/error.txt", r.err);
      unlink((dir + "/plan.txt").c_str());
    } else {
      EXPECT_EQ(r.err, ReadFile(dir + "/error.txt")) << "case " << GetParam();
    }
  } else {
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const std::string got = ReplaceAll(r.out, real, "$BUNDLE");
    if (update) {
      WriteFile(dir + "/plan.txt", got);
    } else {
      EXPECT_EQ(got, ReadFile(dir + "/plan.txt")) << "case " << GetParam()
                                                  << " (UPDATE_GOLDEN=1 make test rewrites it; review the diff)";
    }
  }
}

TEST_P(GoldenTest, PlanIsDeterministic) {
  const std::string dir = kGoldenDir + "/" + GetParam();
  if (access((dir + "/error.txt").c_str(), F_OK) == 0) GTEST_SKIP() << "error case";
  std::vector<std::string> argv = {RUNC_BINARY, "plan", "--format", "json"};
  std::string args = ReadFile(dir + "/args");
  if (args.empty()) args = "--host v1";
  for (const auto& w : SplitWords(args)) argv.push_back(w);
  RunOptions options;
  options.cwd = dir;
  RunResult a = test::Run(argv, options);
  RunResult b = test::Run(argv, options);
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace_if(name.begin(), name.end(), [](char c) { return !isalnum(c); }, '_');
                           return name;
                         });

TEST(Golden, HasEnoughCases) { EXPECT_GE(Cases().size(), 30u); }

}  // namespace
}  // namespace runc::test
