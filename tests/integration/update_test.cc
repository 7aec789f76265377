// runc update on real containers: the flags (sizes with units) and --resources FILE|- reach the
// cgroup files (v1 on this hybrid host; cgroup2 in a private mount namespace with only cgroup2
// mounted), are saved (state.json's resources, `runc plan ID`), and the next update starts from
// them; a bad document gives pointer diagnostics and changes nothing; a failed write is undone;
// stopped and unknown containers are refused. `runc plan --update FILE ID` prints the steps.
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cgroup_fixture.h"
#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class UpdateTest : public CgroupContainerTest {
 protected:
  UpdateTest() : CgroupContainerTest("update") {}

  // A v1 controller's file of the container (the hierarchy's mount point is its name here).
  std::string V1File(const std::string& controller, const std::string& file) const {
    return "/sys/fs/cgroup/" + controller + cgroup_ + "/" + file;
  }
  std::string V2File(const std::string& file) const { return std::string(kHostCgroup2) + cgroup_ + "/" + file; }

  void StartSleeper(Bundle& b) {
    b.config()["process"]["args"] = {"sleep", "1000"};
    RunDetached(b);
  }

  nlohmann::json SavedResources() const {
    auto j = nlohmann::json::parse(ReadFile(root_.path() + "/" + id_ + "/state.json"), nullptr, false);
    return j.is_object() && j.contains("resources") ? j["resources"] : nlohmann::json();
  }

  std::string WriteDoc(const std::string& name, const std::string& text) {
    const std::string path = root_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
};

// The cases that only mean something on one kind of host get only that instance (no instance
// that would always skip).
class UpdateTestV1Only : public UpdateTest {};
class UpdateTestV2Only : public UpdateTest {};

TEST_P(UpdateTestV1Only, FlagsReachTheCgroupAndAreSaved) {
  Bundle b;
  StartSleeper(b);
  RunResult r = Runc({"update", "--memory", "100M", "--memory-swap", "200M", "--pids-limit", "20", "--cpu-share", "512",
                      "--cpu-period", "100000", "--cpu-quota", "50000", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Trim(ReadFile(V1File("memory", "memory.limit_in_bytes"))), "104857600");
  EXPECT_EQ(Trim(ReadFile(V1File("memory", "memory.memsw.limit_in_bytes"))), "209715200");
  EXPECT_EQ(Trim(ReadFile(V1File("pids", "pids.max"))), "20");
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.shares"))), "512");
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.cfs_period_us"))), "100000");
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.cfs_quota_us"))), "50000");

  // Saved: state.json's resources and the container's plan.
  nlohmann::json saved = SavedResources();
  EXPECT_EQ(saved["memory"]["limit"], 104857600) << saved.dump();
  EXPECT_EQ(saved["pids"]["limit"], 20) << saved.dump();
  RunResult plan = Runc({"plan", id_});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("memory.limit_in_bytes = 104857600"));
  EXPECT_THAT(plan.out, HasSubstr("# /linux/resources/memory/limit"));
  EXPECT_THAT(plan.out, HasSubstr("pids.max = 20"));

  // The next update starts from there: raising memory and swap above the old swap needs swap first.
  r = Runc({"update", "--memory", "300M", "--memory-swap", "400M", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Trim(ReadFile(V1File("memory", "memory.limit_in_bytes"))), "314572800");
  EXPECT_EQ(Trim(ReadFile(V1File("memory", "memory.memsw.limit_in_bytes"))), "419430400");
  // And lowering both again needs the limit first.
  r = Runc({"update", "--memory", "50M", "--memory-swap", "60M", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Trim(ReadFile(V1File("memory", "memory.limit_in_bytes"))), "52428800");
  // What an update leaves out stays as it was, in the cgroup and in what is saved.
  EXPECT_EQ(Trim(ReadFile(V1File("pids", "pids.max"))), "20");
  saved = SavedResources();
  EXPECT_EQ(saved["pids"]["limit"], 20) << saved.dump();
  EXPECT_EQ(saved["memory"]["swap"], 62914560) << saved.dump();
  plan = Runc({"plan", id_});
  EXPECT_THAT(plan.out, HasSubstr("memory.limit_in_bytes = 52428800"));
  EXPECT_THAT(plan.out, Not(HasSubstr("memory.limit_in_bytes = 104857600")));

  // -1 is unlimited.
  r = Runc({"update", "--pids-limit", "-1", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Trim(ReadFile(V1File("pids", "pids.max"))), "max");
  // --memory -1 alone also lifts the swap limit, as runc's update does (update.bats "common
  // limits"); before, the kernel refused it: limit above memsw.
  r = Runc({"update", "--memory", "-1", id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Trim(ReadFile(V1File("memory", "memory.limit_in_bytes"))), "9223372036854771712");
  EXPECT_EQ(Trim(ReadFile(V1File("memory", "memory.memsw.limit_in_bytes"))), "9223372036854771712");
}

TEST_P(UpdateTestV1Only, ResourcesFromAFileAndStdin) {
  Bundle b;
  StartSleeper(b);
  const std::string doc = WriteDoc("r.json", R"({"pids": {"limit": 33}, "cpu": {"shares": 256}})");
  RunResult r = Runc({"update", "--resources", doc, id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Trim(ReadFile(V1File("pids", "pids.max"))), "33");
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.shares"))), "256");
  RunOptions in;
  in.input = R"({"pids": {"limit": 44}})";
  r = Runc({"update", "-r", "-", id_}, in);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Trim(ReadFile(V1File("pids", "pids.max"))), "44");
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.shares"))), "256");
  EXPECT_EQ(SavedResources()["cpu"]["shares"], 256);
}

TEST_P(UpdateTest, BadDocumentGivesPointersAndChangesNothing) {
  Bundle b;
  StartSleeper(b);
  const std::string before_state = ReadFile(root_.path() + "/" + id_ + "/state.json");
  const std::string before_plan = Runc({"plan", id_}).out;
  const std::string doc = WriteDoc("bad.json", "{\n  \"memory\": {\n    \"limit\": \"lots\"\n  },\n  \"pids\": {\"limit\": 5}\n}\n");
  RunResult r = Runc({"update", "--resources", doc, id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(doc + ":3:"));
  EXPECT_THAT(r.err, HasSubstr("/memory/limit"));
  EXPECT_THAT(r.err, Not(HasSubstr("/linux/resources")));
  if (!v2_) {
    EXPECT_EQ(Trim(ReadFile(V1File("pids", "pids.max"))), "max") << "a refused update wrote";
  }
  EXPECT_EQ(ReadFile(root_.path() + "/" + id_ + "/state.json"), before_state);
  EXPECT_EQ(Runc({"plan", id_}).out, before_plan);
  // Not JSON at all: the syntax error names the file, line and column.
  r = Runc({"update", "--resources", WriteDoc("syntax.json", "{\"pids\": {\"limit\": }}"), id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("syntax.json:1:"));
  // A flag value that is not a size.
  r = Runc({"update", "--memory", "lots", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("--memory: invalid size \"lots\""));
}

TEST_P(UpdateTestV1Only, FailedWriteIsUndone) {
  Bundle b;
  StartSleeper(b);
  ASSERT_EQ(Runc({"update", "--memory", "100M", "--memory-swap", "100M", id_}).status, 0);
  const std::string cpus = ReadFile(V1File("cpuset", "cpuset.cpus"));
  // cpuset is written first (runc's order), then a memsw below the memory limit is refused.
  RunResult r = Runc({"update", "--cpuset-cpus", "0", "--memory-swap", "10M", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("cgroup.write (/memory/swap): write " + V1File("memory", "memory.memsw.limit_in_bytes") +
                               ": Invalid argument"));
  EXPECT_EQ(ReadFile(V1File("cpuset", "cpuset.cpus")), cpus) << "the cpuset write was not undone";
  EXPECT_EQ(SavedResources()["memory"]["swap"], 104857600);
}

// update.bats "update cpu period in a pod cgroup with pod limit set": under a pod whose quota is
// 50% a smaller period is refused (EINVAL) against the container's old quota; as runc, the
// period is written again after the quota. Until 2026-12-07 the update failed at the period.
TEST_P(UpdateTestV1Only, SmallerPeriodUnderAPodsQuota) {
  const std::string pod = "/runc-test-update-pod-" + id_;
  cgroup_ = pod + "/c";
  ASSERT_EQ(mkdir(("/sys/fs/cgroup/cpu" + pod).c_str(), 0755), 0) << std::strerror(errno);
  std::ofstream("/sys/fs/cgroup/cpu" + pod + "/cpu.cfs_quota_us") << "50000";
  ASSERT_EQ(Trim(ReadFile("/sys/fs/cgroup/cpu" + pod + "/cpu.cfs_quota_us")), "50000");
  Bundle b;
  // The pod's 50%, as the container's own limit: a 10 ms period with this quota would be 500%.
  b.config()["linux"]["resources"]["cpu"] = {{"period", 100000}, {"quota", 50000}};
  StartSleeper(b);
  // 60% of the 100 ms period is more than the pod allows.
  RunResult r = Runc({"update", "--cpu-quota", "60000", id_});
  EXPECT_EQ(r.status, 1);
  r = Runc({"update", "--cpu-period", "10000", "--cpu-quota", "3000", id_});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.cfs_period_us"))), "10000");
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.cfs_quota_us"))), "3000");
  Runc({"delete", "--force", id_});
  std::istringstream hierarchies(ReadFile("/proc/self/mountinfo"));
  for (std::string line; std::getline(hierarchies, line);) {
    if (line.find(" - cgroup") == std::string::npos) continue;  // cgroup and cgroup2
    std::istringstream f(line);
    std::string id, parent, dev, root, mnt;
    f >> id >> parent >> dev >> root >> mnt;
    rmdir((mnt + cgroup_).c_str());
    rmdir((mnt + pod).c_str());
  }
}

// As at create, and as runc 1.1's update: `unified` needs a cgroup v2 host; on this hybrid one
// it is refused before anything is written. Until 2026-12-07 it was written into the cgroup2
// mount (cgroup.max.descendants is there).
TEST_P(UpdateTestV1Only, UnifiedOnAV1HostIsRefused) {
  Bundle b;
  StartSleeper(b);
  const std::string file = "/sys/fs/cgroup/unified" + cgroup_ + "/cgroup.max.descendants";
  const std::string before = ReadFile(file);
  RunResult r = Runc({"update", "--resources", WriteDoc("u.json", R"({"unified": {"cgroup.max.descendants": "7"}})"), id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, ::testing::MatchesRegex("runc: .*u.json: /unified: invalid configuration: cannot use unified on "
                                             "cgroup v1 .*\n"));
  EXPECT_EQ(ReadFile(file), before);
  EXPECT_FALSE(SavedResources().contains("unified"));
}

TEST_P(UpdateTestV2Only, UnifiedOnV2) {
  Bundle b;
  StartSleeper(b);
  RunResult r = Runc({"update", "--resources", WriteDoc("u.json", R"({"unified": {"cgroup.max.descendants": "7"}})"), id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(Trim(ReadFile(V2File("cgroup.max.descendants"))), "7");
  EXPECT_EQ(SavedResources()["unified"]["cgroup.max.descendants"], "7");
  EXPECT_THAT(Runc({"plan", id_}).out, HasSubstr("cgroup.max.descendants = 7"));
  // No pids controller in this cgroup2: the write fails naming the file, nothing is saved.
  r = Runc({"update", "--pids-limit", "10", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("cgroup.write (/pids/limit): write " + std::string("/sys/fs/cgroup") + cgroup_ +
                               "/pids.max: No such file or directory"));
  EXPECT_FALSE(SavedResources().contains("pids"));
}

TEST_P(UpdateTest, PlanUpdateShowsTheSteps) {
  Bundle b;
  StartSleeper(b);
  const std::string doc = WriteDoc("p.json", R"({"pids": {"limit": 9}, "memory": {"limit": 1048576000}})");
  RunResult r = Runc({"plan", "--update", doc, id_});
  ASSERT_EQ(r.status, 0) << r.err;
  if (v2_) {
    EXPECT_THAT(r.out, HasSubstr("/sys/fs/cgroup" + cgroup_ + "/pids.max = 9"));
    EXPECT_THAT(r.out, HasSubstr("/sys/fs/cgroup" + cgroup_ + "/memory.max = 1048576000"));
  } else {
    EXPECT_THAT(r.out, HasSubstr(V1File("pids", "pids.max") + " = 9"));
    EXPECT_THAT(r.out, HasSubstr(V1File("memory", "memory.limit_in_bytes") + " = 1048576000"));
  }
  EXPECT_THAT(r.out, HasSubstr("# /pids/limit"));
  // Only printed: nothing changed.
  if (!v2_) {
    EXPECT_EQ(Trim(ReadFile(V1File("pids", "pids.max"))), "max");
  }
  EXPECT_TRUE(SavedResources().is_null());
}

// "N KIND" of each step of a printed plan ("host  3  cgroup.write  FILE = V  # /origin").
std::vector<std::string> PlanSteps(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string phase, index, kind;
    if (line.empty() || line[0] == '#' || !(f >> phase >> index >> kind)) continue;
    out.push_back(index + " " + kind);
  }
  return out;
}

// "N KIND" of each `runc: debug: step N KIND` line of a --debug trace.
std::vector<std::string> TracedSteps(const std::string& err) {
  std::vector<std::string> out;
  std::istringstream in(err);
  const std::string prefix = "runc: debug: step ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream f(line.substr(prefix.size()));
    std::string index, kind;
    if (f >> index >> kind && kind != "skipped:") out.push_back(index + " " + kind);
  }
  return out;
}

// The cpu.cfs_* writes of a printed plan, in order ("cpu.cfs_period_us = 200000").
std::vector<std::string> CfsWrites(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find("/cpu.cfs_");
    if (at == std::string::npos) continue;
    const size_t hash = line.find("  #", at);
    out.push_back(Trim(line.substr(at + 1, hash == std::string::npos ? std::string::npos : hash - at - 1)));
  }
  return out;
}

// Plan truth for an update of the cpu period and quota: on v1 it writes the period, the quota and
// the period again (runc's order). `runc plan --update FILE ID` prints those writes, the --debug
// trace of the update is that plan, and `runc plan ID` afterwards holds all three, in that order.
// Until 2026-12-07 the update was not traced and the container's plan kept only the first period
// write (the second replaced it: "cpu.cfs_period_us = 200000", "cpu.cfs_quota_us = 100000").
TEST_P(UpdateTestV1Only, PeriodAndQuotaUpdateIsInThePlanAsItRan) {
  Bundle b;
  StartSleeper(b);
  const std::string doc = WriteDoc("cpu.json", R"({"cpu": {"period": 200000, "quota": 100000}})");
  RunResult planned = Runc({"plan", "--update", doc, id_});
  ASSERT_EQ(planned.status, 0) << planned.err;
  const std::vector<std::string> cfs = {"cpu.cfs_period_us = 200000 (EINVAL: again after the quota)",
                                        "cpu.cfs_quota_us = 100000", "cpu.cfs_period_us = 200000"};
  EXPECT_EQ(CfsWrites(planned.out), cfs) << planned.out;
  RunResult r = Runc({"--debug", "update", "--resources", doc, id_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(TracedSteps(r.err), PlanSteps(planned.out)) << r.err;
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.cfs_period_us"))), "200000");
  EXPECT_EQ(Trim(ReadFile(V1File("cpu", "cpu.cfs_quota_us"))), "100000");
  RunResult plan = Runc({"plan", id_});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_EQ(CfsWrites(plan.out), cfs) << plan.out;
  // The next update of the period alone changes both of its writes.
  ASSERT_EQ(Runc({"update", "--cpu-period", "300000", id_}).status, 0);
  EXPECT_EQ(CfsWrites(Runc({"plan", id_}).out),
            (std::vector<std::string>{"cpu.cfs_period_us = 300000 (EINVAL: again after the quota)",
                                      "cpu.cfs_quota_us = 100000", "cpu.cfs_period_us = 300000"}));
  // And a bundle's update plan (`runc plan --update FILE`, no container) has the same writes.
  b.Write();
  RunResult bundle = Runc({"plan", "--bundle", b.path(), "--update", doc});
  ASSERT_EQ(bundle.status, 0) << bundle.err;
  EXPECT_EQ(CfsWrites(bundle.out), cfs) << bundle.out;
}

TEST_P(UpdateTest, StoppedAndUnknownContainersAreRefused) {
  RunResult r = Runc({"update", "--pids-limit", "10", "no-such-container"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
  Bundle b({"true"});
  b.config()["linux"]["cgroupsPath"] = cgroup_;
  b.Write();
  ASSERT_EQ(Runc({"run", "--keep", "--bundle", b.path(), id_}).status, 0);
  r = Runc({"update", "--pids-limit", "10", id_});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot update container " + id_ + ": it is stopped"));
}

// A foreground `run` reuses the plan it compiled for its start and delete (issue 10) only while
// plan.json is the file it saved: an update meanwhile renumbers the steps, and run's teardown must
// then be the updated plan's (its --debug trace shows that plan's step numbers).
TEST_P(UpdateTestV1Only, RunTearsDownTheUpdatedPlan) {
  Bundle b({"sh", "-c", "read x; exit 0"});  // waits for end of file on its stdin
  b.config()["linux"]["cgroupsPath"] = cgroup_;
  b.Write();
  const std::string dir = root_.path();
  const std::string script = R"(
    r="$0 --root $1"; id=$2; dir=$3; bundle=$4
    mkfifo "$dir/in"
    $r --debug run --bundle "$bundle" "$id" <"$dir/in" >/dev/null 2>"$dir/run.err" &
    run=$!
    exec 3>"$dir/in"
    i=0
    until $r state "$id" 2>/dev/null | grep -q '"status": "running"'; do
      i=$((i + 1)); [ $i -gt 500 ] && { echo "not running" >&2; exit 1; }
      sleep 0.02
    done
    $r plan "$id" >"$dir/before.plan" || exit 1
    $r update --pids-limit 10 "$id" || exit 1
    $r plan "$id" >"$dir/after.plan" || exit 1
    exec 3>&-
    wait $run
  )";
  RunResult r = test::Run({"/bin/sh", "-c", script, RUNC_BINARY, dir, id_, dir, b.path()});
  ASSERT_EQ(r.status, 0) << r.err << ReadFile(dir + "/run.err");
  // The kill step's number in each plan ("teardown  N  kill ...").
  auto kill_index = [](const std::string& plan) {
    std::istringstream in(plan);
    for (std::string phase, index, kind; in >> phase;) {
      if (phase == "teardown" && in >> index >> kind && kind == "kill") return index;
      in.ignore(1 << 20, '\n');
    }
    return std::string();
  };
  const std::string before = kill_index(ReadFile(dir + "/before.plan"));
  const std::string after = kill_index(ReadFile(dir + "/after.plan"));
  ASSERT_FALSE(before.empty());
  ASSERT_FALSE(after.empty());
  ASSERT_NE(before, after) << "the update added no step";
  const std::string trace = ReadFile(dir + "/run.err");
  EXPECT_THAT(trace, HasSubstr("runc: debug: step " + after + " kill\n"));
  EXPECT_THAT(trace, Not(HasSubstr("runc: debug: step " + before + " kill\n")));
}

INSTANTIATE_TEST_SUITE_P(Cgroups, UpdateTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "v2" : "v1"; });
INSTANTIATE_TEST_SUITE_P(Cgroups, UpdateTestV1Only, ::testing::Values(false), [](const auto&) { return "v1"; });
INSTANTIATE_TEST_SUITE_P(Cgroups, UpdateTestV2Only, ::testing::Values(true), [](const auto&) { return "v2"; });

}  // namespace
}  // namespace runc::test
