#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "executor/common/sys.h"

namespace runc {

std::string StepError(const Step& step, const std::string& syscall_and_object, int err) {
  std::string out = "step " + std::to_string(step.index) + " " + std::string(KindInfo(step.kind).name) +
                    " (" + step.origin + "): " + syscall_and_object;
  // err <= 0: the failure is not an errno (a hook's exit status, an id that exists already).
  if (err > 0) out += std::string(": ") + strerror(err);
  return out;
}

int FaultStep(int from_options) {
#ifdef RUNC_FAULT_INJECTION
  if (from_options != 0) return from_options;
  const char* v = getenv("RUNC_FAIL_AT_STEP");
  return v ? atoi(v) : 0;
#else
  (void)from_options;
  return 0;
#endif
}

bool FaultListed(int index) {
#ifdef RUNC_FAULT_INJECTION
  const char* v = getenv("RUNC_FAIL_AT_STEP");
  for (const char* p = v; p && *p;) {
    char* end = nullptr;
    const long n = strtol(p, &end, 10);
    if (end == p) break;
    if (n == index) return true;
    p = *end == ',' ? end + 1 : end;
    if (*end != ',') break;
  }
  return false;
#else
  (void)index;
  return false;
#endif
}

int WriteFileOnce(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n;
  do {
    n = write(fd, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  int err = n < 0 ? errno : (static_cast<size_t>(n) != data.size() ? EIO : 0);
  close(fd);
  return err;
}

bool ReadFileAll(const std::string& path, std::string& out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  }
  const int saved = errno;
  close(fd);
  errno = saved;
  return n == 0;
}

int WaitChild(pid_t pid, int timeout_ms, bool* timed_out) {
  if (timed_out) *timed_out = false;
  if (timeout_ms >= 0) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      int r;
      do {
        r = poll(&p, 1, timeout_ms);
      } while (r < 0 && errno == EINTR);
      close(pidfd);
      if (r == 0) {
        kill(pid, SIGKILL);
        if (timed_out) *timed_out = true;
      }
    }
  }
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid, &status, __WALL);
  } while (r < 0 && errno == EINTR);
  return r == pid ? status : -1;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

std::string KindName(const Step& step) { return std::string(KindInfo(step.kind).name); }

// struct clone_args of <linux/sched.h> (not included: it clashes with glibc's <sched.h>).
struct CloneArgs {
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;
  uint64_t set_tid_size;
  uint64_t cgroup;
};

// fork-like clone3: the child continues here on a copy of our stack. Raw syscall, so no atfork
// handlers run; fine, we are single-threaded.
pid_t Clone3(uint64_t flags, int exit_signal, int cgroup_fd) {
  CloneArgs args{};
  args.flags = flags;
  args.exit_signal = static_cast<uint64_t>(exit_signal);
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  return static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof args));
}

// Clones straight into a cgroup2 directory when one is given, and falls back to a plain clone when
// the kernel refuses: the cgroup.join step then writes cgroup.procs itself and reports any error
// as its own. `joined` says which way it went.
pid_t CloneMaybeIntoCgroup(uint64_t flags, int exit_signal, int cgroup_fd, bool& joined) {
  joined = false;
  if (cgroup_fd >= 0) {
    pid_t pid = Clone3(flags, exit_signal, cgroup_fd);
    if (pid >= 0) {
      joined = true;
      return pid;
    }
  }
  return Clone3(flags, exit_signal);
}

// Moves `fd` to the lowest free number >= `min` (close-on-exec), closing the old one.
int MoveFdAbove(int fd, int min) {
  if (fd < 0 || fd >= min) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, min);
  if (moved < 0) return fd;
  close(fd);
  return moved;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void WriteAllFd(int fd, const std::string& text) {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace runc
