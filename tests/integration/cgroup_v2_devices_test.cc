// cgroup v2 device rules on a real container: `runc run` in a private mount namespace where only
// cgroup2 is mounted on /sys/fs/cgroup (how a v2 host is imitated on this hybrid machine), so the
// plan has a cgroup.device step and the kernel asks our eBPF program on every open and mknod of
// a device node inside the container. Runs as root.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "executor/runtime/cgroup_bpf.h"
#include "executor/runtime/cgroup_host.h"
#include "tests/integration/cgroup_fixture.h"
#include "tests/integration/harness.h"

namespace runc::test {
namespace {

// "name: result" lines of the probe script.
std::map<std::string, std::string> Fields(const std::string& out) {
  std::map<std::string, std::string> fields;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return fields;
}

// Opens each node the way a program would and says how it went: "ok" or the shell's message,
// which ends with strerror.
const char kProbe[] = R"(
probe() { name=$1; shift; if out=$("$@" 2>&1); then echo "$name: ok"; else echo "$name: ${out##*: }"; fi; }
probe null-write sh -c 'echo x > /dev/null'
probe zero-read sh -c 'head -c 4 /dev/zero | wc -c | grep -q 4'
probe full-write sh -c 'exec 3> /dev/full'
probe mknod-b mknod /dev/b7 b 7 0
probe open-b sh -c 'exec 3< /dev/b7'
probe mknod-42 mknod /dev/c42 c 42 0
probe read-42 sh -c 'exec 3< /dev/c42'
probe write-42 sh -c 'exec 3> /dev/c42'
probe mknod-43 mknod /dev/c43 c 43 0
probe read-43 sh -c 'exec 3< /dev/c43'
probe write-43 sh -c 'exec 3> /dev/c43'
probe mknod-44 mknod /dev/c44 c 44 0
probe read-44 sh -c 'exec 3< /dev/c44'
)";

class CgroupV2Devices : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(IsRoot()) << "integration tests run as root";
    struct stat st;
    if (stat((std::string(kHostCgroup2) + "/cgroup.procs").c_str(), &st) != 0) {
      GTEST_SKIP() << "no cgroup2 hierarchy at " << kHostCgroup2;
    }
    parent_ = "runc-h2-v2dev-" + std::to_string(getpid()) + "-" + UniqueId("p");
  }
  void TearDown() override { CgroupRemove(std::string(kHostCgroup2) + "/" + parent_, 2000); }

  // A busybox bundle running the probe, with CAP_MKNOD (the cgroup, not the capability, is under
  // test) and the container's cgroup under our parent.
  void Prepare(Bundle& b) {
    auto& c = b.config();
    c["process"]["args"] = {"sh", "-c", kProbe};
    for (const char* set : {"bounding", "effective", "permitted"}) c["process"]["capabilities"][set].push_back("CAP_MKNOD");
    c["process"]["capabilities"].erase("ambient");
    c["linux"]["cgroupsPath"] = "/" + parent_ + "/c";
  }

  RunResult RunOnV2(Bundle& b, const std::string& id) {
    b.Write();
    RunOptions opts;
    opts.timeout_seconds = 60;
    return test::Run(OnV2({RUNC_BINARY, "--root", root_.path(), "run", "--bundle", b.path(), id}), opts);
  }

  TempDir root_{"runc-h2-v2dev-root"};
  std::string parent_;
};

TEST_F(CgroupV2Devices, PlanHasTheStep) {
  Bundle b({"true"});
  Prepare(b);
  b.Write();
  RunResult r = test::Run(OnV2({RUNC_BINARY, "plan", "--bundle", b.path()}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::HasSubstr("host=cgroup-v2"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("cgroup.device  /sys/fs/cgroup/" + parent_ +
                                          "/c default deny (/linux/resources/devices/0); allow c *:* m (default);"));
}

TEST_F(CgroupV2Devices, DefaultAllowListAndSpecRules) {
  Bundle b({"true"});
  Prepare(b);
  auto& devices = b.config()["linux"]["resources"]["devices"];
  ASSERT_EQ(devices.size(), 1u);  // runc spec's deny-all
  devices.push_back({{"allow", true}, {"type", "c"}, {"major", 42}, {"access", "r"}});
  devices.push_back({{"allow", true}, {"type", "c"}, {"major", 43}, {"minor", 0}, {"access", "rw"}});
  devices.push_back({{"allow", false}, {"type", "c"}, {"major", 43}, {"minor", 0}, {"access", "w"}});
  // runc puts its default allow-list after the spec's rules, so this deny of /dev/zero is undone
  // by it, on v1 and on v2 alike.
  devices.push_back({{"allow", false}, {"type", "c"}, {"major", 1}, {"minor", 5}, {"access", "rwm"}});
  const std::string id = UniqueId("dev");
  RunResult r = RunOnV2(b, id);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  auto f = Fields(r.out);
  const std::string eperm = "Operation not permitted";
  const std::string enxio = "No such device or address";  // past the cgroup check, no driver
  EXPECT_EQ(f["null-write"], "ok") << r.out;
  EXPECT_EQ(f["zero-read"], "ok") << r.out;
  EXPECT_EQ(f["full-write"], "ok") << r.out;
  // "b *:* m": any block node may be made, none opened.
  EXPECT_EQ(f["mknod-b"], "ok") << r.out;
  EXPECT_EQ(f["open-b"], eperm) << r.out;
  // c 42:* r
  EXPECT_EQ(f["mknod-42"], "ok") << r.out;
  EXPECT_EQ(f["read-42"], enxio) << r.out;
  EXPECT_EQ(f["write-42"], eperm) << r.out;
  // c 43:0 rw minus w
  EXPECT_EQ(f["read-43"], enxio) << r.out;
  EXPECT_EQ(f["write-43"], eperm) << r.out;
  // no rule for c 44
  EXPECT_EQ(f["mknod-44"], "ok") << r.out;
  EXPECT_EQ(f["read-44"], eperm) << r.out;
  // `run` removed the container's cgroup (and with it the program).
  struct stat st;
  EXPECT_NE(stat((std::string(kHostCgroup2) + "/" + parent_ + "/c").c_str(), &st), 0);
}

// A cgroup that already had a device program: ours replaces it rather than adding to it.
TEST_F(CgroupV2Devices, ReplacesAProgramAttachedBefore) {
  const std::string dir = std::string(kHostCgroup2) + "/" + parent_ + "/c";
  std::vector<std::string> created;
  std::string failed;
  ASSERT_EQ(CgroupMkdirAll(dir, created, failed), 0) << failed;
  uint32_t old_id = 0;
  std::string what;
  ASSERT_EQ(AttachDeviceFilter(DeviceFilterProgram(DeviceFilter{}), dir, old_id, what), 0) << what;  // deny all
  std::vector<uint32_t> ids;
  ASSERT_EQ(QueryDeviceFilters(dir, ids), 0);
  ASSERT_EQ(ids, std::vector<uint32_t>{old_id});

  Bundle b({"true"});
  Prepare(b);
  b.config()["process"]["args"] = {"sh", "-c", "echo x > /dev/null && echo null-write: ok"};
  RunResult r = RunOnV2(b, UniqueId("dev"));
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(Fields(r.out)["null-write"], "ok") << r.out << r.err;
}

// A program attached without BPF_F_ALLOW_MULTI cannot be joined by ours: the step fails with the
// project's message, and the failure path leaves no state dir and keeps the cgroup it did not make.
TEST_F(CgroupV2Devices, AttachFailureNamesTheStep) {
  const std::string dir = std::string(kHostCgroup2) + "/" + parent_ + "/c";
  std::vector<std::string> created;
  std::string failed;
  ASSERT_EQ(CgroupMkdirAll(dir, created, failed), 0) << failed;
  int prog = -1;
  std::string what;
  ASSERT_EQ(LoadDeviceFilter(DeviceFilterProgram(DeviceFilter{}), dir, prog, what), 0) << what;
  int cgroup = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(cgroup, 0);
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog);
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = 0;  // exclusive
  ASSERT_EQ(syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr), 0) << strerror(errno);
  close(prog);
  close(cgroup);

  Bundle b({"true"});
  Prepare(b);
  const std::string id = UniqueId("dev");
  RunResult r = RunOnV2(b, id);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "runc: step 5 cgroup.device (/linux/resources/devices): bpf BPF_PROG_ATTACH device filter to "
                   "/sys/fs/cgroup/" + parent_ + "/c: Operation not permitted\n");
  struct stat st;
  EXPECT_NE(stat((root_.path() + "/" + id).c_str(), &st), 0) << "state dir left";
  EXPECT_EQ(stat(dir.c_str(), &st), 0) << "a cgroup that was there before is not ours to remove";
  std::vector<uint32_t> ids;
  ASSERT_EQ(QueryDeviceFilters(dir, ids), 0);
  EXPECT_EQ(ids.size(), 1u) << "only the exclusive program";
}

}  // namespace
}  // namespace runc::test
