// Golden cases: golden/<case>/config.json compiles to golden/<case>/plan.txt, or fails with
// golden/<case>/error.txt (what `runc plan` prints on stderr). golden/<case>/args holds extra
// `runc plan` flags (default "--host v1"); an exec case has a golden/<case>/process.json and
// "--exec process.json --pid N" in its args; with `--update update.json` the case is an update plan
// (golden/<case>/update.json, a linux.resources document). A case has exactly one expected file.
//
// UPDATE_GOLDEN=1 (exactly "1", and never when CI is set) rewrites the expected file of each case,
// but never turns a plan case into an error case or back: a plan case whose config now fails (or an
// error case that now compiles) fails the test in update mode too; delete the old file by hand to
// change a case's kind. A new case (a config.json without an expected file) gets its first one.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/plan.h"

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

const std::string kGoldenDir = std::string(RUNC_SOURCE_DIR) + "/golden";

// The inventory: adding or removing a case means changing these numbers in the same commit.
constexpr size_t kPlanCases = 51;
constexpr size_t kErrorCases = 34;

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Every entry of golden/ (a case is a directory; anything else there is reported by Inventory).
std::vector<std::string> Entries() {
  std::vector<std::string> out;
  if (DIR* d = opendir(kGoldenDir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      out.push_back(name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

enum class Expected { kNone, kPlan, kError, kBoth };

Expected ExpectedOf(const std::string& name) {
  const bool plan = Exists(kGoldenDir + "/" + name + "/plan.txt");
  const bool error = Exists(kGoldenDir + "/" + name + "/error.txt");
  return plan && error ? Expected::kBoth : plan ? Expected::kPlan : error ? Expected::kError : Expected::kNone;
}

// Cases with a config.json; `only` filters by the expected file (kNone = all).
std::vector<std::string> Cases(Expected only = Expected::kNone) {
  std::vector<std::string> cases;
  for (const auto& name : Entries()) {
    if (!Exists(kGoldenDir + "/" + name + "/config.json")) continue;
    if (only != Expected::kNone && ExpectedOf(name) != only) continue;
    cases.push_back(name);
  }
  return cases;
}

// UPDATE_GOLDEN rewrites only when it is exactly "1" and CI is not set.
bool UpdateRequested(const char* update_golden, const char* ci) {
  return update_golden != nullptr && std::string(update_golden) == "1" && ci == nullptr;
}

enum class Action { kCompare, kWrite, kFail };

// What a case does with a run's outcome. `why` says what is wrong for kFail.
Action Decide(Expected expected, bool compiled, bool update, std::string& why) {
  switch (expected) {
    case Expected::kBoth:
      why = "has both plan.txt and error.txt; a case has exactly one expected file";
      return Action::kFail;
    case Expected::kNone:
      if (update) return Action::kWrite;
      why = "has no plan.txt or error.txt (UPDATE_GOLDEN=1 writes the first one)";
      return Action::kFail;
    case Expected::kPlan:
      if (!compiled) {
        why = "is a plan case but its config no longer compiles; delete plan.txt by hand to make it an error case";
        return Action::kFail;
      }
      return update ? Action::kWrite : Action::kCompare;
    case Expected::kError:
      if (compiled) {
        why = "is an error case but its config now compiles; delete error.txt by hand to make it a plan case";
        return Action::kFail;
      }
      return update ? Action::kWrite : Action::kCompare;
  }
  return Action::kFail;
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

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(name.begin(), name.end(), [](char c) { return !isalnum(c); }, '_');
  return name;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

// The plan's columns are padded to the paths' lengths, so the bundle must sit at the same path on
// every machine for the output to be byte-identical: each case is compiled from a copy of its
// config.json under /tmp/runc-golden/<case> (the rootfs need not exist to compile).
// Cases run in parallel (ctest -j) and each removes /tmp/runc-golden when it is the last one
// there: another case's rmdir can come between our mkdir of it and of our case's directory, so
// try again until the copy is in place.
std::string FixedBundle(const std::string& name, const std::string& dir) {
  const std::string bundle = "/tmp/runc-golden/" + name;
  const std::string config = ReadFile(dir + "/config.json");
  for (int attempt = 0; attempt < 100; ++attempt) {
    mkdir("/tmp/runc-golden", 0755);
    mkdir(bundle.c_str(), 0755);
    WriteFile(bundle + "/config.json", config);
    if (ReadFile(bundle + "/config.json") == config) break;
  }
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

  const bool update = UpdateRequested(std::getenv("UPDATE_GOLDEN"), std::getenv("CI"));
  const Expected expected = ExpectedOf(GetParam());
  // 0: a plan; 1: a diagnostic; anything else (126: the bundle copy was missing) is neither.
  ASSERT_TRUE(r.status == 0 || r.status == 1) << "runc plan exited " << r.status << ": " << r.err;
  const bool compiled = r.status == 0;
  std::string why;
  const Action action = Decide(expected, compiled, update, why);
  if (action == Action::kFail) {
    ADD_FAILURE() << "golden case " << GetParam() << " " << why << "\nstatus " << r.status << ", stderr:\n" << r.err;
    return;
  }
  if (!compiled) {
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.out, "");
    if (action == Action::kWrite) {
      WriteFile(dir + "/error.txt", r.err);
    } else {
      EXPECT_EQ(r.err, ReadFile(dir + "/error.txt")) << "case " << GetParam();
    }
    return;
  }
  EXPECT_EQ(r.err, "");
  const std::string got = ReplaceAll(r.out, real, "$BUNDLE");
  if (action == Action::kWrite) {
    WriteFile(dir + "/plan.txt", got);
  } else {
    EXPECT_EQ(got, ReadFile(dir + "/plan.txt")) << "case " << GetParam()
                                                << " (UPDATE_GOLDEN=1 make test rewrites it; review the diff)";
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(Cases()), TestName);

// Only plan cases: an error case has no plan to compare.
class GoldenPlanTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenPlanTest, PlanIsDeterministic) {
  const std::string dir = kGoldenDir + "/" + GetParam();
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
  // The state dir's plan.json is written by PlanToJsonText, which must be nlohmann's dump(1) of
  // PlanToJson byte for byte, on every golden plan.
  Plan plan;
  std::string error;
  ASSERT_TRUE(PlanFromJson(nlohmann::json::parse(a.out), plan, error)) << error;
  EXPECT_EQ(PlanToJsonText(plan), PlanToJson(plan).dump(1) + "\n");
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenPlanTest, ::testing::ValuesIn(Cases(Expected::kPlan)), TestName);

// Every entry of golden/ is a case (a directory with config.json and exactly one expected file),
// and there are exactly as many of each kind as the inventory says.
TEST(Golden, Inventory) {
  for (const auto& name : Entries()) {
    EXPECT_TRUE(Exists(kGoldenDir + "/" + name + "/config.json")) << "golden/" << name << " is not a case (no config.json)";
    const Expected e = ExpectedOf(name);
    EXPECT_TRUE(e == Expected::kPlan || e == Expected::kError)
        << "golden/" << name << " must have exactly one of plan.txt and error.txt";
  }
  EXPECT_EQ(Cases(Expected::kPlan).size(), kPlanCases) << "plan cases (update kPlanCases with the cases)";
  EXPECT_EQ(Cases(Expected::kError).size(), kErrorCases) << "error cases (update kErrorCases with the cases)";
  EXPECT_EQ(Cases().size(), kPlanCases + kErrorCases);
}

// The update rules themselves, so that they can be seen to refuse what they must refuse.
TEST(Golden, UpdateRules) {
  EXPECT_TRUE(UpdateRequested("1", nullptr));
  EXPECT_FALSE(UpdateRequested(nullptr, nullptr));
  EXPECT_FALSE(UpdateRequested("", nullptr));
  EXPECT_FALSE(UpdateRequested("0", nullptr));
  EXPECT_FALSE(UpdateRequested("yes", nullptr));
  EXPECT_FALSE(UpdateRequested("11", nullptr));
  EXPECT_FALSE(UpdateRequested("1", "true"));
  EXPECT_FALSE(UpdateRequested("1", ""));
  std::string why;
  EXPECT_EQ(Decide(Expected::kPlan, true, false, why), Action::kCompare);
  EXPECT_EQ(Decide(Expected::kPlan, true, true, why), Action::kWrite);
  EXPECT_EQ(Decide(Expected::kError, false, true, why), Action::kWrite);
  // A change of kind is refused in update mode as well as without it.
  for (bool update : {false, true}) {
    EXPECT_EQ(Decide(Expected::kPlan, false, update, why), Action::kFail);
    EXPECT_NE(why.find("plan case"), std::string::npos);
    EXPECT_EQ(Decide(Expected::kError, true, update, why), Action::kFail);
    EXPECT_NE(why.find("error case"), std::string::npos);
    EXPECT_EQ(Decide(Expected::kBoth, true, update, why), Action::kFail);
  }
  EXPECT_EQ(Decide(Expected::kNone, true, false, why), Action::kFail);
  EXPECT_EQ(Decide(Expected::kNone, false, true, why), Action::kWrite);
}

}  // namespace
}  // namespace runc::test
