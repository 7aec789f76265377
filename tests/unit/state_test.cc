#include "executor/common/state.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace runc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/runc-state-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempRoot() { RemoveAll(path_); }
  const std::string& path() const { return path_; }

  static void RemoveAll(const std::string& p) {
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
      if (DIR* d = opendir(p.c_str())) {
        std::vector<std::string> names;
        while (dirent* e = readdir(d)) {
          std::string n = e->d_name;
          if (n != "." && n != "..") names.push_back(n);
        }
        closedir(d);
        for (const auto& n : names) RemoveAll(p + "/" + n);
      }
      rmdir(p.c_str());
    } else {
      unlink(p.c_str());
    }
  }

 private:
  std::string path_;
};

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A child that sleeps until killed; reaped on destruction.
class SleepingChild {
 public:
  SleepingChild() {
    pid_ = fork();
    if (pid_ == 0) {
      pause();
      _exit(0);
    }
  }
  ~SleepingChild() { Kill(); }
  pid_t pid() const { return pid_; }
  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
};

ContainerState SampleState() {
  ContainerState s;
  s.id = "web-1";
  s.pid = 4242;
  s.status = ContainerStatus::kCreated;
  s.bundle = "/srv/bundles/web";
  s.rootfs = "/srv/bundles/web/rootfs";
  s.created = "2024-05-01T12:34:56.000000001Z";
  s.owner = "root";
  s.annotations = {{"org.example/key", "value"}};
  s.init_start_time = 987654;
  s.fifo = "/run/runc/web-1/exec.fifo";
  return s;
}

TEST(ContainerIdTest, AcceptsWhatRuncAccepts) {
  std::string error;
  for (const char* id : {"a", "abc-123", "a.b_c+d", "a,b", "ABC", "x..y", "..."}) {
    EXPECT_TRUE(ValidContainerId(id, error)) << id;
  }
}

TEST(ContainerIdTest, RejectsEmptyDotsSlashesAndOtherCharacters) {
  for (const char* id : {"", ".", "..", "a/b", "/a", "a b", "a:b", "a\nb", "caf\xc3\xa9"}) {
    std::string error;
    EXPECT_FALSE(ValidContainerId(id, error)) << id;
    EXPECT_EQ(error, "invalid container id \"" + std::string(id) + "\"");
  }
}

TEST(StatusTest, Names) {
  EXPECT_EQ(StatusName(ContainerStatus::kCreating), "creating");
  EXPECT_EQ(StatusName(ContainerStatus::kCreated), "created");
  EXPECT_EQ(StatusName(ContainerStatus::kRunning), "running");
  EXPECT_EQ(StatusName(ContainerStatus::kStopped), "stopped");
}

TEST(StateJsonTest, FileFormRoundTrips) {
  ContainerState s = SampleState();
  ContainerState back;
  std::string error;
  ASSERT_TRUE(StateFromFileJson(nlohmann::json::parse(StateToFileJson(s).dump()), back, error)) << error;
  EXPECT_EQ(back.id, s.id);
  EXPECT_EQ(back.pid, s.pid);
  EXPECT_EQ(back.status, s.status);
  EXPECT_EQ(back.bundle, s.bundle);
  EXPECT_EQ(back.rootfs, s.rootfs);
  EXPECT_EQ(back.created, s.created);
  EXPECT_EQ(back.owner, s.owner);
  EXPECT_EQ(back.annotations, s.annotations);
  EXPECT_EQ(back.init_start_time, s.init_start_time);
  EXPECT_EQ(back.fifo, s.fifo);
  EXPECT_EQ(back.oci_version, "1.3.0");
}

TEST(StateJsonTest, FileFormMissingFieldIsAnError) {
  ContainerState back;
  std::string error;
  EXPECT_FALSE(StateFromFileJson(nlohmann::json::parse(R"({"ociVersion":"1.3.0","id":"x","pid":1})"), back, error));
  EXPECT_THAT(error, ::testing::HasSubstr("bundle"));
}

TEST(StateJsonTest, OciFormHasRuncFieldsInRuncOrder) {
  ContainerState s = SampleState();
  EXPECT_EQ(StateToOciJson(s).dump(),
            R"({"ociVersion":"1.3.0","id":"web-1","pid":4242,"status":"created","bundle":"/srv/bundles/web",)"
            R"("rootfs":"/srv/bundles/web/rootfs","created":"2024-05-01T12:34:56.000000001Z","owner":"root",)"
            R"("annotations":{"org.example/key":"value"}})");
}

TEST(StateJsonTest, StoppedReportsPidZeroAndNoEmptyAnnotations) {
  ContainerState s = SampleState();
  s.status = ContainerStatus::kStopped;
  s.annotations.clear();
  auto j = StateToOciJson(s);
  EXPECT_EQ(j["pid"], 0);
  EXPECT_EQ(j["status"], "stopped");
  EXPECT_FALSE(j.contains("annotations"));
}

TEST(ProcessStartTimeTest, LiveDeadAndZombie) {
  EXPECT_GT(ProcessStartTime(getpid()), 0u);
  EXPECT_EQ(ProcessStartTime(0), 0u);
  EXPECT_EQ(ProcessStartTime(-5), 0u);
  pid_t child = fork();
  if (child == 0) _exit(0);
  // Until reaped the child is a zombie: dead for our purposes.
  for (int i = 0; i < 200; ++i) {
    if (ProcessStartTime(child) == 0) break;
    usleep(5000);
  }
  EXPECT_EQ(ProcessStartTime(child), 0u);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(ProcessStartTime(child), 0u);
}

TEST(ProcessStartTimeTest, ParsesCommandNamesWithSpacesAndParens) {
  // Our own /proc/self/stat field 22 read independently.
  std::string stat = Slurp("/proc/self/stat");
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) in >> field;
  EXPECT_EQ(ProcessStartTime(getpid()), std::stoull(field));
}

TEST(DetectStatusTest, CreatedRunningStopped) {
  TempRoot root;
  SleepingChild child;
  ContainerState s = SampleState();
  s.pid = child.pid();
  s.init_start_time = ProcessStartTime(child.pid());
  s.fifo = "";
  ASSERT_GT(s.init_start_time, 0u);
  const std::string fifo = root.path() + "/exec.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kCreated);
  unlink(fifo.c_str());
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kRunning);
  child.Kill();
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kStopped);
}

TEST(DetectStatusTest, RecordedFifoPathWins) {
  TempRoot root;
  SleepingChild child;
  ContainerState s = SampleState();
  s.pid = child.pid();
  s.init_start_time = ProcessStartTime(child.pid());
  s.fifo = root.path() + "/elsewhere.fifo";
  ASSERT_EQ(mkfifo((root.path() + "/exec.fifo").c_str(), 0600), 0);
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kRunning);
  ASSERT_EQ(mkfifo(s.fifo.c_str(), 0600), 0);
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kCreated);
}

TEST(DetectStatusTest, RecycledPidIsStopped) {
  TempRoot root;
  SleepingChild child;
  ContainerState s = SampleState();
  s.pid = child.pid();
  s.init_start_time = ProcessStartTime(child.pid()) + 1;  // some other process had this pid
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kStopped);
}

TEST(DetectStatusTest, NoPid) {
  TempRoot root;
  ContainerState s = SampleState();
  s.pid = 0;
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kStopped);
  s.status = ContainerStatus::kCreating;
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kCreating);
}

// A create killed after it cloned the init leaves a `creating` state.json with a live init: that
// container is neither created (start must not release it) nor stopped.
TEST(DetectStatusTest, CreatingWithALiveInitStaysCreating) {
  TempRoot root;
  SleepingChild child;
  ContainerState s = SampleState();
  s.status = ContainerStatus::kCreating;
  s.pid = child.pid();
  s.init_start_time = ProcessStartTime(child.pid());
  s.fifo = "";
  ASSERT_EQ(mkfifo((root.path() + "/exec.fifo").c_str(), 0600), 0);
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kCreating);
  child.Kill();
  EXPECT_EQ(DetectStatus(s, root.path()), ContainerStatus::kCreating);
}

TEST(ProgressTest, ParseTakesTheHighestStepAndTheInit) {
  EXPECT_EQ(ParseProgress("").made_through, 0);
  EXPECT_EQ(ParseProgress("").init, 0);
  EXPECT_EQ(ParseProgress("2\n3\n").made_through, 3);
  EXPECT_EQ(ParseProgress("2\n15\n4\n").made_through, 15);
  EXPECT_EQ(ParseProgress("2\nx\n-7\n\n3 \n12345678901\n").made_through, 2);
  CreateProgress p = ParseProgress("14\ninit 4242 987654321\n");
  EXPECT_EQ(p.made_through, 14);
  EXPECT_EQ(p.init, 4242);
  EXPECT_EQ(p.init_start_time, 987654321u);
  for (const char* bad : {"init 4242\n", "init x 1\n", "init 1 2 3\n", "start 1 2\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseProgress(bad).init, 0);
    EXPECT_EQ(ParseProgress(bad).made_through, 0);
  }
}

TEST(ProgressTest, RecordAppendsAndReadReturnsWhatWasRecorded) {
  TempRoot root;
  EXPECT_EQ(ReadProgress(root.path()).made_through, 0);
  Diagnostic err;
  ASSERT_TRUE(RecordProgress(root.path(), 2, err)) << err.ToString();
  EXPECT_EQ(ReadProgress(root.path()).made_through, 2);
  ASSERT_TRUE(RecordInitProgress(root.path(), 77, 123, err)) << err.ToString();
  ASSERT_TRUE(RecordProgress(root.path(), 14, err)) << err.ToString();
  const CreateProgress p = ReadProgress(root.path());
  EXPECT_EQ(p.made_through, 14);
  EXPECT_EQ(p.init, 77);
  EXPECT_EQ(p.init_start_time, 123u);
  EXPECT_EQ(Slurp(root.path() + "/" + kProgressFile), "2\ninit 77 123\n14\n");
  EXPECT_FALSE(RecordProgress(root.path() + "/missing", 3, err));
  EXPECT_EQ(err.message, "open " + root.path() + "/missing/progress: No such file or directory");
}

// What a killed create leaves: state.json recorded as creating, the init in the progress log.
TEST(LoadStateTest, CreatingStateTakesItsInitFromTheProgressLog) {
  TempRoot root;
  SleepingChild child;
  const std::string dir = root.path() + "/c1";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  ContainerState s = SampleState();
  s.id = "c1";
  s.status = ContainerStatus::kCreating;
  s.pid = 0;
  s.init_start_time = 0;
  Diagnostic err;
  ASSERT_TRUE(SaveState(dir, s, err)) << err.ToString();
  ContainerState back;
  ASSERT_TRUE(LoadState(root.path(), "c1", back, err)) << err.ToString();
  EXPECT_EQ(back.status, ContainerStatus::kCreating);
  EXPECT_EQ(back.pid, 0);
  ASSERT_TRUE(RecordProgress(dir, 3, err)) << err.ToString();
  ASSERT_TRUE(RecordInitProgress(dir, child.pid(), ProcessStartTime(child.pid()), err)) << err.ToString();
  ASSERT_TRUE(LoadState(root.path(), "c1", back, err)) << err.ToString();
  EXPECT_EQ(back.status, ContainerStatus::kCreating);
  EXPECT_EQ(back.pid, child.pid());
  EXPECT_EQ(back.init_start_time, ProcessStartTime(child.pid()));
  EXPECT_EQ(back.bundle, s.bundle);
}

TEST(LoadStateTest, MissingContainer) {
  TempRoot root;
  ContainerState s;
  Diagnostic err;
  EXPECT_FALSE(LoadState(root.path(), "nope", s, err));
  EXPECT_EQ(err.ToString(), "container \"nope\" does not exist");
  EXPECT_FALSE(LoadState(root.path() + "/missing-root", "nope", s, err));
  EXPECT_EQ(err.ToString(), "container \"nope\" does not exist");
}

TEST(LoadStateTest, InvalidId) {
  TempRoot root;
  ContainerState s;
  Diagnostic err;
  EXPECT_FALSE(LoadState(root.path(), "../etc", s, err));
  EXPECT_EQ(err.ToString(), "invalid container id \"../etc\"");
}

TEST(LoadStateTest, DirectoryWithoutStateIsCreating) {
  TempRoot root;
  ASSERT_EQ(mkdir((root.path() + "/c1").c_str(), 0700), 0);
  ContainerState s;
  Diagnostic err;
  ASSERT_TRUE(LoadState(root.path(), "c1", s, err)) << err.ToString();
  EXPECT_EQ(s.id, "c1");
  EXPECT_EQ(s.status, ContainerStatus::kCreating);
  EXPECT_EQ(s.pid, 0);
}

TEST(LoadStateTest, SavedStateComesBackWithLiveStatus) {
  TempRoot root;
  SleepingChild child;
  const std::string dir = StateDir(root.path(), "c2");
  ASSERT_EQ(dir, root.path() + "/c2");
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  ContainerState s = SampleState();
  s.id = "c2";
  s.pid = child.pid();
  s.init_start_time = ProcessStartTime(child.pid());
  s.fifo = "";
  Diagnostic err;
  ASSERT_TRUE(SaveState(dir, s, err)) << err.ToString();
  struct stat st;
  ASSERT_EQ(stat((dir + "/state.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(stat((dir + "/.state.json.tmp").c_str(), &st), 0) << "temp file left behind";

  ContainerState back;
  ASSERT_TRUE(LoadState(root.path(), "c2", back, err)) << err.ToString();
  EXPECT_EQ(back.status, ContainerStatus::kRunning);  // written as created, but no fifo
  EXPECT_EQ(back.pid, child.pid());
  child.Kill();
  ASSERT_TRUE(LoadState(root.path(), "c2", back, err)) << err.ToString();
  EXPECT_EQ(back.status, ContainerStatus::kStopped);
}

TEST(LoadStateTest, CorruptStateFile) {
  TempRoot root;
  const std::string dir = root.path() + "/c3";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  std::ofstream(dir + "/state.json") << "{not json";
  ContainerState s;
  Diagnostic err;
  EXPECT_FALSE(LoadState(root.path(), "c3", s, err));
  EXPECT_EQ(err.ToString(), dir + "/state.json: not json");
}

TEST(LoadContainerPlanTest, MissingContainerAndMissingPlan) {
  TempRoot root;
  Plan plan;
  Diagnostic err;
  EXPECT_FALSE(LoadContainerPlan(root.path(), "c4", plan, err));
  EXPECT_EQ(err.ToString(), "container \"c4\" does not exist");
  ASSERT_EQ(mkdir((root.path() + "/c4").c_str(), 0700), 0);
  EXPECT_FALSE(LoadContainerPlan(root.path(), "c4", plan, err));
  EXPECT_EQ(err.ToString(), "read " + root.path() + "/c4/plan.json: No such file or directory");
}

TEST(LoadContainerPlanTest, SavedPlanRoundTrips) {
  TempRoot root;
  const std::string dir = root.path() + "/c5";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  Plan plan;
  plan.id = "c5";
  plan.bundle = "/b";
  plan.rootfs = "/b/rootfs";
  plan.oci_version = "1.3.0";
  plan.host_label = "cgroup-hybrid";
  plan.annotations = {{"a", "b"}};
  Step wait;
  wait.index = 1;
  wait.phase = Phase::kStart;
  wait.kind = StepKind::kWaitStart;
  wait.origin = "default";
  wait.path = dir + "/exec.fifo";
  plan.steps.push_back(wait);
  Diagnostic err;
  ASSERT_TRUE(SavePlan(dir, plan, err)) << err.ToString();
  Plan back;
  ASSERT_TRUE(LoadContainerPlan(root.path(), "c5", back, err)) << err.ToString();
  EXPECT_EQ(back.id, "c5");
  EXPECT_EQ(back.annotations, plan.annotations);
  ASSERT_EQ(back.steps.size(), 1u);
  EXPECT_EQ(back.steps[0], wait);
}

TEST(ContainerLockTest, SameContainerExcludesDifferentContainersDoNot) {
  TempRoot root;
  ASSERT_EQ(mkdir((root.path() + "/a").c_str(), 0700), 0);
  ASSERT_EQ(mkdir((root.path() + "/b").c_str(), 0700), 0);
  ContainerLock first;
  Diagnostic err;
  ASSERT_TRUE(first.TryLock(root.path(), "a", err)) << err.ToString();
  EXPECT_EQ(first.dir(), root.path() + "/a");

  ContainerLock second;
  EXPECT_FALSE(second.TryLock(root.path(), "a", err));
  EXPECT_EQ(err.ToString(), "container \"a\" is locked by another command");
  EXPECT_EQ(err.err, EWOULDBLOCK);

  ContainerLock other;
  EXPECT_TRUE(other.TryLock(root.path(), "b", err)) << err.ToString();

  first.Unlock();
  EXPECT_TRUE(second.TryLock(root.path(), "a", err)) << err.ToString();
}

TEST(ContainerLockTest, LockWaitsAndFailsWhenTheContainerWasDeletedMeanwhile) {
  TempRoot root;
  const std::string dir = root.path() + "/gone";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  ContainerLock holder;
  Diagnostic err;
  ASSERT_TRUE(holder.Lock(root.path(), "gone", err)) << err.ToString();

  auto waiter = std::async(std::launch::async, [&] {
    ContainerLock lock;
    Diagnostic e;
    bool ok = lock.Lock(root.path(), "gone", e);
    return std::make_pair(ok, e.ToString());
  });
  EXPECT_EQ(waiter.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout) << "lock did not block";
  ASSERT_EQ(rmdir(dir.c_str()), 0);  // what delete does while holding the lock
  holder.Unlock();
  auto [ok, message] = waiter.get();
  EXPECT_FALSE(ok);
  EXPECT_EQ(message, "container \"gone\" does not exist");
}

TEST(ContainerLockTest, MissingAndInvalid) {
  TempRoot root;
  ContainerLock lock;
  Diagnostic err;
  EXPECT_FALSE(lock.Lock(root.path(), "none", err));
  EXPECT_EQ(err.ToString(), "container \"none\" does not exist");
  EXPECT_EQ(err.err, ENOENT);
  EXPECT_FALSE(lock.Lock(root.path(), "a/b", err));
  EXPECT_EQ(err.ToString(), "invalid container id \"a/b\"");
}

TEST(ListTest, IdsAreSortedDirectoriesWithValidNames) {
  TempRoot root;
  for (const char* d : {"zeta", "alpha", "mid.1", "bad name"}) mkdir((root.path() + "/" + d).c_str(), 0700);
  std::ofstream(root.path() + "/afile") << "x";
  EXPECT_THAT(ListContainerIds(root.path()), ElementsAre("alpha", "mid.1", "zeta"));
  EXPECT_THAT(ListContainerIds(root.path() + "/missing"), IsEmpty());
}

TEST(ListTest, TableLikeRunc) {
  ContainerState a = SampleState();
  a.status = ContainerStatus::kRunning;
  ContainerState b = SampleState();
  b.id = "x";
  b.status = ContainerStatus::kStopped;
  b.bundle = "/b";
  b.owner = "";
  EXPECT_EQ(FormatContainerTable({a, b}),
            "ID          PID         STATUS      BUNDLE             CREATED                          OWNER\n"
            "web-1       4242        running     /srv/bundles/web   2024-05-01T12:34:56.000000001Z   root\n"
            "x           0           stopped     /b                 2024-05-01T12:34:56.000000001Z   \n");
  EXPECT_EQ(FormatContainerTable({}), "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
}

TEST(ListTest, Json) {
  EXPECT_EQ(FormatContainerJson({}), "null\n");
  ContainerState a = SampleState();
  a.annotations.clear();
  EXPECT_EQ(FormatContainerJson({a}),
            R"([{"ociVersion":"1.3.0","id":"web-1","pid":4242,"status":"created","bundle":"/srv/bundles/web",)"
            R"("rootfs":"/srv/bundles/web/rootfs","created":"2024-05-01T12:34:56.000000001Z","owner":"root"}])"
            "\n");
}

TEST(PidFileTest, DigitsOnlyAndAtomic) {
  TempRoot root;
  const std::string path = root.path() + "/init.pid";
  std::ofstream(path) << "old content that is longer";
  Diagnostic err;
  ASSERT_TRUE(WritePidFile(path, 12345, err)) << err.ToString();
  EXPECT_EQ(Slurp(path), "12345");
  struct stat st;
  EXPECT_NE(stat((root.path() + "/.init.pid.tmp").c_str(), &st), 0);
  EXPECT_FALSE(WritePidFile(root.path() + "/no/such/dir/pid", 1, err));
  EXPECT_EQ(err.ToString(), "open " + root.path() + "/no/such/dir/.pid.tmp: No such file or directory");
}

TEST(TimeTest, Rfc3339Nano) {
  const std::string t = NowRfc3339();
  EXPECT_THAT(t, ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z"));
}

// The `created` timestamp is computed without the C library's time zone code (which reads
// /etc/localtime): the same civil time as gmtime_r, in RFC 3339 with nanoseconds and "Z".
TEST(StateJsonTest, NowRfc3339IsUtcCivilTime) {
  const time_t before = time(nullptr);
  const std::string now = NowRfc3339();
  const time_t after = time(nullptr);
  ASSERT_EQ(now.size(), 30u) << now;
  EXPECT_EQ(now[4], '-');
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[19], '.');
  EXPECT_EQ(now.back(), 'Z');
  bool matched = false;
  for (time_t t = before; t <= after; ++t) {
    tm parts{};
    gmtime_r(&t, &parts);
    char want[32];
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &parts);
    if (now.compare(0, 19, want) == 0) matched = true;
  }
  EXPECT_TRUE(matched) << now;
}

}  // namespace
}  // namespace runc
