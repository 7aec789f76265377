#include "compiler/plan.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <linux/bpf.h>

#include <algorithm>
#include <cstdio>
#include <limits>

#include "compiler/compile_tables.h"
#include "schema/grammar.h"
#include "schema/json_value.h"
#include "schema/names.h"

namespace runc {

constexpr StepKindInfo kStepKinds[] = {
    {StepKind::kSeal, "seal", Phase::kHost,
     "re-execute the runtime from a copy of its binary that cannot be written through (a read-only "
     "overlayfs: fsopen, fsconfig, fsmount, then execveat; else a sealed memfd), unless it already "
     "runs from one (CVE-2019-5736). Run before the plan is compiled: always step 1. The overlayfs "
     "mount's fd is closed later, once the init has closed its copy (its release waits for an RCU "
     "grace period)"},
    {StepKind::kSubreaper, "subreaper", Phase::kHost,
     "prctl(PR_SET_CHILD_SUBREAPER, 1): the foreground `run` becomes the reaper of what it forks, "
     "so that the init is its child whatever forks it"},
    {StepKind::kStateDir, "state_dir", Phase::kHost,
     "create the container's state directory <root>/<id> (path)"},
    {StepKind::kCgroupMkdir, "cgroup.mkdir", Phase::kHost,
     "create the container's cgroup directory in one hierarchy (path; name = hierarchy). On v2 the "
     "parent's available controllers are enabled in cgroup.subtree_control (best effort, like "
     "runc); missing parents are made too. \"if-permitted\" (rootless without cgroupsPath): a "
     "permission error skips it"},
    {StepKind::kCgroupWrite, "cgroup.write", Phase::kHost,
     "write a resource limit into a cgroup file (path = file, value = text written)"},
    {StepKind::kCgroupCopy, "cgroup.copy", Phase::kHost,
     "v1 cpuset: copy the parent directory's file (path's name: cpuset.cpus or cpuset.mems) into "
     "path when it is empty (a new cpuset has no CPUs and no memory nodes), and likewise in each "
     "directory above it below the hierarchy's root, from the top (runc's cpusetEnsureParent). \"if-permitted\": "
     "skipped when that cgroup.mkdir was skipped"},
    {StepKind::kCgroupDevices, "cgroup.device", Phase::kHost,
     "cgroup v2: load the container's device rules as one eBPF program and attach it to its cgroup "
     "directory (path; BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI), replacing device programs attached "
     "there before. nums = {default verdict, then type, major, minor, access of each exception}: "
     "the state runc's device emulator reaches for the rules; argv = their origins"},
    {StepKind::kRdtGroup, "rdt.group", Phase::kHost,
     "Intel RDT: create a resctrl group directory (path) and write its schemata (value); an "
     "existing group must already hold those lines; nums = {1}: the group (closID) must exist. "
     "Fails unless path's parent is a mounted resctrl filesystem"},
    {StepKind::kNsOpen, "ns.open", Phase::kHost,
     "open a namespace file to join later (path; name = type; flags = CLONE_NEW*)"},
    {StepKind::kNotifySocket, "notify.dir", Phase::kHost,
     "NOTIFY_SOCKET: create the directory (path) that `start` binds the container's sd_notify "
     "socket (notify.sock) in; a mount step binds it at /run/notify in the container, whose "
     "NOTIFY_SOCKET names it, and `start` relays the container's READY=1 to the caller's socket "
     "(value), with MAINPID= the init's pid, as runc does"},
    {StepKind::kHook, "hook", Phase::kHost,
     "run a hook program (name = hook kind; path; argv; env; nums = {timeout seconds, 0 = none}); "
     "the OCI state is written to its stdin"},
    {StepKind::kTimeOffsets, "time_offsets", Phase::kSpawn,
     "create the time namespace before clone (unshare CLONE_NEWTIME) and write its offsets to "
     "/proc/self/timens_offsets (value); the cloned init is born in it. "
     "Before the clone, ns.join, time_offsets and unshare steps run in a helper process "
     "the runtime forks in the first of them, which also makes it non-dumpable and arms its "
     "parent-death signal (SIGKILL)"},
    {StepKind::kClone, "clone", Phase::kSpawn,
     "create the init process in the new namespaces (flags = CLONE_NEW*; never cgroup or time); "
     "with path, straight into that cgroup2 directory (clone3 CLONE_INTO_CGROUP; where the kernel "
     "refuses it, the runtime writes the pid to path/cgroup.procs in this step; \"if-permitted\" "
     "(flags2, a rootless plan without cgroupsPath, as path's cgroup.mkdir): that placement is "
     "skipped when the cgroup.mkdir was or on a permission error, as a cgroup.join)"},
    {StepKind::kInitSetup, "init", Phase::kSpawn,
     "the init's own set-up before any other step of its: non-dumpable (PR_SET_DUMPABLE 0, until "
     "execve), or \"dumpable until become_root\" (flags = 1: a rootless plan whose init is in a "
     "user namespace of its own; an unprivileged runtime must write its maps through /proc), "
     "parent-death signal SIGKILL (cleared by the seccomp and wait_start steps), close "
     "every inherited fd but stdio, --preserve-fds and the runtime's sync socket, exec fifo and "
     "stderr (close_range), a new session (setsid)"},
    {StepKind::kNsJoin, "ns.join", Phase::kSpawn,
     "join an existing namespace with setns (path; name = type; flags = CLONE_NEW*). "
     "Before the clone, ns.join, time_offsets and unshare steps run in a helper process "
     "the runtime forks in the first of them, which also makes it non-dumpable and arms its "
     "parent-death signal (SIGKILL)"},
    {StepKind::kSetgroups, "setgroups", Phase::kSpawn,
     "the runtime writes value to /proc/PID/setgroups (rootless: before gid_map)"},
    {StepKind::kUidMap, "uid_map", Phase::kSpawn,
     "the runtime writes value (\"CID HID SIZE\" lines) to /proc/PID/uid_map"},
    {StepKind::kGidMap, "gid_map", Phase::kSpawn,
     "the runtime writes value (\"CID HID SIZE\" lines) to /proc/PID/gid_map"},
    {StepKind::kCgroupJoin, "cgroup.join", Phase::kSpawn,
     "the runtime writes the init's pid to a cgroup.procs file (path). \"if-permitted\": skipped "
     "when the cgroup.mkdir of its directory was skipped or on a permission error. \"by the init\": "
     "on a cgroup v1 hierarchy the init writes 0 to the tasks file (path), moving itself without "
     "the global lock (and RCU grace period) of a migration by pid"},
    {StepKind::kRdtJoin, "rdt.join", Phase::kSpawn,
     "the runtime writes the init's pid to a resctrl tasks file (path)"},
    {StepKind::kCpuAffinity, "cpu_affinity", Phase::kSpawn,
     "exec: sched_setaffinity of the cloned process to the CPUs (nums; value = the list as "
     "written); name = initial (before the cgroup joins) or final (after them)"},
    {StepKind::kUnshare, "unshare", Phase::kSpawn,
     "the init unshares namespaces after it was put in its cgroups (flags = CLONE_NEWCGROUP). "
     "Before the clone, ns.join, time_offsets and unshare steps run in a helper process "
     "the runtime forks in the first of them, which also makes it non-dumpable and arms its "
     "parent-death signal (SIGKILL)"},
    {StepKind::kNetDevice, "net_device", Phase::kSpawn,
     "move a host network interface into the container's network namespace (name = host "
     "interface, value = name inside)"},
    {StepKind::kIdmapMount, "mount.idmap", Phase::kSpawn,
     "idmapped bind mount, the runtime's half: clone the bind source (open_tree; flags MS_REC = "
     "rbind, with its submounts), attach an id mapping (mount_setattr MOUNT_ATTR_IDMAP; flags2 "
     "MS_REC = ridmap, every submount, else the top one) from a user namespace with the maps argv "
     "= {uid_map, gid_map} or the namespace file name, and pass it to the init; the mount step of "
     "the same origin and path (destination) moves it in place"},
    {StepKind::kMountOpen, "mount.open", Phase::kSpawn,
     "bind mount of a container in a user namespace, the runtime's half: clone the bind source "
     "(open_tree; flags MS_REC = rbind, with its submounts) as the host's root and pass it to the "
     "init, whose root (mapped to another host user) may not reach it (a 0700 directory); the mount "
     "step of the same origin and path (destination) moves it in place (runc 1.1's mount sources "
     "opened before the user namespace)"},
    {StepKind::kBecomeRoot, "become_root", Phase::kRootfs,
     "in a user namespace of the container's, right after the spawn phase: non-dumpable "
     "(PR_SET_DUMPABLE 0: the maps are written), setresgid(0, 0, 0) and setresuid(0, 0, 0), so that "
     "what the init makes is owned by the mapped root (left as it is when root is not mapped)"},
    {StepKind::kPropagation, "propagation", Phase::kRootfs,
     "change the propagation of the whole mount tree (path = \"/\"; flags = MS_* | MS_REC)"},
    {StepKind::kRootfsBind, "rootfs_bind", Phase::kRootfs,
     "bind-mount the rootfs onto itself, recursively (path)"},
    {StepKind::kMount, "mount", Phase::kRootfs,
     "mount a filesystem in the container (source; path = destination; fstype; flags = MS_*; "
     "value = data; flags2 = propagation applied after; nums = {attr_set, attr_clear} for "
     "mount_setattr)"},
    {StepKind::kTmpCopyup, "tmpcopyup", Phase::kRootfs,
     "copy the directory a tmpfs was mounted over (path; opened by the mount step just before, "
     "which has the same path and origin) into the new tmpfs: files, directories and symlinks "
     "with their modes and owners, no symlink followed (runc's tmpcopyup extension)"},
    {StepKind::kRemount, "remount", Phase::kRootfs,
     "remount a mount point with new flags (path; flags = MS_REMOUNT | ...), e.g. read-only bind "
     "mounts"},
    {StepKind::kMknod, "mknod", Phase::kRootfs,
     "create a device node (path; nums = {mode, major, minor, uid, gid})"},
    {StepKind::kDeviceBind, "device_bind", Phase::kRootfs,
     "bind-mount a host device node (source) onto path (user namespaces cannot mknod)"},
    {StepKind::kSymlink, "symlink", Phase::kRootfs,
     "create a symlink at path pointing to source (an existing file is replaced)"},
    {StepKind::kPivotRoot, "pivot_root", Phase::kRootfs,
     "make the rootfs (path) the root with pivot_root and detach the old root"},
    {StepKind::kMoveChroot, "move_chroot", Phase::kRootfs,
     "--no-pivot: MS_MOVE the rootfs (path) onto / and chroot into it"},
    {StepKind::kMkdir, "mkdir", Phase::kRootfs,
     "create a directory and its missing parents inside the new root (path; nums = {mode}); an "
     "existing one is kept. Made for process.cwd right after the root change, as runc does, so "
     "that a read-only root (root_readonly, later) still gets it"},
    {StepKind::kMask, "mask", Phase::kProcess,
     "hide a path: /dev/null over a file, a read-only tmpfs over a directory; missing paths are "
     "skipped"},
    {StepKind::kReadonlyPath, "readonly_path", Phase::kProcess,
     "bind a path onto itself and remount it read-only; missing paths are skipped"},
    {StepKind::kRootReadonly, "root_readonly", Phase::kProcess, "remount / read-only"},
    {StepKind::kKeyring, "keyring", Phase::kProcess,
     "join a new session keyring (name), so that the container does not share the caller's, and "
     "add permission bits (nums[0]) to it: search for its user, or for others in a user namespace "
     "(as runc does; not done with --no-new-keyring)"},
    {StepKind::kSysctl, "sysctl", Phase::kProcess,
     "write a kernel parameter (name = key; path = /proc/sys/...; value)"},
    {StepKind::kHostname, "hostname", Phase::kProcess, "sethostname(value)"},
    {StepKind::kDomainname, "domainname", Phase::kProcess, "setdomainname(value)"},
    {StepKind::kRlimit, "rlimit", Phase::kProcess,
     "setrlimit (name = RLIMIT_*; nums = {resource, soft, hard}, -1 = unlimited)"},
    {StepKind::kOomScoreAdj, "oom_score_adj", Phase::kProcess,
     "write nums[0] to /proc/self/oom_score_adj"},
    {StepKind::kStdioChown, "stdio.chown", Phase::kProcess,
     "detached or terminal container: give the init's stdio 0-2 to the container user (fchown to "
     "uid nums[0], group kept), so that it can reopen them; /dev/null and files it cannot change "
     "are left alone. A foreground run without a terminal passes the caller's stdio through "
     "untouched"},
    {StepKind::kUser, "user", Phase::kProcess,
     "setgroups, setgid, setuid (nums = {uid, gid, additional gids...}); capabilities are kept "
     "across the change (PR_SET_KEEPCAPS) for the caps step that follows"},
    {StepKind::kUmask, "umask", Phase::kProcess, "umask(nums[0])"},
    {StepKind::kCaps, "caps", Phase::kProcess,
     "set the capability sets (nums = {bounding, effective, inheritable, permitted, ambient} "
     "bitmasks; nums[5], if any: capabilities also kept effective and permitted until execve, "
     "which drops them: CAP_SYS_ADMIN for the seccomp step without no_new_privs; nums[6], if any: "
     "the ambient set the config asked for, printed as ambient_not_granted= for what the kernel "
     "will not keep ambient because it is not both permitted and inheritable)"},
    {StepKind::kNoNewPrivs, "no_new_privs", Phase::kProcess, "prctl(PR_SET_NO_NEW_PRIVS, 1)"},
    {StepKind::kPersonality, "personality", Phase::kProcess, "personality(nums[0])"},
    {StepKind::kScheduler, "scheduler", Phase::kProcess,
     "sched_setattr (nums = {policy, nice, priority, flags, runtime, deadline, period})"},
    {StepKind::kIoPriority, "io_priority", Phase::kProcess,
     "ioprio_set (nums = {class, priority})"},
    {StepKind::kMemoryPolicy, "memory_policy", Phase::kProcess,
     "set_mempolicy (nums = {mode | flags}; value = node list)"},
    {StepKind::kSeccomp, "seccomp", Phase::kStart,
     "clear the parent-death signal, finish what execve needs (its PATH lookup, the fds it hands "
     "over, releasing `start`), then load the seccomp filter (Plan::seccomp; argv = its rules summarised): only execve follows"},
    {StepKind::kCwd, "cwd", Phase::kProcess,
     "chdir(path), resolved inside the container (a missing directory is created); the result "
     "is checked to be inside the container's root"},
    {StepKind::kConsole, "console", Phase::kProcess,
     "open a pty in the container (path = /dev/pts/ptmx), make it the init's stdio and "
     "controlling tty, send the master over --console-socket (nums = {height, width} if set)"},
    {StepKind::kHomeLookup, "env.home", Phase::kProcess,
     "the config's env has no HOME: find the home of uid nums[0] in the container's /etc/passwd "
     "(path), \"/\" when it has none; the execve step adds HOME=$N (N = this step)"},
    {StepKind::kExecLookup, "exec.lookup", Phase::kProcess,
     "find the program (path) inside the container, in each directory of value (the container's "
     "PATH) when it has no '/': a non-directory with an execute bit, not reached through a magic "
     "link leading out of the container; `create` fails here when it is missing"},
    {StepKind::kWaitStart, "wait_start", Phase::kStart,
     "clear the parent-death signal, then wait on the exec fifo (path) until `start`; `create` "
     "returns here"},
    {StepKind::kExecve, "execve", Phase::kStart,
     "execute the container process: $N = the program the exec.lookup step N found; argv; env "
     "(HOME=$N: added by the env.home step N); the parent-death signal is cleared first (an exec "
     "has no wait_start step). After a seccomp step, its trace line comes before that step's "
     "filter is loaded"},
    {StepKind::kKill, "kill", Phase::kTeardown, "kill the container's processes (nums = {signal})"},
    {StepKind::kCgroupRmdir, "cgroup.rmdir", Phase::kTeardown, "remove a cgroup directory (path)"},
    {StepKind::kRdtRemove, "rdt.rmdir", Phase::kTeardown,
     "remove the container's own resctrl group directory (path); a missing one is not an error"},
    {StepKind::kStateRemove, "state_remove", Phase::kTeardown,
     "remove the state directory (path)"},
};
const size_t kStepKindCount = sizeof(kStepKinds) / sizeof(kStepKinds[0]);

std::vector<std::string> JoinedCgroupDirs(const Plan& plan) {
  std::vector<std::string> dirs;
  for (const Step& s : plan.steps) {
    if (s.kind == StepKind::kClone && !s.path.empty()) dirs.push_back(s.path);
    if (s.kind == StepKind::kCgroupJoin) dirs.push_back(s.path.substr(0, s.path.find_last_of('/')));
  }
  return dirs;
}

namespace {

constexpr bool KindTableInEnumOrder() {
  for (size_t i = 0; i < sizeof(kStepKinds) / sizeof(kStepKinds[0]); ++i) {
    if (static_cast<size_t>(kStepKinds[i].kind) != i) return false;
  }
  return true;
}
static_assert(KindTableInEnumOrder(), "kStepKinds must list every StepKind in enum order");
static_assert(sizeof(kStepKinds) / sizeof(kStepKinds[0]) ==
                  static_cast<size_t>(StepKind::kStateRemove) + 1,
              "kStepKinds must have one entry per StepKind");

constexpr std::string_view kPhaseNames[] = {"host", "spawn", "rootfs", "process", "start", "teardown"};

// ---- text helpers ---------------------------------------------------------------------------------

void AppendHex(std::string& out, uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  out += buf;
}

void AppendJoined(std::string& out, const std::string& s, char sep = ',') {
  if (!out.empty()) out += sep;
  out += s;
}

// A word as printed in argv lists: bare when it is unambiguous, JSON-quoted otherwise.
void AppendWord(std::string& out, std::string_view s) {
  bool bare = !s.empty();
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == '/' || c == ':' || c == '=' ||
                    c == ',' || c == '+' || c == '@' || c == '%' || c == '~';
    if (!ok) {
      bare = false;
      break;
    }
  }
  if (bare) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendList(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ' ';
    AppendWord(out, items[i]);
  }
  out += ']';
}

// "0 1000 1\n1 100000 65536\n" -> "0 1000 1, 1 100000 65536".
std::string Lines(std::string_view v) {
  std::string out;
  size_t start = 0;
  while (start < v.size()) {
    size_t end = v.find('\n', start);
    if (end == std::string_view::npos) end = v.size();
    if (end > start) {
      if (!out.empty()) out += ", ";
      out.append(v.substr(start, end - start));
    }
    start = end + 1;
  }
  return out.empty() ? "-" : out;
}

struct FlagName {
  uint64_t flag;
  std::string_view name;
};

constexpr FlagName kMountFlagNames[] = {
    {MS_RDONLY, "ro"},          {MS_NOSUID, "nosuid"},         {MS_NODEV, "nodev"},
    {MS_NOEXEC, "noexec"},      {MS_SYNCHRONOUS, "sync"},      {MS_REMOUNT, "remount"},
    {MS_MANDLOCK, "mand"},      {MS_DIRSYNC, "dirsync"},       {MS_NOSYMFOLLOW, "nosymfollow"},
    {MS_NOATIME, "noatime"},    {MS_NODIRATIME, "nodiratime"}, {MS_BIND, "bind"},
    {MS_MOVE, "move"},          {MS_REC, "rec"},               {MS_SILENT, "silent"},
    {MS_POSIXACL, "acl"},       {MS_UNBINDABLE, "unbindable"}, {MS_PRIVATE, "private"},
    {MS_SLAVE, "slave"},        {MS_SHARED, "shared"},         {MS_RELATIME, "relatime"},
    {MS_I_VERSION, "iversion"}, {MS_STRICTATIME, "strictatime"}, {MS_LAZYTIME, "lazytime"},
};

constexpr uint64_t kPropagationBits = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED;

// MS_* as mount(8) option names; MS_BIND|MS_REC reads "rbind", a propagation type with MS_REC
// reads "rslave" and so on. 0 reads "rw".
std::string MountFlagsText(uint64_t flags) {
  if (flags == 0) return "rw";
  std::string out;
  const bool rec = (flags & MS_REC) != 0;
  bool rec_used = false;
  for (const auto& f : kMountFlagNames) {
    if ((flags & f.flag) == 0 || f.flag == MS_REC) continue;
    std::string name(f.name);
    if (rec && (f.flag == MS_BIND || (f.flag & kPropagationBits) != 0)) {
      name = "r" + name;
      rec_used = true;
    }
    AppendJoined(out, name);
    flags &= ~f.flag;
  }
  flags &= ~static_cast<uint64_t>(MS_REC);
  if (rec && !rec_used) AppendJoined(out, "rec");
  if (flags != 0) {
    std::string hex;
    AppendHex(hex, flags);
    AppendJoined(out, hex);
  }
  return out;
}

constexpr FlagName kMountAttrNames[] = {
    {MOUNT_ATTR_RDONLY, "ro"},           {MOUNT_ATTR_NOSUID, "nosuid"},
    {MOUNT_ATTR_NODEV, "nodev"},         {MOUNT_ATTR_NOEXEC, "noexec"},
    {MOUNT_ATTR_NOATIME, "noatime"},     {MOUNT_ATTR_STRICTATIME, "strictatime"},
    {MOUNT_ATTR_NODIRATIME, "nodiratime"}, {MOUNT_ATTR_IDMAP, "idmap"},
    {MOUNT_ATTR_NOSYMFOLLOW, "nosymfollow"},
};

std::string MountAttrText(uint64_t attrs) {
  std::string out;
  for (const auto& f : kMountAttrNames) {
    if ((attrs & f.flag) == f.flag) {
      AppendJoined(out, std::string(f.name));
      attrs &= ~f.flag;
    }
  }
  if (attrs != 0) {
    std::string hex;
    AppendHex(hex, attrs);
    AppendJoined(out, hex);
  }
  return out;
}

constexpr FlagName kCloneFlagNames[] = {
    {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mount"},      {CLONE_NEWPID, "pid"},
    {CLONE_NEWNET, "network"}, {CLONE_NEWIPC, "ipc"},     {CLONE_NEWUTS, "uts"},
    {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWTIME, "time"},
};

std::string CloneFlagsText(uint64_t flags) {
  std::string out;
  for (const auto& f : kCloneFlagNames) {
    if (flags & f.flag) {
      AppendJoined(out, std::string(f.name), '|');
      flags &= ~f.flag;
    }
  }
  if (flags != 0) {
    std::string hex;
    AppendHex(hex, flags);
    AppendJoined(out, hex, '|');
  }
  return out.empty() ? "none" : out;
}

std::string CapsText(int64_t mask) {
  std::string out;
  const auto bits = static_cast<uint64_t>(mask);
  for (int cap = 0; cap < 64; ++cap) {
    if ((bits & (uint64_t{1} << cap)) == 0) continue;
    std::string_view name = CapabilityName(cap);
    if (name.substr(0, 4) == "CAP_") name.remove_prefix(4);
    AppendJoined(out, name.empty() ? std::to_string(cap) : std::string(name));
  }
  return out.empty() ? "none" : out;
}

std::string Num(const Step& s, size_t i) {
  return i < s.nums.size() ? std::to_string(s.nums[i]) : std::string("?");
}

std::string Limit(const Step& s, size_t i) {
  if (i >= s.nums.size()) return "?";
  return s.nums[i] < 0 ? "unlimited" : std::to_string(s.nums[i]);
}

std::string Octal(int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*llo", width, static_cast<unsigned long long>(v));
  return buf;
}

std::string HookText(const Step& s) {
  std::string out = s.name + " ";
  AppendWord(out, s.path);
  if (!s.argv.empty()) {
    out += ' ';
    AppendList(out, s.argv);
  }
  if (!s.nums.empty() && s.nums[0] > 0) out += " timeout=" + std::to_string(s.nums[0]) + "s";
  if (!s.env.empty()) {
    out += " env=";
    AppendList(out, s.env);
  }
  return out;
}

std::string MountText(const Step& s) {
  std::string out;
  AppendWord(out, s.source.empty() ? "none" : s.source);
  out += " on ";
  AppendWord(out, s.path);
  out += " type ";
  out += s.fstype.empty() ? "none" : s.fstype;
  out += ' ';
  out += MountFlagsText(s.flags);
  if (!s.value.empty()) {
    out += ' ';
    AppendWord(out, s.value);
  }
  if (s.flags2 != 0) out += " propagation=" + MountFlagsText(s.flags2);
  if (s.nums.size() >= 1 && s.nums[0] != 0) out += " setattr=" + MountAttrText(s.nums[0]);
  if (s.nums.size() >= 2 && s.nums[1] != 0) out += " clearattr=" + MountAttrText(s.nums[1]);
  if (!s.argv.empty()) {
    out += " if-missing=";
    AppendWord(out, s.argv[0]);
  }
  return out;
}

// "0 1000 1\n1 100000 65536\n" -> "0:1000:1,1:100000:65536"; "" -> "-".
std::string MapsText(std::string_view v) {
  std::string out;
  for (char c : v) out += c == ' ' ? ':' : c == '\n' ? ',' : c;
  while (!out.empty() && out.back() == ',') out.pop_back();
  return out.empty() ? "-" : out;
}

std::string IdmapMountText(const Step& s) {
  std::string out;
  AppendWord(out, s.source);
  out += " on ";
  AppendWord(out, s.path);
  out += (s.flags & MS_REC) ? " rbind" : " bind";
  out += (s.flags2 & MS_REC) ? " ridmap" : " idmap";
  if (s.argv.size() == 2) {
    out += " uids=" + MapsText(s.argv[0]) + " gids=" + MapsText(s.argv[1]);
  } else if (!s.name.empty()) {
    out += " userns=";
    AppendWord(out, s.name);
  } else {
    out += " no-mappings";
  }
  return out;
}

std::string MknodText(const Step& s) {
  std::string out = s.path;
  const int64_t mode = s.nums.empty() ? 0 : s.nums[0];
  switch (mode & S_IFMT) {
    case S_IFCHR: out += " c"; break;
    case S_IFBLK: out += " b"; break;
    case S_IFIFO: out += " p"; break;
    default: out += " ?"; break;
  }
  out += ' ' + Num(s, 1) + ':' + Num(s, 2) + ' ' + Octal(mode & 07777, 4);
  out += " uid=" + Num(s, 3) + " gid=" + Num(s, 4);
  return out;
}

// "PATH default deny (ORIGIN); allow c 1:3 rwm (ORIGIN); ...": the exceptions always have the
// verdict opposite to the default.
std::string DevicesText(const Step& s) {
  std::string out;
  AppendWord(out, s.path);
  auto origin = [&](size_t i) { return i < s.argv.size() ? " (" + s.argv[i] + ")" : std::string(); };
  auto number = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
  const bool allow = !s.nums.empty() && s.nums[0] == 1;
  out += allow ? " default allow" : " default deny";
  out += origin(0);
  for (size_t i = 1, k = 1; i + 3 < s.nums.size(); i += 4, ++k) {
    out += allow ? "; deny " : "; allow ";
    out += s.nums[i] == BPF_DEVCG_DEV_BLOCK ? 'b' : s.nums[i] == BPF_DEVCG_DEV_CHAR ? 'c' : '?';
    out += ' ' + number(s.nums[i + 1]) + ':' + number(s.nums[i + 2]) + ' ';
    const int64_t access = s.nums[i + 3];
    if (access & BPF_DEVCG_ACC_READ) out += 'r';
    if (access & BPF_DEVCG_ACC_WRITE) out += 'w';
    if (access & BPF_DEVCG_ACC_MKNOD) out += 'm';
    out += origin(k);
  }
  return out;
}

std::string SchedulerText(const Step& s) {
  std::string out;
  std::string_view policy = s.nums.empty() ? std::string_view() : tables::NameOf(tables::kSchedPolicies, s.nums[0]);
  out += policy.empty() ? Num(s, 0) : std::string(policy);
  out += " nice=" + Num(s, 1) + " priority=" + Num(s, 2);
  if (s.nums.size() > 3 && s.nums[3] != 0) out += " flags=" + tables::BitNames(tables::kSchedFlags, s.nums[3]);
  if (s.nums.size() > 6 && (s.nums[4] | s.nums[5] | s.nums[6]) != 0) {
    out += " runtime=" + Num(s, 4) + " deadline=" + Num(s, 5) + " period=" + Num(s, 6);
  }
  return out;
}

std::string StepArgs(const Step& s) {
  std::string out;
  switch (s.kind) {
    case StepKind::kNotifySocket:
      AppendWord(out, s.path);
      out += " relay to ";
      AppendWord(out, s.value);
      return out;
    case StepKind::kKeyring:
      AppendWord(out, s.name);
      if (!s.nums.empty()) {
        out += " perm+=";
        AppendHex(out, static_cast<uint64_t>(s.nums[0]));
      }
      return out;
    case StepKind::kStdioChown:
      return "0,1,2 uid=" + Num(s, 0);
    case StepKind::kHomeLookup:
      out = "HOME of uid=" + Num(s, 0) + " in ";
      AppendWord(out, s.path);
      return out;
    case StepKind::kExecLookup:
      AppendWord(out, s.path);
      if (s.path.find('/') == std::string::npos) {
        out += " in PATH=";
        AppendWord(out, s.value);
      }
      return out;
    case StepKind::kCgroupMkdir:
    case StepKind::kCgroupJoin:
      AppendWord(out, s.path);
      if (s.flags & kIfPermitted) out += " if-permitted";
      if (s.kind == StepKind::kCgroupJoin && (s.flags & kSelfJoin)) out += " = 0 by the init";
      return out;
    case StepKind::kStateDir:
    case StepKind::kRootfsBind:
    case StepKind::kPivotRoot:
    case StepKind::kMoveChroot:
    case StepKind::kMask:
    case StepKind::kReadonlyPath:
    case StepKind::kCwd:
    case StepKind::kWaitStart:
    case StepKind::kCgroupRmdir:
    case StepKind::kStateRemove:
    case StepKind::kRdtJoin:
    case StepKind::kRdtRemove:
      AppendWord(out, s.path);
      return out;
    case StepKind::kRdtGroup:
      AppendWord(out, s.path);
      if (!s.nums.empty() && s.nums[0] == 1) out += " existing";
      if (!s.value.empty()) {
        out += " schemata=";
        AppendWord(out, s.value);
      }
      return out;
    case StepKind::kCgroupDevices:
      return DevicesText(s);
    case StepKind::kSeal:
      return "re-exec from a sealed copy";
    case StepKind::kSubreaper:
      return "PR_SET_CHILD_SUBREAPER";
    case StepKind::kInitSetup:
      return std::string(s.flags & kDumpableForMaps ? "dumpable until become_root" : "non-dumpable") +
             ", pdeathsig=KILL, close inherited fds, setsid";
    case StepKind::kBecomeRoot:
      return "non-dumpable, setresgid 0, setresuid 0";
    case StepKind::kCgroupCopy:
      AppendWord(out, s.path);
      out += " from parent";
      if (s.flags & kIfPermitted) out += " if-permitted";
      return out;
    case StepKind::kCgroupWrite:
      AppendWord(out, s.path);
      out += " = ";
      AppendWord(out, s.value);
      if (s.flags & kRetriedAfterQuota) out += " (EINVAL: again after the quota)";
      return out;
    case StepKind::kNsOpen:
    case StepKind::kNsJoin:
      out = s.name + ' ';
      AppendWord(out, s.path);
      return out;
    case StepKind::kHook:
      return HookText(s);
    case StepKind::kTimeOffsets:
    case StepKind::kUidMap:
    case StepKind::kGidMap:
      return Lines(s.value);
    case StepKind::kClone:
      out = CloneFlagsText(s.flags);
      if (!s.path.empty()) {
        out += " into ";
        AppendWord(out, s.path);
        if (s.flags2 & kIfPermitted) out += " if-permitted";
      }
      return out;
    case StepKind::kUnshare:
      return CloneFlagsText(s.flags);
    case StepKind::kSetgroups:
    case StepKind::kHostname:
    case StepKind::kDomainname:
      AppendWord(out, s.value);
      return out;
    case StepKind::kCpuAffinity:
      out = s.name + ' ';
      AppendWord(out, s.value);
      return out;
    case StepKind::kNetDevice:
      AppendWord(out, s.name);
      out += " -> ";
      AppendWord(out, s.value);
      return out;
    case StepKind::kIdmapMount:
      return IdmapMountText(s);
    case StepKind::kMountOpen:
      AppendWord(out, s.source);
      out += " on ";
      AppendWord(out, s.path);
      out += (s.flags & MS_REC) ? " rbind" : " bind";
      return out;
    case StepKind::kPropagation:
      AppendWord(out, s.path);
      return out + ' ' + MountFlagsText(s.flags);
    case StepKind::kMount:
      return MountText(s);
    case StepKind::kTmpCopyup:
      AppendWord(out, s.path);
      return out;
    case StepKind::kRemount:
      AppendWord(out, s.path);
      return out + ' ' + MountFlagsText(s.flags);
    case StepKind::kMknod:
      return MknodText(s);
    case StepKind::kDeviceBind:
      AppendWord(out, s.source);
      out += " on ";
      AppendWord(out, s.path);
      return out;
    case StepKind::kSymlink:
      AppendWord(out, s.path);
      out += " -> ";
      AppendWord(out, s.source);
      return out;
    case StepKind::kRootReadonly:
      return "/";
    case StepKind::kSysctl:
      out = s.name + " = ";
      AppendWord(out, s.value);
      return out;
    case StepKind::kRlimit: {
      std::string_view name = s.name;
      if (name.substr(0, 7) == "RLIMIT_") name.remove_prefix(7);
      return std::string(name) + " soft=" + Limit(s, 1) + " hard=" + Limit(s, 2);
    }
    case StepKind::kOomScoreAdj:
      return Num(s, 0);
    case StepKind::kUser: {
      out = "uid=" + Num(s, 0) + " gid=" + Num(s, 1) + " groups=";
      std::string groups;
      for (size_t i = 2; i < s.nums.size(); ++i) AppendJoined(groups, std::to_string(s.nums[i]));
      return out + (groups.empty() ? "none" : groups);
    }
    case StepKind::kUmask:
      return s.nums.empty() ? "?" : Octal(s.nums[0], 4);
    case StepKind::kMkdir:
      AppendWord(out, s.path);
      return out + ' ' + (s.nums.empty() ? "?" : Octal(s.nums[0], 4));
    case StepKind::kCaps: {
      static constexpr std::string_view kSets[] = {"bounding", "effective", "inheritable", "permitted",
                                                   "ambient"};
      for (size_t i = 0; i < 5; ++i) {
        if (i) out += ' ';
        out += kSets[i];
        out += '=';
        out += i < s.nums.size() ? CapsText(s.nums[i]) : "?";
      }
      if (s.nums.size() > 5 && s.nums[5] != 0) out += " keep_until_execve=" + CapsText(s.nums[5]);
      if (s.nums.size() > 6 && (s.nums[6] & ~s.nums[4]) != 0) {
        // What the config asked for and the kernel will not grant: a capability stays ambient
        // only while it is both permitted and inheritable (capabilities(7)).
        out += " ambient_not_granted=" + CapsText(s.nums[6] & ~s.nums[4]);
      }
      return out;
    }
    case StepKind::kNoNewPrivs:
      return "";
    case StepKind::kPersonality: {
      if (s.nums.empty()) return "?";
      std::string_view name = tables::NameOf(tables::kPersonalityDomains, static_cast<uint64_t>(s.nums[0]));
      if (!name.empty()) return std::string(name);
      AppendHex(out, static_cast<uint64_t>(s.nums[0]));
      return out;
    }
    case StepKind::kScheduler:
      return SchedulerText(s);
    case StepKind::kIoPriority: {
      std::string_view cls = s.nums.empty() ? std::string_view() : tables::NameOf(tables::kIoPrioClasses, s.nums[0]);
      return (cls.empty() ? Num(s, 0) : std::string(cls)) + " priority=" + Num(s, 1);
    }
    case StepKind::kMemoryPolicy: {
      const uint64_t v = s.nums.empty() ? 0 : static_cast<uint64_t>(s.nums[0]);
      std::string_view mode = tables::NameOf(tables::kMemPolicyModes, v & tables::kMemPolicyModeMask);
      out = mode.empty() ? std::to_string(v & tables::kMemPolicyModeMask) : std::string(mode);
      const std::string flags = tables::BitNames(tables::kMemPolicyFlags, v & ~tables::kMemPolicyModeMask);
      if (!flags.empty()) out += '|' + flags;
      if (!s.value.empty()) out += " nodes=" + s.value;
      return out;
    }
    case StepKind::kSeccomp:
      for (size_t i = 0; i < s.argv.size(); ++i) {
        if (i) out += "; ";
        out += s.argv[i];
      }
      return out;
    case StepKind::kConsole:
      AppendWord(out, s.path);
      if (s.nums.size() >= 2) out += " size=" + Num(s, 0) + 'x' + Num(s, 1);
      return out;
    case StepKind::kExecve: {
      if (!s.nums.empty() && s.nums[0] > 0) {
        out += '$' + std::to_string(s.nums[0]);
      } else {
        AppendWord(out, s.path);
      }
      out += ' ';
      AppendList(out, s.argv);
      out += " env=";
      AppendList(out, s.env);
      if (s.nums.size() > 1 && s.nums[1] > 0) {
        out.pop_back();
        out += (s.env.empty() ? "HOME=$" : " HOME=$") + std::to_string(s.nums[1]) + "]";
      }
      return out;
    }
    case StepKind::kKill: {
      if (s.nums.empty()) return "?";
      const std::string name = SignalName(static_cast<int>(s.nums[0]));
      return name.empty() ? std::to_string(s.nums[0]) : name;
    }
  }
  return out;
}

void Pad(std::string& out, size_t used, size_t width) {
  if (used < width) out.append(width - used, ' ');
}

// ---- JSON -----------------------------------------------------------------------------------------

using Json = nlohmann::json;

Json SeccompToJson(const Seccomp& s) {
  Json j = Json::object();
  j["defaultAction"] = s.default_action;
  if (s.default_errno_ret) j["defaultErrnoRet"] = *s.default_errno_ret;
  if (!s.architectures.empty()) j["architectures"] = s.architectures;
  if (!s.flags.empty()) j["flags"] = s.flags;
  if (!s.listener_path.empty()) j["listenerPath"] = s.listener_path;
  if (!s.listener_metadata.empty()) j["listenerMetadata"] = s.listener_metadata;
  Json syscalls = Json::array();
  for (const auto& sc : s.syscalls) {
    Json r = Json::object();
    r["names"] = sc.names;
    r["action"] = sc.action;
    if (sc.errno_ret) r["errnoRet"] = *sc.errno_ret;
    if (!sc.args.empty()) {
      Json args = Json::array();
      for (const auto& a : sc.args) {
        Json ja = {{"index", a.index}, {"value", a.value}, {"op", a.op}};
        if (a.value_two != 0) ja["valueTwo"] = a.value_two;
        args.push_back(std::move(ja));
      }
      r["args"] = std::move(args);
    }
    if (!sc.origin.empty()) r["origin"] = sc.origin;
    syscalls.push_back(std::move(r));
  }
  j["syscalls"] = std::move(syscalls);
  return j;
}

// Reads a plan back without exceptions: every mismatch is reported as
// "plan: POINTER: expected TYPE" and stops the read.
class JsonReader {
 public:
  explicit JsonReader(std::string& error) : error_(error) {}

  bool Fail(const std::string& where, std::string_view what) {
    error_ = "plan: " + where + ": " + std::string(what);
    return false;
  }

  // nullptr when absent or null (both mean "default").
  static const Json* Find(const Json& obj, std::string_view key) {
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
  }

  bool Str(const Json& obj, std::string_view key, const std::string& where, std::string& out) {
    const Json* v = Find(obj, key);
    if (v == nullptr) return true;
    if (!v->is_string()) return Fail(where + "/" + std::string(key), "expected string");
    out = v->get_ref<const std::string&>();
    return true;
  }

  bool Bool(const Json& obj, std::string_view key, const std::string& where, bool& out) {
    const Json* v = Find(obj, key);
    if (v == nullptr) return true;
    if (!v->is_boolean()) return Fail(where + "/" + std::string(key), "expected boolean");
    out = v->get<bool>();
    return true;
  }

  template <typename T>
  bool Uint(const Json& obj, std::string_view key, const std::string& where, T& out) {
    const Json* v = Find(obj, key);
    if (v == nullptr) return true;
    if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<int64_t>() >= 0)) {
      return Fail(where + "/" + std::string(key), "expected unsigned integer");
    }
    const uint64_t n = v->get<uint64_t>();
    if (n > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return Fail(where + "/" + std::string(key), "out of range");
    }
    out = static_cast<T>(n);
    return true;
  }

  template <typename T>
  bool OptUint(const Json& obj, std::string_view key, const std::string& where, std::optional<T>& out) {
    if (Find(obj, key) == nullptr) return true;
    T value{};
    if (!Uint(obj, key, where, value)) return false;
    out = value;
    return true;
  }

  bool Strings(const Json& obj, std::string_view key, const std::string& where, std::vector<std::string>& out) {
    const Json* v = Find(obj, key);
    if (v == nullptr) return true;
    const bool ok = v->is_array() && std::all_of(v->begin(), v->end(), [](const Json& e) { return e.is_string(); });
    if (!ok) return Fail(where + "/" + std::string(key), "expected array of strings");
    out.clear();
    out.reserve(v->size());
    for (const auto& e : *v) out.push_back(e.get<std::string>());
    return true;
  }

  bool Ints(const Json& obj, std::string_view key, const std::string& where, std::vector<int64_t>& out) {
    const Json* v = Find(obj, key);
    if (v == nullptr) return true;
    const bool ok = v->is_array() && std::all_of(v->begin(), v->end(), [](const Json& e) {
      return e.is_number_integer() && !(e.is_number_unsigned() && e.get<uint64_t>() > uint64_t{INT64_MAX});
    });
    if (!ok) return Fail(where + "/" + std::string(key), "expected array of integers");
    out.clear();
    out.reserve(v->size());
    for (const auto& e : *v) out.push_back(e.get<int64_t>());
    return true;
  }

  bool StringMap(const Json& obj, std::string_view key, const std::string& where,
                 std::map<std::string, std::string>& out) {
    const Json* v = Find(obj, key);
    if (v == nullptr) return true;
    const bool ok = v->is_object() && std::all_of(v->begin(), v->end(), [](const Json& e) { return e.is_string(); });
    if (!ok) return Fail(where + "/" + std::string(key), "expected object of strings");
    out.clear();
    for (auto it = v->begin(); it != v->end(); ++it) out.emplace(it.key(), it.value().get<std::string>());
    return true;
  }

  bool Object(const Json& v, const std::string& where) {
    return v.is_object() || Fail(where, "expected object");
  }

  bool Array(const Json* v, const std::string& where) {
    return v == nullptr || v->is_array() || Fail(where, "expected array");
  }

  bool Seccomp(const Json& j, const std::string& where, runc::Seccomp& s) {
    if (!Object(j, where) || !Str(j, "defaultAction", where, s.default_action) ||
        !OptUint(j, "defaultErrnoRet", where, s.default_errno_ret) ||
        !Strings(j, "architectures", where, s.architectures) || !Strings(j, "flags", where, s.flags) ||
        !Str(j, "listenerPath", where, s.listener_path) ||
        !Str(j, "listenerMetadata", where, s.listener_metadata)) {
      return false;
    }
    const Json* syscalls = Find(j, "syscalls");
    if (!Array(syscalls, where + "/syscalls")) return false;
    if (syscalls == nullptr) return true;
    for (size_t i = 0; i < syscalls->size(); ++i) {
      const Json& r = (*syscalls)[i];
      const std::string at = where + "/syscalls/" + std::to_string(i);
      SeccompSyscall sc;
      if (!Object(r, at) || !Strings(r, "names", at, sc.names) || !Str(r, "action", at, sc.action) ||
          !OptUint(r, "errnoRet", at, sc.errno_ret) || !Str(r, "origin", at, sc.origin)) {
        return false;
      }
      const Json* args = Find(r, "args");
      if (!Array(args, at + "/args")) return false;
      for (size_t k = 0; args != nullptr && k < args->size(); ++k) {
        const Json& ja = (*args)[k];
        const std::string arg_at = at + "/args/" + std::to_string(k);
        SeccompArg arg;
        if (!Object(ja, arg_at) || !Uint(ja, "index", arg_at, arg.index) || !Uint(ja, "value", arg_at, arg.value) ||
            !Uint(ja, "valueTwo", arg_at, arg.value_two) || !Str(ja, "op", arg_at, arg.op)) {
          return false;
        }
        sc.args.push_back(std::move(arg));
      }
      s.syscalls.push_back(std::move(sc));
    }
    return true;
  }

 private:
  std::string& error_;
};

}  // namespace

const StepKindInfo& KindInfo(StepKind k) {
  const auto i = static_cast<size_t>(k);
  return kStepKinds[i < kStepKindCount ? i : 0];
}

bool KindByName(std::string_view name, StepKind& out) {
  for (const auto& info : kStepKinds) {
    if (info.name == name) {
      out = info.kind;
      return true;
    }
  }
  return false;
}

std::string_view PhaseName(Phase p) {
  const auto i = static_cast<size_t>(p);
  return i < std::size(kPhaseNames) ? kPhaseNames[i] : std::string_view("?");
}

bool PhaseByName(std::string_view name, Phase& out) {
  for (size_t i = 0; i < std::size(kPhaseNames); ++i) {
    if (kPhaseNames[i] == name) {
      out = static_cast<Phase>(i);
      return true;
    }
  }
  return false;
}

size_t Plan::PhaseBegin(Phase p) const {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].phase == p) return i;
  }
  return steps.size();
}

std::string PlanToText(const Plan& plan) {
  // Fixed column widths keep a one-step change a one-line diff in golden files.
  constexpr size_t kPhaseWidth = 8;  // "teardown"
  constexpr size_t kArgsWidth = 48;
  size_t kind_width = 0;
  for (const auto& info : kStepKinds) kind_width = std::max(kind_width, info.name.size());
  size_t index_width = 3;
  for (size_t n = plan.steps.size(); n >= 1000; n /= 10) ++index_width;

  std::string out;
  out.reserve(plan.steps.size() * 96 + 128);
  out += "# runc plan \xC2\xB7 ";
  if (plan.exec_pid > 0) out += "exec into pid " + std::to_string(plan.exec_pid) + " \xC2\xB7 ";
  out += "id=" + plan.id + " \xC2\xB7 bundle=" + plan.bundle +
         " \xC2\xB7 ociVersion=" + plan.oci_version + " \xC2\xB7 host=" + plan.host_label + "\n";
  for (const auto& s : plan.steps) {
    const std::string_view phase = PhaseName(s.phase);
    out += phase;
    Pad(out, phase.size(), kPhaseWidth);
    const std::string index = std::to_string(s.index);
    out += "  ";
    Pad(out, index.size(), index_width);
    out += index;
    out += "  ";
    const std::string_view kind = KindInfo(s.kind).name;
    out += kind;
    Pad(out, kind.size(), kind_width);
    out += "  ";
    const std::string args = StepArgs(s);
    out += args;
    Pad(out, args.size(), kArgsWidth);
    out += "  # ";
    out += s.origin.empty() ? "-" : s.origin;
    out += '\n';
  }
  return out;
}

nlohmann::json PlanToJson(const Plan& plan) {
  Json j = Json::object();
  j["id"] = plan.id;
  j["bundle"] = plan.bundle;
  j["rootfs"] = plan.rootfs;
  j["ociVersion"] = plan.oci_version;
  j["host"] = plan.host_label;
  j["terminal"] = plan.terminal;
  if (plan.exec_pid > 0) j["execPid"] = plan.exec_pid;
  if (plan.console_size) {
    j["consoleSize"] = {{"height", plan.console_size->height}, {"width", plan.console_size->width}};
  }
  j["annotations"] = plan.annotations;
  if (plan.seccomp) j["seccomp"] = SeccompToJson(*plan.seccomp);
  Json steps = Json::array();
  for (const auto& s : plan.steps) {
    Json js = Json::object();
    js["index"] = s.index;
    js["phase"] = PhaseName(s.phase);
    js["kind"] = KindInfo(s.kind).name;
    js["origin"] = s.origin;
    if (!s.name.empty()) js["name"] = s.name;
    if (!s.path.empty()) js["path"] = s.path;
    if (!s.source.empty()) js["source"] = s.source;
    if (!s.fstype.empty()) js["fstype"] = s.fstype;
    if (!s.value.empty()) js["value"] = s.value;
    if (s.flags != 0) js["flags"] = s.flags;
    if (s.flags2 != 0) js["flags2"] = s.flags2;
    if (!s.nums.empty()) js["nums"] = s.nums;
    if (!s.argv.empty()) js["argv"] = s.argv;
    if (!s.env.empty()) js["env"] = s.env;
    steps.push_back(std::move(js));
  }
  j["steps"] = std::move(steps);
  return j;
}

namespace {

// The length of the well-formed UTF-8 sequence at s[i] (schema/json_value.h), 0 when there is none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  return static_cast<size_t>(runc::Utf8SequenceLength(p + i, p + s.size()));
}

// nlohmann's dump(1), for the shapes PlanToJson makes: keys in std::map order, one space of indent
// per level, strings escaped as its serializer does without ensure_ascii.
class PlanJsonWriter {
 public:
  std::string out;
  bool ok = true;  // false after a string that is not UTF-8 (dump() throws on it)

  void String(std::string_view s) {
    out += '"';
    size_t plain = 0;  // start of the run of characters copied as they are
    for (size_t i = 0; i < s.size();) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      out.append(s, plain, i - plain);
      const char* esc = nullptr;
      switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
      }
      if (esc) {
        out += esc;
        ++i;
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
        ++i;
      } else if (size_t n = Utf8SequenceLength(s, i)) {
        out.append(s, i, n);
        i += n;
      } else {
        ok = false;
        ++i;
      }
      plain = i;
    }
    out.append(s, plain, s.size() - plain);
    out += '"';
  }
  // Opens the next member of the object being written at `depth` (its first when `first`).
  void Key(std::string_view key, int depth, bool& first) {
    out += first ? "\n" : ",\n";
    first = false;
    out.append(static_cast<size_t>(depth), ' ');
    String(key);
    out += ": ";
  }
  void Close(char bracket, int depth, bool empty) {
    if (!empty) {
      out += '\n';
      out.append(static_cast<size_t>(depth), ' ');
    }
    out += bracket;
  }
  void Strings(const std::vector<std::string>& v, int depth) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      out += i ? ",\n" : "\n";
      out.append(static_cast<size_t>(depth + 1), ' ');
      String(v[i]);
    }
    Close(']', depth, v.empty());
  }
  template <typename Int>
  void Ints(const std::vector<Int>& v, int depth) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      out += i ? ",\n" : "\n";
      out.append(static_cast<size_t>(depth + 1), ' ');
      out += std::to_string(v[i]);
    }
    Close(']', depth, v.empty());
  }
};

}  // namespace

std::string PlanToJsonText(const Plan& plan) {
  PlanJsonWriter w;
  w.out.reserve(256 + plan.steps.size() * 192);
  w.out += '{';
  bool first = true;
  w.Key("annotations", 1, first);
  w.out += '{';
  bool first_annotation = true;
  for (const auto& [key, value] : plan.annotations) {
    w.Key(key, 2, first_annotation);
    w.String(value);
  }
  w.Close('}', 1, plan.annotations.empty());
  w.Key("bundle", 1, first);
  w.String(plan.bundle);
  if (plan.console_size) {
    w.Key("consoleSize", 1, first);
    w.out += "{\n  \"height\": " + std::to_string(plan.console_size->height) + ",\n  \"width\": " +
             std::to_string(plan.console_size->width) + "\n }";
  }
  if (plan.exec_pid > 0) {
    w.Key("execPid", 1, first);
    w.out += std::to_string(plan.exec_pid);
  }
  w.Key("host", 1, first);
  w.String(plan.host_label);
  w.Key("id", 1, first);
  w.String(plan.id);
  w.Key("ociVersion", 1, first);
  w.String(plan.oci_version);
  w.Key("rootfs", 1, first);
  w.String(plan.rootfs);
  if (plan.seccomp) {
    // Rare and nested: nlohmann's own text, indented one level deeper (its strings hold no newline).
    w.Key("seccomp", 1, first);
    const std::string text = SeccompToJson(*plan.seccomp).dump(1);
    for (char c : text) {
      w.out += c;
      if (c == '\n') w.out += ' ';
    }
  }
  w.Key("steps", 1, first);
  w.out += '[';
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    w.out += i ? ",\n  {" : "\n  {";
    bool f = true;
    if (!s.argv.empty()) {
      w.Key("argv", 3, f);
      w.Strings(s.argv, 3);
    }
    if (!s.env.empty()) {
      w.Key("env", 3, f);
      w.Strings(s.env, 3);
    }
    if (s.flags != 0) {
      w.Key("flags", 3, f);
      w.out += std::to_string(s.flags);
    }
    if (s.flags2 != 0) {
      w.Key("flags2", 3, f);
      w.out += std::to_string(s.flags2);
    }
    if (!s.fstype.empty()) {
      w.Key("fstype", 3, f);
      w.String(s.fstype);
    }
    w.Key("index", 3, f);
    w.out += std::to_string(s.index);
    w.Key("kind", 3, f);
    w.String(KindInfo(s.kind).name);
    if (!s.name.empty()) {
      w.Key("name", 3, f);
      w.String(s.name);
    }
    if (!s.nums.empty()) {
      w.Key("nums", 3, f);
      w.Ints(s.nums, 3);
    }
    w.Key("origin", 3, f);
    w.String(s.origin);
    if (!s.path.empty()) {
      w.Key("path", 3, f);
      w.String(s.path);
    }
    w.Key("phase", 3, f);
    w.String(PhaseName(s.phase));
    if (!s.source.empty()) {
      w.Key("source", 3, f);
      w.String(s.source);
    }
    if (!s.value.empty()) {
      w.Key("value", 3, f);
      w.String(s.value);
    }
    w.Close('}', 2, false);
  }
  w.Close(']', 1, plan.steps.empty());
  w.Key("terminal", 1, first);
  w.out += plan.terminal ? "true" : "false";
  w.Close('}', 0, false);
  w.out += '\n';
  // nlohmann throws on a string that is not UTF-8: so does this, through it.
  if (!w.ok) return PlanToJson(plan).dump(1) + "\n";
  return std::move(w.out);
}

bool PlanFromJson(const nlohmann::json& j, Plan& out, std::string& error) {
  if (!j.is_object()) {
    error = "plan: expected object";
    return false;
  }
  JsonReader r(error);
  Plan plan;
  const std::string root;
  if (!r.Str(j, "id", root, plan.id) || !r.Str(j, "bundle", root, plan.bundle) ||
      !r.Str(j, "rootfs", root, plan.rootfs) || !r.Str(j, "ociVersion", root, plan.oci_version) ||
      !r.Str(j, "host", root, plan.host_label) || !r.Bool(j, "terminal", root, plan.terminal) ||
      !r.StringMap(j, "annotations", root, plan.annotations)) {
    return false;
  }
  if (const Json* ep = JsonReader::Find(j, "execPid")) {
    if (!ep->is_number_integer() || ep->get<int64_t>() <= 0 || ep->get<int64_t>() > INT32_MAX) {
      return r.Fail("/execPid", "expected a pid");
    }
    plan.exec_pid = static_cast<int>(ep->get<int64_t>());
  }
  if (const Json* cs = JsonReader::Find(j, "consoleSize")) {
    ConsoleSize size;
    if (!r.Object(*cs, "/consoleSize") || !r.Uint(*cs, "height", "/consoleSize", size.height) ||
        !r.Uint(*cs, "width", "/consoleSize", size.width)) {
      return false;
    }
    plan.console_size = size;
  }
  if (const Json* sc = JsonReader::Find(j, "seccomp")) {
    plan.seccomp.emplace();
    if (!r.Seccomp(*sc, "/seccomp", *plan.seccomp)) return false;
  }
  const Json* steps = JsonReader::Find(j, "steps");
  if (steps == nullptr || !steps->is_array()) return r.Fail("/steps", "expected array");
  plan.steps.reserve(steps->size());
  for (size_t i = 0; i < steps->size(); ++i) {
    const Json& js = (*steps)[i];
    const std::string where = "/steps/" + std::to_string(i);
    Step s;
    std::string phase, kind;
    if (!r.Object(js, where) || !r.Str(js, "phase", where, phase) || !r.Str(js, "kind", where, kind)) return false;
    if (!PhaseByName(phase, s.phase)) return r.Fail(where + "/phase", "unknown phase \"" + phase + "\"");
    if (!KindByName(kind, s.kind)) return r.Fail(where + "/kind", "unknown step kind \"" + kind + "\"");
    int64_t index = 0;
    if (!r.Uint(js, "index", where, index) || !r.Str(js, "origin", where, s.origin) ||
        !r.Str(js, "name", where, s.name) || !r.Str(js, "path", where, s.path) ||
        !r.Str(js, "source", where, s.source) || !r.Str(js, "fstype", where, s.fstype) ||
        !r.Str(js, "value", where, s.value) || !r.Uint(js, "flags", where, s.flags) ||
        !r.Uint(js, "flags2", where, s.flags2) || !r.Ints(js, "nums", where, s.nums) ||
        !r.Strings(js, "argv", where, s.argv) || !r.Strings(js, "env", where, s.env)) {
      return false;
    }
    if (index > INT32_MAX) return r.Fail(where + "/index", "out of range");
    s.index = static_cast<int>(index);
    plan.steps.push_back(std::move(s));
  }
  out = std::move(plan);
  return true;
}

}  // namespace runc
