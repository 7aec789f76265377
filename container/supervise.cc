// Foreground supervision for `run`: wait for the init, forward the signals run receives to it, and
// proxy its terminal to run's own stdio when nobody else holds the pty master.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "container/internal.h"

namespace runc::container {
namespace {


// Puts our stdin terminal in raw mode for the duration of a proxied session.
class RawTerminal {
 public:
  void Enter() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) active_ = true;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

void CopyWindowSize(int master) {
  winsize ws{};
  if (isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

bool WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// Signals that are the process' own business and must not be blocked or forwarded.
bool SynchronousSignal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT ||
         sig == SIGSYS;
}

}  // namespace

bool ConsoleListener::Listen(Diagnostic& err) {
  char tmpl[] = "/tmp/runc-console-XXXXXX";
  if (!mkdtemp(tmpl)) {
    err.message = "mkdtemp /tmp/runc-console: " + Errno(errno);
    return false;
  }
  dir_ = tmpl;
  path_ = dir_ + "/sock";
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 1) != 0) {
    err.message = "console socket " + path_ + ": " + Errno(errno);
    return false;
  }
  return true;
}

int ConsoleListener::ReceiveMaster(Diagnostic& err) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, 5000) <= 0) {
    err.message = "console socket " + path_ + ": no pty master received";
    return -1;
  }
  int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) {
    err.message = "accept " + path_ + ": " + Errno(errno);
    return -1;
  }
  char data[512];
  iovec iov{data, sizeof data};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  close(conn);
  cmsghdr* c = n >= 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
    err.message = "console socket " + path_ + ": no pty master received";
    return -1;
  }
  int master;
  std::memcpy(&master, CMSG_DATA(c), sizeof master);
  return master;
}

void ConsoleListener::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (!path_.empty()) unlink(path_.c_str());
  if (!dir_.empty()) rmdir(dir_.c_str());
  path_.clear();
  dir_.clear();
}

sigset_t ForwardedSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP || SynchronousSignal(sig)) continue;
    sigaddset(&set, sig);
  }
  return set;
}

// `set` (ForwardedSignals) is already blocked.
int SuperviseForeground(pid_t init, int master, const sigset_t& set) {
  int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

  RawTerminal raw;
  if (master >= 0) {
    raw.Enter();
    CopyWindowSize(master);
  }
  bool stdin_open = master >= 0;
  std::optional<int> exit_status;
  while (!exit_status) {
    // Reap first: the init (a child of ours, directly or as subreaper) and anything reparented to us.
    for (;;) {
      int status = 0;
      pid_t p = waitpid(-1, &status, WNOHANG);
      if (p <= 0) break;
      if (p == init) exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (exit_status) break;
    // The init is not our child (--no-subreaper and an intermediate process): poll for its death.
    if (kill(init, 0) != 0 && errno == ESRCH) {
      exit_status = 0;
      break;
    }
    pollfd fds[3] = {{sfd, POLLIN, 0}, {master, POLLIN, 0}, {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
    int r = poll(fds, 3, 500);
    if (r < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        const int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGCHLD) continue;
        if (sig == SIGWINCH && master >= 0) {
          CopyWindowSize(master);
          continue;
        }
        kill(init, sig);
      }
    }
    if (master >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[8192];
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) {
        WriteAll(STDOUT_FILENO, buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EAGAIN) {
        // EIO: every slave fd is closed; the init exits soon (we still wait for it above).
        close(master);
        master = -1;
        stdin_open = false;
      }
    }
    if (stdin_open && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[8192];
      ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n > 0) {
        WriteAll(master, buf, static_cast<size_t>(n));
      } else {
        stdin_open = false;
        // Input piped into a terminal container: pass its end on as the terminal's EOF character,
        // so that a shell reading the pty sees end of input like it would with the pipe itself.
        if (!isatty(STDIN_FILENO)) WriteAll(master, "\x04", 1);
      }
    }
  }
  if (master >= 0) {
    // Drain what the container wrote before it exited.
    char buf[8192];
    int flags = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, flags | O_NONBLOCK);
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) > 0) WriteAll(STDOUT_FILENO, buf, static_cast<size_t>(n));
    close(master);
  }
  if (sfd >= 0) close(sfd);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  return exit_status.value_or(255);
}

}  // namespace runc::container
