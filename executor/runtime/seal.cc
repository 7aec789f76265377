// EnsureSealedExe (executor/runtime/spawn.h): the runtime re-executes itself from a copy of its binary
// that cannot be written through, before it creates a container. Every process it then clones (the
// init in particular, up to its execve) has that copy as /proc/PID/exe.
//
// The overlayfs copy is opened from a detached mount (fsmount). Closing the last fd of a detached
// mount dissolves it, and the kernel then waits for an expedited RCU grace period (namespace_unlock:
// 0.4 to 6.5 ms of wall time on a loaded machine, no CPU). Closed before the execveat, that wait was
// on the path of every run, create and exec; so the mount fd is passed across the execveat instead
// (its number in the marker) and the re-executed runtime closes it while it waits for its init
// anyway (ReleaseSealMount, called by the Spawner).
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "executor/common/log.h"
#include "executor/runtime/spawn.h"

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#endif
#ifndef FSCONFIG_CMD_CREATE
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

extern char** environ;

namespace runc {
namespace {

// Loop guard: set for the re-executed process, so that a copy we fail to recognise as sealed does
// not re-execute forever. Removed from the environment right away. Its value: "traced" or
// "untraced" (whether the seal's --debug line was written), then ":N" when fd N is the detached
// overlayfs mount the copy was opened from (kept open across the execveat, see ReleaseSealMount).
constexpr const char* kSealedMarker = "_RUNC_SEALED_EXE";

// The detached mount of our sealed copy, close-on-exec again once taken from the marker; -1 when
// there is none (a memfd copy, not sealed by us, released).
int seal_mount_fd = -1;
bool marker_taken = false;

bool IsSealedFd(int fd) {
  int seals = fcntl(fd, F_GET_SEALS);
  if (seals >= 0 && (seals & F_SEAL_WRITE)) return true;
  struct statfs fs;
  return fstatfs(fd, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == OVERLAYFS_SUPER_MAGIC &&
         (fs.f_flags & ST_RDONLY);
}

std::string EscapeLowerDir(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '\\' || c == ':') out += '\\';
    out += c;
  }
  return out;
}

// A read-only overlayfs whose top layer is the binary's directory, never attached to the mount
// tree. overlayfs without an upper layer needs two lower layers; the second is any directory that
// does not overlap the first (its files could only show where the binary's directory has none).
int OverlayCopy(std::string& what, int& mnt_out) {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) {
    what = "readlink /proc/self/exe";
    return -1;
  }
  std::string exe(buf, static_cast<size_t>(n));
  size_t slash = exe.find_last_of('/');
  if (exe[0] != '/' || slash == std::string::npos || exe.find(" (deleted)") != std::string::npos) {
    what = "runtime binary " + exe;
    return -1;
  }
  std::string dir = slash == 0 ? "/" : exe.substr(0, slash);
  std::string name = exe.substr(slash + 1);
  std::string dummy;
  for (const char* c : {"/dev", "/run", "/tmp", "/sys/fs"}) {
    std::string cand = c;
    bool overlaps = dir == "/" || dir == cand || dir.rfind(cand + "/", 0) == 0 || cand.rfind(dir + "/", 0) == 0;
    struct stat st;
    if (!overlaps && stat(c, &st) == 0 && S_ISDIR(st.st_mode)) {
      dummy = cand;
      break;
    }
  }
  if (dummy.empty()) {
    what = "no second overlayfs layer for " + dir;
    return -1;
  }
  int ctx = static_cast<int>(syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC));
  if (ctx < 0) {
    what = "fsopen overlay";
    return -1;
  }
  std::string lower = EscapeLowerDir(dir) + ":" + EscapeLowerDir(dummy);
  int fd = -1;
  if (syscall(SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0) != 0) {
    what = "fsconfig lowerdir=" + lower;
  } else {
    // xino only produces dmesg noise when the layers are on different filesystems.
    syscall(SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "xino", "off", 0);
    if (syscall(SYS_fsconfig, ctx, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
      what = "fsconfig create overlay";
    } else {
      int mnt = static_cast<int>(syscall(SYS_fsmount, ctx, FSMOUNT_CLOEXEC,
                                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID));
      if (mnt < 0) {
        what = "fsmount overlay";
      } else {
        fd = openat(mnt, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
          what = "open " + name + " in overlay";
          close(mnt);
        } else if (mnt < 3) {
          close(mnt);  // not passed on as a standard stream's number (they are open: OpenMissingStdio)
        } else {
          mnt_out = mnt;
        }
      }
    }
  }
  close(ctx);
  return fd;
}

int MemfdCopy(std::string& what) {
  int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (src < 0) {
    what = "open /proc/self/exe";
    return -1;
  }
  // MFD_EXEC: kernels with vm.memfd_noexec would otherwise refuse to execute it.
  int fd = memfd_create("runc", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) fd = memfd_create("runc", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    what = "memfd_create";
    close(src);
    return -1;
  }
  struct stat st;
  bool ok = fstat(src, &st) == 0;
  off_t off = 0;
  while (ok && off < st.st_size) {
    ssize_t n = sendfile(fd, src, &off, static_cast<size_t>(st.st_size - off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
  }
  close(src);
  if (!ok || fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
    what = ok ? "seal memfd" : "copy /proc/self/exe";
    close(fd);
    return -1;
  }
  return fd;
}

// Is fd the detached mount our sealed copy was opened from? The marker comes through the
// environment, which the caller controls: a number in it must not make us close an fd of theirs.
// So: an O_PATH fd at the root of an overlayfs mount, the very mount that /proc/self/exe is on.
bool IsOwnSealMount(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || !(flags & O_PATH)) return false;
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0 || static_cast<unsigned long>(fs.f_type) != OVERLAYFS_SUPER_MAGIC) return false;
  struct statx mnt{}, exe{};
  if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &mnt) != 0 || !(mnt.stx_mask & STATX_MNT_ID) ||
      !(mnt.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) || !(mnt.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return false;
  if (statx(AT_FDCWD, "/proc/self/exe", 0, STATX_MNT_ID, &exe) != 0 || !(exe.stx_mask & STATX_MNT_ID)) return false;
  return mnt.stx_mnt_id == exe.stx_mnt_id;
}

// Takes the marker (once): whether the seal was traced, and the mount fd when it names a valid one.
bool TakeMarker(const char* marker) {
  const char* colon = strchr(marker, ':');
  const std::string_view mode(marker, colon ? static_cast<size_t>(colon - marker) : strlen(marker));
  if (!marker_taken && colon) {
    int fd = 0;
    bool number = colon[1] != '\0';
    for (const char* c = colon + 1; number && *c; ++c) {
      if (*c < '0' || *c > '9' || fd > (INT_MAX - 9) / 10) number = false;
      else fd = fd * 10 + (*c - '0');
    }
    if (number && fd >= 3 && IsOwnSealMount(fd) && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0) seal_mount_fd = fd;
  }
  marker_taken = true;
  return mode == "traced";
}

}  // namespace

bool RunningFromSealedExe() {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool sealed = IsSealedFd(fd);
  close(fd);
  return sealed;
}

bool EnsureSealedExe(Diagnostic& error, bool early) {
  // The plan's seal step (always step 1, see compiler/compile.cc): traced by the command's own
  // call, and skipped by Spawn, which only checks that it was done. An early call (cli/cli.cc,
  // before the command line is parsed and the log set up) re-executes untraced; the re-executed
  // process's command then writes the line (the marker says whether it was written before).
  if (const char* marker = getenv(kSealedMarker)) {
    const bool traced = TakeMarker(marker);
    if (early) return true;  // the command's call comes, and removes the marker
    unsetenv(kSealedMarker);
    if (!traced) LogDebug("step 1 seal");
    return true;
  }
  if (!early) LogDebug("step 1 seal");
  if (RunningFromSealedExe()) return true;

  std::string args;
  int cmd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (cmd >= 0) {
    char buf[4096];
    ssize_t n;
    while ((n = read(cmd, buf, sizeof buf)) > 0) args.append(buf, static_cast<size_t>(n));
    close(cmd);
  }
  std::vector<char*> argv;
  for (size_t pos = 0; pos < args.size(); pos += strlen(&args[pos]) + 1) argv.push_back(&args[pos]);
  argv.push_back(nullptr);
  if (argv.size() < 2) {
    error = Diagnostic{};
    error.message = "seal runtime binary: read /proc/self/cmdline: " + std::string(strerror(cmd < 0 ? errno : EIO));
    return false;
  }

  std::string overlay_what, memfd_what;
  int overlay_err = 0, memfd_err = 0;
  int mnt = -1;
  int fd = OverlayCopy(overlay_what, mnt);
  if (fd < 0) overlay_err = errno;
  if (fd < 0) {
    fd = MemfdCopy(memfd_what);
    if (fd < 0) memfd_err = errno;
  }
  if (fd < 0) {
    error = Diagnostic{};
    error.message = "seal runtime binary: " + overlay_what + ": " + strerror(overlay_err) + "; " + memfd_what +
                    ": " + strerror(memfd_err);
    error.err = memfd_err;
    return false;
  }
  std::string marker = early ? "untraced" : "traced";
  if (mnt >= 0 && fcntl(mnt, F_SETFD, 0) == 0) marker += ":" + std::to_string(mnt);
  setenv(kSealedMarker, marker.c_str(), 1);
  syscall(SYS_execveat, fd, "", argv.data(), environ, AT_EMPTY_PATH);
  int err = errno;
  unsetenv(kSealedMarker);
  if (mnt >= 0) close(mnt);
  close(fd);
  error = Diagnostic{};
  error.message = "seal runtime binary: execveat: " + std::string(strerror(err));
  error.err = err;
  return false;
}

void MoveSealMountAbove(int min_fd) {
  if (seal_mount_fd < 0 || seal_mount_fd >= min_fd) return;
  // Closing the old number drops no last reference: the copy holds the mount.
  const int moved = fcntl(seal_mount_fd, F_DUPFD_CLOEXEC, min_fd);
  if (moved < 0) {
    ReleaseSealMount();
    return;
  }
  close(seal_mount_fd);
  seal_mount_fd = moved;
}

void ReleaseSealMount() {
  if (seal_mount_fd < 0) return;
  close(seal_mount_fd);
  seal_mount_fd = -1;
}

int SealMountFd() { return seal_mount_fd; }

}  // namespace runc
