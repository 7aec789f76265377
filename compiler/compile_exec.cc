// CompileExec: the plan of `runc exec`, a process started inside a running container. Pure like
// Compile: the container's own plan (saved by `create`) says which namespaces, cgroups and seccomp
// filter the container has; the process (config.json's, with runc exec's flags applied, or a
// --process file) says the rest. Runs on the same executor as `create`: the namespaces are joined by
// the helper, which clones the process into the joined pid namespace (runc's nsexec does the same
// for `runc exec`: setns, then a fork so that the pid namespace applies).
#include <linux/capability.h>
#include <sched.h>

#include <algorithm>

#include "compiler/compile.h"
#include "compiler/compile_internal.h"
#include "schema/grammar.h"
#include "schema/names.h"

namespace runc {

std::string ExecProcess::Origin(std::string_view field) const {
  if (auto it = overrides.find(field); it != overrides.end()) return it->second;
  return base + "/" + std::string(field);
}

std::string ExecProcess::Rebase(const std::string& origin) const {
  if (origin.rfind("/process", 0) == 0) return base + origin.substr(8);
  return origin;
}

namespace {

int64_t CapMask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const auto& n : names) {
    if (auto cap = CapabilityByName(n, /*allow_bare=*/true); cap && *cap >= 0 && *cap < 64) {
      mask |= uint64_t{1} << *cap;
    }
  }
  return static_cast<int64_t>(mask);
}

int64_t RlimitValue(uint64_t v) { return v > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(v); }

// One namespace of the container, joined through /proc/PID/ns/<file>.
struct NsKind {
  NamespaceType type;
  const char* file;
};
// The user namespace first: the others are owned by it and setns into them needs CAP_SYS_ADMIN
// there. Then runc's order (configs.NamespaceTypes): the mount namespace after the net and pid
// ones, cgroup and time last.
constexpr NsKind kJoinOrder[] = {
    {NamespaceType::kUser, "user"}, {NamespaceType::kIpc, "ipc"},   {NamespaceType::kUts, "uts"},
    {NamespaceType::kNetwork, "net"}, {NamespaceType::kPid, "pid"}, {NamespaceType::kMount, "mnt"},
    {NamespaceType::kCgroup, "cgroup"}, {NamespaceType::kTime, "time"},
};

class ExecCompiler {
 public:
  ExecCompiler(const Plan& c, const ExecProcess& p, const HostFacts& h, const ExecCompileOptions& o, Plan& out,
               Diagnostics& errors)
      : container_(c), proc_(p), p_(p.process), host_(h), opts_(o), plan_(out), errors_(errors) {}

  bool Run() {
    CheckHost();
    FindNamespaces();
    if (!ResolveCgroups()) return false;
    if (!errors_.empty()) return false;
    const std::string pid_dir = "/proc/" + std::to_string(opts_.pid) + "/ns/";
    // As for create (compile.cc): done before the plan is compiled (cli/cmd_exec.cc), traced as
    // step 1.
    Add(Phase::kHost, StepKind::kSeal, "default");
    for (const auto& [kind, origin] : namespaces_) {
      Step& s = Add(Phase::kHost, StepKind::kNsOpen, origin);
      s.name = NamespaceTypeName(kind.type);
      s.path = pid_dir + kind.file;
      s.flags = NamespaceCloneFlag(kind.type);
    }
    for (const auto& [kind, origin] : namespaces_) {
      Step& s = Add(Phase::kSpawn, StepKind::kNsJoin, origin);
      s.name = NamespaceTypeName(kind.type);
      s.path = pid_dir + kind.file;
      s.flags = NamespaceCloneFlag(kind.type);
    }
    // Everything is joined: the clone only puts the process into the joined pid (and time)
    // namespace, which setns applies to children.
    Add(Phase::kSpawn, StepKind::kClone, "default");
    // The process's own set-up, first thing after the clone: non-dumpable, parent-death signal,
    // no inherited host fd, a session of its own (the init's code path).
    Step& init = Add(Phase::kSpawn, StepKind::kInitSetup, "default");
    // As the rootless init's: dumpable in the container's user namespace until become_root.
    for (const auto& [kind, origin] : namespaces_) {
      if (kind.type == NamespaceType::kUser && opts_.rootless) init.flags = kDumpableForMaps;
    }
    if (!Affinity("initial")) return false;
    for (const auto& [label, path, origin] : cgroups_) {
      Step& s = Add(Phase::kSpawn, StepKind::kCgroupJoin, origin);
      s.name = label;
      s.path = path;
    }
    if (!Affinity("final")) return false;
    // In the container's user namespace: root there (best effort), and non-dumpable whatever the
    // init step left, as the init's become_root.
    for (const auto& [kind, origin] : namespaces_) {
      if (kind.type == NamespaceType::kUser) Add(Phase::kProcess, StepKind::kBecomeRoot, origin);
    }
    Process();
    Start();
    for (size_t i = 0; i < plan_.steps.size(); ++i) plan_.steps[i].index = static_cast<int>(i + 1);
    return true;
  }

 private:
  Step& Add(Phase phase, StepKind kind, std::string origin) {
    Step& s = plan_.steps.emplace_back();
    s.phase = phase;
    s.kind = kind;
    s.origin = std::move(origin);
    return s;
  }

  void Error(std::string pointer, std::string message) {
    Diagnostic d;
    d.pointer = std::move(pointer);
    d.message = std::move(message);
    errors_.push_back(std::move(d));
  }

  // A profile or label the host cannot apply is refused, as for create (CheckHostSupport).
  void CheckHost() {
    if (!p_.apparmor_profile.empty() && !host_.HasLsm("apparmor")) {
      Error(proc_.Origin("apparmorProfile"), "apparmor is not enabled on this host");
    }
    if (!p_.selinux_label.empty() && !host_.HasLsm("selinux")) {
      Error(proc_.Origin("selinuxLabel"), "selinux is not enabled on this host");
    }
  }

  // Every namespace the container's init is in that is not the host's: those its clone created,
  // those it joined by path, its cgroup namespace (unshared) and its time namespace.
  void FindNamespaces() {
    std::map<NamespaceType, std::string> found;
    for (const Step& s : container_.steps) {
      switch (s.kind) {
        case StepKind::kClone:
        case StepKind::kUnshare:
          for (const auto& k : kJoinOrder) {
            if (s.flags & NamespaceCloneFlag(k.type)) found.try_emplace(k.type, s.origin);
          }
          break;
        case StepKind::kNsJoin:
          if (s.phase != Phase::kSpawn) break;
          for (const auto& k : kJoinOrder) {
            if (s.flags == NamespaceCloneFlag(k.type)) found.try_emplace(k.type, s.origin);
          }
          break;
        case StepKind::kTimeOffsets:
          found.try_emplace(NamespaceType::kTime, s.origin);
          break;
        default:
          break;
      }
    }
    for (const auto& k : kJoinOrder) {
      if (auto it = found.find(k.type); it != found.end()) namespaces_.emplace_back(k, it->second);
    }
  }

  // The cgroups the container's init joined (its cgroup.join steps and the cgroup2 directory its
  // clone step went into: JoinedCgroupDirs), in the order of their cgroup.mkdir steps, each moved
  // into its --cgroup sub-cgroup when one applies.
  bool ResolveCgroups() {
    std::vector<bool> used(opts_.sub_cgroups.size(), false);
    const std::vector<std::string> joined = JoinedCgroupDirs(container_);
    for (const Step& s : container_.steps) {
      if (s.kind != StepKind::kCgroupMkdir || std::find(joined.begin(), joined.end(), s.path) == joined.end()) continue;
      std::string path = s.path + "/cgroup.procs";
      std::string origin = s.origin;
      const std::string* sub = nullptr;
      for (size_t i = 0; i < opts_.sub_cgroups.size(); ++i) {
        const auto& [ctrl, sub_path] = opts_.sub_cgroups[i];
        bool match = ctrl.empty();
        if (!match && s.name != "unified") {
          size_t pos = 0;
          while (pos <= s.name.size() && !match) {
            size_t comma = s.name.find(',', pos);
            if (comma == std::string::npos) comma = s.name.size();
            match = s.name.compare(pos, comma - pos, ctrl) == 0;
            pos = comma + 1;
          }
        }
        // A controller's own path wins over the one for every hierarchy.
        if (match && (sub == nullptr || !ctrl.empty())) {
          sub = &sub_path;
          used[i] = true;
        }
      }
      if (sub != nullptr) {
        std::string clean = compile_internal::CleanPath(*sub);
        while (!clean.empty() && clean[0] == '/') clean.erase(0, 1);
        if (clean == ".." || clean.rfind("../", 0) == 0) {
          Error("--cgroup", *sub + " is not a sub cgroup path (it leaves the container's cgroup)");
          return false;
        }
        if (!clean.empty() && clean != ".") path = compile_internal::JoinPath(s.path, clean) + "/cgroup.procs";
        origin = "--cgroup";
      }
      cgroups_.push_back({s.name, path, origin});
    }
    for (size_t i = 0; i < used.size(); ++i) {
      if (used[i]) continue;
      const auto& ctrl = opts_.sub_cgroups[i].first;
      Error("--cgroup", ctrl.empty() ? std::string("the container has no cgroup")
                                     : "the container has no cgroup hierarchy with controller " + ctrl);
      return false;
    }
    return true;
  }

  bool Affinity(const char* which) {
    if (!p_.exec_cpu_affinity) return true;
    const std::string& list = std::string_view(which) == "initial" ? p_.exec_cpu_affinity->initial
                                                                    : p_.exec_cpu_affinity->final_;
    if (list.empty()) return true;
    std::vector<unsigned> cpus;
    std::string error;
    const std::string origin = proc_.Origin("execCPUAffinity") + "/" + which;
    if (!ParseCpuList(list, cpus, error)) {
      Error(origin, error);
      return false;
    }
    Step& s = Add(Phase::kSpawn, StepKind::kCpuAffinity, origin);
    s.name = which;
    s.value = list;
    for (unsigned c : cpus) s.nums.push_back(c);
    return true;
  }

  void Process() {
    if (p_.terminal) {
      Step& s = Add(Phase::kProcess, StepKind::kConsole, proc_.Origin("terminal"));
      s.path = "/dev/pts/ptmx";
      if (p_.console_size) s.nums = {p_.console_size->height, p_.console_size->width};
    }
    for (const auto& r : p_.rlimits) {
      Step& s = Add(Phase::kProcess, StepKind::kRlimit, proc_.Rebase(r.origin));
      s.name = RlimitName(r.resource);
      s.nums = {r.resource, RlimitValue(r.soft), RlimitValue(r.hard)};
    }
    if (p_.oom_score_adj) Add(Phase::kProcess, StepKind::kOomScoreAdj, proc_.Origin("oomScoreAdj")).nums = {*p_.oom_score_adj};
    Step& umask = Add(Phase::kProcess, StepKind::kUmask, p_.user.umask ? proc_.base + "/user/umask" : "default");
    umask.nums = {p_.user.umask.value_or(022)};
    if (p_.no_new_privileges) Add(Phase::kProcess, StepKind::kNoNewPrivs, proc_.Origin("noNewPrivileges"));
    Step& cwd = Add(Phase::kProcess, StepKind::kCwd, p_.cwd.empty() ? "default" : proc_.Origin("cwd"));
    cwd.path = p_.cwd.empty() ? "/" : compile_internal::CleanPath(p_.cwd);
    // runc's setupUser chowns an exec'd process's stdio as it does the init's: the pty the console
    // step made (root's until now), or the files a detached process keeps, must be the user's to
    // reopen (`/dev/tty`, `ls -l $(tty)`). A foreground exec's caller keeps its files (as run).
    if ((p_.terminal || opts_.detach) && p_.user.uid != 0) {
      const std::string origin = proc_.overrides.count("user") ? proc_.Origin("user") : proc_.base + "/user/uid";
      Add(Phase::kProcess, StepKind::kStdioChown, origin).nums = {p_.user.uid};
    }
    Step& user = Add(Phase::kProcess, StepKind::kUser, proc_.Origin("user"));
    user.nums = {p_.user.uid, p_.user.gid};
    for (uint32_t g : p_.user.additional_gids) user.nums.push_back(g);
    const auto& caps = p_.capabilities;
    Step& c = Add(Phase::kProcess, StepKind::kCaps,
                  caps ? (proc_.overrides.count("capabilities") ? proc_.Origin("capabilities") : proc_.Rebase(caps->origin))
                       : "default");
    if (caps) {
      c.nums = {CapMask(caps->bounding), CapMask(caps->effective), CapMask(caps->inheritable),
                CapMask(caps->permitted), CapMask(caps->ambient)};
    } else {
      c.nums = {0, 0, 0, 0, 0};
    }
    // As for the init (compile.cc): without no_new_privs the filter needs CAP_SYS_ADMIN, kept
    // until execve drops it.
    const uint64_t sys_admin = uint64_t{1} << CAP_SYS_ADMIN;
    if (container_.seccomp && !p_.no_new_privileges && !(static_cast<uint64_t>(c.nums[1]) & sys_admin)) {
      c.nums.push_back(static_cast<int64_t>(sys_admin));
    }
  }

  void Start() {
    // The container's filter applies to every process in it; last but execve, as for the init.
    if (container_.seccomp) {
      const Step* from = nullptr;
      for (const Step& s : container_.steps) {
        if (s.kind == StepKind::kSeccomp) from = &s;
      }
      Step& s = Add(Phase::kStart, StepKind::kSeccomp, from ? from->origin : "/linux/seccomp");
      if (from) s.argv = from->argv;
    }
    Step& exec = Add(Phase::kStart, StepKind::kExecve, proc_.Origin("args"));
    exec.path = p_.args.empty() ? std::string() : p_.args[0];
    exec.argv = p_.args;
    exec.env = p_.env;
  }

  struct CgroupJoin {
    std::string label, path, origin;
  };

  const Plan& container_;
  const ExecProcess& proc_;
  const runc::Process& p_;
  const HostFacts& host_;
  const ExecCompileOptions& opts_;
  Plan& plan_;
  Diagnostics& errors_;
  std::vector<std::pair<NsKind, std::string>> namespaces_;  // join order, origin
  std::vector<CgroupJoin> cgroups_;
};

}  // namespace

bool CompileExec(const Plan& container, const ExecProcess& process, const HostFacts& host,
                 const ExecCompileOptions& options, Plan& out, Diagnostics& errors) {
  Plan plan;
  plan.id = container.id;
  plan.bundle = container.bundle;
  plan.rootfs = container.rootfs;
  plan.oci_version = container.oci_version;
  plan.host_label = container.host_label;
  plan.terminal = process.process.terminal;
  plan.console_size = process.process.console_size;
  plan.annotations = container.annotations;
  plan.seccomp = container.seccomp;
  plan.exec_pid = options.pid;
  if (process.process.args.empty()) {
    Diagnostic d;
    d.pointer = process.Origin("args");
    d.message = "args must not be empty";
    errors.push_back(std::move(d));
    return false;
  }
  if (!ExecCompiler(container, process, host, options, plan, errors).Run()) return false;
  out = std::move(plan);
  return true;
}

}  // namespace runc
