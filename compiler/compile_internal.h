// Shared state of one Compile() call, split over compile.cc (namespaces, process, start, teardown),
// compile_cgroup.cc (cgroup directories and resource writes) and compile_mounts.cc (rootfs).
// Internal to compiler/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/compile.h"

namespace runc::compile_internal {

// The container's cgroup directory in one hierarchy.
struct CgroupDir {
  std::string label;                     // "memory", "cpu,cpuacct", "systemd", "unified"
  std::string dir;                       // absolute host path
  std::vector<std::string> controllers;  // v1 controllers ("name=systemd"); empty for unified
  bool unified = false;
  std::string own_dir;                   // the runtime's own cgroup in this hierarchy
};

struct Builder {
  Builder(const Spec& s, const HostFacts& h, const CompileOptions& o, Plan& p)
      : spec(s), host(h), options(o), plan(p) {}

  Step& Add(Phase phase, StepKind kind, std::string origin) {
    Step& s = plan.steps.emplace_back();
    s.phase = phase;
    s.kind = kind;
    s.origin = std::move(origin);
    return s;
  }

  const Spec& spec;
  const HostFacts& host;
  const CompileOptions& options;
  Plan& plan;

  // Namespaces: created ones are cloned (or unshared), joined ones have a path.
  bool user_ns = false;         // the container has its own user namespace (created or joined)
  bool create_user_ns = false;
  bool mount_ns = false;        // created or joined
  bool create_cgroup_ns = false;

  // Cgroups, resolved by ResolveCgroups().
  std::string cgroup_origin;     // "/linux/cgroupsPath" or "default"
  std::string cgroup_inner;      // the cgroup path inside each hierarchy (before own-cgroup prefix)
  bool cgroup_inner_absolute = false;
  std::vector<CgroupDir> cgroups;  // v1 hierarchies sorted by label, then "unified"
};

// Path helpers with Go's filepath.Clean semantics (lexical, no file system access).
std::string CleanPath(std::string_view path);
std::string JoinPath(std::string_view base, std::string_view rel);

// compile_cgroup.cc
void ResolveCgroups(Builder& b);
void AddCgroupSetup(Builder& b);  // host phase: cgroup.mkdir + every resource write
// `runc update`: the writes of b.spec.linux.resources into the directories in b.cgroups.
void AddCgroupUpdate(Builder& b, const Resources& current);
bool CgroupsBestEffort(const Builder& b);  // rootless without cgroupsPath: cgroup steps if-permitted

// compile_mounts.cc
// The rootfs phase up to (not including) createContainer hooks, preceded by the spawn steps that
// prepare idmapped mounts (mount.idmap): called right after the spawn phase, they end it.
void AddRootfsSetup(Builder& b);

}  // namespace runc::compile_internal
