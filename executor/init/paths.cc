// Resolving container paths inside the rootfs without ever leaving it.
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>

#include "executor/init/internal.h"

namespace runc {
namespace {

std::deque<std::string> SplitPath(const std::string& path) {
  std::deque<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

std::string JoinParts(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

// Symlinks followed while resolving one path, as the kernel's MAXSYMLINKS.
constexpr int kMaxSymlinks = 40;

}  // namespace

int RootFd(InitContext& ctx, int& err) {
  PreparedPlan& p = *ctx.prepared;
  if (p.rootfs_fd < 0) {
    const char* path = ctx.pivoted ? "/" : p.plan->rootfs.c_str();
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      err = errno;
      return -1;
    }
    p.rootfs_fd = fd;
  }
  return p.rootfs_fd;
}

std::string CleanPath(const std::string& path) {
  std::vector<std::string> parts;
  for (auto& c : SplitPath(path)) {
    if (c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  return "/" + JoinParts(parts, parts.size());
}

int SecureJoin(int root_fd, const std::string& path, std::string& rel) {
  std::vector<std::string> resolved;
  std::deque<std::string> todo = SplitPath(path);
  int links = 0;
  while (!todo.empty()) {
    std::string c = std::move(todo.front());
    todo.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      // `resolved` never holds a symlink, so ".." is lexical; at the root it stays at the root, as
      // RESOLVE_IN_ROOT does.
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    resolved.push_back(c);
    std::string candidate = JoinParts(resolved, resolved.size());
    struct stat st;
    if (fstatat(root_fd, candidate.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // created later by the caller, as written
      return errno;
    }
    if (!S_ISLNK(st.st_mode)) continue;
    if (++links > kMaxSymlinks) return ELOOP;
    char buf[PATH_MAX];
    ssize_t n = readlinkat(root_fd, candidate.c_str(), buf, sizeof buf - 1);
    if (n < 0) return errno;
    resolved.pop_back();
    std::string target(buf, static_cast<size_t>(n));
    // An absolute target is relative to the container's root, not the host's.
    if (!target.empty() && target[0] == '/') resolved.clear();
    auto parts = SplitPath(target);
    todo.insert(todo.begin(), parts.begin(), parts.end());
  }
  rel = JoinParts(resolved, resolved.size());
  return 0;
}

int OpenInRoot(int root_fd, const std::string& path, int flags, Fd& out, mode_t mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* p = path.empty() ? "." : path.c_str();
  for (int attempt = 0; attempt < 16; ++attempt) {
    long fd = syscall(SYS_openat2, root_fd, p, &how, sizeof how);
    if (fd >= 0) {
      out.Reset(static_cast<int>(fd));
      return 0;
    }
    // EAGAIN: a concurrent rename somewhere in the filesystem made the kernel give up on a safe
    // ".." walk; retrying is what the man page asks for.
    if (errno != EAGAIN && errno != EINTR) return errno;
  }
  return EAGAIN;
}

int MkdirAllInRoot(int root_fd, const std::string& rel, mode_t mode) {
  std::vector<std::string> parts;
  for (auto& c : SplitPath(rel)) parts.push_back(c);
  Fd dir;
  int err = OpenInRoot(root_fd, "", O_PATH | O_DIRECTORY, dir);
  if (err) return err;
  for (size_t i = 0; i < parts.size(); ++i) {
    // Each level is created in (and then opened from) the fd of its parent, which was itself
    // opened with RESOLVE_IN_ROOT: a symlink swapped in meanwhile cannot take us outside.
    if (mkdirat(dir.get(), parts[i].c_str(), mode) != 0 && errno != EEXIST) return errno;
    Fd next;
    err = OpenInRoot(root_fd, JoinParts(parts, i + 1), O_PATH | O_DIRECTORY, next);
    if (err) return err;
    dir = std::move(next);
  }
  return 0;
}

std::string ProcFdPath(int fd) {
  char buf[32];
  snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
  return buf;
}

}  // namespace runc
