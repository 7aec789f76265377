// Resolving container paths inside the rootfs without ever leaving it.
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>

#include "executor/common/sys.h"
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

// openat2 with O_CLOEXEC added; "" is dirfd itself. EAGAIN (a concurrent rename somewhere in the
// filesystem made the kernel give up on a safe ".." walk) is retried, as the man page asks.
int Openat2How(int dirfd, const std::string& path, open_how how, Fd& out) {
  how.flags |= O_CLOEXEC;
  const char* p = path.empty() ? "." : path.c_str();
  for (int attempt = 0; attempt < 16; ++attempt) {
    long fd = syscall(SYS_openat2, dirfd, p, &how, sizeof how);
    if (fd >= 0) {
      out.Reset(static_cast<int>(fd));
      return 0;
    }
    if (errno != EAGAIN && errno != EINTR) return errno;
  }
  return EAGAIN;
}

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
  how.flags = static_cast<uint64_t>(flags);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return Openat2How(root_fd, path, how, out);
}

int OpenInRootNoSymlinks(int dirfd, const std::string& path, int flags, Fd& out) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return Openat2How(dirfd, path, how, out);
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

namespace {

// The inode number of every procfs root (fs/proc/root.c); a bind mount of a directory inside
// procfs, or any other filesystem, has another one.
constexpr ino_t kProcRootIno = 1;

int Openat2(int dirfd, const char* path, uint64_t flags, uint64_t resolve, Fd& out) {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  return Openat2How(dirfd, path, how, out);
}

bool OnProcfs(int fd) {
  struct statfs fs;
  return fstatfs(fd, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == PROC_SUPER_MAGIC;
}

}  // namespace

int OpenProcFile(InitContext& ctx, const std::string& sub, int flags, Fd& out, std::string& why) {
  Fd proc;
  int err;
  if (ctx.pivoted) {
    int root_fd = RootFd(ctx, err);
    if (root_fd < 0) return err;
    // No symlink at /proc: the mount step refused to mount procfs through one (CVE-2019-19921),
    // so one found there now leads somewhere else.
    err = Openat2(root_fd, "proc", O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS, proc);
  } else {
    err = Openat2(AT_FDCWD, "/proc", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS, proc);
  }
  if (err) return err;
  struct stat st;
  if (fstat(proc.get(), &st) != 0) return errno;
  if (!OnProcfs(proc.get()) || st.st_ino != kProcRootIno) {
    why = "/proc is not a procfs";
    return kNoErrno;
  }
  err = Openat2(proc.get(), sub.c_str(), static_cast<uint64_t>(flags),
                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV, out);
  // EXDEV: the walk would cross a mount point, i.e. something is mounted over /proc/sub or a
  // directory on the way (procfs itself has no symlink that leaves it: RESOLVE_BENEATH's other
  // EXDEV cannot come from it).
  if (err == EXDEV) {
    why = "not on the container's procfs (a mount covers it)";
    return kNoErrno;
  }
  if (err) return err;
  if (!OnProcfs(out.get())) {
    out.Reset();
    why = "not on the container's procfs";
    return kNoErrno;
  }
  return 0;
}

int MountIdOf(int fd, uint64_t& id) {
  struct statx stx {};
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) != 0) return errno;
  if (!(stx.stx_mask & STATX_MNT_ID)) return ENOTSUP;
  id = stx.stx_mnt_id;
  return 0;
}

int MountIds(InitContext& ctx, std::vector<uint64_t>& ids, std::string& why) {
  Fd fd;
  int err = OpenProcFile(ctx, "self/mountinfo", O_RDONLY, fd, why);
  if (err) return err;
  std::string text;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(buf, static_cast<size_t>(n));
  }
  if (n < 0) return errno;
  ids.clear();
  // The first field of each line is the mount id.
  for (size_t pos = 0; pos < text.size();) {
    ids.push_back(strtoull(text.c_str() + pos, nullptr, 10));
    size_t nl = text.find('\n', pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  return 0;
}

std::string ProcFdPath(int fd) {
  char buf[32];
  snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
  return buf;
}

}  // namespace runc
