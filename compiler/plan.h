// The Plan: an ordered list of small, fully resolved steps. What `runc plan` prints is exactly what
// the executor runs. A Step is a plain record; which of its fields a kind uses is documented in the
// kind table (kStepKinds) and nowhere else.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/spec.h"

namespace runc {

enum class Phase { kHost, kSpawn, kRootfs, kProcess, kStart, kTeardown };

// Field use per kind. Paths marked (ctr) are container paths, resolved inside the rootfs at run time
// without following symlinks out of it; (host) paths are absolute host paths.
enum class StepKind {
  // host: run by the runtime before the container exists
  kSeal,          // re-execute the runtime from a sealed copy of its binary (always step 1)
  kSubreaper,     // prctl(PR_SET_CHILD_SUBREAPER, 1): foreground `run` only (CompileOptions::subreaper)
  kStateDir,      // path=(host) state dir <root>/<id>
  kCgroupMkdir,   // path=(host) cgroup dir; name=hierarchy label ("memory", "unified");
                  // flags=kIfPermitted: a permission error skips it (rootless, no cgroupsPath)
  kCgroupWrite,   // path=(host) cgroup file; value=text written
  kCgroupCopy, // path=(host) v1 cpuset file (cpuset.cpus, cpuset.mems): filled from the parent's
                  // when empty, top-down in each directory from below the hierarchy's root to its
                  // own (runc's cpusetEnsureParent: ancestors made by others too)
  kCgroupDevices, // cgroup v2: path=(host) cgroup dir the device program is attached to;
                  // nums={default (0 = deny, 1 = allow), then per exception to it: type
                  // (BPF_DEVCG_DEV_*), major, minor (-1 = any), access (BPF_DEVCG_ACC_* bits)};
                  // argv={origin of the default, then of each exception (comma-separated)}
  kRdtGroup,      // path=(host) resctrl group dir; value=schemata lines to write ("" = none);
                  // nums={1 = must already exist (closID without schema), 0 = create if missing}
  kNsOpen,        // path=(host) namespace file to join; name=type; flags=CLONE_NEW*
  kNotifySocket,  // path=(host) directory <state>/notify made for the container's sd_notify socket
                  // (bound at /run/notify by a mount step); value=(host) the caller's NOTIFY_SOCKET
                  // that `start` relays READY=1 to
  kHook,          // name=hook kind (prestart|createRuntime|createContainer|startContainer|poststart|poststop);
                  // path=program; argv; env; nums={timeout seconds} (0 = none)
  // spawn: runtime + child
  kTimeOffsets,   // value=text for /proc/self/timens_offsets ("monotonic 5 0\nboottime 0 0\n")
  kClone,         // flags=CLONE_NEW* of the namespaces created by the clone; path=(host) cgroup2
                  // directory the init is cloned into (CLONE_INTO_CGROUP), "" = none;
                  // flags2=kIfPermitted: that placement is best effort, as its cgroup.mkdir
  kInitSetup,     // the init's own set-up, first thing after the clone: non-dumpable (flags=
                  // kDumpableForMaps: dumpable until become_root), parent-death signal, close
                  // inherited fds, new session
  kNsJoin,        // path=(host) namespace file; name=type; flags=CLONE_NEW* (setns)
  kSetgroups,     // value="deny" written to /proc/PID/setgroups by the parent
  kUidMap,        // value=text written to /proc/PID/uid_map by the parent
  kGidMap,        // value=text written to /proc/PID/gid_map by the parent
  kCgroupJoin,    // path=(host) cgroup.procs file the parent writes the child's pid to;
                  // flags=kIfPermitted: skipped when its directory was not made or on a permission error;
                  // flags=kSelfJoin: path=the v1 tasks file the init writes "0" to (moves itself)
  kRdtJoin,       // path=(host) resctrl tasks file the parent writes the child's pid to
  kCpuAffinity,   // exec: name="initial" (before the cgroup joins) or "final" (after them); value=the
                  // CPU list as written; nums=the CPUs. The runtime sets the affinity of the
                  // process it cloned (sched_setaffinity) (runtime-spec process.execCPUAffinity)
  kUnshare,       // flags=CLONE_NEW* unshared by the child after it was put in its cgroup (cgroup ns)
  kNetDevice,     // name=host interface; value=name in the container (moved into the net namespace)
  kIdmapMount,    // source=(host) bind source; path=(ctr) destination; flags=MS_BIND[|MS_REC];
                  // flags2=MS_REC for ridmap; argv={uid_map, gid_map} text, or name=(host) user
                  // namespace file; the kMount step of the same origin and path attaches it
  kMountOpen,     // source=(host) bind source; path=(ctr) destination; flags=MS_BIND[|MS_REC]: a bind
                  // mount of a container in a user namespace, opened by the runtime (open_tree
                  // clone) as the host's root; the kMount step of the same origin and path attaches it
  // rootfs: container init, before pivot_root
  kBecomeRoot,    // in a user namespace of its own: setresgid/setresuid 0 (best effort: root may be unmapped)
  kPropagation,   // path="/"; flags=MS_* propagation|MS_REC applied to the whole mount tree
  kRootfsBind,    // path=(host) rootfs; bind-mounted onto itself (MS_BIND|MS_REC)
  kMount,         // source; path=(ctr) destination; fstype; flags=MS_*; value=fs data;
                  // flags2=propagation MS_* applied after; nums={attr_set, attr_clear} (mount_setattr);
                  // argv={bind source used when source is missing} (rootless cgroup binds)
  kTmpCopyup,     // path=(ctr) mount point of the tmpfs mounted by the step just before (same
                  // origin): copy what that mount covers into it (runc's "tmpcopyup")
  kRemount,       // path=(ctr); flags=MS_REMOUNT|MS_BIND|... (read-only etc. of a bind mount)
  kMknod,         // path=(ctr); nums={mode (S_IF*|perm), major, minor, uid, gid}
  kDeviceBind,    // source=(host) device; path=(ctr) (user namespaces cannot mknod)
  kSymlink,       // source=link target; path=(ctr) link
  kPivotRoot,     // path=(host) rootfs
  kMoveChroot,    // path=(host) rootfs (--no-pivot: MS_MOVE + chroot)
  kMkdir,         // path=(ctr) directory created with its missing parents; nums={mode}
  kMask,          // path=(ctr): /dev/null over files, read-only tmpfs over directories
  kReadonlyPath,  // path=(ctr): bind onto itself and remount read-only
  kRootReadonly,  // remount / read-only (root.readonly)
  // process: container init
  kKeyring,       // name=session keyring joined ("_ses.<id>"); nums={permission bits added to it}
  kSysctl,        // name=key (dotted); path=/proc/sys/... ; value
  kHostname,      // value
  kDomainname,    // value
  kRlimit,        // name=RLIMIT_*; nums={resource, soft, hard} (-1 = unlimited)
  kOomScoreAdj,   // nums={value}
  kStdioChown,    // nums={uid}: fchown of the init's stdio 0-2 to that uid (gid kept; /dev/null
                  // skipped); not for a foreground run without a terminal
  kUser,          // nums={uid, gid, additional gids...}
  kUmask,         // nums={mask}
  kCaps,          // nums={bounding, effective, inheritable, permitted, ambient[, kept until execve
                  // [, ambient requested when the kernel will not grant all of it]]}
  kNoNewPrivs,    // -
  kPersonality,   // nums={persona}
  kScheduler,     // nums={policy, nice, priority, flags, runtime, deadline, period}
  kIoPriority,    // nums={class, priority}
  kMemoryPolicy,  // nums={mode|flags}; value=nodes list
  kSeccomp,       // argv=rule summary lines; the filter is Plan::seccomp
  kCwd,           // path=(ctr) working directory
  kConsole,       // process.terminal: open a pty inside the container (path="/dev/pts/ptmx"), make
                  // the slave the init's stdio and controlling tty, send the master over the
                  // --console-socket (SCM_RIGHTS); nums={height, width} when consoleSize is set
  kHomeLookup,    // path=(ctr) /etc/passwd; nums={uid}: HOME of that uid for the execve step ("/"
                  // when the image does not know it); only when the config's env has no HOME
  kExecLookup,    // path=program as written (args[0]); value=PATH searched when it has no '/': finds
                  // the program inside the container before the start wait (create fails here)
  // start
  kWaitStart,     // path=(host) exec.fifo; `create` returns while init waits here
  kExecve,        // path=program as written; argv; env (the config's); nums={index of the
                  // exec.lookup step whose result is executed, of the env.home step adding HOME or 0}
  // teardown (delete, or the failure path)
  kKill,          // nums={signal}
  kCgroupRmdir,   // path=(host) cgroup dir
  kRdtRemove,     // path=(host) resctrl group dir the container owns
  kStateRemove,   // path=(host) state dir
};

// Step::flags of cgroup.mkdir and cgroup.join in a rootless plan without a cgroupsPath: the step is
// best effort (runc's rootless cgroup manager). EACCES, EPERM or EROFS skip it, and the trace says
// so; a cgroup.write into a directory that was skipped fails with a message that names the limit.
inline constexpr uint64_t kIfPermitted = 1;
// Step::flags of a v1 cgroup.write of cpu.cfs_period_us that the plan repeats after the quota's
// write (runc's CpuGroup.Set): a smaller period can be refused (EINVAL) while the old quota would
// exceed the parent's limit for it, so EINVAL skips this first write.
inline constexpr uint64_t kRetriedAfterQuota = 2;
// Step::flags of a cgroup.join on a cgroup v1 hierarchy that the init makes itself: it writes "0"
// to the hierarchy's tasks file (path), moving its only thread. The runtime writing the init's pid
// to cgroup.procs takes the kernel's global cgroup_threadgroup_rwsem for writing, which waits for
// an RCU grace period (several ms) unless another migration happened just before; a thread
// moving itself takes no such lock. Only where the init reaches the host's cgroup files as the
// runtime does: no user namespace, the mount and cgroup namespaces not joined, not best effort.
inline constexpr uint64_t kSelfJoin = 4;

// Step::flags of init in a rootless plan whose init is in a user namespace of its own (created or
// joined): the init stays dumpable until become_root, because an unprivileged runtime can write
// its uid_map, gid_map and setgroups only while it is (/proc gives a non-dumpable process' files
// to root). Without it the init is non-dumpable from this step on.
inline constexpr uint64_t kDumpableForMaps = 1;

struct StepKindInfo {
  StepKind kind;
  std::string_view name;  // as printed: "cgroup.write"
  Phase phase;            // the phase steps of this kind belong to
  std::string_view help;
};

// One entry per StepKind, in enum order.
extern const StepKindInfo kStepKinds[];
extern const size_t kStepKindCount;
const StepKindInfo& KindInfo(StepKind k);
bool KindByName(std::string_view name, StepKind& out);
std::string_view PhaseName(Phase p);  // "host", "spawn", ...
bool PhaseByName(std::string_view name, Phase& out);

struct Step {
  int index = 0;  // 1-based, in plan order
  Phase phase = Phase::kHost;
  StepKind kind = StepKind::kStateDir;
  std::string origin;  // RFC 6901 pointer of the config field, or "default" / "host" / "cli"

  std::string name;
  std::string path;
  std::string source;
  std::string fstype;
  std::string value;
  uint64_t flags = 0;
  uint64_t flags2 = 0;
  std::vector<int64_t> nums;
  std::vector<std::string> argv;
  std::vector<std::string> env;

  bool operator==(const Step&) const = default;
};

struct Plan {
  std::string id;           // container id
  std::string bundle;       // absolute bundle dir
  std::string rootfs;       // absolute rootfs dir
  std::string oci_version;  // of the config ("pre-draft" for the 2015 format)
  std::string host_label;   // HostFacts::Label()
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  // > 0: the plan of an exec into the running container whose init has this (host) pid. Its
  // process joins the init's namespaces (the mount namespace's root is the container's: no rootfs
  // phase) and its cgroups, has no wait_start, and `runc exec` returns once it has run execve.
  int exec_pid = 0;
  std::map<std::string, std::string> annotations;
  std::optional<Seccomp> seccomp;  // the filter the kSeccomp step loads
  std::vector<Step> steps;

  // Indices into steps of the first step of each phase (steps.size() when absent).
  size_t PhaseBegin(Phase p) const;
};

// The cgroup directories the init joins: those of the cgroup.join steps (their cgroup.procs
// file's directory) and the clone step's (CLONE_INTO_CGROUP), in plan order.
std::vector<std::string> JoinedCgroupDirs(const Plan& plan);

// Text form: one line per step, stable and diffable (golden files hold it).
std::string PlanToText(const Plan& plan);
// JSON form (`runc plan --format json`, and the copy kept in the state dir); round-trips.
nlohmann::json PlanToJson(const Plan& plan);
// Exactly PlanToJson(plan).dump(1) + "\n" (what the state dir keeps as plan.json), written
// directly: building and freeing the nlohmann tree of a default plan cost more than validating and
// compiling its config.
std::string PlanToJsonText(const Plan& plan);
bool PlanFromJson(const nlohmann::json& j, Plan& out, std::string& error);

}  // namespace runc
