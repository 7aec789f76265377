// `runc spec`: the same config runc 1.1 writes (libcontainer/specconv.Example and ToRootless),
// only with the runtime-spec version this project implements.
#include "schema/default_spec.h"

#include <string>
#include <vector>

namespace runc {
namespace {

using nlohmann::json;

json Mount(const char* destination, const char* type, const char* source, std::vector<std::string> options) {
  json m = {{"destination", destination}, {"type", type}, {"source", source}};
  if (!options.empty()) m["options"] = options;
  return m;
}

}  // namespace

json DefaultSpec(bool rootless, unsigned host_uid, unsigned host_gid) {
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  json process = {
      {"terminal", true},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", {"sh"}},
      {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
      {"cwd", "/"},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}}},
      {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
      {"noNewPrivileges", true},
  };

  // Without a user namespace of its own a rootless container can neither mount sysfs nor set
  // the tty group (gid 5 need not be mapped), so runc binds the host's /sys and drops gid=5.
  std::vector<std::string> devpts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  if (!rootless) devpts.push_back("gid=5");
  json mounts = json::array({
      Mount("/proc", "proc", "proc", {}),
      Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      Mount("/dev/pts", "devpts", "devpts", devpts),
      Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      rootless ? Mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"})
               : Mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      Mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  });

  json linux = json::object();
  json namespaces = json::array();
  for (const char* type : {"pid", "network", "ipc", "uts", "mount"}) {
    // A rootless container cannot create a network namespace that is of any use without help
    // (slirp4netns and the like), so runc leaves it out and shares the caller's.
    if (rootless && std::string(type) == "network") continue;
    namespaces.push_back({{"type", type}});
  }
  if (rootless) {
    namespaces.push_back({{"type", "user"}});
    linux["uidMappings"] = {{{"containerID", 0}, {"hostID", host_uid}, {"size", 1}}};
    linux["gidMappings"] = {{{"containerID", 0}, {"hostID", host_gid}, {"size", 1}}};
  } else {
    // Deny every device; the runtime's default devices are allowed on top of this.
    linux["resources"] = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  }
  linux["namespaces"] = namespaces;
  linux["maskedPaths"] = {"/proc/acpi",        "/proc/asound",     "/proc/kcore",       "/proc/keys",
                          "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                          "/sys/firmware",     "/proc/scsi"};
  linux["readonlyPaths"] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

  return {
      {"ociVersion", "1.3.0"},
      {"process", process},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "runc"},
      {"mounts", mounts},
      {"linux", linux},
  };
}

}  // namespace runc
