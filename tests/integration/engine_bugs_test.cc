// The bugs the container engines found (containerd's CRI plugin, `ctr run -t`, podman
// --read-only), each reproduced the way the engine drives the runtime: a Kubernetes pod (a sandbox
// and an app container joining its namespaces by path, created with fd 0 closed and pipes for
// stdout/stderr), a terminal container whose creator waits for end of file on create's output,
// and tmpfs mounts with runc's tmpcopyup extension.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

extern char** environ;

namespace runc::test {
namespace {

using ::testing::HasSubstr;

double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Starts argv with exactly the given fds as its 0, 1 and 2 (-1: that one closed), the way an
// engine hands the runtime its stdio. Returns the pid.
pid_t SpawnWithStdio(const std::vector<std::string>& argv, int in, int out, int err) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  int src[3] = {in, out, err};
  // Out of the way first, so that placing one cannot overwrite another.
  for (int& fd : src) {
    if (fd >= 0) fd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  }
  for (int i = 0; i < 3; ++i) {
    if (src[i] >= 0) {
      dup2(src[i], i);
    } else {
      close(i);
    }
  }
  execve(cargv[0], cargv.data(), environ);
  _exit(127);
}

// Waits for pid; kills it after `seconds`. Returns the exit status (128+signal), -1 on timeout.
int WaitFor(pid_t pid, double seconds) {
  const double end = Now() + seconds;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0 && errno != EINTR) return -2;
    if (Now() > end) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(10000);
  }
}

// Reads fd until end of file or `seconds`; `eof` says which. Closes fd.
std::string ReadToEof(int fd, double seconds, bool& eof) {
  std::string out;
  eof = false;
  const double end = Now() + seconds;
  while (Now() < end) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, 50);
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      r = fds[0];
      w = fds[1];
    }
  }
  ~Pipe() {
    if (r >= 0) close(r);
    if (w >= 0) close(w);
  }
  int TakeRead() {
    int fd = r;
    r = -1;
    return fd;
  }
  void CloseWrite() {
    if (w >= 0) close(w);
    w = -1;
  }
};

class EngineBugsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!IsRoot()) GTEST_SKIP() << "needs root";
    host_mounts_ = ReadFile("/proc/self/mountinfo");
  }
  void TearDown() override {
    if (!IsRoot()) return;
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      RunResult r = Runc(root_.path(), {"delete", "--force", *it});
      EXPECT_EQ(r.status, 0) << "delete " << *it << ": " << r.err;
    }
    EXPECT_EQ(ReadFile("/proc/self/mountinfo"), host_mounts_) << "a mount leaked into the host";
  }

  std::vector<std::string> RuncArgv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {RUNC_BINARY, "--root", root_.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  void Prepare(Bundle& b, const std::vector<std::string>& args) {
    b.config()["process"]["args"] = args;
    b.config()["linux"]["cgroupsPath"] = "/" + UniqueId("eb-cg");
    b.Write();
  }

  // A pod sandbox as containerd starts one: `sleep`, detached, hostname `hostname`. Returns its
  // pid (0 on failure).
  pid_t StartSandbox(Bundle& b, const std::string& id, const std::string& hostname) {
    b.config()["hostname"] = hostname;
    Prepare(b, {"sleep", "1000"});
    created_.push_back(id);
    // Stdio on /dev/null: a detached container keeps what it is given, and the harness' Run
    // would wait for end of file on its pipes.
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t p = SpawnWithStdio(RuncArgv({"run", "--detach", "--bundle", b.path(), id}), null_fd, null_fd, null_fd);
    close(null_fd);
    int status = WaitFor(p, 60);
    EXPECT_EQ(status, 0) << "sandbox run --detach";
    if (status != 0) return 0;
    RunResult st = Runc(root_.path(), {"state", id});
    auto j = nlohmann::json::parse(st.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << st.out << st.err;
    if (!j.is_object()) return 0;
    EXPECT_EQ(j.value("status", ""), "running");
    return j.value("pid", 0);
  }

  // What containerd's CRI plugin does for an app container: create with fd 0 closed and pipes
  // as stdout/stderr, then start; the container's output is read from the pipes until the
  // container exits. `create_err` gets create's own stderr when it fails.
  struct AppResult {
    int create_status = -1;
    std::string out, err;
    bool eof = false;
  };
  AppResult CreateAndStartLikeCri(Bundle& b, const std::string& id) {
    AppResult res;
    Pipe out, err;
    created_.push_back(id);
    pid_t p = SpawnWithStdio(RuncArgv({"create", "--bundle", b.path(), id}), -1, out.w, err.w);
    out.CloseWrite();
    err.CloseWrite();
    res.create_status = WaitFor(p, 60);
    if (res.create_status != 0) {
      bool eof;
      res.err = ReadToEof(err.TakeRead(), 5, eof);
      return res;
    }
    RunResult start = Runc(root_.path(), {"start", id});
    EXPECT_EQ(start.status, 0) << start.err;
    bool out_eof = false, err_eof = false;
    res.out = ReadToEof(out.TakeRead(), 60, out_eof);
    res.err = ReadToEof(err.TakeRead(), 5, err_eof);
    res.eof = out_eof && err_eof;
    return res;
  }

  TempDir root_{"runc-eb-root"};
  std::vector<std::string> created_;
  std::string host_mounts_;
};

nlohmann::json JoinNamespaces(pid_t sandbox, const std::vector<std::string>& types) {
  nlohmann::json ns = nlohmann::json::array();
  ns.push_back({{"type", "mount"}});
  for (const auto& t : types) {
    const std::string file = t == "network" ? "net" : t;
    ns.push_back({{"type", t}, {"path", "/proc/" + std::to_string(sandbox) + "/ns/" + file}});
  }
  return ns;
}

std::string NsLink(pid_t pid, const std::string& file) {
  char buf[256];
  std::string path = "/proc/" + std::to_string(pid) + "/ns/" + file;
  ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
}

// Issue item 1: every join after the first failed with EBADF (the ns.open steps' fd map started
// new entries at fd 0 and closed it), whichever namespaces they were.
TEST_F(EngineBugsTest, JoinsFourNamespacesOfAnotherContainerByPath) {
  Bundle sandbox;
  pid_t spid = StartSandbox(sandbox, UniqueId("sb"), "eb-sandbox");
  ASSERT_GT(spid, 0);

  Bundle app;
  app.config().erase("hostname");  // the joined uts namespace has its own
  app.config()["linux"]["namespaces"] = JoinNamespaces(spid, {"ipc", "uts", "network", "pid"});
  Prepare(app, {"sh", "-c", "hostname; for n in ipc uts net pid; do readlink /proc/self/ns/$n; done"});
  RunResult r = Runc(root_.path(), {"run", "--bundle", app.path(), UniqueId("app")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "eb-sandbox\n" + NsLink(spid, "ipc") + "\n" + NsLink(spid, "uts") + "\n" + NsLink(spid, "net") +
                       "\n" + NsLink(spid, "pid") + "\n");
}

// Issue item 2: with the caller's fd 0 closed, a non-root container must still start and find
// /dev/null as its fd 0 (runc's behaviour); its 1 and 2 stay the caller's.
TEST_F(EngineBugsTest, ClosedStdinOfTheCallerIsDevNullInANonRootContainer) {
  Bundle b;
  b.config()["process"]["user"] = {{"uid", 65534}, {"gid", 65534}};
  Prepare(b, {"sh", "-c", "readlink /proc/self/fd/0; id -u; echo to-stderr >&2"});
  AppResult r = CreateAndStartLikeCri(b, UniqueId("stdin"));
  ASSERT_EQ(r.create_status, 0) << r.err;
  EXPECT_TRUE(r.eof);
  EXPECT_EQ(r.out, "/dev/null\n65534\n");
  EXPECT_EQ(r.err, "to-stderr\n");
}

// Item 2, every one of 0-2 closed: the container gets /dev/null for each (looked at from the
// host: inside, busybox runs applets in the shell's own process, redirections and all).
TEST_F(EngineBugsTest, EveryClosedStdioFdOfTheCallerIsDevNull) {
  Bundle b;
  Prepare(b, {"sleep", "30"});
  const std::string id = UniqueId("noio");
  created_.push_back(id);
  pid_t p = SpawnWithStdio(RuncArgv({"create", "--bundle", b.path(), id}), -1, -1, -1);
  ASSERT_EQ(WaitFor(p, 60), 0);
  RunResult st = Runc(root_.path(), {"state", id});
  auto j = nlohmann::json::parse(st.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << st.out << st.err;
  const pid_t pid = j.value("pid", 0);
  RunResult start = Runc(root_.path(), {"start", id});
  ASSERT_EQ(start.status, 0) << start.err;
  // `start` returns once the init wrote its byte, right before execve: wait for `sleep` to run.
  const std::string exe = "/proc/" + std::to_string(pid) + "/exe";
  std::string target;
  for (int i = 0; i < 600 && target.find("busybox") == std::string::npos; ++i) {
    char buf[256];
    ssize_t n = readlink(exe.c_str(), buf, sizeof buf - 1);
    target = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    if (target.find("busybox") == std::string::npos) usleep(10000);
  }
  ASSERT_THAT(target, HasSubstr("busybox"));
  std::string fds;
  for (int fd = 0; fd <= 2; ++fd) {
    const std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
    char buf[256];
    ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
    fds += (n > 0 ? std::string(buf, static_cast<size_t>(n)) : "(" + std::string(strerror(errno)) + ")") + "\n";
  }
  EXPECT_EQ(fds, "/dev/null\n/dev/null\n/dev/null\n");
}

// Issue item 3: `ctr run -t`. containerd's shim creates with --console-socket and pipes as
// create's stdout/stderr, and calls start only once both reached end of file. The init of a
// terminal container must therefore hold no copy of them while the container is created.
TEST_F(EngineBugsTest, CreatedTerminalContainerHoldsNoneOfCreatesStdio) {
  TempDir sockdir("runc-eb-sock");
  const std::string sock_path = sockdir.path() + "/console.sock";
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  memcpy(addr.sun_path, sock_path.c_str(), sock_path.size() + 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << strerror(errno);
  ASSERT_EQ(listen(listener, 1), 0);

  Bundle b;
  b.config()["process"]["terminal"] = true;
  Prepare(b, {"sh", "-c", "echo hello-from-the-tty; sleep 2"});
  const std::string id = UniqueId("tty");
  created_.push_back(id);
  Pipe out, err;
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t p = SpawnWithStdio(RuncArgv({"create", "--console-socket", sock_path, "--bundle", b.path(), id}), null_fd,
                           out.w, err.w);
  close(null_fd);
  out.CloseWrite();
  err.CloseWrite();

  // The pty master, as the shim receives it.
  int master = -1;
  pollfd pl{listener, POLLIN, 0};
  if (poll(&pl, 1, 60000) == 1) {
    int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn >= 0) {
      char name[256];
      iovec iov{name, sizeof name};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) > 0) {
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        if (c && c->cmsg_type == SCM_RIGHTS) memcpy(&master, CMSG_DATA(c), sizeof(int));
      }
      close(conn);
    }
  }
  close(listener);
  const int create_status = WaitFor(p, 60);
  bool out_eof = false, err_eof = false;
  const std::string create_out = ReadToEof(out.TakeRead(), 10, out_eof);
  const std::string create_err = ReadToEof(err.TakeRead(), 10, err_eof);
  ASSERT_EQ(create_status, 0) << create_err;
  ASSERT_GE(master, 0) << "no pty master received";
  EXPECT_TRUE(out_eof) << "create's stdout is still held open by the created container";
  EXPECT_TRUE(err_eof) << "create's stderr is still held open by the created container";
  EXPECT_EQ(create_out + create_err, "");

  RunResult st = Runc(root_.path(), {"state", id});
  EXPECT_THAT(st.out, HasSubstr("\"status\": \"created\"")) << st.out << st.err;

  // And the terminal is the container's: what it prints comes out of the master.
  RunResult start = Runc(root_.path(), {"start", id});
  EXPECT_EQ(start.status, 0) << start.err;
  std::string tty;
  const double end = Now() + 30;
  while (tty.find("hello-from-the-tty") == std::string::npos && Now() < end) {
    pollfd pm{master, POLLIN, 0};
    if (poll(&pm, 1, 100) != 1) continue;
    char buf[256];
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;
    tty.append(buf, static_cast<size_t>(n));
  }
  close(master);
  EXPECT_THAT(tty, HasSubstr("hello-from-the-tty"));
}

// Issue item 4: tmpcopyup (podman --read-only, --tmpfs, --mount type=tmpfs). The tmpfs starts
// with a copy of the directory it covers: files, directories and symlinks with modes and owners;
// symlinks are copied, not followed.
TEST_F(EngineBugsTest, TmpcopyupCopiesTheCoveredDirectoryIntoTheTmpfs) {
  Bundle b;
  const std::string dir = b.rootfs() + "/opt/data";
  ASSERT_EQ(mkdir((b.rootfs() + "/opt").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(dir.c_str(), 0750), 0);
  ASSERT_EQ(chown(dir.c_str(), 0, 0), 0);
  ASSERT_EQ(mkdir((dir + "/sub").c_str(), 0711), 0);
  ASSERT_EQ(chown((dir + "/sub").c_str(), 1234, 4321), 0);
  ASSERT_EQ(chmod((dir + "/sub").c_str(), 0711), 0);
  for (const auto& [name, text, mode] :
       std::vector<std::tuple<std::string, std::string, mode_t>>{{"/a.txt", "alpha\n", 0664}, {"/sub/b.txt", "beta\n", 04755}}) {
    int fd = open((dir + name).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
    ASSERT_EQ(chown((dir + name).c_str(), 1000, 1001), 0);
    ASSERT_EQ(chmod((dir + name).c_str(), mode), 0);
  }
  ASSERT_EQ(symlink("/etc/passwd", (dir + "/abs-link").c_str()), 0);
  ASSERT_EQ(symlink("../../../../../../../../etc", (dir + "/up-link").c_str()), 0);
  ASSERT_EQ(lchown((dir + "/up-link").c_str(), 7, 8), 0);
  ASSERT_EQ(mkfifo((dir + "/fifo").c_str(), 0620), 0);
  ASSERT_EQ(chmod((dir + "/fifo").c_str(), 0620), 0);  // whatever our umask

  b.config()["mounts"].push_back({{"destination", "/opt/data"},
                                  {"type", "tmpfs"},
                                  {"source", "tmpfs"},
                                  {"options", {"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}}});
  Prepare(b, {"sh", "-c",
              "cd /opt/data && stat -c '%n %a %u:%g %F' . a.txt sub sub/b.txt abs-link up-link fifo && "
              "cat a.txt sub/b.txt && readlink abs-link && readlink up-link && "
              "grep -c ' /opt/data .* - tmpfs ' /proc/self/mountinfo && echo new > /opt/data/written && ls /opt/data"});
  RunResult r = Runc(root_.path(), {"run", "--bundle", b.path(), UniqueId("copyup")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            ". 1777 0:0 directory\n"  // the tmpfs' own root: the mount's mode, as with runc
            "a.txt 664 1000:1001 regular file\n"
            "sub 711 1234:4321 directory\n"
            "sub/b.txt 4755 1000:1001 regular file\n"
            "abs-link 777 0:0 symbolic link\n"
            "up-link 777 7:8 symbolic link\n"
            "fifo 620 0:0 fifo\n"
            "alpha\nbeta\n"
            "/etc/passwd\n../../../../../../../../etc\n"
            "1\n"
            "a.txt\nabs-link\nfifo\nsub\nup-link\nwritten\n");
  // The copy was one way: the rootfs' directory is as it was.
  struct stat st;
  EXPECT_NE(lstat((dir + "/written").c_str(), &st), 0);
}

// tmpcopyup with a read-only tmpfs: the copy comes before the read-only remount.
TEST_F(EngineBugsTest, TmpcopyupIntoAReadOnlyTmpfs) {
  Bundle b;
  const std::string dir = b.rootfs() + "/etc/conf.d";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  int fd = open((dir + "/x.conf").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "x=1\n", 4), 4);
  close(fd);
  b.config()["mounts"].push_back({{"destination", "/etc/conf.d"},
                                  {"type", "tmpfs"},
                                  {"source", "tmpfs"},
                                  {"options", {"ro", "mode=755", "tmpcopyup"}}});
  Prepare(b, {"sh", "-c", "cat /etc/conf.d/x.conf; touch /etc/conf.d/y 2>/dev/null || echo read-only"});
  RunResult r = Runc(root_.path(), {"run", "--bundle", b.path(), UniqueId("copyro")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "x=1\nread-only\n");
}

// Issue item 5: a Kubernetes pod as containerd's CRI plugin creates it. The sandbox runs `sleep`;
// the app joins its ipc, uts, net and pid namespaces by path, runs as a non-root user and is
// created with fd 0 closed and pipes for stdout/stderr. From inside, the app sees the sandbox's
// processes and hostname, the sandbox's namespaces, and /dev/null as its fd 0.
TEST_F(EngineBugsTest, PodAppContainerJoinsTheSandboxLikeCri) {
  Bundle sandbox;
  pid_t spid = StartSandbox(sandbox, UniqueId("pod-sb"), "eb-pod");
  ASSERT_GT(spid, 0);

  Bundle app;
  app.config().erase("hostname");
  app.config()["process"]["user"] = {{"uid", 65534}, {"gid", 65534}};
  app.config()["linux"]["namespaces"] = JoinNamespaces(spid, {"ipc", "uts", "network", "pid"});
  Prepare(app, {"sh", "-c",
                "echo \"host $(hostname)\"; echo \"uid $(id -u)\"; echo \"stdin $(readlink /proc/self/fd/0)\"; "
                "for n in ipc uts net pid; do echo \"$n $(readlink /proc/self/ns/$n)\"; done; "
                "echo \"pid1 $(cat /proc/1/comm)\"; "
                "ps -o pid,user,args | grep -c '[s]leep 1000'"});
  AppResult r = CreateAndStartLikeCri(app, UniqueId("pod-app"));
  ASSERT_EQ(r.create_status, 0) << r.err;
  EXPECT_TRUE(r.eof);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "host eb-pod\nuid 65534\nstdin /dev/null\nipc " + NsLink(spid, "ipc") + "\nuts " +
                       NsLink(spid, "uts") + "\nnet " + NsLink(spid, "net") + "\npid " + NsLink(spid, "pid") +
                       "\npid1 sleep\n1\n");
}

}  // namespace
}  // namespace runc::test
