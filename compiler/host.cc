#include "compiler/host.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/host_internal.h"

namespace runc {
namespace {

constexpr std::string_view kCgroupRoot = "/sys/fs/cgroup";

// v1 controllers a cgroup mount's super options can name; everything else there is an option
// ("rw", "xattr", "nsdelegate", "release_agent=...").
constexpr std::string_view kV1Controllers[] = {
    "blkio",  "cpu",     "cpuacct",    "cpuset", "devices", "freezer", "hugetlb", "memory",
    "misc",   "net_cls", "net_prio",   "perf_event", "pids", "rdma",   "debug",
};

bool IsV1Controller(std::string_view s) {
  for (auto c : kV1Controllers) {
    if (c == s) return true;
  }
  return false;
}

bool ReadFile(const std::string& path, std::string& out, int& err) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  out.clear();
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
        s[i + 3] >= '0' && s[i + 3] <= '7') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// `own` (a path in the hierarchy, from /proc/self/cgroup) relative to the mount's root, so that
// mount point + result is the directory of our own cgroup.
std::string RelativeToRoot(const std::string& own, const std::string& root) {
  if (root.empty() || root == "/") return own;
  if (own == root) return "/";
  if (own.size() > root.size() && own.compare(0, root.size(), root) == 0 && own[root.size()] == '/') {
    return own.substr(root.size());
  }
  // Our cgroup is outside the mounted subtree (a cgroup namespace or a bind mount); the runtime
  // can only reach the mount's root.
  return "/";
}

struct CgroupMount {
  std::string mount_point;
  std::string root;
  std::vector<std::string> controllers;  // v1 only
  bool v2 = false;
};

void ParseMountinfo(std::string_view text, std::vector<CgroupMount>& out) {
  for (std::string_view line : Split(text, '\n')) {
    if (line.empty()) continue;
    // id parent maj:min root mount_point options [optional...] - fstype source super_options
    const size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    const auto left = Split(line.substr(0, dash), ' ');
    const auto right = Split(line.substr(dash + 3), ' ');
    if (left.size() < 5 || right.size() < 3) continue;
    const std::string_view fstype = right[0];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m;
    m.root = Unescape(left[3]);
    m.mount_point = Unescape(left[4]);
    m.v2 = fstype == "cgroup2";
    if (!m.v2) {
      for (std::string_view opt : Split(right[2], ',')) {
        if (IsV1Controller(opt) || opt.substr(0, 5) == "name=") m.controllers.emplace_back(opt);
      }
    }
    out.push_back(std::move(m));
  }
}

// The first mount point of a resctrl filesystem, "" when there is none.
std::string ResctrlMount(std::string_view mountinfo) {
  for (std::string_view line : Split(mountinfo, '\n')) {
    const size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    const auto left = Split(line.substr(0, dash), ' ');
    const auto right = Split(line.substr(dash + 3), ' ');
    if (left.size() >= 5 && !right.empty() && right[0] == "resctrl") return Unescape(left[4]);
  }
  return "";
}

bool ModeByName(std::string_view s, CgroupMode& out) {
  if (s == "v1") {
    out = CgroupMode::kV1;
  } else if (s == "v2") {
    out = CgroupMode::kV2;
  } else if (s == "hybrid") {
    out = CgroupMode::kHybrid;
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::string HostFacts::Label() const {
  switch (cgroup_mode) {
    case CgroupMode::kV1: return "cgroup-v1";
    case CgroupMode::kV2: return "cgroup-v2";
    case CgroupMode::kHybrid: return "cgroup-hybrid";
  }
  return "cgroup-unknown";
}

HostFacts FixedHost(CgroupMode mode) {
  HostFacts h;
  h.cgroup_mode = mode;
  if (mode == CgroupMode::kV2) {
    h.unified_mount = std::string(kCgroupRoot);
    h.v2_controllers = {"cpu", "cpuset", "io", "memory", "pids", "hugetlb", "rdma", "misc"};
    return h;
  }
  // The layout systemd sets up on a v1 host: co-mounted pairs share a directory named after both.
  static constexpr std::pair<std::string_view, std::string_view> kV1Layout[] = {
      {"cpu", "cpu,cpuacct"},     {"cpuacct", "cpu,cpuacct"}, {"cpuset", "cpuset"},
      {"memory", "memory"},       {"blkio", "blkio"},         {"devices", "devices"},
      {"pids", "pids"},           {"hugetlb", "hugetlb"},     {"net_cls", "net_cls,net_prio"},
      {"net_prio", "net_cls,net_prio"}, {"freezer", "freezer"}, {"perf_event", "perf_event"},
      {"rdma", "rdma"},           {"misc", "misc"},           {"name=systemd", "systemd"},
  };
  for (const auto& [controller, dir] : kV1Layout) {
    h.v1_mounts.emplace(std::string(controller), std::string(kCgroupRoot) + "/" + std::string(dir));
  }
  if (mode == CgroupMode::kHybrid) {
    // In hybrid mode every controller is bound to v1; the unified hierarchy only tracks processes.
    h.unified_mount = std::string(kCgroupRoot) + "/unified";
  }
  return h;
}

namespace host_internal {

HostFacts HostFactsFromText(std::string_view mountinfo, std::string_view self_cgroup,
                            std::string_view v2_controllers) {
  HostFacts h;
  std::vector<CgroupMount> mounts;
  ParseMountinfo(mountinfo, mounts);

  // /proc/self/cgroup: "ID:controller,controller:/path", "0::/path" for the unified hierarchy.
  std::map<std::string, std::string> own;  // controller ("" = unified) -> path in the hierarchy
  for (std::string_view line : Split(self_cgroup, '\n')) {
    const size_t a = line.find(':');
    const size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    const std::string path(line.substr(b + 1));
    const std::string_view controllers = line.substr(a + 1, b - a - 1);
    if (controllers.empty()) {
      own[""] = path;
      continue;
    }
    for (std::string_view c : Split(controllers, ',')) own[std::string(c)] = path;
  }

  bool have_v1 = false;
  const CgroupMount* unified = nullptr;
  for (const auto& m : mounts) {
    if (m.v2) {
      if (unified == nullptr) unified = &m;
      continue;
    }
    for (const auto& c : m.controllers) {
      // The first mount of a controller is the one runc uses too.
      if (h.v1_mounts.emplace(c, m.mount_point).second) {
        have_v1 = true;
        if (auto it = own.find(c); it != own.end()) h.own_cgroups[c] = RelativeToRoot(it->second, m.root);
      }
    }
  }
  if (unified != nullptr) {
    h.unified_mount = unified->mount_point;
    if (auto it = own.find(""); it != own.end()) h.own_cgroups[""] = RelativeToRoot(it->second, unified->root);
    for (std::string_view c : Split(v2_controllers, ' ')) {
      while (!c.empty() && (c.back() == '\n' || c.back() == ' ')) c.remove_suffix(1);
      if (!c.empty()) h.v2_controllers.emplace(c);
    }
  }
  if (std::string resctrl = ResctrlMount(mountinfo); !resctrl.empty()) h.resctrl_mount = std::move(resctrl);
  if (have_v1) {
    h.cgroup_mode = unified != nullptr ? CgroupMode::kHybrid : CgroupMode::kV1;
  } else {
    h.cgroup_mode = CgroupMode::kV2;
    if (h.unified_mount.empty()) h.unified_mount = std::string(kCgroupRoot);
  }
  return h;
}

std::set<std::string> LsmsFromText(std::string_view lsm_list, bool apparmor_securityfs,
                                   std::string_view apparmor_enabled, bool selinuxfs) {
  std::set<std::string> out;
  for (std::string_view name : Split(lsm_list, ',')) {
    while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.remove_suffix(1);
    if (!name.empty()) out.emplace(name);
  }
  const bool listed = !out.empty();
  // A module can be built in, even listed, and still not enforce anything: apparmor=0 on the
  // kernel command line leaves `enabled` at N. The list is only a further condition when there is
  // one (kernels before 4.15, or no securityfs mounted, have none).
  const bool apparmor = apparmor_securityfs && !apparmor_enabled.empty() && apparmor_enabled[0] == 'Y';
  if (!apparmor || (listed && !out.count("apparmor"))) {
    out.erase("apparmor");
  } else {
    out.emplace("apparmor");
  }
  if (!selinuxfs || (listed && !out.count("selinux"))) {
    out.erase("selinux");
  } else {
    out.emplace("selinux");
  }
  return out;
}

}  // namespace host_internal

HostFacts ProbeHost() {
  std::string mountinfo, self_cgroup, controllers;
  int err = 0;
  ReadFile("/proc/self/mountinfo", mountinfo, err);
  ReadFile("/proc/self/cgroup", self_cgroup, err);
  HostFacts h = host_internal::HostFactsFromText(mountinfo, self_cgroup, "");
  if (h.cgroup_mode != CgroupMode::kV1 && ReadFile(h.unified_mount + "/cgroup.controllers", controllers, err)) {
    h = host_internal::HostFactsFromText(mountinfo, self_cgroup, controllers);
  }
  std::string lsm_list, apparmor_enabled;
  ReadFile("/sys/kernel/security/lsm", lsm_list, err);
  ReadFile("/sys/module/apparmor/parameters/enabled", apparmor_enabled, err);
  struct stat st;
  const bool apparmor_securityfs = ::stat("/sys/kernel/security/apparmor", &st) == 0;
  struct statfs fs;
  const bool selinuxfs = ::statfs("/sys/fs/selinux", &fs) == 0 && fs.f_type == SELINUX_MAGIC;
  h.lsms = host_internal::LsmsFromText(lsm_list, apparmor_securityfs, apparmor_enabled, selinuxfs);
  return h;
}

bool LoadHostFacts(const std::string& arg, HostFacts& out, std::string& error) {
  CgroupMode mode;
  if (ModeByName(arg, mode)) {
    out = FixedHost(mode);
    return true;
  }
  std::string text;
  int err = 0;
  if (!ReadFile(arg, text, err)) {
    error = "host facts " + arg + ": " + std::strerror(err);
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    error = "host facts " + arg + ": invalid json";
    return false;
  }
  if (!j.is_object()) {
    error = "host facts " + arg + ": expected an object";
    return false;
  }
  auto cg = j.find("cgroup");
  if (cg == j.end() || !cg->is_string() || !ModeByName(cg->get<std::string>(), mode)) {
    error = "host facts " + arg + ": /cgroup: expected \"v1\", \"v2\" or \"hybrid\"";
    return false;
  }
  HostFacts h = FixedHost(mode);
  std::string key, expected;
  try {
    key = "/v1_mounts";
    expected = "an object of strings";
    if (auto it = j.find("v1_mounts"); it != j.end()) h.v1_mounts = it->get<std::map<std::string, std::string>>();
    key = "/unified_mount";
    expected = "a string";
    if (auto it = j.find("unified_mount"); it != j.end()) h.unified_mount = it->get<std::string>();
    key = "/v2_controllers";
    expected = "an array of strings";
    if (auto it = j.find("v2_controllers"); it != j.end()) h.v2_controllers = it->get<std::set<std::string>>();
    key = "/own_cgroups";
    expected = "an object of strings";
    if (auto it = j.find("own_cgroups"); it != j.end()) h.own_cgroups = it->get<std::map<std::string, std::string>>();
    key = "/state_root";
    expected = "a string";
    if (auto it = j.find("state_root"); it != j.end()) h.state_root = it->get<std::string>();
    key = "/resctrl_mount";
    if (auto it = j.find("resctrl_mount"); it != j.end()) h.resctrl_mount = it->get<std::string>();
    key = "/lsms";
    expected = "an array of strings";
    if (auto it = j.find("lsms"); it != j.end()) h.lsms = it->get<std::set<std::string>>();
  } catch (const std::exception&) {
    error = "host facts " + arg + ": " + key + ": expected " + expected;
    return false;
  }
  out = std::move(h);
  return true;
}

}  // namespace runc
