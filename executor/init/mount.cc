// Rootfs phase: propagation, the rootfs bind, mounts, devices, links, pivot_root, masks, read-only
// paths. Every container path is resolved inside the rootfs (SecureJoin / openat2 RESOLVE_IN_ROOT)
// and mounts go onto /proc/self/fd/N of an O_PATH fd of the resolved target, as runc and crun do,
// so a symlink in the image can never point a mount at the host.
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "executor/common/sys.h"
#include "executor/init/internal.h"

namespace runc {
namespace {

constexpr unsigned long kPropagationFlags = MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE;

std::string Decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && isdigit(s[i + 1]) && isdigit(s[i + 2]) &&
        isdigit(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Per-mount flags a bind remount must repeat: in a user namespace the kernel refuses to clear
// "locked" nosuid/nodev/noexec/atime flags, and omitting them means clearing them.
unsigned long MountFlagsOf(int fd) {
  struct statvfs sv;
  if (fstatvfs(fd, &sv) != 0) return 0;
  unsigned long flags = 0;
  if (sv.f_flag & ST_RDONLY) flags |= MS_RDONLY;
  if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

std::string Parent(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

std::string Base(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

int Fail(std::string& what, std::string text, int err) {
  what = std::move(text);
  return err;
}

// The mount target of a container path: resolved, missing directories created (or an empty file
// when `file` is set), and opened O_PATH.
int PrepareTarget(int root_fd, const std::string& path, bool file, Fd& target, std::string& rel) {
  // The usual case, a path without symlinks: one openat2 resolves and opens it (and a missing last
  // component is made in its parent's fd: three calls more). With no symlink on the way, ".." is
  // lexical, so the clean path is what SecureJoin would return. Anything else (a symlink, a
  // missing parent) takes the general way below, which gives the same result.
  const std::string clean = CleanPath(path).substr(1);
  int err = OpenInRootNoSymlinks(root_fd, clean, O_PATH, target);
  if (err == 0) {
    rel = clean;
    return 0;
  }
  if (err == ENOENT && !clean.empty()) {
    Fd parent;
    if (OpenInRootNoSymlinks(root_fd, Parent(clean), O_PATH | O_DIRECTORY, parent) == 0) {
      const std::string base = Base(clean);
      if (!file) {
        if (mkdirat(parent.get(), base.c_str(), 0755) != 0 && errno != EEXIST) return errno;
      } else {
        int fd = openat(parent.get(), base.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) return errno;
        if (fd >= 0) close(fd);
      }
      // Opened beneath the parent's fd, still refusing symlinks: one swapped in meanwhile sends
      // this to the general way, which resolves it inside the root.
      if (OpenInRootNoSymlinks(parent.get(), base, O_PATH, target) == 0) {
        rel = clean;
        return 0;
      }
    }
  }
  err = SecureJoin(root_fd, path, rel);
  if (err) return err;
  err = OpenInRoot(root_fd, rel, O_PATH, target);
  if (err != ENOENT) return err;
  if (!file) {
    err = MkdirAllInRoot(root_fd, rel);
    if (err) return err;
  } else {
    err = MkdirAllInRoot(root_fd, Parent(rel));
    if (err) return err;
    Fd parent;
    err = OpenInRoot(root_fd, Parent(rel), O_PATH | O_DIRECTORY, parent);
    if (err) return err;
    int fd = openat(parent.get(), Base(rel).c_str(),
                    O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) return errno;
    if (fd >= 0) close(fd);
  }
  return OpenInRoot(root_fd, rel, O_PATH, target);
}

// After a mount the old O_PATH fd still names the covered directory; follow-up operations
// (propagation, remount, mount_setattr) need the new mount on top, so reopen by path.
int Reopen(int root_fd, const std::string& rel, Fd& target) {
  return OpenInRoot(root_fd, rel, O_PATH, target);
}

int ApplyPropagationAndAttrs(int root_fd, const std::string& rel, const Step& step,
                             const std::string& dest, std::string& what) {
  if (step.flags2 != 0) {
    Fd t;
    int err = Reopen(root_fd, rel, t);
    if (err) return Fail(what, "open " + dest, err);
    if (mount(nullptr, ProcFdPath(t.get()).c_str(), nullptr, step.flags2, nullptr) != 0)
      return Fail(what, "mount propagation of " + dest, errno);
  }
  uint64_t attr_set = step.nums.size() > 0 ? static_cast<uint64_t>(step.nums[0]) : 0;
  uint64_t attr_clr = step.nums.size() > 1 ? static_cast<uint64_t>(step.nums[1]) : 0;
  if (attr_set || attr_clr) {
    Fd t;
    int err = Reopen(root_fd, rel, t);
    if (err) return Fail(what, "open " + dest, err);
    mount_attr attr{};
    attr.attr_set = attr_set;
    attr.attr_clr = attr_clr;
    // The r* options: the whole subtree, which a remount cannot do.
    if (mount_setattr(t.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
      return Fail(what, "mount_setattr " + dest, errno);
  }
  return 0;
}

int BindRemount(int fd, unsigned long flags) {
  unsigned long f =
      MS_BIND | MS_REMOUNT | (flags & ~(kPropagationFlags | MS_REC | MS_BIND | MS_REMOUNT));
  std::string target = ProcFdPath(fd);
  if (mount(nullptr, target.c_str(), nullptr, f, nullptr) == 0) return 0;
  if (errno != EPERM) return errno;
  if (mount(nullptr, target.c_str(), nullptr, f | (MountFlagsOf(fd) & ~MS_RDONLY), nullptr) == 0)
    return 0;
  return errno;
}

int DoPropagation(const Step& step, std::string& what) {
  const char* path = step.path.empty() ? "/" : step.path.c_str();
  if (mount(nullptr, path, nullptr, step.flags, nullptr) != 0)
    return Fail(what, "mount propagation of " + std::string(path), errno);
  return 0;
}

// Like runc's rootfsParentMountPrivate: the bind of the rootfs must not propagate to other
// namespaces, and pivot_root refuses a new root whose parent mount is shared.
int MakeParentPrivate(const std::string& rootfs, std::string& what) {
  const MountInfoEntry* best = nullptr;
  auto mounts = ReadMountInfo();
  for (const auto& m : mounts) {
    const std::string& mp = m.mount_point;
    bool contains = mp == "/" || rootfs == mp || rootfs.rfind(mp + "/", 0) == 0;
    if (contains && (!best || mp.size() >= best->mount_point.size())) best = &m;
  }
  if (!best || best->optional.find("shared:") == std::string::npos) return 0;
  if (mount(nullptr, best->mount_point.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
    return Fail(what, "mount private " + best->mount_point, errno);
  return 0;
}

int DoRootfsBind(const Step& step, InitContext& ctx, std::string& what) {
  int err = MakeParentPrivate(step.path, what);
  if (err) return err;
  if (mount(step.path.c_str(), step.path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return Fail(what, "mount " + step.path + " on " + step.path + " (bind)", errno);
  int fd = open(step.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(what, "open " + step.path, errno);
  if (ctx.prepared->rootfs_fd >= 0) close(ctx.prepared->rootfs_fd);
  ctx.prepared->rootfs_fd = fd;
  return 0;
}

int DoRemount(const Step& step, int root_fd, std::string& what) {
  Fd target;
  int err = OpenInRoot(root_fd, step.path, O_PATH, target);
  if (err) return Fail(what, "open " + step.path, err);
  std::string t = ProcFdPath(target.get());
  if (step.flags & MS_BIND) {
    err = BindRemount(target.get(), step.flags);
  } else if (mount(nullptr, t.c_str(), nullptr, step.flags | MS_REMOUNT, nullptr) != 0) {
    err = errno;
  }
  if (err) return Fail(what, "remount " + step.path, err);
  return 0;
}

int DoMknod(const Step& step, int root_fd, std::string& what) {
  if (step.nums.size() < 5) return Fail(what, "mknod " + step.path + " (bad step)", EINVAL);
  std::string rel = CleanPath(step.path).substr(1);
  Fd parent;
  // Without a symlink on the way (the node absent, or there and no symlink): its parent in one
  // openat2. Otherwise resolved inside the root, a symlinked node replaced at its target.
  Fd node;
  int err = OpenInRootNoSymlinks(root_fd, rel, O_PATH, node);
  if ((err != 0 && err != ENOENT) || rel.empty() ||
      OpenInRootNoSymlinks(root_fd, Parent(rel), O_PATH | O_DIRECTORY, parent) != 0) {
    err = SecureJoin(root_fd, step.path, rel);
    if (err) return Fail(what, "resolve " + step.path, err);
    err = MkdirAllInRoot(root_fd, Parent(rel));
    if (err) return Fail(what, "mkdir " + CleanPath(Parent(rel)), err);
    err = OpenInRoot(root_fd, Parent(rel), O_PATH | O_DIRECTORY, parent);
    if (err) return Fail(what, "open " + CleanPath(Parent(rel)), err);
  }
  node.Reset();
  std::string name = Base(rel);
  auto mode = static_cast<mode_t>(step.nums[0]);
  dev_t dev = makedev(static_cast<unsigned>(step.nums[1]), static_cast<unsigned>(step.nums[2]));
  // The mode is exact, as the config says, whatever umask the runtime had.
  mode_t old = umask(0);
  int rc = mknodat(parent.get(), name.c_str(), mode, dev);
  int mknod_err = errno;
  umask(old);
  if (rc != 0 && mknod_err != EEXIST) return Fail(what, "mknod " + step.path, mknod_err);
  if (fchownat(parent.get(), name.c_str(), static_cast<uid_t>(step.nums[3]),
               static_cast<gid_t>(step.nums[4]), AT_SYMLINK_NOFOLLOW) != 0)
    return Fail(what, "chown " + step.path, errno);
  return 0;
}

int DoDeviceBind(const Step& step, int root_fd, std::string& what) {
  Fd target;
  std::string rel;
  int err = PrepareTarget(root_fd, step.path, true, target, rel);
  if (err) return Fail(what, "create " + step.path, err);
  if (mount(step.source.c_str(), ProcFdPath(target.get()).c_str(), nullptr, MS_BIND, nullptr) != 0)
    return Fail(what, "mount " + step.source + " on " + step.path, errno);
  return 0;
}

int DoSymlink(const Step& step, int root_fd, std::string& what) {
  std::string clean = CleanPath(step.path);
  Fd parent;
  // The parent in one openat2 when no symlink is on the way; else resolved inside the root.
  if (OpenInRootNoSymlinks(root_fd, CleanPath(Parent(clean)).substr(1), O_PATH | O_DIRECTORY, parent) != 0) {
    std::string parent_rel;
    int err = SecureJoin(root_fd, Parent(clean), parent_rel);
    if (err) return Fail(what, "resolve " + Parent(clean), err);
    err = MkdirAllInRoot(root_fd, parent_rel);
    if (err) return Fail(what, "mkdir " + CleanPath(parent_rel), err);
    err = OpenInRoot(root_fd, parent_rel, O_PATH | O_DIRECTORY, parent);
    if (err) return Fail(what, "open " + CleanPath(parent_rel), err);
  }
  if (symlinkat(step.source.c_str(), parent.get(), Base(clean).c_str()) != 0 && errno != EEXIST)
    return Fail(what, "symlink " + step.path, errno);
  return 0;
}

int AfterRootChange(InitContext& ctx, std::string& what) {
  ctx.pivoted = true;
  if (ctx.prepared->rootfs_fd >= 0) close(ctx.prepared->rootfs_fd);
  ctx.prepared->rootfs_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ctx.prepared->rootfs_fd < 0) return Fail(what, "open /", errno);
  return 0;
}

int DoPivotRoot(const Step& step, InitContext& ctx, std::string& what) {
  Fd old_root(open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!old_root.ok()) return Fail(what, "open /", errno);
  Fd new_root(open(step.path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!new_root.ok()) return Fail(what, "open " + step.path, errno);
  if (fchdir(new_root.get()) != 0) return Fail(what, "chdir " + step.path, errno);
  // pivot_root(".", ".") stacks the old root on top of the new one, so no directory for it is
  // needed inside the image; it is then detached from where it sits (see pivot_root(2), NOTES).
  if (syscall(SYS_pivot_root, ".", ".") != 0) return Fail(what, "pivot_root " + step.path, errno);
  if (fchdir(old_root.get()) != 0) return Fail(what, "chdir old root", errno);
  // Keep the unmount from propagating to the host's mounts.
  if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
    return Fail(what, "mount rslave old root", errno);
  if (umount2(".", MNT_DETACH) != 0) return Fail(what, "umount old root", errno);
  if (chdir("/") != 0) return Fail(what, "chdir /", errno);
  return AfterRootChange(ctx, what);
}

// --no-pivot, as runc's msMoveRoot: chroot keeps the host's full proc and sysfs mounts reachable in
// the mount namespace, and the kernel allows mounting a fresh proc when a full one is visible, so
// those are detached (or covered) before moving the rootfs onto "/".
int DoMoveChroot(const Step& step, InitContext& ctx, std::string& what) {
  const std::string& rootfs = step.path;
  for (const auto& m : ReadMountInfo()) {
    if (m.root != "/" || (m.fstype != "proc" && m.fstype != "sysfs")) continue;
    if (m.mount_point == rootfs || m.mount_point.rfind(rootfs + "/", 0) == 0) continue;
    const char* p = m.mount_point.c_str();
    if (mount(nullptr, p, nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
      if (errno == ENOENT) continue;  // a parent went away with an earlier unmount
      return Fail(what, "mount rslave " + m.mount_point, errno);
    }
    if (umount2(p, MNT_DETACH) != 0) {
      if (errno != EINVAL && errno != EPERM) return Fail(what, "umount " + m.mount_point, errno);
      if (mount("tmpfs", p, "tmpfs", 0, nullptr) != 0)
        return Fail(what, "mount tmpfs on " + m.mount_point, errno);
    }
  }
  if (chdir(rootfs.c_str()) != 0) return Fail(what, "chdir " + rootfs, errno);
  if (mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
    return Fail(what, "mount " + rootfs + " on / (move)", errno);
  if (chroot(".") != 0) return Fail(what, "chroot " + rootfs, errno);
  if (chdir("/") != 0) return Fail(what, "chdir /", errno);
  return AfterRootChange(ctx, what);
}

// /dev/null of the container, checked to be the real null device before it is bound over a
// masked file (CVE-2025-31133): an image (or a volume shared with another container) that puts a
// symlink there would otherwise have its target, say /proc/sys/kernel/core_pattern, bound
// writable where a mask was asked for; a regular file would mask nothing. The last component is
// not followed (O_NOFOLLOW): the fd is the directory entry itself, which must be c 1:3.
int OpenDevNull(int root_fd, Fd& out, std::string& why) {
  int err = OpenInRoot(root_fd, "/dev/null", O_PATH | O_NOFOLLOW, out);
  if (err) return err;
  struct stat st;
  if (fstat(out.get(), &st) != 0) return errno;
  if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3) return 0;
  if (S_ISLNK(st.st_mode)) {
    why = "a symlink";
  } else if (S_ISREG(st.st_mode)) {
    why = "a regular file";
  } else if (S_ISDIR(st.st_mode)) {
    why = "a directory";
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    why = std::string("the device ") + (S_ISCHR(st.st_mode) ? "c " : "b ") + std::to_string(major(st.st_rdev)) +
          ":" + std::to_string(minor(st.st_rdev));
  } else {
    why = "not a device";
  }
  why = "/dev/null is " + why + ", not the null device (c 1:3)";
  out.Reset();
  return kNoErrno;
}

// The masks run after pivot_root, where /proc/self/fd/N would be resolved through the container's
// own /proc: they mount by fd (open_tree / fsmount + move_mount), never through a /proc path.
int MoveOnto(int mnt_fd, int target_fd) {
  if (move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) return errno;
  return 0;
}

int DoMask(const Step& step, int root_fd, std::string& what) {
  Fd target;
  int err = OpenInRoot(root_fd, step.path, O_PATH, target);
  if (err == ENOENT || err == ENOTDIR) return 0;  // nothing to mask
  if (err) return Fail(what, "open " + step.path, err);
  struct stat st;
  if (fstat(target.get(), &st) != 0) return Fail(what, "stat " + step.path, errno);
  if (S_ISDIR(st.st_mode)) {
    Fd fs(static_cast<int>(fsopen("tmpfs", FSOPEN_CLOEXEC)));
    if (!fs.ok()) return Fail(what, "fsopen tmpfs for " + step.path, errno);
    if (fsconfig(fs.get(), FSCONFIG_SET_FLAG, "ro", nullptr, 0) != 0 ||
        fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
      return Fail(what, "fsconfig tmpfs for " + step.path, errno);
    Fd mnt(static_cast<int>(fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY)));
    if (!mnt.ok()) return Fail(what, "fsmount tmpfs for " + step.path, errno);
    err = MoveOnto(mnt.get(), target.get());
    if (err) return Fail(what, "mount tmpfs on " + step.path, err);
    return 0;
  }
  Fd null;
  std::string why;
  err = OpenDevNull(root_fd, null, why);
  if (err == kNoErrno) return Fail(what, "mount /dev/null on " + step.path + ": " + why, err);
  if (err) return Fail(what, "open /dev/null", err);
  Fd tree(static_cast<int>(open_tree(null.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)));
  if (!tree.ok()) return Fail(what, "open_tree /dev/null", errno);
  err = MoveOnto(tree.get(), target.get());
  if (err) return Fail(what, "mount /dev/null on " + step.path, err);
  return 0;
}

int SetReadonly(int mnt_fd) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (mount_setattr(mnt_fd, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) return errno;
  return 0;
}

// Like the masks, by fd: a read-only clone of the path's mounts is made detached and moved onto
// it (only the top mount read-only, as a bind remount would).
int DoReadonlyPath(const Step& step, int root_fd, std::string& what) {
  Fd target;
  int err = OpenInRoot(root_fd, step.path, O_PATH, target);
  if (err == ENOENT || err == ENOTDIR) return 0;
  if (err) return Fail(what, "open " + step.path, err);
  Fd tree(static_cast<int>(
      open_tree(target.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH)));
  if (!tree.ok()) return Fail(what, "open_tree " + step.path, errno);
  err = SetReadonly(tree.get());
  if (err) return Fail(what, "mount_setattr " + step.path + " read-only", err);
  err = MoveOnto(tree.get(), target.get());
  if (err) return Fail(what, "mount " + step.path + " on " + step.path + " (bind)", err);
  return 0;
}

int DoRootReadonly(int root_fd, std::string& what) {
  int err = SetReadonly(root_fd);
  if (err) return Fail(what, "remount / read-only", err);
  return 0;
}

}  // namespace

std::vector<MountInfoEntry> ReadMountInfo(const char* path) {
  std::vector<MountInfoEntry> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    // id parent major:minor root mount_point options [optional...] - fstype source super_options
    std::vector<std::string> f;
    size_t pos = 0;
    while (pos < line.size()) {
      size_t sp = line.find(' ', pos);
      if (sp == std::string::npos) sp = line.size();
      f.push_back(line.substr(pos, sp - pos));
      pos = sp + 1;
    }
    size_t dash = 0;
    for (size_t i = 6; i < f.size(); ++i) {
      if (f[i] == "-") {
        dash = i;
        break;
      }
    }
    if (dash == 0 || dash + 3 > f.size()) continue;
    MountInfoEntry e;
    e.root = Decode(f[3]);
    e.mount_point = Decode(f[4]);
    for (size_t i = 6; i < dash; ++i) e.optional += (i > 6 ? " " : "") + f[i];
    e.fstype = f[dash + 1];
    e.source = Decode(f[dash + 2]);
    if (dash + 3 < f.size()) e.super_options = f[dash + 3];
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

// An idmapped bind mount: the runtime's mount.idmap step sent the detached, mapped clone of the
// source (kFd); it goes onto the target exactly as resolved, by fd (no path walked again).
int MoveDetached(const Step& step, Fd detached, int root_fd, std::string& what) {
  const std::string& dest = step.path;
  struct stat st;
  if (fstat(detached.get(), &st) != 0) return Fail(what, "stat " + step.source, errno);
  const bool file = !S_ISDIR(st.st_mode);
  Fd target;
  std::string rel;
  int err = PrepareTarget(root_fd, dest, file, target, rel);
  if (err) return Fail(what, (file ? "create " : "mkdir ") + dest, err);
  if (move_mount(detached.get(), "", target.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return Fail(what, "move_mount " + step.source + " on " + dest + " (idmapped)", errno);
  return ApplyPropagationAndAttrs(root_fd, rel, step, dest, what);
}

// The index of the tmpcopyup step that follows this mount step (the compiler puts it right after,
// with the same path and origin), or 0.
int CopyupStepAfter(const Step& step, const InitContext& ctx) {
  const std::vector<Step>& steps = ctx.prepared->plan->steps;
  if (steps.empty() || &step < steps.data() || &step >= steps.data() + steps.size()) return 0;
  const size_t next = static_cast<size_t>(&step - steps.data()) + 1;
  if (next >= steps.size()) return 0;
  const Step& c = steps[next];
  return c.kind == StepKind::kTmpCopyup && c.path == step.path && c.origin == step.origin ? c.index : 0;
}

int DoMount(const Step& step, InitContext& ctx, int root_fd, std::string& what) {
  if (auto it = ctx.mount_fds.find(step.index); it != ctx.mount_fds.end()) {
    Fd detached(it->second);
    ctx.mount_fds.erase(it);
    return MoveDetached(step, std::move(detached), root_fd, what);
  }
  const std::string& dest = step.path;
  const std::string source = step.source.empty() ? step.fstype : step.source;
  const std::string mount_what =
      "mount " + (source.empty() ? std::string("none") : source) + " on " + dest;

  bool bind = (step.flags & MS_BIND) != 0;
  bool file = false;
  std::string bind_source = step.source;
  if (bind) {
    struct stat st;
    int serr = stat(bind_source.c_str(), &st) != 0 ? errno : 0;
    // A rootless container's cgroup that was not made (its if-permitted cgroup.mkdir was skipped):
    // the step names the runtime's own cgroup, where the init stayed, instead.
    if (serr == ENOENT && !step.argv.empty()) {
      bind_source = step.argv[0];
      serr = stat(bind_source.c_str(), &st) != 0 ? errno : 0;
    }
    if (serr) return Fail(what, "stat " + bind_source, serr);
    file = !S_ISDIR(st.st_mode);
  }
  Fd target;
  std::string rel;
  int err = PrepareTarget(root_fd, dest, file, target, rel);
  if (err) return Fail(what, (file ? "create " : "mkdir ") + dest, err);

  // proc and sysfs carry the kernel's view of the host: mounting them somewhere a symlink in the
  // image chose (CVE-2019-19921) is refused.
  if ((step.fstype == "proc" || step.fstype == "sysfs") && "/" + rel != CleanPath(dest))
    return Fail(what, mount_what + " (destination is a symlink to /" + rel + "; " + step.fstype +
                          " must be mounted on ordinary directory)", EINVAL);

  std::string t = ProcFdPath(target.get());
  const int copyup = CopyupStepAfter(step, ctx);
  unsigned long flags = step.flags;
  const char* data = step.value.empty() ? nullptr : step.value.c_str();
  const char* fstype = step.fstype.empty() ? nullptr : step.fstype.c_str();
  if (mount(bind && !bind_source.empty() ? bind_source.c_str() : step.source.empty() ? step.fstype.c_str() : step.source.c_str(), t.c_str(),
            bind ? nullptr : fstype, flags, bind ? nullptr : data) != 0) {
    err = errno;
    // Without its own network namespace (or in a user namespace) sysfs cannot be mounted, and
    // without a cgroup namespace a user namespace cannot mount cgroup2: give the container the
    // runtime's view instead, as runc does.
    const char* fallback = nullptr;
    if (step.fstype == "sysfs" && err == EPERM) fallback = "/sys";
    if (step.fstype == "cgroup2" && (err == EPERM || err == EBUSY)) fallback = "/sys/fs/cgroup";
    if (fallback) {
      if (mount(fallback, t.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        return Fail(what, mount_what, errno);
      Fd top;
      err = Reopen(root_fd, rel, top);
      if (err) return Fail(what, "open " + dest, err);
      err = BindRemount(top.get(), flags);
      if (err) return Fail(what, "remount " + dest, err);
    } else {
      return Fail(what, mount_what, err);
    }
  }
  if (copyup > 0) {
    // `target` still names the directory the mount now covers: what tmpcopyup copies from.
    auto [it, added] = ctx.copyup_fds.try_emplace(copyup, -1);
    if (!added) close(it->second);
    it->second = target.Release();
  }
  return ApplyPropagationAndAttrs(root_fd, rel, step, dest, what);
}

// --- tmpcopyup -----------------------------------------------------------------------------------
// Copies the entries of directory `from` into directory `to`, both fds, with their modes and
// owners. Every name is opened relative to its directory fd with O_NOFOLLOW (a symlink is copied
// as a symlink, never followed), so nothing outside the covered directory is reached whatever the
// image put there. `path` is the container path of `from`, for messages.
int CopyEntries(int from, int to, const std::string& path, std::string& what);

int CopyFileData(int src, int dst) {
  char buf[65536];
  while (true) {
    ssize_t n = read(src, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(dst, buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return errno;
      off += w;
    }
  }
}

// Owner first: chown clears the set-user-ID and set-group-ID bits the mode may carry.
int CopyOwnerAndMode(int fd, const struct stat& st, const std::string& path, std::string& what) {
  if (fchown(fd, st.st_uid, st.st_gid) != 0) return Fail(what, "fchown " + path, errno);
  if (fchmod(fd, st.st_mode & 07777) != 0) return Fail(what, "fchmod " + path, errno);
  return 0;
}

int CopyEntry(int from, int to, const char* name, const std::string& path, std::string& what) {
  struct stat st;
  if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return Fail(what, "stat " + path, errno);
  switch (st.st_mode & S_IFMT) {
    case S_IFDIR: {
      if (mkdirat(to, name, 0700) != 0) return Fail(what, "mkdir " + path, errno);
      Fd src(openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!src.ok()) return Fail(what, "open " + path, errno);
      Fd dst(openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!dst.ok()) return Fail(what, "open " + path + " in the tmpfs", errno);
      int err = CopyEntries(src.get(), dst.get(), path, what);
      if (err) return err;
      return CopyOwnerAndMode(dst.get(), st, path, what);
    }
    case S_IFREG: {
      // O_NONBLOCK: the file may have been swapped for a fifo since fstatat; opening one must not
      // hang the init (O_NOFOLLOW already refuses a symlink).
      Fd src(openat(from, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
      if (!src.ok()) return Fail(what, "open " + path, errno);
      struct stat now;
      if (fstat(src.get(), &now) != 0) return Fail(what, "stat " + path, errno);
      if (!S_ISREG(now.st_mode)) return Fail(what, "open " + path + " (changed while copied)", EINVAL);
      Fd dst(openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!dst.ok()) return Fail(what, "create " + path + " in the tmpfs", errno);
      if (int err = CopyFileData(src.get(), dst.get())) return Fail(what, "copy " + path, err);
      return CopyOwnerAndMode(dst.get(), st, path, what);
    }
    case S_IFLNK: {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = readlinkat(from, name, target.data(), target.size());
      if (n < 0) return Fail(what, "readlink " + path, errno);
      if (static_cast<size_t>(n) >= target.size()) return Fail(what, "readlink " + path + " (changed while copied)", EINVAL);
      target.resize(static_cast<size_t>(n));
      if (symlinkat(target.c_str(), to, name) != 0) return Fail(what, "symlink " + path, errno);
      if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
        return Fail(what, "lchown " + path, errno);
      return 0;
    }
    case S_IFIFO:
    case S_IFCHR:
    case S_IFBLK: {
      if (mknodat(to, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) return Fail(what, "mknod " + path, errno);
      if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
        return Fail(what, "chown " + path, errno);
      // The node was just made here, by name in a directory only we write to: not a symlink.
      if (fchmodat(to, name, st.st_mode & 07777, 0) != 0) return Fail(what, "chmod " + path, errno);
      return 0;
    }
    default:
      // A socket file is a name without its listener: nothing to copy.
      return 0;
  }
}

int CopyEntries(int from, int to, const std::string& path, std::string& what) {
  // `from` may be O_PATH: reading the entries needs a descriptor opened for reading.
  int list_fd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (list_fd < 0) return Fail(what, "open " + path, errno);
  DIR* dir = fdopendir(list_fd);
  if (dir == nullptr) {
    int err = errno;
    close(list_fd);
    return Fail(what, "open " + path, err);
  }
  std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, closedir);
  while (true) {
    errno = 0;
    dirent* e = readdir(dir);
    if (e == nullptr) {
      if (errno != 0) return Fail(what, "readdir " + path, errno);
      return 0;
    }
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    const std::string child = (path == "/" ? "" : path) + "/" + e->d_name;
    if (int err = CopyEntry(from, to, e->d_name, child, what)) return err;
  }
}

int DoTmpCopyup(const Step& step, InitContext& ctx, int root_fd, std::string& what) {
  auto it = ctx.copyup_fds.find(step.index);
  if (it == ctx.copyup_fds.end())
    return Fail(what, "tmpcopyup " + step.path + " (no tmpfs mount step of the same path before it)", EINVAL);
  Fd from(it->second);
  ctx.copyup_fds.erase(it);
  // By path again: now the new tmpfs on top, not the directory `from` names.
  Fd to;
  int err = OpenInRoot(root_fd, step.path, O_RDONLY | O_DIRECTORY, to);
  if (err) return Fail(what, "open " + step.path, err);
  struct statfs fs;
  if (fstatfs(to.get(), &fs) != 0) return Fail(what, "statfs " + step.path, errno);
  if (static_cast<unsigned long>(fs.f_type) != TMPFS_MAGIC) return Fail(what, "tmpcopyup " + step.path + " (not a tmpfs)", EINVAL);
  return CopyEntries(from.get(), to.get(), step.path, what);
}

}  // namespace

int RunPropagation(const Step& step, InitContext&, std::string& what) {
  return DoPropagation(step, what);
}
int RunRootfsBind(const Step& step, InitContext& ctx, std::string& what) {
  return DoRootfsBind(step, ctx, what);
}
int RunPivotRoot(const Step& step, InitContext& ctx, std::string& what) {
  return DoPivotRoot(step, ctx, what);
}
int RunMoveChroot(const Step& step, InitContext& ctx, std::string& what) {
  return DoMoveChroot(step, ctx, what);
}

namespace {

template <typename F>
int WithRoot(InitContext& ctx, std::string& what, F f) {
  int err = 0;
  int root_fd = RootFd(ctx, err);
  if (root_fd < 0)
    return Fail(what, "open " + std::string(ctx.pivoted ? "/" : ctx.prepared->plan->rootfs), err);
  return f(root_fd);
}

}  // namespace

int RunMount(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoMount(step, ctx, root, what); });
}
int RunTmpCopyup(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoTmpCopyup(step, ctx, root, what); });
}
int RunRemount(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoRemount(step, root, what); });
}
int RunMknod(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoMknod(step, root, what); });
}
int RunDeviceBind(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoDeviceBind(step, root, what); });
}
int RunSymlink(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoSymlink(step, root, what); });
}
int RunMask(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoMask(step, root, what); });
}
int RunReadonlyPath(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoReadonlyPath(step, root, what); });
}
int RunMkdir(const Step& step, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) {
    // As runc's os.MkdirAll inside the new root: symlinks of the image are followed inside it,
    // magic links (/proc/self/fd/N) are not (OpenInRoot refuses them with ELOOP).
    mode_t mode = step.nums.empty() ? 0755 : static_cast<mode_t>(step.nums[0]);
    int err = MkdirAllInRoot(root, step.path, mode);
    if (err) return Fail(what, "mkdir " + step.path, err);
    return 0;
  });
}
int RunRootReadonly(const Step&, InitContext& ctx, std::string& what) {
  return WithRoot(ctx, what, [&](int root) { return DoRootReadonly(root, what); });
}

}  // namespace runc
