// The lifecycle commands: create, start, run, state, list, kill, delete. State lives in
// <root>/<id>/ (executor/state.h); the container itself is set up by Spawn() and torn down by
// RunTeardown() from the plan saved at create time.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include <boost/program_options.hpp>

#include "cli/commands.h"
#include "compiler/compile.h"
#include "compiler/host.h"
#include "executor/executor.h"
#include "executor/hooks.h"
#include "executor/log.h"
#include "executor/state.h"
#include "schema/grammar.h"
#include "schema/load.h"

namespace po = boost::program_options;

namespace runc {
namespace {

// ---------------------------------------------------------------------------------------------
// Flag parsing

// runc (urfave/cli) also takes a boolean flag as `--force=true` / `--force=false`. Boost's
// bool_switch takes no value, so rewrite those forms first: `=true` -> the flag, `=false` -> nothing.
std::vector<std::string> NormalizeSwitches(const po::options_description& desc, const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    if (arg.rfind("-", 0) != 0 || eq == std::string::npos) {
      out.push_back(arg);
      continue;
    }
    const std::string name = arg.substr(arg.find_first_not_of('-'), eq - arg.find_first_not_of('-'));
    const std::string value = arg.substr(eq + 1);
    const po::option_description* option = desc.find_nothrow(name, false);
    if (!option || option->semantic()->max_tokens() != 0 || name.empty()) {
      out.push_back(arg);
      continue;
    }
    if (value == "true" || value == "1") {
      out.push_back(arg.substr(0, eq));
    } else if (value != "false" && value != "0") {
      out.push_back(arg);  // let the parser report it
    }
  }
  return out;
}

// Parses a command's flags. Returns -1 to go on, or the exit status to return (after --help or a
// usage error).
int ParseFlags(const char* name, const char* usage, po::options_description& desc,
               const po::positional_options_description& pos, const std::vector<std::string>& args,
               po::variables_map& vm) {
  desc.add_options()("help,h", "show help");
  try {
    po::store(po::command_line_parser(NormalizeSwitches(desc, args)).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    LogError(std::string(name) + ": " + e.what());
    return 1;
  }
  if (vm.count("help")) {
    std::cout << "usage: runc " << name << " " << usage << "\n\n" << desc;
    return 0;
  }
  return -1;
}

// The flags create and run share.
struct CreateFlags {
  std::string bundle = ".";
  std::string config_name = "config.json";  // the 2015 form may name another file
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
};

void AddCreateFlags(po::options_description& desc, CreateFlags& f) {
  desc.add_options()
      ("bundle,b", po::value(&f.bundle), "path to the root of the bundle directory (default: current directory)")
      ("console-socket", po::value(&f.console_socket),
       "path to an AF_UNIX socket which will receive the pty master (with process.terminal)")
      ("pid-file", po::value(&f.pid_file), "file to write the container init's pid to")
      ("no-pivot", po::bool_switch(&f.no_pivot), "do not use pivot_root (MS_MOVE + chroot instead)")
      ("no-new-keyring", po::bool_switch(&f.no_new_keyring), "do not create a new session keyring")
      ("preserve-fds", po::value(&f.preserve_fds), "pass N additional file descriptors (3..3+N-1) to the container");
}

bool RequireId(const char* command, const po::variables_map& vm, std::string& id) {
  if (!vm.count("id")) {
    LogError(std::string(command) + ": container id cannot be empty");
    return false;
  }
  id = vm["id"].as<std::string>();
  return true;
}

// ---------------------------------------------------------------------------------------------
// Helpers

// create and run re-execute from a sealed copy of the binary first (CVE-2019-5736, see
// executor.h); on success of the re-exec this does not return.
bool SealExe() {
  Diagnostic err;
  if (!EnsureSealedExe(err)) {
    LogError(err.ToString());
    return false;
  }
  return true;
}

std::string Errno(int e) { return std::strerror(e); }

std::string CurrentUserName() {
  passwd pw{};
  passwd* result = nullptr;
  char buf[4096];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &result) == 0 && result) return result->pw_name;
  return std::to_string(geteuid());
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
  for (const auto& s : plan.steps) {
    if (s.kind != StepKind::kCgroupJoin) continue;
    std::ifstream in(s.path);
    pid_t p;
    while (in >> p) pids.insert(p);
  }
  return pids;
}

// Signals the init only while it is still the process `create` started: the pidfd pins the
// process, and the start time check (after opening it) rules out a recycled pid. 0 or an errno.
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

bool HasCgroup(const Plan& plan) { return FindStep(plan, StepKind::kCgroupJoin) != nullptr; }

// Signals every process of the container's cgroup. Returns how many were signalled.
int SignalCgroup(const Plan& plan, int sig) {
  int n = 0;
  for (pid_t p : CgroupPids(plan)) {
    if (p > 0 && kill(p, sig) == 0) ++n;
  }
  return n;
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

// ---------------------------------------------------------------------------------------------
// Console for a foreground `run` of a terminal container without --console-socket: we listen on a
// private socket, receive the pty master ourselves and proxy it to our own stdio.

class ConsoleListener {
 public:
  ~ConsoleListener() { Close(); }
  bool Listen(Diagnostic& err) {
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
  const std::string& path() const { return path_; }

  // The master was sent while Spawn ran (the init connects and sends before it waits on the start
  // fifo), so it is already queued on the socket.
  int ReceiveMaster(Diagnostic& err) {
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
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    if (!path_.empty()) unlink(path_.c_str());
    if (!dir_.empty()) rmdir(dir_.c_str());
    path_.clear();
    dir_.clear();
  }

 private:
  int fd_ = -1;
  std::string dir_, path_;
};

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

// ---------------------------------------------------------------------------------------------
// create

struct Created {
  Plan plan;
  ContainerState state;
};

// Loads, validates and compiles the bundle, spawns the container up to its start wait, then records
// state.json, plan.json and the pid file. On failure everything is undone and false returned (the
// error has been logged).
bool CreateContainer(const GlobalOptions& global, const std::string& id, const CreateFlags& flags,
                     bool foreground, Created& out, ConsoleListener* console) {
  std::string id_error;
  if (!ValidContainerId(id, id_error)) {
    LogError(id_error);
    return false;
  }
  char bundle_buf[PATH_MAX];
  if (!realpath(flags.bundle.c_str(), bundle_buf)) {
    LogError("bundle " + flags.bundle + ": " + Errno(errno));
    return false;
  }
  const std::string bundle = bundle_buf;
  const std::string state_dir = StateDir(global.root, id);
  struct stat st;
  if (lstat(state_dir.c_str(), &st) == 0) {
    LogError("container with id exists: " + id);
    return false;
  }

  Spec spec;
  Diagnostics diags;
  if (!LoadSpec(bundle + "/" + flags.config_name, flags.config_name, spec, diags)) {
    for (const auto& d : diags) LogError(d.ToString());
    return false;
  }
  // runc's rules: a pty needs somewhere to go.
  if (spec.process.terminal && flags.console_socket.empty() && !foreground) {
    LogError("cannot allocate tty if runc will detach without setting console socket");
    return false;
  }
  if (!spec.process.terminal && !flags.console_socket.empty()) {
    LogError("cannot use console socket if runc will not detach or allocate tty");
    return false;
  }
  if (flags.preserve_fds < 0) {
    LogError("--preserve-fds: must not be negative");
    return false;
  }

  HostFacts host = ProbeHost();
  host.state_root = global.root;
  CompileOptions copts;
  copts.id = id;
  copts.bundle = bundle;
  copts.no_pivot = flags.no_pivot;
  copts.systemd_cgroup = global.systemd_cgroup;
  copts.rootless = global.rootless;
  out.plan = Compile(spec, host, copts);

  if (!MkdirAll(global.root, 0700)) {
    LogError("mkdir " + global.root + ": " + Errno(errno));
    return false;
  }

  SpawnOptions sopts;
  sopts.console_socket = flags.console_socket;
  if (spec.process.terminal && flags.console_socket.empty() && console) {
    Diagnostic err;
    if (!console->Listen(err)) {
      LogError(err.ToString());
      return false;
    }
    sopts.console_socket = console->path();
  }
  sopts.preserve_fds = flags.preserve_fds;
  sopts.no_new_keyring = flags.no_new_keyring;
  sopts.debug = global.debug;
#ifdef RUNC_FAULT_INJECTION
  if (const char* at = getenv("RUNC_FAIL_AT_STEP")) sopts.fail_at_step = atoi(at);
#endif
  SpawnResult result;
  Diagnostic err;
  if (!Spawn(out.plan, sopts, result, err)) {
    LogError(err.ToString());
    return false;
  }

  ContainerState& s = out.state;
  s.id = id;
  s.pid = result.pid;
  s.status = ContainerStatus::kCreated;
  s.bundle = bundle;
  s.rootfs = out.plan.rootfs;
  s.annotations = out.plan.annotations;
  s.created = NowRfc3339();
  s.owner = CurrentUserName();
  s.init_start_time = ProcessStartTime(result.pid);
  if (const Step* wait = FindStep(out.plan, StepKind::kWaitStart)) s.fifo = wait->path;

  // Whatever fails from here on must not leave a half-created container behind.
  auto undo = [&](const std::string& message) {
    LogError(message);
    Diagnostic teardown_err;
    if (!RunTeardown(out.plan, result.pid, teardown_err)) LogWarn("teardown: " + teardown_err.ToString());
  };
  ContainerLock lock;
  if (!lock.Lock(global.root, id, err)) {
    undo(err.ToString());
    return false;
  }
  if (!SavePlan(state_dir, out.plan, err) || !SaveState(state_dir, s, err)) {
    lock.Unlock();
    undo(err.ToString());
    return false;
  }
  if (!flags.pid_file.empty() && !WritePidFile(flags.pid_file, result.pid, err)) {
    lock.Unlock();
    undo("pid file: " + err.ToString());
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// start

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

// Releases a created container: the init waits in open(2) of exec.fifo for writing; opening it
// for reading lets it through, and it writes one byte before it goes on to execve. The lock must
// be held.
bool ReleaseInit(const ContainerLock& lock, ContainerState& state, Diagnostic& err) {
  const std::string fifo = state.fifo.empty() ? lock.dir() + "/" + kExecFifo : state.fifo;
  // O_NONBLOCK so that a dead init (no writer ever) cannot hang us: we poll and check it is alive.
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    err.message = "open " + fifo + ": " + Errno(errno);
    return false;
  }
  bool released = false;
  while (!released) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) {
      err.message = "poll " + fifo + ": " + Errno(errno);
      break;
    }
    if (r > 0) {
      char buf[16];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        released = true;
        break;
      }
      if (n == 0) SleepMs(10);  // no writer connected yet (or it closed): check the init below
    }
    const uint64_t start = ProcessStartTime(state.pid);
    if (start == 0 || (state.init_start_time != 0 && start != state.init_start_time)) {
      err.message = "cannot start a container that has stopped";
      break;
    }
  }
  close(fd);
  if (released) unlink(fifo.c_str());
  return released;
}

// `start ID` proper. Returns the exit status.
int StartCreated(const GlobalOptions& global, const std::string& id) {
  ContainerLock lock;
  Diagnostic err;
  if (!lock.Lock(global.root, id, err)) {
    LogError(err.ToString());
    return 1;
  }
  ContainerState state;
  if (!LoadState(global.root, id, state, err)) {
    LogError(err.ToString());
    return 1;
  }
  switch (state.status) {
    case ContainerStatus::kCreated:
      break;
    case ContainerStatus::kStopped:
      LogError("cannot start a container that has stopped");
      return 1;
    case ContainerStatus::kRunning:
      LogError("cannot start an already running container");
      return 1;
    case ContainerStatus::kCreating:
      LogError("cannot start a container in the creating state");
      return 1;
  }
  Plan plan;
  if (!LoadContainerPlan(global.root, id, plan, err)) {
    LogError(err.ToString());
    return 1;
  }
  if (!ReleaseInit(lock, state, err)) {
    LogError(err.ToString());
    return 1;
  }
  state.status = ContainerStatus::kRunning;
  RunPoststartHooks(plan, state);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// delete

// Tears a container down from its saved plan. `pid` is the init when it is still alive, else -1.
bool TeardownContainer(const Plan& plan, pid_t pid, Diagnostic& err) {
  // Without a pid namespace the init's death does not take the rest of the container with it;
  // kill whatever is left in the cgroup so that it can be removed.
  if (HasCgroup(plan) && SignalCgroup(plan, SIGKILL) > 0) WaitCgroupEmpty(plan, 2000);
  return RunTeardown(plan, pid, err);
}

// `delete` without the argument parsing (run uses it too).
int DeleteContainer(const GlobalOptions& global, const std::string& id, bool force) {
  ContainerLock lock;
  Diagnostic err;
  if (!lock.Lock(global.root, id, err)) {
    // runc: `delete --force` of a container that does not exist is not an error (podman cleans up
    // with it after the container may already be gone).
    if (force && err.err == ENOENT) return 0;
    LogError(err.ToString());
    return 1;
  }
  ContainerState state;
  if (!LoadState(global.root, id, state, err)) {
    LogError(err.ToString());
    return 1;
  }
  // The OCI runtime spec says delete of a container that is not stopped MUST fail; runc 1.1 also
  // deletes a `created` container without --force. We follow the spec: created, running (and
  // creating) need --force.
  if (state.status != ContainerStatus::kStopped && !force) {
    LogError("cannot delete container " + id + " that is not stopped: " + std::string(StatusName(state.status)));
    return 1;
  }
  Plan plan;
  if (!LoadContainerPlan(global.root, id, plan, err)) {
    if (state.status == ContainerStatus::kCreating && force) {
      // An aborted create left a state dir without state or plan: nothing else to undo that the
      // failed Spawn did not already undo.
      if (!RemoveFlatDir(lock.dir())) {
        LogError("remove " + lock.dir() + ": " + Errno(errno));
        return 1;
      }
      return 0;
    }
    LogError(err.ToString());
    return 1;
  }
  const bool alive = state.status == ContainerStatus::kCreated || state.status == ContainerStatus::kRunning;
  if (!TeardownContainer(plan, alive ? state.pid : -1, err)) {
    LogError(err.ToString());
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// run (foreground)

// Signals that are the process' own business and must not be blocked or forwarded.
bool SynchronousSignal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT ||
         sig == SIGSYS;
}

// Waits for the container init, forwarding every signal we receive to it and proxying the pty when
// `master` >= 0. Returns the init's exit status (128+signal when it was killed).
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

struct RunFlags {
  CreateFlags create;
  bool detach = false;
  bool keep = false;
  bool no_subreaper = false;
};

int RunContainer(const GlobalOptions& global, const std::string& id, const RunFlags& flags) {
  if (!flags.detach && !flags.no_subreaper) {
    // Whatever Spawn forks in between, the init ends up our child, so we can wait for it and
    // report its exit status.
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  }
  ConsoleListener console;
  Created created;
  if (!CreateContainer(global, id, flags.create, !flags.detach, created, &console)) return 1;
  // From now on a signal to us is meant for the container: queue it until the supervisor forwards
  // it. (Not before Spawn: the init would inherit the blocked mask through execve.)
  const sigset_t forwarded = ForwardedSignals();
  if (!flags.detach) sigprocmask(SIG_BLOCK, &forwarded, nullptr);

  int master = -1;
  if (!console.path().empty()) {
    Diagnostic err;
    master = console.ReceiveMaster(err);
    console.Close();
    if (master < 0) {
      LogError(err.ToString());
      DeleteContainer(global, id, true);
      return 1;
    }
  }
  if (StartCreated(global, id) != 0) {
    if (master >= 0) close(master);
    DeleteContainer(global, id, true);
    return 1;
  }
  if (flags.detach) return 0;

  const int status = SuperviseForeground(created.state.pid, master, forwarded);
  if (!flags.keep) {
    // The init is gone; tear down like `delete` (hooks, cgroup, state). A failure is reported but
    // the container's exit status is what run returns.
    DeleteContainer(global, id, true);
  }
  return status;
}

// The 2015 README ran a bundle with `runc start` (no id, in the bundle dir) or
// `runc start path/to/config.json`: in the foreground, with the bundle dir's name as the id.
int RunLegacyStart(const GlobalOptions& global, const std::string& bundle, const std::string& config_name) {
  char buf[PATH_MAX];
  if (!realpath(bundle.c_str(), buf)) {
    LogError("bundle " + bundle + ": " + Errno(errno));
    return 1;
  }
  const std::string id = Basename(buf);
  ContainerState existing;
  Diagnostic err;
  if (LoadState(global.root, id, existing, err)) {
    // A container of that id exists: a modern `start` of it.
    return StartCreated(global, id);
  }
  if (!SealExe()) return 1;
  RunFlags flags;
  flags.create.bundle = buf;
  flags.create.config_name = config_name;
  return RunContainer(global, id, flags);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Commands

int CmdCreate(const GlobalOptions& global, const std::vector<std::string>& args) {
  CreateFlags flags;
  std::string id;
  po::options_description desc("Options");
  AddCreateFlags(desc, flags);
  desc.add_options()("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("create",
                         "[--bundle B] [--pid-file F] [--console-socket S] [--no-pivot] [--no-new-keyring] "
                         "[--preserve-fds N] ID",
                         desc, pos, args, vm);
      r >= 0)
    return r;
  if (!RequireId("create", vm, id)) return 1;
  if (!SealExe()) return 1;
  Created created;
  return CreateContainer(global, id, flags, false, created, nullptr) ? 0 : 1;
}

int CmdStart(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  po::options_description desc("Options");
  desc.add_options()("id", po::value(&id), "container id (or, 2015 form, a config file to run)");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("start", "ID | [path/to/config.json]", desc, pos, args, vm); r >= 0) return r;
  if (id.empty()) return RunLegacyStart(global, ".", "config.json");
  ContainerState state;
  Diagnostic err;
  std::string id_error;
  if (!ValidContainerId(id, id_error) || !LoadState(global.root, id, state, err)) {
    struct stat st;
    if (stat(id.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return RunLegacyStart(global, Dirname(id), Basename(id));
  }
  return StartCreated(global, id);
}

int CmdRun(const GlobalOptions& global, const std::vector<std::string>& args) {
  RunFlags flags;
  std::string id;
  po::options_description desc("Options");
  AddCreateFlags(desc, flags.create);
  desc.add_options()
      ("detach,d", po::bool_switch(&flags.detach), "detach from the container's process")
      ("keep", po::bool_switch(&flags.keep), "do not delete the container after it exits")
      ("no-subreaper", po::bool_switch(&flags.no_subreaper), "disable the use of the subreaper used to reap reparented processes")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("run",
                         "[--detach] [--keep] [--bundle B] [--pid-file F] [--console-socket S] [--no-pivot] "
                         "[--no-new-keyring] [--preserve-fds N] ID",
                         desc, pos, args, vm);
      r >= 0)
    return r;
  if (!RequireId("run", vm, id)) return 1;
  if (!SealExe()) return 1;
  return RunContainer(global, id, flags);
}

int CmdState(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  po::options_description desc("Options");
  desc.add_options()("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("state", "ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("state", vm, id)) return 1;
  ContainerState state;
  Diagnostic err;
  if (!LoadState(global.root, id, state, err)) {
    LogError(err.ToString());
    return 1;
  }
  std::cout << StateToOciJson(state).dump(2) << "\n";
  return 0;
}

int CmdList(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string format = "table";
  bool quiet = false;
  po::options_description desc("Options");
  desc.add_options()
      ("format,f", po::value(&format), "select one of: table or json")
      ("quiet,q", po::bool_switch(&quiet), "display only container IDs");
  po::positional_options_description pos;
  po::variables_map vm;
  if (int r = ParseFlags("list", "[--format table|json] [-q]", desc, pos, args, vm); r >= 0) return r;
  if (format != "table" && format != "json") {
    LogError("invalid format option");
    return 1;
  }
  std::vector<ContainerState> states;
  for (const auto& id : ListContainerIds(global.root)) {
    ContainerState s;
    Diagnostic err;
    if (LoadState(global.root, id, s, err)) states.push_back(std::move(s));
  }
  if (quiet) {
    for (const auto& s : states) std::cout << s.id << "\n";
    return 0;
  }
  std::cout << (format == "json" ? FormatContainerJson(states) : FormatContainerTable(states));
  return 0;
}

int CmdKill(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  std::string signal_arg = "SIGTERM";
  bool all = false;
  po::options_description desc("Options");
  desc.add_options()
      ("all,a", po::bool_switch(&all), "send the signal to every process in the container's cgroup")
      ("id", po::value(&id), "container id")
      ("signal", po::value(&signal_arg), "signal name (with or without SIG) or number (default SIGTERM)");
  po::positional_options_description pos;
  pos.add("id", 1).add("signal", 1);
  po::variables_map vm;
  if (int r = ParseFlags("kill", "[--all] ID [SIGNAL]", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("kill", vm, id)) return 1;
  int sig = 0;
  std::string sig_error;
  if (!ParseSignal(signal_arg, sig, sig_error)) {
    LogError(sig_error);
    return 1;
  }
  ContainerLock lock;
  Diagnostic err;
  if (!lock.Lock(global.root, id, err)) {
    LogError(err.ToString());
    return 1;
  }
  ContainerState state;
  if (!LoadState(global.root, id, state, err)) {
    LogError(err.ToString());
    return 1;
  }
  if (all) {
    Plan plan;
    if (!LoadContainerPlan(global.root, id, plan, err)) {
      LogError(err.ToString());
      return 1;
    }
    if (HasCgroup(plan)) {
      SignalCgroup(plan, sig);
      return 0;
    }
    // No cgroup to enumerate: the init is all we know of.
  }
  if (state.status == ContainerStatus::kStopped || state.status == ContainerStatus::kCreating) {
    if (all) return 0;
    LogError("container not running");
    return 1;
  }
  if (int e = SignalInit(state, sig); e != 0) {
    LogError(e == ESRCH ? "container not running" : "kill " + std::to_string(state.pid) + ": " + Errno(e));
    return 1;
  }
  return 0;
}

int CmdDelete(const GlobalOptions& global, const std::vector<std::string>& args) {
  std::string id;
  bool force = false;
  po::options_description desc("Options");
  desc.add_options()
      ("force,f", po::bool_switch(&force), "forcibly delete the container if it is still running (uses SIGKILL)")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("delete", "[--force] ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("delete", vm, id)) return 1;
  std::string id_error;
  if (!ValidContainerId(id, id_error)) {
    LogError(id_error);
    return 1;
  }
  return DeleteContainer(global, id, force);
}

}  // namespace runc
