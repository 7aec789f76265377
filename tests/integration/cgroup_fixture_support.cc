// The cgroup test fixture (cgroup_fixture.h).
#include "tests/integration/cgroup_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

namespace runc::test {

std::vector<std::string> OnV2(const std::vector<std::string>& argv) {
  std::vector<std::string> out = {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                  "umount -l /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec \"$@\"",
                                  "sh"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

CgroupContainerTest::CgroupContainerTest(const std::string& name)
    : name_(name), root_("runc-test-" + name + "-root") {}

void CgroupContainerTest::SetUp() {
  ASSERT_TRUE(IsRoot()) << "integration tests run as root";
  v2_ = GetParam();
  if (v2_ && !Exists(std::string(kHostCgroup2) + "/cgroup.procs")) GTEST_SKIP() << "no cgroup2 at " << kHostCgroup2;
  id_ = UniqueId(name_);
  cgroup_ = "/runc-test-" + name_ + "-" + id_;
}

void CgroupContainerTest::TearDown() {
  Runc({"delete", "--force", id_});
  if (v2_) rmdir((std::string(kHostCgroup2) + cgroup_).c_str());
}

RunResult CgroupContainerTest::Runc(const std::vector<std::string>& args, const RunOptions& options) {
  std::vector<std::string> argv = {RUNC_BINARY, "--root", root_.path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::Run(v2_ ? OnV2(argv) : argv, options);
}

void CgroupContainerTest::RunDetached(Bundle& b) {
  b.config()["linux"]["cgroupsPath"] = cgroup_;
  b.Write();
  const std::string err_file = root_.path() + "/run-d.err";
  std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$@\" </dev/null >/dev/null 2>" + err_file, "sh",
                                   RUNC_BINARY, "--root", root_.path(), "run", "-d", "--bundle", b.path(), id_};
  RunResult r = test::Run(v2_ ? OnV2(argv) : argv);
  ASSERT_EQ(r.status, 0) << ReadFile(err_file);
}

std::string CgroupContainerTest::Status() {
  auto j = nlohmann::json::parse(Runc({"state", id_}).out, nullptr, false);
  return j.is_object() ? j.value("status", "") : "";
}

}  // namespace runc::test
