// Internals of the container steps (executor/init/steps.cc and executor/init/*.cc): the data
// decided before clone, and the helpers the init uses to resolve container paths safely.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/plan.h"
#include "executor/init/steps.h"

namespace runc {

struct PreparedContainer {
  int last_cap = 40;              // /proc/sys/kernel/cap_last_cap of this kernel
  bool setgroups_denied = false;  // the plan writes "deny" to /proc/PID/setgroups
  std::map<int, std::vector<unsigned long>> node_masks;  // by step index (kMemoryPolicy)
  // kExecve: the program as written and, when it has no '/', the candidates of the PATH lookup
  // ("dir/prog" for each PATH entry of the step's env), tried in order inside the container.
  std::string exec_file;
  bool exec_lookup = false;
  std::vector<std::string> exec_candidates;
  int host_pid = 0;  // the init's pid in the runtime's pid namespace (learnt before pivot_root)
  // Found by ResolveExecve in the init (before the seccomp filter): the program to execute (one of
  // exec_file, exec_candidates) and the environment with HOME added (exec_home) when it had none.
  const std::string* exec_program = nullptr;
  std::string exec_home;
  std::vector<char*> exec_envp;
};

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& o) noexcept : fd_(o.Release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.Release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// --- container paths -----------------------------------------------------------------------------

// The fd container paths are resolved from: the rootfs before pivot_root, "/" after. Opened lazily.
int RootFd(InitContext& ctx, int& err);
// Resolves `path` (absolute container path) under `root_fd` the way RESOLVE_IN_ROOT does (".." and
// absolute symlink targets stay inside the root), following every symlink of the part that exists.
// `rel` is the clean result relative to the root ("" = the root itself). Missing components are
// kept as written.
int SecureJoin(int root_fd, const std::string& path, std::string& rel);
// openat2(root_fd, path, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) with O_CLOEXEC added.
int OpenInRoot(int root_fd, const std::string& path, int flags, Fd& out, mode_t mode = 0);
// openat2(dirfd, path, RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS): `path` opened
// only when no component (the last included) is a symlink; ELOOP otherwise. "" is dirfd itself.
int OpenInRootNoSymlinks(int dirfd, const std::string& path, int flags, Fd& out);
// Creates every missing directory of `rel` (already SecureJoin-ed) under root_fd.
int MkdirAllInRoot(int root_fd, const std::string& rel, mode_t mode = 0755);
// "/proc/self/fd/N": a mount target or source naming exactly the file behind an O_PATH fd.
std::string ProcFdPath(int fd);
// The clean absolute form of a container path (for messages and symlink checks).
std::string CleanPath(const std::string& path);

// --- procfs (CVE-2025-52881) ---------------------------------------------------------------------

// Opens /proc/`sub` ("sys/kernel/domainname", "self/oom_score_adj") for a write (or read) the
// init makes to the kernel, making sure it reaches procfs: /proc (the container's after
// pivot_root, the process's own before) must be the root of a procfs, and `sub` is resolved
// beneath it without crossing a mount (so nothing the config or the image mounted over /proc/sys
// or a file in it can receive the write) and without magic links; /proc/self, a plain procfs
// symlink, is followed. Returns 0, an errno, or kNoErrno with `why` set ("not on the container's
// procfs (a mount covers it)").
int OpenProcFile(InitContext& ctx, const std::string& sub, int flags, Fd& out, std::string& why);
// The mount ids of the init's mount namespace (/proc/self/mountinfo, read through OpenProcFile).
int MountIds(InitContext& ctx, std::vector<uint64_t>& ids, std::string& why);
// The mount id of the file behind `fd` (statx STATX_MNT_ID).
int MountIdOf(int fd, uint64_t& id);

// One line of /proc/self/mountinfo (octal escapes decoded).
struct MountInfoEntry {
  std::string root;  // root of the mount within its filesystem
  std::string mount_point;
  std::string optional;  // optional fields ("shared:12 master:3"), space-joined
  std::string fstype;
  std::string source;
  std::string super_options;
};
std::vector<MountInfoEntry> ReadMountInfo(const char* path = "/proc/self/mountinfo");

// --- one function per step kind ------------------------------------------------------------------
// Each returns 0 or an errno and sets `what` to "SYSCALL OBJECT".
int RunPropagation(const Step& step, InitContext& ctx, std::string& what);
int RunRootfsBind(const Step& step, InitContext& ctx, std::string& what);
int RunMount(const Step& step, InitContext& ctx, std::string& what);
int RunTmpCopyup(const Step& step, InitContext& ctx, std::string& what);
int RunRemount(const Step& step, InitContext& ctx, std::string& what);
int RunMknod(const Step& step, InitContext& ctx, std::string& what);
int RunDeviceBind(const Step& step, InitContext& ctx, std::string& what);
int RunSymlink(const Step& step, InitContext& ctx, std::string& what);
int RunPivotRoot(const Step& step, InitContext& ctx, std::string& what);
int RunMoveChroot(const Step& step, InitContext& ctx, std::string& what);
int RunMkdir(const Step& step, InitContext& ctx, std::string& what);
int RunMask(const Step& step, InitContext& ctx, std::string& what);
int RunReadonlyPath(const Step& step, InitContext& ctx, std::string& what);
int RunRootReadonly(const Step& step, InitContext& ctx, std::string& what);

int RunSysctl(const Step& step, InitContext& ctx, std::string& what);
int RunHostname(const Step& step, InitContext& ctx, std::string& what);
int RunDomainname(const Step& step, InitContext& ctx, std::string& what);
int RunRlimit(const Step& step, InitContext& ctx, std::string& what);
int RunOomScoreAdj(const Step& step, InitContext& ctx, std::string& what);
int RunUser(const Step& step, InitContext& ctx, std::string& what);
int RunUmask(const Step& step, InitContext& ctx, std::string& what);
int RunCaps(const Step& step, InitContext& ctx, std::string& what);
int RunNoNewPrivs(const Step& step, InitContext& ctx, std::string& what);
int RunPersonality(const Step& step, InitContext& ctx, std::string& what);
int RunScheduler(const Step& step, InitContext& ctx, std::string& what);
int RunIoPriority(const Step& step, InitContext& ctx, std::string& what);
int RunMemoryPolicy(const Step& step, InitContext& ctx, std::string& what);
int RunSeccomp(const Step& step, InitContext& ctx, std::string& what);
int RunCwd(const Step& step, InitContext& ctx, std::string& what);
int RunConsole(const Step& step, InitContext& ctx, std::string& what);

int RunKeyring(const Step& step, InitContext& ctx, std::string& what);
int RunStdioChown(const Step& step, InitContext& ctx, std::string& what);
int RunHomeLookup(const Step& step, InitContext& ctx, std::string& what);
int RunExecLookup(const Step& step, InitContext& ctx, std::string& what);
int RunExecve(const Step& step, InitContext& ctx, std::string& what);

}  // namespace runc
