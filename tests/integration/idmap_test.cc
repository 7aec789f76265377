// Idmapped mounts through the real binary: a host directory with files owned by 0:0 and 1000:1000
// is bind-mounted with uidMappings/gidMappings (or with the container's user namespace maps) and
// looked at from inside the container; writes through the mount land on the host with the
// reverse-mapped owner; the recursive variants map submounts (ridmap) or leave them (idmap).
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/harness.h"

namespace runc::test {
namespace {

using ::testing::HasSubstr;

std::string Owner(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
}

void MakeFile(const std::string& path, uid_t uid, gid_t gid) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  close(fd);
  ASSERT_EQ(chown(path.c_str(), uid, gid), 0) << path;
}

nlohmann::json Maps(uint32_t container_id, uint32_t host_id, uint32_t size) {
  return nlohmann::json::array({{{"containerID", container_id}, {"hostID", host_id}, {"size", size}}});
}

class IdmapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root";
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    // The volume: world-readable all the way down, so that a container root mapped to another
    // host id reaches it.
    chmod(vol_dir_.path().c_str(), 0755);
    src_ = vol_dir_.path() + "/src";
    ASSERT_EQ(mkdir(src_.c_str(), 0755), 0);
    MakeFile(src_ + "/root0", 0, 0);
    MakeFile(src_ + "/u1000", 1000, 1000);
    // A private copy of the mount namespace: the table compared in TearDown is the runtime's
    // alone (a leak of its lands there; other tests' mounts on the host do not).
    ASSERT_EQ(EnterPrivateMountNamespace(), "");
    host_mounts_ = ReadFile("/proc/self/mountinfo");
  }
  void TearDown() override {
    if (!IsRoot()) return;
    if (!sub_.empty()) umount2(sub_.c_str(), MNT_DETACH);
    EXPECT_EQ(ReadFile("/proc/self/mountinfo"), host_mounts_) << "a mount leaked into the runtime's mount namespace";
    // Nothing of ours (the user namespace helpers, the container) outlives the run.
    std::istringstream in(ReadFile("/proc/self/task/" + std::to_string(getpid()) + "/children"));
    std::vector<pid_t> left;
    for (pid_t p; in >> p;) {
      left.push_back(p);
      kill(p, SIGKILL);
      waitpid(p, nullptr, 0);
    }
    EXPECT_THAT(left, ::testing::IsEmpty()) << "processes left";
    prctl(PR_SET_CHILD_SUBREAPER, 0);
  }

  // A tmpfs submount src/sub holding a file owned by 0:0 (the host mount is undone in TearDown,
  // before the mount table is compared).
  void AddSubmount() {
    sub_ = src_ + "/sub";
    ASSERT_EQ(mkdir(sub_.c_str(), 0755), 0);
    ASSERT_EQ(mount("tmpfs", sub_.c_str(), "tmpfs", 0, "mode=755"), 0);
    MakeFile(sub_ + "/f", 0, 0);
  }

  void AddUserNamespace(Bundle& b, uint32_t host_id) {
    auto& linux = b.config()["linux"];
    linux["namespaces"].push_back({{"type", "user"}});
    linux["uidMappings"] = Maps(0, host_id, 65536);
    linux["gidMappings"] = Maps(0, host_id, 65536);
    // The container's root is another host id: it must reach the bundle and find the mount
    // points (it cannot create them in a rootfs owned by the host's root).
    chmod(b.path().c_str(), 0755);
  }

  RunResult RunScript(Bundle& b, const std::string& script, const std::vector<std::string>& mount_points) {
    for (const auto& mp : mount_points) mkdir((b.rootfs() + mp).c_str(), 0755);
    b.config()["process"]["args"] = {"sh", "-c", script};
    b.config()["root"]["readonly"] = false;
    b.config()["linux"]["cgroupsPath"] = "/" + UniqueId("h3idmap");
    b.Write();
    return Runc(root_.path(), {"run", "--bundle", b.path(), UniqueId("idm")});
  }

  TempDir root_{"runc-h3-idmap-root"};
  TempDir vol_dir_{"runc-h3-idmap-vol"};
  std::string src_, sub_;
  std::string host_mounts_;
};

// No user namespace: the mount's maps alone decide what the container sees. On-disk id N shows as
// the host id the mapping gives container id N: 0 -> 5000, 1000 -> 6000 (uids), 0 -> 7000,
// 1000 -> 8000 (gids). A process running as 5000:7000 owns the mount's root and creates files
// that land on disk as 0:0.
TEST_F(IdmapTest, MountMappingsWithoutAUserNamespace) {
  Bundle b;
  b.config()["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src_},
                                  {"options", {"bind", "idmap"}},
                                  {"uidMappings", Maps(0, 5000, 2000)},
                                  {"gidMappings", Maps(0, 7000, 2000)}});
  // A single file, too (its mount point is created as a file).
  b.config()["mounts"].push_back({{"destination", "/etc/owned"},
                                  {"type", "bind"},
                                  {"source", src_ + "/u1000"},
                                  {"options", {"bind", "idmap"}},
                                  {"uidMappings", Maps(0, 5000, 2000)},
                                  {"gidMappings", Maps(0, 7000, 2000)}});
  b.config()["process"]["user"] = {{"uid", 5000}, {"gid", 7000}};
  auto r = RunScript(b,
                     "stat -c '%n %u:%g' /data /data/root0 /data/u1000 /etc/owned && echo written > /data/new && "
                     "stat -c '%n %u:%g' /data/new && grep ' /data ' /proc/self/mountinfo",
                     {"/data"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("/data 5000:7000\n/data/root0 5000:7000\n/data/u1000 6000:8000\n"
                               "/etc/owned 6000:8000\n/data/new 5000:7000\n"));
  EXPECT_THAT(r.out, HasSubstr("idmapped"));
  EXPECT_EQ(Owner(src_ + "/new"), "0:0");
  EXPECT_EQ(ReadFile(src_ + "/new"), "written\n");
  EXPECT_EQ(Owner(src_ + "/root0"), "0:0");  // the files themselves never change
}

// A user namespace 0 -> 100000: without an idmapped mount the host's 0 and 1000 are nobody in
// the container; with the mount mapped like the container (explicitly, or by idmap without
// mappings) they show as 0 and 1000, and the container's root writes files owned by the host's 0.
TEST_F(IdmapTest, InAUserNamespaceFilesKeepTheirOwners) {
  Bundle b;
  AddUserNamespace(b, 100000);
  b.config()["mounts"].push_back({{"destination", "/plain"}, {"type", "bind"}, {"source", src_}, {"options", {"rbind"}}});
  b.config()["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src_},
                                  {"options", {"rbind", "idmap"}},
                                  {"uidMappings", Maps(0, 100000, 65536)},
                                  {"gidMappings", Maps(0, 100000, 65536)}});
  b.config()["mounts"].push_back({{"destination", "/same"}, {"type", "bind"}, {"source", src_}, {"options", {"rbind", "idmap"}}});
  // chown needs CAP_CHOWN (in the container's user namespace).
  for (const char* set : {"bounding", "effective", "permitted"}) b.config()["process"]["capabilities"][set].push_back("CAP_CHOWN");
  auto r = RunScript(b,
                     "stat -c '%n %u:%g' /plain/root0 /plain/u1000 /data/root0 /data/u1000 /same/root0 /same/u1000 && "
                     "touch /data/by-root /same/by-root2 /data/chowned && chown 1000:1000 /data/chowned && "
                     "stat -c '%n %u:%g' /data/by-root /data/chowned && cat /proc/self/uid_map",
                     {"/plain", "/data", "/same"});
  EXPECT_THAT(r.out, HasSubstr("/plain/root0 65534:65534\n/plain/u1000 65534:65534\n"
                               "/data/root0 0:0\n/data/u1000 1000:1000\n"
                               "/same/root0 0:0\n/same/u1000 1000:1000\n"
                               "/data/by-root 0:0\n/data/chowned 1000:1000\n"));
  EXPECT_THAT(r.out, HasSubstr("100000"));  // really in a user namespace
  EXPECT_EQ(Owner(src_ + "/by-root"), "0:0");
  EXPECT_EQ(Owner(src_ + "/by-root2"), "0:0");
  EXPECT_EQ(Owner(src_ + "/chowned"), "1000:1000");
}

// A joined user namespace: idmap without mappings takes the namespace itself (its maps are not
// in the config), through the fd the ns.open step already holds.
TEST_F(IdmapTest, JoinedUserNamespaceWithoutMappings) {
  pid_t holder = static_cast<pid_t>(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, 0));
  ASSERT_GE(holder, 0);
  if (holder == 0) {
    pause();
    _exit(0);
  }
  const std::string proc = "/proc/" + std::to_string(holder);
  auto write_map = [](const std::string& path, const std::string& text) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    if (fd >= 0) close(fd);
    return ok;
  };
  ASSERT_TRUE(write_map(proc + "/uid_map", "0 100000 65536\n"));
  ASSERT_TRUE(write_map(proc + "/gid_map", "0 100000 65536\n"));
  Bundle b;
  b.config()["linux"]["namespaces"].push_back({{"type", "user"}, {"path", proc + "/ns/user"}});
  chmod(b.path().c_str(), 0755);
  b.config()["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", src_}, {"options", {"rbind", "idmap"}}});
  auto r = RunScript(b, "stat -c '%n %u:%g' /data/root0 /data/u1000 && touch /data/new", {"/data"});
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(r.out, "/data/root0 0:0\n/data/u1000 1000:1000\n");
  EXPECT_EQ(Owner(src_ + "/new"), "0:0");
}

// rbind of a tree with a submount: ridmap maps every mount of it, idmap only the top one.
TEST_F(IdmapTest, RecursiveRidmapAndTopOnlyIdmap) {
  AddSubmount();
  Bundle b;
  for (const auto& [dest, option] : {std::pair{"/r", "ridmap"}, std::pair{"/t", "idmap"}}) {
    b.config()["mounts"].push_back({{"destination", dest},
                                    {"type", "bind"},
                                    {"source", src_},
                                    {"options", {"rbind", option}},
                                    {"uidMappings", Maps(0, 5000, 2000)},
                                    {"gidMappings", Maps(0, 7000, 2000)}});
  }
  auto r = RunScript(b, "stat -c '%n %u:%g' /r/root0 /r/sub/f /t/root0 /t/sub/f", {"/r", "/t"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(r.out, "/r/root0 5000:7000\n/r/sub/f 5000:7000\n/t/root0 5000:7000\n/t/sub/f 0:0\n");
}

// The runtime clones the source in the host's mount namespace, where a clone of a shared mount
// would be its peer and send the container's mounts back to the host: it must propagate exactly
// like a plain bind of the same source made in the container, for every rootfsPropagation. Run
// in a mount namespace of its own, with a shared tmpfs as the source (the test's own mounts stay
// as they are).
TEST_F(IdmapTest, PropagatesLikeAPlainBind) {
  for (const char* root : {"", "rslave", "rprivate", "rshared"}) {
    SCOPED_TRACE(std::string("rootfsPropagation=") + root);
    Bundle b;
    const std::string shr = vol_dir_.path() + "/shr-" + (*root ? root : "default");
    ASSERT_EQ(mkdir(shr.c_str(), 0755), 0);
    if (*root) b.config()["linux"]["rootfsPropagation"] = root;
    b.config()["mounts"].push_back({{"destination", "/data"},
                                    {"type", "bind"},
                                    {"source", shr + "/src"},
                                    {"options", {"rbind", "idmap"}},
                                    {"uidMappings", Maps(0, 5000, 2000)},
                                    {"gidMappings", Maps(0, 7000, 2000)}});
    b.config()["mounts"].push_back({{"destination", "/plain"}, {"type", "bind"}, {"source", shr + "/src"}, {"options", {"rbind"}}});
    for (const char* mp : {"/data", "/plain"}) mkdir((b.rootfs() + mp).c_str(), 0755);
    b.config()["process"]["args"] = {"sh", "-c", "grep ' /data ' /proc/self/mountinfo; grep ' /plain ' /proc/self/mountinfo"};
    b.config()["linux"]["cgroupsPath"] = "/" + UniqueId("h3idmap");
    b.Write();
    const std::string script = "mount -t tmpfs tmpfs " + shr + " && mount --make-shared " + shr + " && mkdir " + shr +
                               "/src && exec " + RUNC_BINARY + " --root " + root_.path() + " run --bundle " + b.path() +
                               " " + UniqueId("idm");
    auto r = test::Run({"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script});
    ASSERT_EQ(r.status, 0) << r.err << r.out;
    // "ID PARENT DEV ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - ...": the optional fields.
    std::vector<std::string> tags;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream f(line);
      std::string field, optional;
      for (int i = 0; i < 6; ++i) f >> field;
      while (f >> field && field != "-") optional += field + " ";
      tags.push_back(optional);
    }
    ASSERT_EQ(tags.size(), 2u) << r.out;
    EXPECT_EQ(tags[0], tags[1]) << r.out;
    if (*root == '\0' || std::string(root) == "rslave") {
      EXPECT_THAT(tags[0], ::testing::StartsWith("master:"));
    }
    if (std::string(root) == "rprivate") {
      EXPECT_EQ(tags[0], "");
    }
  }
}

// Read-only and propagation options still apply to an idmapped mount.
TEST_F(IdmapTest, ReadOnlyIdmappedMount) {
  Bundle b;
  AddUserNamespace(b, 100000);
  b.config()["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src_},
                                  {"options", {"rbind", "ridmap", "ro", "nosuid", "rprivate"}}});
  auto r = RunScript(b, "stat -c '%n %u:%g' /data/root0; touch /data/x 2>&1; grep ' /data ' /proc/self/mountinfo",
                     {"/data"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("/data/root0 0:0\n"));
  EXPECT_THAT(r.out, HasSubstr("Read-only file system"));
  EXPECT_THAT(r.out, HasSubstr(" ro,nosuid,"));
  EXPECT_THAT(r.out, HasSubstr("idmapped"));
  EXPECT_EQ(Owner(src_ + "/x"), "missing");
}

// A symlink in the image cannot point the idmapped mount out of the rootfs: the destination is
// resolved inside it, like any other mount's.
TEST_F(IdmapTest, DestinationResolvedInsideTheRootfs) {
  Bundle b;
  TempDir outside{"runc-h3-idmap-outside"};
  ASSERT_EQ(symlink(outside.path().c_str(), (b.rootfs() + "/escape").c_str()), 0);
  b.config()["mounts"].push_back({{"destination", "/escape"},
                                  {"type", "bind"},
                                  {"source", src_},
                                  {"options", {"bind", "idmap"}},
                                  {"uidMappings", Maps(0, 5000, 2000)},
                                  {"gidMappings", Maps(0, 7000, 2000)}});
  auto r = RunScript(b, "stat -c '%n %u:%g' /escape/root0", {});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(r.out, "/escape/root0 5000:7000\n");
  EXPECT_EQ(Owner(outside.path() + "/root0"), "missing");
  struct stat st;
  ASSERT_EQ(stat((b.rootfs() + outside.path()).c_str(), &st), 0) << "mounted where the link pointed, inside";
}

// A failing mount.idmap names its step and syscall, and nothing is left behind (TearDown checks
// the mount table and the processes).
TEST_F(IdmapTest, MissingSourceFailsTheStep) {
  Bundle b;
  b.config()["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src_ + "/nope"},
                                  {"options", {"bind", "idmap"}},
                                  {"uidMappings", Maps(0, 5000, 2000)},
                                  {"gidMappings", Maps(0, 7000, 2000)}});
  auto r = RunScript(b, "true", {"/data"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, ::testing::MatchesRegex("runc: step [0-9]+ mount.idmap \\(/mounts/7\\): open_tree " + src_ +
                                             "/nope: No such file or directory\n"));
  EXPECT_EQ(rmdir(root_.path().c_str()), 0) << "state left in " << root_.path();
  mkdir(root_.path().c_str(), 0700);
}

// A mapping the kernel refuses (overlapping host ranges in a uid_map) fails while the user
// namespace is made, and its helper process is gone afterwards.
TEST_F(IdmapTest, BadMappingFailsTheStep) {
  Bundle b;
  b.config()["mounts"].push_back({{"destination", "/data"},
                                  {"type", "bind"},
                                  {"source", src_},
                                  {"options", {"bind", "idmap"}},
                                  {"uidMappings",
                                   {{{"containerID", 0}, {"hostID", 5000}, {"size", 10}},
                                    {{"containerID", 0}, {"hostID", 6000}, {"size", 10}}}},
                                  {"gidMappings", Maps(0, 7000, 2000)}});
  auto r = RunScript(b, "true", {"/data"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, ::testing::MatchesRegex("runc: step [0-9]+ mount.idmap \\(/mounts/7\\): write "
                                             "/proc/[0-9]+/uid_map: Invalid argument\n"));
}

}  // namespace
}  // namespace runc::test
