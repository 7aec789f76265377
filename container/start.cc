// start: release a created container's init (it goes on to execve) and run the poststart hooks.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "container/internal.h"
#include "executor/common/hooks.h"
#include "executor/common/log.h"
#include "executor/common/sys.h"

namespace runc::container {
bool StartNeedsPlan(const Plan& plan) {
  for (const auto& step : plan.steps) {
    if (step.kind == StepKind::kNotifySocket) return true;
    if (step.kind == StepKind::kHook && step.name == "poststart") return true;
  }
  return false;
}

namespace {

// Runs the poststart hooks of the plan. Per the runtime spec a failing poststart hook is only
// logged: the container keeps running.
void RunPoststartHooks(const Plan& plan, const ContainerState& state) {
  ContainerState running = state;
  running.status = ContainerStatus::kRunning;
  const std::string state_json = StateToOciJson(running).dump();
  for (const auto& step : plan.steps) {
    if (step.kind != StepKind::kHook || step.name != "poststart") continue;
    Diagnostic err;
    if (!RunHook(step, state_json, err)) LogWarn(err.ToString());
  }
}

// The init waits in open(2) of exec.fifo for writing; opening it for reading lets it through.
// Then, as runc's start does, we read the fifo to its end: the init's write end is close-on-exec,
// so end of file comes when the container process runs, or when the init is gone. The init writes
// one byte ("0") right before execve, and, when a step after the start wait fails (a
// startContainer hook, seccomp, execve), that step's error ("step N KIND (ORIGIN): ..."), which
// is then ours. The lock must be held.
bool ReleaseInit(const ContainerLock& lock, ContainerState& state, Diagnostic& err) {
  const std::string fifo = state.fifo.empty() ? lock.dir() + "/" + kExecFifo : state.fifo;
  // O_NONBLOCK so that a dead init (no writer ever) cannot hang us: we poll and check it is alive.
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    err.message = "open " + fifo + ": " + Errno(errno);
    return false;
  }
  std::string data;
  bool eof = false;
  while (!eof) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) {
      err.message = "poll " + fifo + ": " + Errno(errno);
      close(fd);
      return false;
    }
    if (r > 0) {
      // Readable only once a writer has been there: then 0 is its end of file.
      char buf[4096];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) data.append(buf, static_cast<size_t>(n));
      if (n == 0) eof = true;
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        err.message = "read " + fifo + ": " + Errno(errno);
        close(fd);
        return false;
      }
      continue;
    }
    // An init that died before it opened the fifo never gives us an end of file.
    const uint64_t start = ProcessStartTime(state.pid);
    if (start == 0 || (state.init_start_time != 0 && start != state.init_start_time)) break;
  }
  close(fd);
  const bool released = !data.empty() && data[0] == '0';
  if (released) data.erase(0, 1);
  if (released && data.empty()) {
    // A report the init could not write (a seccomp profile that denies write(2)) is in its
    // report page; a plan without a seccomp step has none.
    std::string report;
    if (ReadFileAll(lock.dir() + "/" + kExecReportFile, report)) data = report.substr(0, report.find('\0'));
  }
  if (!data.empty()) {
    // The init's own words: a step failed, the container is stopped.
    err.message = data;
    return false;
  }
  if (!released) {
    // Gone without a word (killed while it waited, or before it could write).
    err.message = "cannot start a container that has stopped";
    return false;
  }
  unlink(fifo.c_str());
  return true;
}

// NOTIFY_SOCKET, as runc's notify_socket.go does it: `start` binds a datagram socket in the
// directory the plan's notify.dir step made (bound into the container where the caller's socket
// is), lets the container go, and waits until the container says READY= (or its init is gone).
// Then the caller's socket gets the container's message and MAINPID= the init's pid (the
// container's own pids mean nothing on the host), and the relay ends, as runc's does.
class NotifyRelay {
 public:
  ~NotifyRelay() {
    if (fd_ >= 0) close(fd_);
  }

  // Before the container process runs, so that its first sd_notify finds the socket.
  bool Bind(const Plan& plan, Diagnostic& err) {
    const Step* step = FindStep(plan, StepKind::kNotifySocket);
    if (!step) return true;
    host_ = step->value;
    const std::string path = step->path + "/notify.sock";
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
      err.message = "notify socket " + path + ": path too long";
      return false;
    }
    memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    unlink(path.c_str());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      err.message = "bind notify socket " + path + ": " + Errno(errno);
      return false;
    }
    // Any container user may notify (runc: 0777).
    if (chmod(path.c_str(), 0777) != 0) {
      err.message = "chmod notify socket " + path + ": " + Errno(errno);
      return false;
    }
    return true;
  }

  void Relay(const ContainerState& state) {
    if (fd_ < 0) return;
    std::string message;
    while (message.empty()) {
      pollfd p{fd_, POLLIN, 0};
      int r = poll(&p, 1, 100);
      if (r > 0) {
        char buf[4096];
        ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) message = ReadyMessage(std::string(buf, static_cast<size_t>(n)));
        continue;
      }
      const uint64_t start = ProcessStartTime(state.pid);
      if (start == 0 || (state.init_start_time != 0 && start != state.init_start_time)) return;
    }
    message += "MAINPID=" + std::to_string(state.pid) + "\n";
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (host_.size() >= sizeof addr.sun_path) {
      LogWarn("NOTIFY_SOCKET " + host_ + ": path too long");
      return;
    }
    memcpy(addr.sun_path, host_.c_str(), host_.size() + 1);
    int out = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (out < 0 || sendto(out, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr),
                          sizeof addr) < 0) {
      LogWarn("send to NOTIFY_SOCKET " + host_ + ": " + Errno(errno));
    }
    if (out >= 0) close(out);
  }

 private:
  // The lines of a datagram that has a READY= line, without MAINPID= lines; "" when it has none.
  static std::string ReadyMessage(const std::string& datagram) {
    std::string out;
    bool ready = false;
    size_t pos = 0;
    while (pos < datagram.size()) {
      size_t nl = datagram.find('\n', pos);
      if (nl == std::string::npos) nl = datagram.size();
      const std::string line = datagram.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.empty() || line.rfind("MAINPID=", 0) == 0) continue;
      if (line.rfind("READY=", 0) == 0) ready = true;
      out += line + "\n";
    }
    return ready ? out : std::string();
  }

  int fd_ = -1;
  std::string host_;
};

}  // namespace

bool Start(const Context& ctx, const std::string& id, Diagnostic& error) {
  return StartWithPlan(ctx, id, KnownPlan{}, error);
}

bool StartWithPlan(const Context& ctx, const std::string& id, const KnownPlan& known, Diagnostic& error) {
  ContainerLock lock;
  if (!lock.Lock(ctx.root, id, error)) return false;
  ContainerState state;
  if (!LoadState(ctx.root, id, state, error)) return false;
  error = Diagnostic{};
  switch (state.status) {
    case ContainerStatus::kCreated:
      break;
    case ContainerStatus::kStopped:
      error.message = "cannot start a container that has stopped";
      return false;
    case ContainerStatus::kRunning:
      error.message = "cannot start an already running container";
      return false;
    case ContainerStatus::kPaused:
      error.message = "cannot start a paused container";
      return false;
    case ContainerStatus::kCreating:
      error.message = "cannot start a container in the creating state";
      return false;
  }
  // Without poststart hooks and a notify socket (recorded by create) there is nothing to read in
  // the plan: an empty one stands in.
  Plan loaded;
  const Plan* current = &loaded;
  if (state.start_reads_plan) current = CurrentPlan(ctx, id, known, loaded, error);
  if (!current) return false;
  const Plan& plan = *current;
  NotifyRelay notify;
  if (!notify.Bind(plan, error)) return false;
  if (!ReleaseInit(lock, state, error)) return false;
  state.status = ContainerStatus::kRunning;
  RunPoststartHooks(plan, state);
  // Not under the lock: kill and delete must reach a container that never says READY.
  lock.Unlock();
  notify.Relay(state);
  return true;
}

}  // namespace runc::container
