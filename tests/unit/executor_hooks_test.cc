#include "executor/common/hooks.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace runc {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class HooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/runc-hooks-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    unlink((dir_ + "/out").c_str());
    rmdir(dir_.c_str());
  }

  // A hook step running `sh -c script`.
  Step ShHook(const std::string& script, int index = 4, const std::string& name = "prestart") {
    Step s;
    s.index = index;
    s.phase = Phase::kSpawn;
    s.kind = StepKind::kHook;
    s.origin = "/hooks/" + name + "/0";
    s.name = name;
    s.path = "/bin/sh";
    s.argv = {"sh", "-c", script};
    return s;
  }

  std::string dir_;
};

TEST_F(HooksTest, GetsStateOnStdin) {
  Step s = ShHook("cat > " + dir_ + "/out");
  std::string what;
  ASSERT_EQ(RunHookProcess(s, "{\"id\":\"x\"}", what), 0) << what;
  EXPECT_EQ(ReadAll(dir_ + "/out"), "{\"id\":\"x\"}");
}

TEST_F(HooksTest, GetsExactlyItsArgsAndEnv) {
  Step s = ShHook("echo \"$0|$1|$FOO|$HOME\" > " + dir_ + "/out");
  s.argv.push_back("zero");
  s.argv.push_back("one");
  s.env = {"FOO=bar baz"};
  setenv("HOME", "/should/not/leak", 1);
  std::string what;
  ASSERT_EQ(RunHookProcess(s, "{}", what), 0) << what;
  EXPECT_EQ(ReadAll(dir_ + "/out"), "zero|one|bar baz|\n");
}

TEST_F(HooksTest, ArgvDefaultsToPath) {
  Step s = ShHook("");
  s.path = "/bin/true";
  s.argv.clear();
  std::string what;
  EXPECT_EQ(RunHookProcess(s, "{}", what), 0) << what;
}

TEST_F(HooksTest, NonZeroExitIsAFailureWithTheStatus) {
  Step s = ShHook("exit 3");
  Diagnostic err;
  ASSERT_FALSE(RunHook(s, "{}", err));
  EXPECT_EQ(err.ToString(), "step 4 hook (/hooks/prestart/0): hook /bin/sh exited with status 3");
  std::string what;
  EXPECT_EQ(RunHookProcess(s, "{}", what), kHookFailed);
  EXPECT_EQ(what, "hook /bin/sh exited with status 3");
}

TEST_F(HooksTest, KilledBySignal) {
  Step s = ShHook("kill -9 $$");
  Diagnostic err;
  ASSERT_FALSE(RunHook(s, "{}", err));
  EXPECT_EQ(err.ToString(), "step 4 hook (/hooks/prestart/0): hook /bin/sh killed by signal 9");
}

TEST_F(HooksTest, MissingProgramNamesTheFile) {
  Step s = ShHook("");
  s.path = dir_ + "/no-such-hook";
  Diagnostic err;
  ASSERT_FALSE(RunHook(s, "{}", err));
  EXPECT_EQ(err.ToString(), "step 4 hook (/hooks/prestart/0): exec " + dir_ + "/no-such-hook: No such file or directory");
  EXPECT_EQ(err.err, ENOENT);
}

TEST_F(HooksTest, TimeoutKillsTheHook) {
  Step s = ShHook("echo $$ > " + dir_ + "/out; exec sleep 30");
  s.nums = {1};
  auto start = std::chrono::steady_clock::now();
  Diagnostic err;
  ASSERT_FALSE(RunHook(s, "{}", err));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(err.ToString(), "step 4 hook (/hooks/prestart/0): hook /bin/sh timed out after 1s");
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  pid_t pid = atoi(ReadAll(dir_ + "/out").c_str());
  ASSERT_GT(pid, 0);
  EXPECT_NE(kill(pid, 0), 0) << "hook still alive";
}

// A hook that never reads its stdin neither blocks the runtime nor kills it with SIGPIPE.
TEST_F(HooksTest, HookIgnoringLargeStdinDoesNotBlock) {
  Step s = ShHook("exit 0");
  std::string state(1 << 20, 'x');
  std::string what;
  EXPECT_EQ(RunHookProcess(s, state, what), 0) << what;
}

// The runtime may block signals (`run` forwards them); the hook must still be killable.
TEST_F(HooksTest, HookStartsWithCleanSignalMask) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigprocmask(SIG_BLOCK, &block, &old);
  Step s = ShHook("kill -TERM $$; exit 0");
  std::string what;
  int rc = RunHookProcess(s, "{}", what);
  sigprocmask(SIG_SETMASK, &old, nullptr);
  EXPECT_EQ(rc, kHookFailed);
  EXPECT_EQ(what, "hook /bin/sh killed by signal 15");
}

TEST_F(HooksTest, RunRuntimeHooksRunsOnlyThatKindInPlanOrder) {
  Plan plan;
  std::string out = dir_ + "/out";
  plan.steps.push_back(ShHook("echo pre >> " + out, 1, "prestart"));
  plan.steps.push_back(ShHook("echo first >> " + out, 2, "poststart"));
  plan.steps.push_back(ShHook("cat >> " + out + "; echo >> " + out, 3, "poststart"));
  plan.steps.push_back(ShHook("echo stop >> " + out, 4, "poststop"));
  Diagnostic err;
  ASSERT_TRUE(RunRuntimeHooks(plan, "poststart", "{\"status\":\"running\"}", err)) << err.ToString();
  EXPECT_EQ(ReadAll(out), "first\n{\"status\":\"running\"}\n");
}

TEST_F(HooksTest, RunRuntimeHooksStopsAtTheFirstFailure) {
  Plan plan;
  std::string out = dir_ + "/out";
  plan.steps.push_back(ShHook("exit 2", 7, "poststart"));
  plan.steps.push_back(ShHook("echo second >> " + out, 8, "poststart"));
  Diagnostic err;
  ASSERT_FALSE(RunRuntimeHooks(plan, "poststart", "{}", err));
  EXPECT_EQ(err.ToString(), "step 7 hook (/hooks/poststart/0): hook /bin/sh exited with status 2");
  EXPECT_EQ(ReadAll(out), "");
}

TEST(HookStateJsonTest, HasTheOciStateFields) {
  Plan plan;
  plan.id = "abc";
  plan.bundle = "/b";
  plan.annotations = {{"k", "v"}};
  auto j = nlohmann::json::parse(HookStateJson(plan, "creating", 1234));
  EXPECT_EQ(j["id"], "abc");
  EXPECT_EQ(j["status"], "creating");
  EXPECT_EQ(j["pid"], 1234);
  EXPECT_EQ(j["bundle"], "/b");
  EXPECT_EQ(j["annotations"]["k"], "v");
  EXPECT_TRUE(j["ociVersion"].is_string());
  EXPECT_EQ(nlohmann::json::parse(HookStateJson(plan, "created", 1))["status"], "created");
}

TEST_F(HooksTest, ContainerHooksGetTheirStateDocument) {
  SetContainerHookState("{\"status\":\"creating\"}", "{\"status\":\"created\"}");
  std::string out = dir_ + "/out";
  Step create = ShHook("cat >> " + out, 9, "createContainer");
  Step start = ShHook("cat >> " + out, 12, "startContainer");
  std::string what;
  ASSERT_EQ(RunContainerHook(create, what), 0) << what;
  ASSERT_EQ(RunContainerHook(start, what), 0) << what;
  EXPECT_EQ(ReadAll(out), "{\"status\":\"creating\"}{\"status\":\"created\"}");
}

}  // namespace
}  // namespace runc
