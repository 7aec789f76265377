#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "executor/executor.h"
#include "executor/spawn_internal.h"

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

}  // namespace runc
