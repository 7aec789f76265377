// Spec + HostFacts -> Plan. The order of the steps is the order the executor runs them in, and it
// follows runc's (libcontainer: nsexec, process_linux.go, rootfs_linux.go, standard_init_linux.go)
// wherever runc has a reason for its order; those reasons are noted where the steps are added.
#include "compiler/compile.h"

#include <linux/capability.h>
#include <sched.h>
#include <signal.h>

#include <cerrno>

#include <algorithm>
#include <iterator>

#include "compiler/compile_internal.h"
#include "compiler/compile_tables.h"
#include "schema/diag.h"
#include "schema/names.h"

namespace runc {

namespace {
// Where the container finds the runtime's notify socket (runc's path).
constexpr std::string_view kNotifyDirInContainer = "/run/notify";
}  // namespace

namespace compile_internal {

namespace {

// True when Clean would return `path` unchanged: no empty, "." or ".." elements and no trailing
// slash. Almost every path in a config is like that.
bool IsClean(std::string_view path) {
  if (path.empty()) return false;
  if (path.size() > 1 && path.back() == '/') return false;
  size_t start = path[0] == '/' ? 1 : 0;
  if (start == 1 && path.size() == 1) return true;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const size_t len = end - start;
    if (len == 0) return false;
    if (path[start] == '.' && (len == 1 || (len == 2 && path[start + 1] == '.'))) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string CleanPath(std::string_view path) {
  if (IsClean(path)) return std::string(path);
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::string out;
  out.reserve(path.size());
  if (rooted) out += '/';
  // out[0, floor) cannot be removed by "..": the root, or the leading ".." of a relative path.
  size_t floor = out.size();
  size_t i = 0;
  while (i < path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view elem = path.substr(i, end - i);
    i = end + 1;
    if (elem.empty() || elem == ".") continue;
    if (elem == "..") {
      if (out.size() > floor) {
        const size_t slash = out.rfind('/');
        out.resize(slash == std::string::npos || slash < floor ? floor : (slash == 0 ? 1 : slash));
      } else if (!rooted) {
        if (!out.empty()) out += '/';
        out += "..";
        floor = out.size();
      }
      continue;
    }
    if (!out.empty() && out.back() != '/') out += '/';
    out.append(elem);
  }
  if (out.empty()) return ".";
  return out;
}

std::string JoinPath(std::string_view base, std::string_view rel) {
  if (base.empty()) return CleanPath(rel);
  if (rel.empty()) return CleanPath(base);
  std::string joined;
  joined.reserve(base.size() + rel.size() + 1);
  joined.append(base);
  joined += '/';
  joined.append(rel);
  // Usually already clean: returned as built instead of copied by CleanPath.
  if (IsClean(joined)) return joined;
  return CleanPath(joined);
}

namespace {

int64_t RlimitValue(uint64_t v) { return v > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(v); }

int64_t CapMask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const auto& n : names) {
    if (auto cap = CapabilityByName(n, /*allow_bare=*/true); cap && *cap >= 0 && *cap < 64) {
      mask |= uint64_t{1} << *cap;
    }
  }
  return static_cast<int64_t>(mask);
}

void AddHook(compile_internal::Builder& b, Phase phase, std::string_view kind, const Hook& h) {
  Step& s = b.Add(phase, StepKind::kHook, h.origin);
  s.name = kind;
  s.path = h.path;
  s.argv = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
  s.env = h.env;
  s.nums = {h.timeout.value_or(0)};
}

void AddHooks(compile_internal::Builder& b, Phase phase, std::string_view kind, const std::vector<Hook>& hooks) {
  for (const auto& h : hooks) AddHook(b, phase, kind, h);
}

// ---- seccomp summary ------------------------------------------------------------------------------

std::string ActionText(std::string_view action, const std::optional<uint32_t>& errno_ret) {
  if (action.substr(0, 9) == "SCMP_ACT_") action.remove_prefix(9);
  std::string out(action);
  // runc's default return for ERRNO and TRACE without errnoRet is EPERM.
  if (action == "ERRNO" || action == "TRACE") out += "(" + std::to_string(errno_ret.value_or(1)) + ")";
  return out;
}

std::string ArgText(const SeccompArg& a) {
  std::string_view op = a.op;
  if (op.substr(0, 9) == "SCMP_CMP_") op.remove_prefix(9);
  const std::string arg = "arg" + std::to_string(a.index);
  if (op == "MASKED_EQ") return arg + " & " + std::to_string(a.value) + " == " + std::to_string(a.value_two);
  std::string_view sym = op;
  if (op == "EQ") sym = "==";
  if (op == "NE") sym = "!=";
  if (op == "LT") sym = "<";
  if (op == "LE") sym = "<=";
  if (op == "GT") sym = ">";
  if (op == "GE") sym = ">=";
  return arg + " " + std::string(sym) + " " + std::to_string(a.value);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> SeccompSummary(const Seccomp& sc) {
  std::vector<std::string> lines;
  lines.push_back("default " + ActionText(sc.default_action, sc.default_errno_ret));
  // The syscalls the profile does not know yet (executor/common/seccomp.cc) get ENOSYS, not that.
  if (SeccompEnosysForNewerSyscalls(sc)) lines.push_back("ERRNO(" + std::to_string(ENOSYS) + ") newer syscalls");
  if (!sc.architectures.empty()) {
    std::string arch = "arch ";
    for (size_t i = 0; i < sc.architectures.size(); ++i) {
      std::string_view a = sc.architectures[i];
      if (a.substr(0, 10) == "SCMP_ARCH_") a.remove_prefix(10);
      if (i) arch += ',';
      arch += Lower(a);
    }
    lines.push_back(std::move(arch));
  }
  if (!sc.flags.empty()) {
    std::string flags = "flags ";
    for (size_t i = 0; i < sc.flags.size(); ++i) {
      if (i) flags += ',';
      flags += sc.flags[i];
    }
    lines.push_back(std::move(flags));
  }
  // Unconditional rules are grouped by action (in order of first use); rules with argument
  // checks are listed one by one.
  struct Group {
    std::string action;
    std::vector<std::string_view> names;
  };
  std::vector<Group> groups;
  std::vector<std::string> conditional;
  for (const auto& rule : sc.syscalls) {
    const std::string action = ActionText(rule.action, rule.errno_ret);
    if (rule.args.empty()) {
      auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.action == action; });
      if (it == groups.end()) it = groups.insert(groups.end(), Group{action, {}});
      it->names.insert(it->names.end(), rule.names.begin(), rule.names.end());
      continue;
    }
    std::string line = action + " ";
    for (size_t i = 0; i < rule.names.size(); ++i) {
      if (i) line += ',';
      line += rule.names[i];
    }
    line += " [";
    for (size_t i = 0; i < rule.args.size(); ++i) {
      if (i) line += " && ";
      line += ArgText(rule.args[i]);
    }
    line += ']';
    conditional.push_back(std::move(line));
  }
  for (const auto& g : groups) {
    std::string line = g.action + " ";
    if (g.names.size() <= 3) {
      for (size_t i = 0; i < g.names.size(); ++i) {
        if (i) line += ',';
        line += g.names[i];
      }
    } else {
      line += std::to_string(g.names.size()) + " syscalls";
    }
    lines.push_back(std::move(line));
  }
  for (auto& c : conditional) lines.push_back(std::move(c));
  if (!sc.listener_path.empty()) lines.push_back("listener " + sc.listener_path);
  return lines;
}

// ---- phases ---------------------------------------------------------------------------------------

class Compiler {
 public:
  explicit Compiler(compile_internal::Builder& b) : b_(b), spec_(b.spec), opts_(b.options) {}

  void Run() {
    Namespaces();
    compile_internal::ResolveCgroups(b_);
    Host();
    Spawn();
    Rootfs();
    Process();
    Start();
    Teardown();
  }

 private:
  void Namespaces() {
    for (const auto& ns : spec_.linux.namespaces) {
      const bool join = !ns.path.empty();
      if (join) {
        joins_.push_back(&ns);
      } else if (ns.type == NamespaceType::kCgroup) {
        b_.create_cgroup_ns = true;
        cgroup_ns_ = &ns;
      } else if (ns.type == NamespaceType::kTime) {
        time_ns_ = &ns;
      } else {
        clone_flags_ |= NamespaceCloneFlag(ns.type);
      }
      if (ns.type == NamespaceType::kUser) {
        b_.user_ns = true;
        b_.create_user_ns = !join;
      }
      if (ns.type == NamespaceType::kMount) b_.mount_ns = true;
    }
    // The user namespace is joined first: the others are owned by it, and setns into them needs
    // CAP_SYS_ADMIN there (runc's nsexec does the same).
    std::stable_partition(joins_.begin(), joins_.end(),
                          [](const Namespace* ns) { return ns->type == NamespaceType::kUser; });
  }

  std::string StateDir() const { return compile_internal::JoinPath(b_.host.state_root, opts_.id); }
  std::string NotifyDir() const { return StateDir() + "/notify"; }

  void Host() {
    // Done before the plan is compiled (container/create.cc), but a step all the same: it mounts
    // and executes, and --debug traces it as step 1.
    b_.Add(Phase::kHost, StepKind::kSeal, "default");
    if (opts_.subreaper) b_.Add(Phase::kHost, StepKind::kSubreaper, "cli");
    Step& state = b_.Add(Phase::kHost, StepKind::kStateDir, "default");
    state.path = StateDir();
    if (!opts_.notify_socket.empty()) {
      // runc's notify_socket.go: the container gets a socket of the runtime's, in a directory of
      // the state dir bound where the caller's socket is, and `start` relays what it says.
      Step& n = b_.Add(Phase::kHost, StepKind::kNotifySocket, "NOTIFY_SOCKET");
      n.path = NotifyDir();
      n.value = opts_.notify_socket;
    }
    compile_internal::AddCgroupSetup(b_);
    RdtGroups();
    for (const Namespace* ns : joins_) {
      Step& s = b_.Add(Phase::kHost, StepKind::kNsOpen, ns->origin);
      s.name = NamespaceTypeName(ns->type);
      s.path = ns->path;
      s.flags = NamespaceCloneFlag(ns->type);
    }
  }

  // runtime-spec "IntelRdt": the container joins the resctrl group named by closID (default: the
  // container id). The schemata written are l3CacheSchema without its MB: lines when memBwSchema
  // is set, then memBwSchema, then the 1.3 `schemata` lines. A closID without any schema names a
  // pre-configured group that must exist. Monitoring puts the container in a mon_groups/<id>
  // group of its own. Only the groups named after the container are removed by delete: a closID
  // group may be shared.
  void RdtGroups() {
    if (!spec_.linux.intel_rdt) return;
    const IntelRdt& rdt = *spec_.linux.intel_rdt;
    std::string schemata;
    auto add_lines = [&](std::string_view text, bool skip_mb) {
      size_t pos = 0;
      while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty() || (skip_mb && line.substr(0, 3) == "MB:")) continue;
        schemata.append(line);
        schemata += '\n';
      }
    };
    add_lines(rdt.l3_cache_schema, !rdt.mem_bw_schema.empty());
    add_lines(rdt.mem_bw_schema, false);
    for (const auto& line : rdt.schemata) add_lines(line, false);
    const std::string group =
        compile_internal::JoinPath(b_.host.resctrl_mount, rdt.clos_id.empty() ? opts_.id : rdt.clos_id);
    Step& s = b_.Add(Phase::kHost, StepKind::kRdtGroup, rdt.clos_id.empty() ? "/linux/intelRdt" : "/linux/intelRdt/closID");
    s.path = group;
    s.value = schemata;
    s.nums = {!rdt.clos_id.empty() && schemata.empty() ? 1 : 0};
    rdt_groups_.emplace_back(group, s.origin);
    if (rdt.clos_id.empty()) rdt_owned_.insert(rdt_owned_.begin(), group);
    if (rdt.enable_monitoring.value_or(false)) {
      const std::string mon = group + "/mon_groups/" + opts_.id;
      Step& m = b_.Add(Phase::kHost, StepKind::kRdtGroup, "/linux/intelRdt/enableMonitoring");
      m.path = mon;
      m.nums = {0};
      rdt_groups_.emplace_back(mon, m.origin);
      rdt_owned_.insert(rdt_owned_.begin(), mon);
    }
  }

  void Spawn() {
    // Joins come before the clone: a pid namespace joined with setns only applies to children,
    // and namespaces created by the clone must be owned by a joined user namespace.
    for (const Namespace* ns : joins_) {
      Step& s = b_.Add(Phase::kSpawn, StepKind::kNsJoin, ns->origin);
      s.name = NamespaceTypeName(ns->type);
      s.path = ns->path;
      s.flags = NamespaceCloneFlag(ns->type);
    }
    if (time_ns_ != nullptr) {
      // Offsets can only be written before any process lives in the new time namespace.
      Step& s = b_.Add(Phase::kSpawn, StepKind::kTimeOffsets,
                       spec_.linux.time_offsets.empty() ? time_ns_->origin : "/linux/timeOffsets");
      for (const auto& [clock, offset] : spec_.linux.time_offsets) {
        s.value += clock + " " + std::to_string(offset.secs) + " " + std::to_string(offset.nanosecs) + "\n";
      }
    }
    Step& clone = b_.Add(Phase::kSpawn, StepKind::kClone, "/linux/namespaces");
    clone.flags = clone_flags_;
    // A cgroup2 directory is joined by the clone itself (CLONE_INTO_CGROUP): no cgroup.join step.
    const compile_internal::CgroupDir* into = nullptr;
    for (const auto& c : b_.cgroups) {
      if (c.unified && into == nullptr) into = &c;
    }
    if (into != nullptr) {
      clone.path = into->dir;
      // Best effort as its cgroup.mkdir: a permission error leaves the init where it was born.
      if (CgroupsBestEffort(b_)) clone.flags2 = kIfPermitted;
    }
    Step& init = b_.Add(Phase::kSpawn, StepKind::kInitSetup, "default");
    // An unprivileged runtime writes the init's maps (the spawn steps below) through /proc.
    if (opts_.rootless && b_.user_ns) init.flags = kDumpableForMaps;

    if (b_.create_user_ns) {
      // An unprivileged writer of gid_map must deny setgroups first (user_namespaces(7)).
      if (opts_.rootless) {
        Step& s = b_.Add(Phase::kSpawn, StepKind::kSetgroups, "cli");
        s.value = "deny";
      }
      IdMap(StepKind::kUidMap, spec_.linux.uid_mappings, spec_.linux.uid_mappings_origin);
      IdMap(StepKind::kGidMap, spec_.linux.gid_mappings, spec_.linux.gid_mappings_origin);
    }
    // A v1 hierarchy is joined by the init itself where it can (kSelfJoin, compiler/plan.h).
    bool self_join = !CgroupsBestEffort(b_) && !b_.user_ns;
    for (const Namespace* ns : joins_) {
      if (ns->type == NamespaceType::kMount || ns->type == NamespaceType::kCgroup) self_join = false;
    }
    for (const auto& c : b_.cgroups) {
      if (&c == into) continue;
      Step& s = b_.Add(Phase::kSpawn, StepKind::kCgroupJoin, b_.cgroup_origin);
      s.name = c.label;
      if (self_join && !c.unified) {
        s.path = c.dir + "/tasks";
        s.flags = kSelfJoin;
        continue;
      }
      s.path = c.dir + "/cgroup.procs";
      if (CgroupsBestEffort(b_)) s.flags = kIfPermitted;
    }
    for (const auto& [dir, origin] : rdt_groups_) {
      b_.Add(Phase::kSpawn, StepKind::kRdtJoin, origin).path = dir + "/tasks";
    }
    // The cgroup namespace is unshared only once the init sits in its cgroups, so that those
    // become the namespace's root.
    if (cgroup_ns_ != nullptr) {
      Step& s = b_.Add(Phase::kSpawn, StepKind::kUnshare, cgroup_ns_->origin);
      s.flags = CLONE_NEWCGROUP;
    }
    for (const auto& [host_name, dev] : spec_.linux.net_devices) {
      Step& s = b_.Add(Phase::kSpawn, StepKind::kNetDevice, "/linux/netDevices/" + EscapePointerToken(host_name));
      s.name = host_name;
      s.value = dev.name.empty() ? host_name : dev.name;
    }
    // The runtime runs these while the init waits; lifecycle order: prestart, then createRuntime.
    AddHooks(b_, Phase::kSpawn, "prestart", spec_.hooks.prestart);
    AddHooks(b_, Phase::kSpawn, "createRuntime", spec_.hooks.create_runtime);
  }

  void IdMap(StepKind kind, const std::vector<IdMapping>& maps, const std::string& origin) {
    if (maps.empty()) return;
    Step& s = b_.Add(Phase::kSpawn, kind, origin);
    for (const auto& m : maps) {
      s.value += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
    }
  }

  void Rootfs() {
    // Without a mount namespace every mount would land on the host: there is no rootfs setup to do
    // (the semantic pass is where such a config gets refused).
    if (b_.mount_ns) compile_internal::AddRootfsSetup(b_);
    // In the container's namespaces, before pivot_root, with the old root still reachable.
    AddHooks(b_, Phase::kRootfs, "createContainer", spec_.hooks.create_container);
    if (!b_.mount_ns) return;
    Step& s = b_.Add(Phase::kRootfs, opts_.no_pivot ? StepKind::kMoveChroot : StepKind::kPivotRoot,
                     opts_.no_pivot ? "cli" : "/root/path");
    s.path = b_.plan.rootfs;
    // runc's prepareRootfs makes the cwd (0755) right after the root change, before
    // finalizeRootfs remounts the root read-only: a read-only root with a cwd the image lacks
    // still works.
    const std::string cwd = spec_.process.cwd.empty() ? "/" : compile_internal::CleanPath(spec_.process.cwd);
    if (cwd != "/") {
      Step& mkdir = b_.Add(Phase::kRootfs, StepKind::kMkdir, "/process/cwd");
      mkdir.path = cwd;
      mkdir.nums = {0755};
    }
  }

  void Process() {
    const runc::Process& p = spec_.process;
    // runc joins the keyring first thing in its standard init (standard_init_linux.go): a keyring
    // of the container's own, named so that `exec` can join it, searchable by its owner (by
    // others in a user namespace, where the owner may be unmapped).
    if (!opts_.no_new_keyring) {
      Step& k = b_.Add(Phase::kProcess, StepKind::kKeyring, "default");
      k.name = "_ses." + opts_.id;
      constexpr int64_t kKeyUsrSearch = 0x00080000, kKeyOthSearch = 0x00000008;
      k.nums = {b_.user_ns ? kKeyOthSearch : kKeyUsrSearch};
    }
    // runc's standard init order: console, finalizeRootfs (read-only root), hostname, domainname,
    // sysctl, read-only and masked paths; then what needs privileges before the user switch.
    if (p.terminal) {
      Step& s = b_.Add(Phase::kProcess, StepKind::kConsole, "/process/terminal");
      s.path = "/dev/pts/ptmx";
      if (p.console_size) s.nums = {p.console_size->height, p.console_size->width};
    }
    if (b_.mount_ns && spec_.root.readonly) b_.Add(Phase::kProcess, StepKind::kRootReadonly, "/root/readonly");
    if (!spec_.hostname.empty()) b_.Add(Phase::kProcess, StepKind::kHostname, "/hostname").value = spec_.hostname;
    if (spec_.domainname && !spec_.domainname->empty()) {
      b_.Add(Phase::kProcess, StepKind::kDomainname, "/domainname").value = *spec_.domainname;
    }
    // Before the read-only paths: /proc/sys is usually one of them.
    const std::string sysctl_base =
        spec_.format == SpecFormat::kPreDraft ? "/linux/systemProperties/" : "/linux/sysctl/";
    for (const auto& [key, value] : spec_.linux.sysctl) {
      Step& s = b_.Add(Phase::kProcess, StepKind::kSysctl, sysctl_base + EscapePointerToken(key));
      s.name = key;
      s.path = "/proc/sys/" + key;
      for (size_t i = 10; i < s.path.size(); ++i) {
        if (s.path[i] == '.') s.path[i] = '/';
      }
      s.value = value;
    }
    if (b_.mount_ns) {
      for (size_t i = 0; i < spec_.linux.readonly_paths.size(); ++i) {
        b_.Add(Phase::kProcess, StepKind::kReadonlyPath, "/linux/readonlyPaths/" + std::to_string(i)).path =
            compile_internal::CleanPath(spec_.linux.readonly_paths[i]);
      }
      for (size_t i = 0; i < spec_.linux.masked_paths.size(); ++i) {
        b_.Add(Phase::kProcess, StepKind::kMask, "/linux/maskedPaths/" + std::to_string(i)).path =
            compile_internal::CleanPath(spec_.linux.masked_paths[i]);
      }
    }
    // Raising a hard limit or lowering oom_score_adj needs privileges the user switch drops.
    for (const auto& r : p.rlimits) {
      Step& s = b_.Add(Phase::kProcess, StepKind::kRlimit, r.origin);
      s.name = RlimitName(r.resource);
      s.nums = {r.resource, RlimitValue(r.soft), RlimitValue(r.hard)};
    }
    if (p.oom_score_adj) b_.Add(Phase::kProcess, StepKind::kOomScoreAdj, "/process/oomScoreAdj").nums = {*p.oom_score_adj};
    if (spec_.linux.personality) {
      const auto domain = tables::Lookup(tables::kPersonalityDomains, spec_.linux.personality->domain);
      b_.Add(Phase::kProcess, StepKind::kPersonality, "/linux/personality").nums = {static_cast<int64_t>(domain.value_or(0))};
    }
    if (p.scheduler) Scheduler(*p.scheduler);
    if (p.io_priority) {
      const auto cls = tables::Lookup(tables::kIoPrioClasses, p.io_priority->io_class);
      b_.Add(Phase::kProcess, StepKind::kIoPriority, "/process/ioPriority").nums = {
          static_cast<int64_t>(cls.value_or(0)), p.io_priority->priority};
    }
    if (spec_.linux.memory_policy) {
      const auto& mp = *spec_.linux.memory_policy;
      uint64_t mode = tables::Lookup(tables::kMemPolicyModes, mp.mode).value_or(0);
      for (const auto& f : mp.flags) mode |= tables::Lookup(tables::kMemPolicyFlags, f).value_or(0);
      Step& s = b_.Add(Phase::kProcess, StepKind::kMemoryPolicy, "/linux/memoryPolicy");
      s.nums = {static_cast<int64_t>(mode)};
      s.value = mp.nodes;
    }
    Step& umask = b_.Add(Phase::kProcess, StepKind::kUmask, p.user.umask ? "/process/user/umask" : "default");
    umask.nums = {p.user.umask.value_or(022)};
    if (p.no_new_privileges) b_.Add(Phase::kProcess, StepKind::kNoNewPrivs, "/process/noNewPrivileges");
    Step& cwd = b_.Add(Phase::kProcess, StepKind::kCwd, p.cwd.empty() ? "default" : "/process/cwd");
    cwd.path = p.cwd.empty() ? "/" : compile_internal::CleanPath(p.cwd);
    // runc reads the user's home as root, in setupUser before the uid change.
    if (!HasEnv(p.env, "HOME")) {
      Step& h = b_.Add(Phase::kProcess, StepKind::kHomeLookup, "default");
      h.path = "/etc/passwd";
      h.nums = {p.user.uid};
      home_index_ = static_cast<int64_t>(b_.plan.steps.size());
    }
    // A detached container's stdio is the caller's files or pipes handed over for good, and a
    // terminal's is the pty the console step made: the user must be able to reopen them
    // (/proc/self/fd/N, /dev/tty). A foreground run's caller keeps its files: they are not the
    // container's to change (runc gives that container pipes of its own).
    if ((!opts_.foreground || p.terminal) && p.user.uid != 0) {
      b_.Add(Phase::kProcess, StepKind::kStdioChown, "/process/user/uid").nums = {p.user.uid};
    }
    Step& user = b_.Add(Phase::kProcess, StepKind::kUser, "/process/user");
    user.nums.reserve(2 + p.user.additional_gids.size());
    user.nums = {p.user.uid, p.user.gid};
    for (uint32_t g : p.user.additional_gids) user.nums.push_back(g);
    // After the user switch: setuid away from 0 clears the permitted, effective and ambient sets.
    const auto& caps = p.capabilities;
    Step& c = b_.Add(Phase::kProcess, StepKind::kCaps, caps ? caps->origin : "default");
    if (caps) {
      c.nums = {CapMask(caps->bounding), CapMask(caps->effective), CapMask(caps->inheritable),
                CapMask(caps->permitted), CapMask(caps->ambient)};
    } else {
      c.nums = {0, 0, 0, 0, 0};
    }
    // The seccomp step comes right before execve (Start). Without no_new_privs loading a filter
    // needs CAP_SYS_ADMIN, which the container's sets usually lack: the init keeps it in its
    // effective and permitted sets until then. That changes nothing for the container process:
    // execve computes its sets from the bounding, inheritable and ambient ones (capabilities(7),
    // "Transformation of capabilities during execve()"), never from the effective and permitted
    // sets before it. So the filter does not have to allow the user and caps steps' syscalls, as
    // runc's does (runc loads it before them).
    const uint64_t sys_admin = uint64_t{1} << CAP_SYS_ADMIN;
    if (spec_.linux.seccomp && !p.no_new_privileges && !(static_cast<uint64_t>(c.nums[1]) & sys_admin)) {
      c.nums.push_back(static_cast<int64_t>(sys_admin));
    }
    // The kernel keeps a capability ambient only while it is permitted and inheritable: the step
    // raises what it will grant, and records what was asked for when that is more.
    const int64_t requested_ambient = c.nums[4];
    c.nums[4] &= c.nums[2] & c.nums[3];
    if (c.nums[4] != requested_ambient) {
      if (c.nums.size() < 6) c.nums.push_back(0);
      c.nums.push_back(requested_ambient);
    }
    // Last before the start wait, as the container user (runc: exec.LookPath after
    // finalizeNamespace): a missing program fails `create`, not the container after `start`.
    Step& lookup = b_.Add(Phase::kProcess, StepKind::kExecLookup, "/process/args");
    lookup.path = p.args.empty() ? std::string() : p.args[0];
    if (lookup.path.find('/') == std::string::npos) lookup.value = ContainerPath(p.env);
    lookup_index_ = static_cast<int64_t>(b_.plan.steps.size());
  }

  static bool HasEnv(const std::vector<std::string>& env, std::string_view name) {
    for (const auto& e : env) {
      if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') return true;
    }
    return false;
  }

  // The PATH of the container's environment (the last one wins, as with runc, which sets each
  // entry in turn before exec.LookPath), else the default every runtime and shell uses.
  static std::string ContainerPath(const std::vector<std::string>& env) {
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& e : env) {
      if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
    }
    return path;
  }

  void Scheduler(const runc::Scheduler& sc) {
    uint64_t flags = 0;
    for (const auto& f : sc.flags) flags |= tables::Lookup(tables::kSchedFlags, f).value_or(0);
    Step& s = b_.Add(Phase::kProcess, StepKind::kScheduler, "/process/scheduler");
    s.nums = {static_cast<int64_t>(tables::Lookup(tables::kSchedPolicies, sc.policy).value_or(0)),
              sc.nice.value_or(0),
              sc.priority.value_or(0),
              static_cast<int64_t>(flags),
              static_cast<int64_t>(sc.runtime.value_or(0)),
              static_cast<int64_t>(sc.deadline.value_or(0)),
              static_cast<int64_t>(sc.period.value_or(0))};
  }

  void Seccomp() {
    Step& s = b_.Add(Phase::kStart, StepKind::kSeccomp, "/linux/seccomp");
    s.argv = SeccompSummary(*spec_.linux.seccomp);
  }

  void Start() {
    Step& wait = b_.Add(Phase::kStart, StepKind::kWaitStart, "default");
    wait.path = StateDir() + "/exec.fifo";
    AddHooks(b_, Phase::kStart, "startContainer", spec_.hooks.start_container);
    // Last but execve, with or without no_new_privs: after the filter the init makes no syscall
    // but execve (and, if that fails, the report of it), so a profile need not allow anything of
    // the init's. runc loads it before the start wait, hooks and fifo write when no_new_privs is
    // set, and before the user and caps steps when it is not; here those all come first.
    if (spec_.linux.seccomp) Seccomp();
    Step& exec = b_.Add(Phase::kStart, StepKind::kExecve, "/process/args");
    const runc::Process& p = spec_.process;
    exec.path = p.args.empty() ? std::string() : p.args[0];
    exec.argv = p.args;
    exec.env = p.env;
    if (!opts_.notify_socket.empty()) exec.env.push_back("NOTIFY_SOCKET=" + std::string(kNotifyDirInContainer) + "/notify.sock");
    exec.nums = {lookup_index_, home_index_};
    // Run by the runtime once the container process is running.
    AddHooks(b_, Phase::kStart, "poststart", spec_.hooks.poststart);
  }

  void Teardown() {
    b_.Add(Phase::kTeardown, StepKind::kKill, "default").nums = {SIGKILL};
    for (auto it = b_.cgroups.rbegin(); it != b_.cgroups.rend(); ++it) {
      Step& s = b_.Add(Phase::kTeardown, StepKind::kCgroupRmdir, b_.cgroup_origin);
      s.name = it->label;
      s.path = it->dir;
    }
    for (const auto& dir : rdt_owned_) b_.Add(Phase::kTeardown, StepKind::kRdtRemove, "/linux/intelRdt").path = dir;
    b_.Add(Phase::kTeardown, StepKind::kStateRemove, "default").path = StateDir();
    // The lifecycle runs poststop hooks after the container is deleted.
    AddHooks(b_, Phase::kTeardown, "poststop", spec_.hooks.poststop);
  }

  compile_internal::Builder& b_;
  const Spec& spec_;
  const CompileOptions& opts_;
  std::vector<const Namespace*> joins_;
  const Namespace* cgroup_ns_ = nullptr;
  const Namespace* time_ns_ = nullptr;
  uint64_t clone_flags_ = 0;
  int64_t lookup_index_ = 0;  // index of the exec.lookup step
  int64_t home_index_ = 0;    // of the env.home step, 0 when the config sets HOME
  std::vector<std::pair<std::string, std::string>> rdt_groups_;  // {dir, origin}, join order
  std::vector<std::string> rdt_owned_;                            // removed by delete, deepest first
};

}  // namespace
}  // namespace compile_internal

bool SeccompEnosysForNewerSyscalls(const Seccomp& seccomp) {
  const std::string& action = seccomp.default_action;
  if (action == "SCMP_ACT_ERRNO") return seccomp.default_errno_ret.value_or(EPERM) != ENOSYS;
  return action == "SCMP_ACT_KILL" || action == "SCMP_ACT_KILL_THREAD" || action == "SCMP_ACT_KILL_PROCESS" ||
         action == "SCMP_ACT_TRAP";
}

Plan Compile(const Spec& spec, const HostFacts& host, const CompileOptions& options) {
  Plan plan;
  plan.id = options.id;
  plan.bundle = options.bundle;
  const std::string& root = spec.root.path;
  plan.rootfs = !root.empty() && root[0] == '/' ? compile_internal::CleanPath(root)
                                                : compile_internal::JoinPath(options.bundle, root);
  plan.oci_version = spec.format == SpecFormat::kPreDraft ? "pre-draft" : spec.oci_version;
  plan.host_label = host.Label();
  plan.terminal = spec.process.terminal;
  plan.console_size = spec.process.console_size;
  plan.annotations = spec.annotations;
  plan.seccomp = spec.linux.seccomp;
  plan.steps.reserve(64 + 4 * spec.mounts.size() + 3 * host.v1_mounts.size());

  // NOTIFY_SOCKET: like runc's notifySocket.setupSpec, the directory of the runtime's socket is
  // bound read-only at /run/notify, as one more mount of the spec (not where the caller's socket
  // is: that would cover whatever the image has in that directory, /run/systemd for one).
  Spec with_notify;
  const Spec* use = &spec;
  if (!options.notify_socket.empty()) {
    with_notify = spec;
    Mount m;
    m.destination = std::string(kNotifyDirInContainer);
    m.type = "bind";
    m.source = compile_internal::JoinPath(host.state_root, options.id) + "/notify";
    m.options = {"bind", "nosuid", "noexec", "nodev", "ro"};
    m.origin = "NOTIFY_SOCKET";
    with_notify.mounts.push_back(std::move(m));
    use = &with_notify;
  }
  compile_internal::Builder b(*use, host, options, plan);
  compile_internal::Compiler(b).Run();
  if (b.user_ns) {
    // The init's first step in the container, after the spawn phase (the maps, mount.idmap).
    auto first = std::find_if(plan.steps.begin(), plan.steps.end(),
                              [](const Step& s) { return s.phase != Phase::kHost && s.phase != Phase::kSpawn; });
    Step root;
    root.phase = Phase::kRootfs;
    root.kind = StepKind::kBecomeRoot;
    root.origin = "/linux/namespaces";
    if (first != plan.steps.end() && first->phase != Phase::kRootfs) root.phase = first->phase;
    plan.steps.insert(first, std::move(root));
  }
  for (size_t i = 0; i < plan.steps.size(); ++i) plan.steps[i].index = static_cast<int>(i + 1);
  return plan;
}

}  // namespace runc
