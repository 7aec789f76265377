#include "executor/common/sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace runc {
namespace {

class SyncTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(SyncPair(fds_)); }
  void TearDown() override {
    for (int& fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int fds_[2] = {-1, -1};
};

TEST_F(SyncTest, RoundTripsHeaderAndPayload) {
  SyncMessage out;
  out.type = SyncType::kError;
  out.step = 17;
  out.err = 13;
  out.pid = 4242;
  out.payload = "mount proc on /proc";
  ASSERT_EQ(SyncSend(fds_[1], out), 0);
  SyncMessage in;
  ASSERT_EQ(SyncRecv(fds_[0], in), 0);
  EXPECT_EQ(in.type, SyncType::kError);
  EXPECT_EQ(in.step, 17);
  EXPECT_EQ(in.err, 13);
  EXPECT_EQ(in.pid, 4242);
  EXPECT_EQ(in.payload, "mount proc on /proc");
}

TEST_F(SyncTest, KeepsMessageBoundaries) {
  for (int i = 0; i < 3; ++i) {
    SyncMessage m;
    m.type = SyncType::kDebug;
    m.step = i;
    ASSERT_EQ(SyncSend(fds_[1], m), 0);
  }
  for (int i = 0; i < 3; ++i) {
    SyncMessage m;
    ASSERT_EQ(SyncRecv(fds_[0], m), 0);
    EXPECT_EQ(m.type, SyncType::kDebug);
    EXPECT_EQ(m.step, i);
    EXPECT_EQ(m.payload, "");
  }
}

// A state document with large annotations does not fit one datagram: it is split and joined.
TEST_F(SyncTest, SplitsLargePayloads) {
  SyncMessage out;
  out.type = SyncType::kState;
  for (int i = 0; out.payload.size() < 100000; ++i) out.payload += std::to_string(i) + ",";
  SyncMessage next;
  next.type = SyncType::kRun;
  next.step = 5;
  // The receiver drains concurrently: 100 kB exceed the socket buffer.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    _exit(SyncSend(fds_[1], out) == 0 && SyncSend(fds_[1], next) == 0 ? 0 : 1);
  }
  SyncMessage in;
  ASSERT_EQ(SyncRecv(fds_[0], in), 0);
  EXPECT_EQ(in.type, SyncType::kState);
  EXPECT_EQ(in.payload, out.payload);
  ASSERT_EQ(SyncRecv(fds_[0], in), 0);
  EXPECT_EQ(in.type, SyncType::kRun);
  EXPECT_EQ(in.step, 5);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(status, 0);
}

TEST_F(SyncTest, ReportsEofWhenPeerCloses) {
  close(fds_[1]);
  fds_[1] = -1;
  SyncMessage in;
  EXPECT_EQ(SyncRecv(fds_[0], in), -1);
}

TEST_F(SyncTest, SendToClosedPeerIsAnErrorNotSigpipe) {
  close(fds_[0]);
  fds_[0] = -1;
  SyncMessage out;
  EXPECT_EQ(SyncSend(fds_[1], out), EPIPE);
}

// kFd: the descriptor travels with the message and arrives close-on-exec, naming the same file.
TEST_F(SyncTest, PassesAFileDescriptor) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  SyncMessage out;
  out.type = SyncType::kFd;
  out.step = 9;
  out.fd = pipe_fds[1];
  ASSERT_EQ(SyncSend(fds_[1], out), 0);
  SyncMessage in;
  ASSERT_EQ(SyncRecv(fds_[0], in), 0);
  EXPECT_EQ(in.type, SyncType::kFd);
  EXPECT_EQ(in.step, 9);
  ASSERT_GE(in.fd, 0);
  EXPECT_NE(in.fd, pipe_fds[1]);
  EXPECT_EQ(fcntl(in.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  struct stat a, b;
  ASSERT_EQ(fstat(in.fd, &a), 0);
  ASSERT_EQ(fstat(pipe_fds[1], &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  ASSERT_EQ(write(in.fd, "x", 1), 1);
  char c = 0;
  ASSERT_EQ(read(pipe_fds[0], &c, 1), 1);
  EXPECT_EQ(c, 'x');
  close(in.fd);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

// A message without a descriptor reports none, also right after one that had one.
TEST_F(SyncTest, NoDescriptorMeansMinusOne) {
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(null_fd, 0);
  SyncMessage with;
  with.type = SyncType::kFd;
  with.fd = null_fd;
  with.payload = std::string(40000, 'p');  // several datagrams: the fd goes with the first only
  SyncMessage without;
  without.type = SyncType::kRun;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    _exit(SyncSend(fds_[1], with) == 0 && SyncSend(fds_[1], without) == 0 ? 0 : 1);
  }
  SyncMessage in;
  ASSERT_EQ(SyncRecv(fds_[0], in), 0);
  EXPECT_EQ(in.payload.size(), 40000u);
  ASSERT_GE(in.fd, 0);
  close(in.fd);
  ASSERT_EQ(SyncRecv(fds_[0], in), 0);
  EXPECT_EQ(in.type, SyncType::kRun);
  EXPECT_EQ(in.fd, -1);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(status, 0);
  close(null_fd);
}

TEST(SyncTypeNameTest, NamesEveryType) {
  EXPECT_STREQ(SyncTypeName(SyncType::kRun), "run");
  EXPECT_STREQ(SyncTypeName(SyncType::kState), "state");
  EXPECT_STREQ(SyncTypeName(SyncType::kYield), "yield");
  EXPECT_STREQ(SyncTypeName(SyncType::kCloned), "cloned");
  EXPECT_STREQ(SyncTypeName(SyncType::kReady), "ready");
  EXPECT_STREQ(SyncTypeName(SyncType::kDebug), "debug");
  EXPECT_STREQ(SyncTypeName(SyncType::kError), "error");
  EXPECT_STREQ(SyncTypeName(SyncType::kFd), "fd");
  EXPECT_STREQ(SyncTypeName(SyncType::kHandover), "handover");
}

}  // namespace
}  // namespace runc
