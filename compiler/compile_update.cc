// compile for `runc update`: a linux.resources document -> the cgroup.write steps that apply it to
// a container that exists, from the plan it was created with. Pure, like Compile.
#include "compiler/compile.h"
#include "compiler/compile_internal.h"

namespace runc {

namespace {

// What runc's update applies of a resources document (update.go): memory limits, cpu, the blkio
// weight, the pids limit and unified; the rest is ignored there and here.
Resources Updatable(const Resources& in) {
  Resources r;
  if (in.memory) {
    Memory m;
    m.limit = in.memory->limit;
    m.reservation = in.memory->reservation;
    m.swap = in.memory->swap;
    m.kernel_tcp = in.memory->kernel_tcp;
    r.memory = m;
  }
  r.cpu = in.cpu;
  if (in.block_io && in.block_io->weight) {
    BlockIO io;
    io.weight = in.block_io->weight;
    r.block_io = io;
  }
  r.pids_limit = in.pids_limit;
  r.unified = in.unified;
  return r;
}

}  // namespace

Plan CompileUpdate(const Resources& update, const Resources& current, const Plan& container, bool rootless) {
  Spec spec;
  spec.linux.resources = Updatable(update);
  HostFacts host;
  host.cgroup_mode = container.host_label == "cgroup-v2"   ? CgroupMode::kV2
                     : container.host_label == "cgroup-v1" ? CgroupMode::kV1
                                                           : CgroupMode::kHybrid;
  CompileOptions options;
  options.id = container.id;
  options.bundle = container.bundle;
  options.rootless = rootless;
  Plan plan;
  plan.id = container.id;
  plan.bundle = container.bundle;
  plan.rootfs = container.rootfs;
  plan.oci_version = container.oci_version;
  plan.host_label = container.host_label;
  compile_internal::Builder b(spec, host, options, plan);
  // The container's cgroup directories, as its create made them.
  for (const auto& s : container.steps) {
    if (s.kind != StepKind::kCgroupMkdir) continue;
    compile_internal::CgroupDir d;
    d.label = s.name;
    d.dir = s.path;
    d.unified = s.name == "unified";
    if (!d.unified) {
      for (size_t start = 0; start <= s.name.size();) {
        size_t comma = s.name.find(',', start);
        if (comma == std::string::npos) comma = s.name.size();
        d.controllers.push_back(s.name.substr(start, comma - start));
        start = comma + 1;
      }
    }
    // A controller the container has no directory for gets one named like its others, so that
    // its write fails at run time naming the file.
    if (b.cgroup_inner.empty()) {
      const std::string mount = host.cgroup_mode == CgroupMode::kV2 ? std::string("/sys/fs/cgroup") : "/sys/fs/cgroup/" + s.name;
      if (s.path.rfind(mount, 0) == 0) {
        b.cgroup_inner = s.path.substr(mount.size());
        b.cgroup_inner_absolute = true;
      }
    }
    b.cgroups.push_back(std::move(d));
  }
  compile_internal::AddCgroupUpdate(b, current);
  for (size_t i = 0; i < plan.steps.size(); ++i) plan.steps[i].index = static_cast<int>(i + 1);
  return plan;
}

}  // namespace runc
