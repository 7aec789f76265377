// Start phase: the execve of the container process, with the PATH lookup done inside the container.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "executor/common/sys.h"
#include "executor/init/internal.h"

namespace runc {
namespace {

// The home directory of `uid` in the container's /etc/passwd, "/" when it has none (runc's
// default for a user the image does not know).
std::string HomeOf(InitContext& ctx, uid_t uid) {
  int err = 0;
  int root_fd = RootFd(ctx, err);
  if (root_fd < 0) return "/";
  Fd fd;
  if (OpenInRoot(root_fd, "/etc/passwd", O_RDONLY, fd) != 0) return "/";
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    // name:password:uid:gid:gecos:home:shell
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string field; std::getline(ss, field, ':');) f.push_back(field);
    if (f.size() >= 6 && f[2] == std::to_string(uid) && !f[5].empty()) return f[5];
  }
  return "/";
}

// CVE-2024-21626: the program, and every PATH candidate, is first resolved without magic links.
// When that fails with ELOOP the path goes through one (/proc/self/fd/N, /proc/PID/cwd, ...): it
// is followed only when the file it leads to is on a mount of the container's own mount namespace,
// so a --preserve-fds descriptor of a file inside the container still works but a descriptor of
// the host's (none should be left: see CloseHostFds in child.cc) or another namespace's does not.
// Returns 0 with `st` filled, an errno, or kNoErrno with `why` set.
int ResolveProgram(InitContext& ctx, const std::string& path, struct stat& st, std::string& why) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_MAGICLINKS;
  Fd fd(static_cast<int>(syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how)));
  if (!fd.ok() && errno == ELOOP) {
    fd.Reset(open(path.c_str(), O_PATH | O_CLOEXEC));
    if (!fd.ok()) return errno;
    uint64_t id = 0;
    std::vector<uint64_t> ids;
    int err = MountIdOf(fd.get(), id);
    if (!err) err = MountIds(ctx, ids, why);
    if (err) return err;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      why = "the path leads out of the container";
      return kNoErrno;
    }
  }
  if (!fd.ok()) return errno;
  if (fstat(fd.get(), &st) != 0) return errno;
  return 0;
}

}  // namespace

namespace {

// Go's exec.LookPath, which gives runc's messages: with a '/' the program itself, else the first
// PATH candidate that is a non-directory with an execute bit. `strict`: a program with a '/' must
// exist and be executable too (the exec.lookup step, before the start wait); otherwise only the
// way to it is checked and execve reports the rest.
int LookupProgram(InitContext& ctx, bool strict, std::string& what) {
  PreparedContainer& prep = *ctx.prepared->container;
  std::string why;
  struct stat st;
  if (prep.exec_lookup) {
    for (const auto& candidate : prep.exec_candidates) {
      int err = ResolveProgram(ctx, candidate, st, why);
      if (err == kNoErrno) {
        what = "exec: \"" + prep.exec_file + "\": " + candidate + ": " + why;
        return err;
      }
      if (err == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111)) {
        prep.exec_program = &candidate;
        return 0;
      }
    }
    what = "exec: \"" + prep.exec_file + "\": executable file not found in $PATH";
    return ENOENT;
  }
  int err = ResolveProgram(ctx, prep.exec_file, st, why);
  if (err == kNoErrno) {
    what = "exec " + prep.exec_file + ": " + why;
    return err;
  }
  if (strict && err) {
    what = "exec: \"" + prep.exec_file + "\": stat " + prep.exec_file;
    return err;
  }
  if (strict && (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))) {
    what = "exec " + prep.exec_file;
    return S_ISDIR(st.st_mode) ? EISDIR : EACCES;
  }
  prep.exec_program = &prep.exec_file;
  return 0;
}

bool HasHome(const std::vector<char*>& envp) {
  for (char* e : envp) {
    if (e && strncmp(e, "HOME=", 5) == 0) return true;
  }
  return false;
}

}  // namespace

int RunExecLookup(const Step&, InitContext& ctx, std::string& what) {
  ctx.prepared->container->exec_program = nullptr;
  return LookupProgram(ctx, /*strict=*/true, what);
}

// Like runc (setupUser), a process without HOME gets its user's home from the image's
// /etc/passwd, read before the uid change.
int RunHomeLookup(const Step& step, InitContext& ctx, std::string&) {
  const auto uid = static_cast<uid_t>(step.nums.empty() ? 0 : step.nums[0]);
  ctx.prepared->container->exec_home = "HOME=" + HomeOf(ctx, uid);
  return 0;
}

int ResolveExecve(const Step&, InitContext& ctx, std::string& what) {
  PreparedPlan& prepared = *ctx.prepared;
  PreparedContainer& prep = *prepared.container;
  if (!prep.exec_program) {
    // A plan without an exec.lookup step (an exec's): look the program up now.
    if (int err = LookupProgram(ctx, /*strict=*/false, what)) return err;
  } else {
    // Found before the start wait; what a magic link on the way leads to depends on the fds of
    // the moment (CVE-2024-21626), so the way is checked again right before execve.
    std::string why;
    struct stat st;
    if (ResolveProgram(ctx, *prep.exec_program, st, why) == kNoErrno) {
      what = "exec " + *prep.exec_program + ": " + why;
      return kNoErrno;
    }
  }
  prep.exec_envp = prepared.exec_envp;
  std::vector<char*>& envp = prep.exec_envp;
  if (!HasHome(envp)) {
    // Without an env.home step (an exec's plan): the home of the uid we run as.
    if (prep.exec_home.empty()) prep.exec_home = "HOME=" + HomeOf(ctx, getuid());
    envp.insert(envp.end() - (envp.empty() ? 0 : 1), prep.exec_home.data());
    if (envp.back() != nullptr) envp.push_back(nullptr);
  }
  return 0;
}

int RunExecve(const Step& step, InitContext& ctx, std::string& what) {
  PreparedContainer& prep = *ctx.prepared->container;
  if (!prep.exec_program || prep.exec_envp.empty()) {
    if (int err = ResolveExecve(step, ctx, what)) return err;
  }
  // Possibly under the seccomp filter already: nothing but execve from here (and, if it fails,
  // the report of that).
  execve(prep.exec_program->c_str(), ctx.prepared->exec_argv.data(), prep.exec_envp.data());
  what = "exec " + *prep.exec_program;
  return errno;
}

}  // namespace runc
