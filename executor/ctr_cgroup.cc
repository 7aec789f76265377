// The `cgroup` mount type, decided before clone: which hierarchies the host has, and where the
// container's cgroup is in each (from the plan's cgroup join steps, else the runtime's own cgroup,
// which the init inherits for hierarchies the plan does not join).
#include <sched.h>

#include <fstream>
#include <set>
#include <sstream>

#include "executor/ctr_internal.h"

namespace runc {
namespace {

struct OwnCgroup {
  std::string controllers;  // "cpu,cpuacct", "name=systemd", "" for v2
  std::string path;         // "/user.slice"
};

std::vector<OwnCgroup> ReadOwnCgroups() {
  std::vector<OwnCgroup> out;
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':');
    size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    out.push_back({line.substr(a + 1, b - a - 1), line.substr(b + 1)});
  }
  return out;
}

std::set<std::string> SplitComma(const std::string& s) {
  std::set<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.insert(item);
  }
  return out;
}

std::string Basename(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string Dirname(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : p.substr(0, slash);
}

// The host directory of the container's cgroup under `mount_point`: the directory of a
// cgroup.procs file the plan joins there, else mount_point + the runtime's own path (relative to
// the mount's root).
std::string ContainerDir(const Plan& plan, const MountInfoEntry& m, const std::string& own_path) {
  for (const Step& s : plan.steps) {
    if (s.kind == StepKind::kCgroupJoin && s.path.rfind(m.mount_point + "/", 0) == 0)
      return Dirname(s.path);
  }
  std::string rel = own_path;
  if (m.root != "/" && rel.rfind(m.root, 0) == 0) rel = rel.substr(m.root.size());
  if (rel.empty() || rel == "/") return m.mount_point;
  return m.mount_point + (rel[0] == '/' ? "" : "/") + rel;
}

}  // namespace

bool PrepareCgroupMount(const Plan& plan, CgroupMountPrep& out, std::string& error) {
  out = CgroupMountPrep{};
  for (const Step& s : plan.steps) {
    bool creates =
        (s.kind == StepKind::kClone || s.kind == StepKind::kUnshare) && (s.flags & CLONE_NEWCGROUP);
    bool joins = s.kind == StepKind::kNsJoin && (s.name == "cgroup" || (s.flags & CLONE_NEWCGROUP));
    if (creates || joins) out.cgroupns = true;
  }
  auto mounts = ReadMountInfo();
  auto own = ReadOwnCgroups();

  // In mountinfo order, like runc; each hierarchy once (it may be mounted more than once).
  std::set<std::string> seen;
  for (const auto& m : mounts) {
    if (m.fstype != "cgroup") continue;
    std::set<std::string> opts = SplitComma(m.super_options);
    for (const auto& o : own) {
      if (o.controllers.empty() || seen.count(o.controllers))
        continue;  // "" is the v2 line of a hybrid host
      bool all = true;
      for (const auto& c : SplitComma(o.controllers)) all &= opts.count(c) > 0;
      if (!all) continue;
      seen.insert(o.controllers);
      CgroupHierarchy h;
      h.name = Basename(m.mount_point);
      h.source = ContainerDir(plan, m, o.path);
      h.data = o.controllers;
      if (h.name.find(',') != std::string::npos) {
        for (const auto& c : SplitComma(h.name)) {
          if (c != h.name) h.links.push_back(c);
        }
      }
      out.hierarchies.push_back(std::move(h));
      break;
    }
  }
  if (!out.hierarchies.empty()) return true;

  for (const auto& m : mounts) {
    if (m.fstype != "cgroup2") continue;
    std::string own_path = "/";
    for (const auto& o : own) {
      if (o.controllers.empty()) own_path = o.path;
    }
    out.v2 = true;
    out.v2_source = ContainerDir(plan, m, own_path);
    return true;
  }
  error = "no cgroup hierarchy is mounted on this host";
  return false;
}

}  // namespace runc
