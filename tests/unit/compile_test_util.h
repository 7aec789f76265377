// Hand-made Specs and plan queries shared by the compile_*_test.cc files.
#pragma once

#include <string>
#include <vector>

#include "compiler/compile.h"

namespace runc::testing_util {

inline Mount MakeMount(std::string dest, std::string type, std::string source, std::vector<std::string> options,
                       size_t index) {
  Mount m;
  m.destination = std::move(dest);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  m.origin = "/mounts/" + std::to_string(index);
  return m;
}

// What `runc spec` (runc 1.1.5) writes, as SpecFromJson would type it.
inline Spec RuncDefaultSpec() {
  Spec s;
  s.oci_version = "1.0.2-dev";
  s.root.path = "rootfs";
  s.root.readonly = true;
  s.has_process = true;
  Process& p = s.process;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  Capabilities caps;
  caps.bounding = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.effective = caps.bounding;
  caps.permitted = caps.bounding;
  caps.ambient = caps.bounding;
  caps.origin = "/process/capabilities";
  p.capabilities = caps;
  p.rlimits = {Rlimit{7, 1024, 1024, "/process/rlimits/0"}};
  p.no_new_privileges = true;
  s.hostname = "runc";
  s.mounts = {
      MakeMount("/proc", "proc", "proc", {}, 0),
      MakeMount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, 1),
      MakeMount("/dev/pts", "devpts", "devpts",
                {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}, 2),
      MakeMount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}, 3),
      MakeMount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}, 4),
      MakeMount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}, 5),
      MakeMount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}, 6),
  };
  Resources res;
  DeviceRule deny_all;
  deny_all.allow = false;
  deny_all.access = "rwm";
  deny_all.origin = "/linux/resources/devices/0";
  res.devices = {deny_all};
  s.linux.resources = res;
  const NamespaceType types[] = {NamespaceType::kPid, NamespaceType::kNetwork, NamespaceType::kIpc,
                                 NamespaceType::kUts, NamespaceType::kMount};
  for (size_t i = 0; i < std::size(types); ++i) {
    s.linux.namespaces.push_back(Namespace{types[i], "", "/linux/namespaces/" + std::to_string(i)});
  }
  s.linux.masked_paths = {"/proc/acpi",       "/proc/asound",     "/proc/kcore",        "/proc/keys",
                          "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                          "/sys/firmware",    "/proc/scsi"};
  s.linux.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  return s;
}

// The smallest useful container: one proc mount, pid + mount namespaces, `true`.
inline Spec MinimalSpec() {
  Spec s;
  s.oci_version = "1.3.0";
  s.root.path = "rootfs";
  s.has_process = true;
  s.process.args = {"/bin/true"};
  s.process.env = {"PATH=/bin"};
  s.process.cwd = "/";
  s.mounts = {MakeMount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}, 0)};
  s.linux.namespaces = {Namespace{NamespaceType::kPid, "", "/linux/namespaces/0"},
                        Namespace{NamespaceType::kMount, "", "/linux/namespaces/1"}};
  return s;
}

inline CompileOptions Options(std::string id = "c1") {
  CompileOptions o;
  o.id = std::move(id);
  o.bundle = "/bundle";
  return o;
}

inline std::vector<const Step*> StepsOf(const Plan& plan, StepKind kind) {
  std::vector<const Step*> out;
  for (const auto& s : plan.steps) {
    if (s.kind == kind) out.push_back(&s);
  }
  return out;
}

// Position of the first step of `kind` (steps.size() when there is none).
inline size_t IndexOf(const Plan& plan, StepKind kind, size_t from = 0) {
  for (size_t i = from; i < plan.steps.size(); ++i) {
    if (plan.steps[i].kind == kind) return i;
  }
  return plan.steps.size();
}

inline size_t LastIndexOf(const Plan& plan, StepKind kind) {
  for (size_t i = plan.steps.size(); i-- > 0;) {
    if (plan.steps[i].kind == kind) return i;
  }
  return plan.steps.size();
}

// "path = value  # origin" for every cgroup.write, in plan order.
inline std::vector<std::string> CgroupWrites(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto* s : StepsOf(plan, StepKind::kCgroupWrite)) {
    out.push_back(s->path + " = " + s->value + "  # " + s->origin);
  }
  return out;
}

inline std::vector<std::string> Paths(const std::vector<const Step*>& steps) {
  std::vector<std::string> out;
  for (const auto* s : steps) out.push_back(s->path);
  return out;
}

}  // namespace runc::testing_util
