// runc ps, events, checkpoint/restore and the command list on real containers: ps's pids are the
// container's cgroup's, its table keeps the header and the container's rows; events --stats agrees
// with the cgroup files (v1 here, and cgroup2 in a private mount namespace with only cgroup2
// mounted); an OOM kill under a small v1 memory limit is an oom event, and events ends with the
// container; checkpoint and restore name CRIU when it cannot run and change nothing; `runc --help`
// lists every command.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cgroup_fixture.h"
#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

uint64_t Number(const std::string& text) { return std::strtoull(text.c_str(), nullptr, 10); }

class CommandsTest : public CgroupContainerTest {
 protected:
  CommandsTest() : CgroupContainerTest("cmds") {}

  void Start(Bundle& b, const std::vector<std::string>& args) {
    b.config()["process"]["args"] = args;
    RunDetached(b);
  }

  pid_t InitPid() {
    auto j = nlohmann::json::parse(Runc({"state", id_}).out, nullptr, false);
    return j.is_object() ? j.value("pid", 0) : 0;
  }
  // The container's pids as its cgroup lists them (v1 pids hierarchy, or the cgroup2 directory).
  std::set<pid_t> CgroupPids() {
    std::set<pid_t> out;
    std::istringstream in(ReadFile(v2_ ? std::string(kHostCgroup2) + cgroup_ + "/cgroup.procs"
                                       : "/sys/fs/cgroup/pids" + cgroup_ + "/cgroup.procs"));
    for (pid_t p; in >> p;) out.insert(p);
    return out;
  }
};

// A shell that starts a second process and waits: two processes in the container.
const std::vector<std::string> kTwoProcesses = {"sh", "-c", "sleep 1000 & wait"};

// The cases that only mean something on one kind of host get only that instance (no instance
// that would always skip).
class CommandsTestV1Only : public CommandsTest {};

TEST_P(CommandsTest, PsJsonListsTheContainersPids) {
  Bundle b;
  Start(b, kTwoProcesses);
  std::set<pid_t> expected;
  for (int i = 0; i < 100 && (expected = CgroupPids()).size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(expected.size(), 2u);
  RunResult r = Runc({"ps", "--format", "json", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << r.out;
  std::set<pid_t> got(j.begin(), j.end());
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(got.count(InitPid())) << r.out;
  // -f is --format
  EXPECT_EQ(Runc({"ps", "-f", "json", id_}).out, r.out);
}

TEST_P(CommandsTest, PsTableKeepsTheHeaderAndTheContainersRows) {
  Bundle b;
  Start(b, kTwoProcesses);
  std::set<pid_t> pids;
  for (int i = 0; i < 100 && (pids = CgroupPids()).size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(pids.size(), 2u);
  RunResult r = Runc({"ps", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string header;
  std::getline(lines, header);
  EXPECT_THAT(header, HasSubstr("PID"));
  EXPECT_THAT(header, HasSubstr("CMD"));  // ps -ef's header
  std::set<pid_t> rows;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    std::string uid;
    pid_t pid = 0;
    f >> uid >> pid;
    rows.insert(pid);
  }
  EXPECT_EQ(rows, pids) << r.out;
  EXPECT_THAT(r.out, HasSubstr("sleep 1000"));
  // ps arguments after the id (and after --)
  r = Runc({"ps", id_, "--", "-o", "pid,args"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')).find("PID") != std::string::npos, true) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
  // A ps output without a PID column is an error, as in runc.
  r = Runc({"ps", id_, "-o", "args"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("couldn't find PID field in ps output"));
  // Stopped but not deleted: the header and no row, status 0; json: [] (as runc).
  ASSERT_EQ(Runc({"kill", "--all", id_, "KILL"}).status, 0);
  for (int i = 0; i < 100 && Runc({"state", id_}).out.find("\"stopped\"") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  r = Runc({"ps", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  r = Runc({"ps", "--format", "json", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[]\n");
}

TEST_P(CommandsTest, EventsStatsMatchTheCgroupFiles) {
  Bundle b;
  if (!v2_) {
    b.config()["linux"]["resources"]["memory"]["limit"] = 64 << 20;
    b.config()["linux"]["resources"]["pids"]["limit"] = 50;
  }
  Start(b, kTwoProcesses);
  for (int i = 0; i < 100 && CgroupPids().size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  RunResult r = Runc({"events", "--stats", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  auto e = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(e.is_object()) << r.out;
  EXPECT_EQ(e["type"], "stats");
  EXPECT_EQ(e["id"], id_);
  const auto& data = e["data"];
  for (const char* key : {"cpu", "memory", "pids", "blkio", "hugetlb"}) EXPECT_TRUE(data.contains(key)) << key << r.out;
  EXPECT_TRUE(data["cpu"]["usage"].contains("user")) << r.out;
  EXPECT_TRUE(data["cpu"]["usage"].contains("kernel")) << r.out;
  if (v2_) {
    // Only cpu.stat is there in this cgroup2 (no memory or pids controller).
    std::istringstream stat(ReadFile(std::string(kHostCgroup2) + cgroup_ + "/cpu.stat"));
    std::string key;
    uint64_t usage = 0;
    stat >> key >> usage;
    ASSERT_EQ(key, "usage_usec");
    EXPECT_GE(data["cpu"]["usage"].value("total", uint64_t{0}), usage * 1000) << r.out;
    return;
  }
  const std::string mem = "/sys/fs/cgroup/memory" + cgroup_;
  EXPECT_EQ(data["memory"]["usage"]["limit"], 64u << 20) << r.out;
  EXPECT_EQ(data["memory"]["usage"]["limit"], Number(ReadFile(mem + "/memory.limit_in_bytes")));
  const uint64_t usage = data["memory"]["usage"].value("usage", uint64_t{0});
  const uint64_t now = Number(ReadFile(mem + "/memory.usage_in_bytes"));
  EXPECT_GT(usage, 0u) << r.out;
  EXPECT_NEAR(static_cast<double>(usage), static_cast<double>(now), now * 0.2) << r.out;
  EXPECT_TRUE(data["memory"]["raw"].contains("rss")) << r.out;
  EXPECT_EQ(data["pids"]["current"], 2) << r.out;
  EXPECT_EQ(data["pids"]["limit"], 50) << r.out;
  EXPECT_EQ(data["pids"]["current"], Number(ReadFile("/sys/fs/cgroup/pids" + cgroup_ + "/pids.current")));
  EXPECT_GT(data["cpu"]["usage"].value("total", uint64_t{0}), 0u) << r.out;
  // one entry per cpu in each per-cpu list
  const size_t cpus = data["cpu"]["usage"]["percpu"].size();
  EXPECT_GT(cpus, 0u) << r.out;
  EXPECT_EQ(data["cpu"]["usage"]["percpu_user"].size(), cpus) << r.out;
  EXPECT_EQ(data["cpu"]["usage"]["percpu_kernel"].size(), cpus) << r.out;
}

TEST_P(CommandsTest, EventsStreamsStatsAndEndsWithTheContainer) {
  Bundle b;
  Start(b, {"sleep", "2"});
  RunResult r = Runc({"events", "--interval", "300ms", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  int stats = 0;
  for (std::string line; std::getline(lines, line);) {
    auto e = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(e.is_object()) << line;
    EXPECT_EQ(e["id"], id_);
    if (e["type"] == "stats") ++stats;
  }
  // About 2 s / 300 ms; events started a little after the container.
  EXPECT_GE(stats, 3) << r.out;
  EXPECT_LE(stats, 9) << r.out;
  r = Runc({"events", "--interval", "0s", id_});
  EXPECT_EQ(r.status, 1);
}

TEST_P(CommandsTestV1Only, OomIsAnEvent) {
  Bundle b;
  b.config()["linux"]["resources"]["memory"]["limit"] = 16 << 20;
  b.config()["linux"]["resources"]["memory"]["swap"] = 16 << 20;
  // tail keeps the (endless, newline-free) line in memory until the OOM killer ends it.
  Start(b, {"sh", "-c", "sleep 2; tail /dev/zero"});
  RunOptions options;
  options.timeout_seconds = 30;
  RunResult r = Runc({"events", "--interval", "10s", id_}, options);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("{\"type\":\"oom\",\"id\":\"" + id_ + "\"}")) << r.out;
  EXPECT_EQ(Status(), "stopped");
}

TEST_P(CommandsTest, CheckpointWithoutWorkingCriuChangesNothing) {
  Bundle b;
  Start(b, {"sleep", "1000"});
  const pid_t init = InitPid();
  // No CRIU at all.
  const std::string images = root_.path() + "/images";
  RunResult r = Runc({"--criu", "/nonexistent/criu", "checkpoint", "--image-path", images, "--leave-running", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("checkpoint: CRIU is not installed: \"/nonexistent/criu\" was not found"));
  // A CRIU whose check fails (as Debian's 3.17 on this kernel).
  const std::string fake = root_.path() + "/criu";
  std::ofstream(fake) << "#!/bin/sh\necho 'Error (criu/cr-check.c:1234): something is missing'\necho 'Looks bad.'\nexit 1\n";
  chmod(fake.c_str(), 0755);
  r = Runc({"--criu", fake, "checkpoint", "--image-path", images, "--tcp-established", "--manage-cgroups-mode", "soft",
            id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("checkpoint: CRIU cannot run on this host: `" + fake +
                               " check` failed (exit status 1): Looks bad."));
  // The host's own CRIU, whatever it is: the error names it.
  r = Runc({"checkpoint", "--image-path", images, id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("CRIU"));
  EXPECT_FALSE(Exists(images)) << "an image directory was made";
  EXPECT_EQ(Status(), "running");
  EXPECT_EQ(InitPid(), init);
  // restore: the same check, for a new id.
  r = Runc({"--criu", fake, "restore", "--image-path", images, "--bundle", b.path(), "-d", id_ + "-r"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("restore: CRIU cannot run on this host"));
  EXPECT_FALSE(Exists(root_.path() + "/" + id_ + "-r"));
  // flags are runc's
  r = Runc({"checkpoint", "--manage-cgroups-mode", "bogus", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid --manage-cgroups-mode \"bogus\""));
  r = Runc({"checkpoint", "--no-such-flag", id_});
  EXPECT_EQ(r.status, 1);
}

INSTANTIATE_TEST_SUITE_P(Cgroups, CommandsTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "v2" : "v1"; });
INSTANTIATE_TEST_SUITE_P(Cgroups, CommandsTestV1Only, ::testing::Values(false), [](const auto&) { return "v1"; });

// `runc foo -h`: urfave/cli's "No help topic" and a non-zero status (runc's help.bats).
TEST(CommandList, HelpOfAnUnknownCommandSaysSo) {
  RunResult r = runc::test::Run({RUNC_BINARY, "foo", "-h"});
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("No help topic for 'foo'"));
}

TEST(CommandList, HelpListsEveryCommand) {
  const char* kCommands[] = {"spec",   "validate", "plan", "create", "start",      "run",     "state",    "list",
                             "kill",   "pause",    "resume", "update", "ps",       "events",  "checkpoint", "restore",
                             "features", "delete"};
  for (const auto& argv : std::vector<std::vector<std::string>>{{RUNC_BINARY, "--help"}, {RUNC_BINARY, "help"}}) {
    RunResult r = runc::test::Run(argv);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_THAT(r.out, ::testing::StartsWith("NAME:\n   runc - Open Container Initiative runtime\n"));
    for (const char* c : kCommands) {
      EXPECT_THAT(r.out, ::testing::ContainsRegex(std::string("\n  ") + c + " +[a-z]")) << c;
    }
  }
  RunResult none = runc::test::Run({RUNC_BINARY});
  for (const char* c : kCommands) EXPECT_THAT(none.out, HasSubstr(std::string("  ") + c + " ")) << c;
  // Each command's --help lists its flags; `runc help CMD` is the same.
  RunResult r = runc::test::Run({RUNC_BINARY, "update", "--help"});
  ASSERT_EQ(r.status, 0);
  for (const char* f : {"--resources", "--memory ", "--memory-swap", "--pids-limit", "--cpu-quota", "--cpuset-cpus",
                        "--blkio-weight", "--l3-cache-schema"}) {
    EXPECT_THAT(r.out, HasSubstr(f)) << f;
  }
  EXPECT_EQ(runc::test::Run({RUNC_BINARY, "help", "update"}).out, r.out);
  EXPECT_THAT(runc::test::Run({RUNC_BINARY, "events", "--help"}).out, HasSubstr("--interval"));
  EXPECT_THAT(runc::test::Run({RUNC_BINARY, "ps", "--help"}).out, HasSubstr("--format"));
  EXPECT_THAT(runc::test::Run({RUNC_BINARY, "restore", "--help"}).out, HasSubstr("--console-socket"));
  EXPECT_THAT(runc::test::Run({RUNC_BINARY, "checkpoint", "--help"}).out, HasSubstr("--leave-running"));
}

}  // namespace
}  // namespace runc::test
