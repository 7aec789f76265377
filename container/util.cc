// Small helpers of the container library: paths, the container's cgroup processes, signalling the
// init safely.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "container/internal.h"

namespace runc::container {

Diagnostic Error(std::string message, int err) {
  Diagnostic d;
  d.message = std::move(message);
  d.err = err;
  return d;
}

std::string Errno(int e) { return std::strerror(e); }

bool OpenMissingStdio(Diagnostic& error) {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // Not close-on-exec: it is the container's (and a hook's) stdio. The lower ones are open by
    // now, so it normally lands on `fd` itself.
    int null_fd = open("/dev/null", O_RDWR);
    int err = null_fd < 0 ? errno : 0;
    if (!err && null_fd != fd) {
      if (dup2(null_fd, fd) < 0) err = errno;
      close(null_fd);
    }
    if (err) {
      error = Diagnostic{};
      error.message = "open /dev/null as fd " + std::to_string(fd) + ": " + Errno(err);
      error.err = err;
      return false;
    }
  }
  return true;
}

std::string CurrentUserName() {
  // /etc/passwd read by hand, not getpwuid_r: the binary is static, and glibc's NSS would dlopen
  // the modules nsswitch.conf names (libnss_systemd here) for a uid that the file lacks, which
  // crashes a static binary (an unprivileged user without a passwd entry, as in the rootless tests).
  const std::string uid = std::to_string(geteuid());
  std::ifstream in("/etc/passwd");
  for (std::string line; std::getline(in, line);) {
    const size_t a = line.find(':');
    const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    const size_t c = b == std::string::npos ? b : line.find(':', b + 1);
    if (c == std::string::npos) continue;
    if (line.compare(b + 1, c - b - 1, uid) == 0) return line.substr(0, a);
  }
  return uid;
}

bool MkdirAll(const std::string& path, mode_t mode) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) return false;
  }
  return true;
}

std::string Basename(const std::string& path) {
  auto end = path.find_last_not_of('/');
  if (end == std::string::npos) return "/";
  auto slash = path.rfind('/', end);
  return path.substr(slash == std::string::npos ? 0 : slash + 1, end - (slash == std::string::npos ? 0 : slash + 1) + 1);
}

std::string Dirname(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Removes a state directory holding only files (exec.fifo, temp files of an interrupted write).
bool RemoveFlatDir(const std::string& dir) {
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") unlink((dir + "/" + name).c_str());
    }
    closedir(d);
  }
  return rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

const Step* FindStep(const Plan& plan, StepKind kind) {
  for (const auto& s : plan.steps)
    if (s.kind == kind) return &s;
  return nullptr;
}

// Every pid in the container's cgroup(s): the cgroup.procs files the plan joined the init to.
std::set<pid_t> CgroupPids(const Plan& plan) {
  std::set<pid_t> pids;
  for (const auto& dir : JoinedCgroupDirs(plan)) {
    std::ifstream in(dir + "/cgroup.procs");
    pid_t p;
    while (in >> p) pids.insert(p);
  }
  return pids;
}

// The pidfd pins the process, and the start time check (after opening it) rules out a recycled pid.
int SignalInit(const ContainerState& s, int sig) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, s.pid, 0));
  if (pidfd < 0) return errno;
  int result = 0;
  const uint64_t start = ProcessStartTime(s.pid);
  if (start == 0 || (s.init_start_time != 0 && start != s.init_start_time)) {
    result = ESRCH;
  } else if (syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0) {
    result = errno;
  }
  close(pidfd);
  return result;
}

bool HasCgroup(const Plan& plan) { return !JoinedCgroupDirs(plan).empty(); }

// Signals every process of the container's cgroup. Returns how many were signalled.
int SignalCgroup(const Plan& plan, int sig) {
  int n = 0;
  for (pid_t p : CgroupPids(plan)) {
    if (p > 0 && kill(p, sig) == 0) ++n;
  }
  return n;
}

KnownPlan RememberPlan(const Context& ctx, const std::string& id, const Plan& plan) {
  KnownPlan known;
  struct stat st;
  if (stat((StateDir(ctx.root, id) + "/" + kPlanFile).c_str(), &st) != 0) return known;
  known.plan = &plan;
  known.dev = st.st_dev;
  known.ino = st.st_ino;
  return known;
}

const Plan* CurrentPlan(const Context& ctx, const std::string& id, const KnownPlan& known, Plan& loaded,
                        Diagnostic& error) {
  if (known.plan) {
    struct stat st;
    if (stat((StateDir(ctx.root, id) + "/" + kPlanFile).c_str(), &st) == 0 && st.st_dev == known.dev &&
        st.st_ino == known.ino)
      return known.plan;
  }
  return LoadContainerPlan(ctx.root, id, loaded, error) ? &loaded : nullptr;
}

void SleepMs(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// After SIGKILL the kernel needs a moment before the cgroup is empty (and removable).
void WaitCgroupEmpty(const Plan& plan, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    if (CgroupPids(plan).empty()) return;
    // Orphans of a container without a pid namespace were reparented to us when we are run's
    // subreaper: reap them so that they do not linger as zombies.
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    SleepMs(10);
  }
}

}  // namespace runc::container
