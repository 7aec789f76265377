// The semantic pass: rules JSON Schema cannot express. It runs after the schema pass, so types are
// right, but it still reads every value defensively (a wrong type is simply skipped here: the schema
// pass already said so). Every problem is reported; nothing stops at the first.
//
// Ranges the schema states (oomScoreAdj, swappiness, hook timeout, seccomp arg index, ...) are not
// repeated here.
//
// Choices worth knowing:
// - A namespace `path` of "" means "create a new one" in both formats. The pre-draft wrote "" for
//   every namespace it created, and runc (Go) cannot tell "" from absent in OCI configs either.
// - Every namespace type can be joined by path: setns(2) accepts any nsfs file, time namespaces since
//   5.8 and cgroup namespaces since 4.6, so the only path rule is that it is absolute.
// - runtime-spec has no signal field in config.json (runc only takes signals on its command line),
//   so ParseSignal is not used here.
// - Unknown syscall names are errors, although runc 1.1 skips them with a warning: a profile that
//   silently allows less (or more) than it says is worse than a clear message at validation time.
#include <seccomp.h>
#include <sys/mount.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <tuple>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schema/grammar.h"
#include "schema/load.h"
#include "schema/names.h"
#include "schema/spec_util.h"

namespace runc {
namespace {

using spec_util::Json;
using spec_util::Ptr;
using spec_util::Get;
using spec_util::String;
using spec_util::View;
using spec_util::Int;
using spec_util::Uint;
using spec_util::Strings;
using spec_util::Array;
using spec_util::Object;
using spec_util::FormatOf;
using spec_util::IsAbsolute;
using spec_util::BlkioLine;
using spec_util::ParseBlkioLines;
using spec_util::ParseClassId;
using spec_util::PreDraftDeviceType;

// A NUL is spelled as in JSON: it would end the message where it is printed (CheckNulCharacters
// reports the string itself).
std::string Q(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\0') {
      out += "\\u0000";
    } else {
      out += c;
    }
  }
  return out + '"';
}

// Sysctls the kernel keeps per ipc namespace (ipc/ipc_sysctl.c; fs.mqueue.* by prefix).
constexpr std::string_view kIpcSysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

template <size_t N>
bool InTable(const std::string_view (&table)[N], std::string_view s) {
  for (auto t : table) {
    if (t == s) return true;
  }
  return false;
}

bool InList(std::span<const std::string_view> list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// "SCMP_ARCH_X86_64" -> libseccomp's "x86_64".
bool KnownSeccompArch(std::string_view name) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (name.substr(0, kPrefix.size()) != kPrefix || name.size() == kPrefix.size()) return false;
  std::string lower(name.substr(kPrefix.size()));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return seccomp_arch_resolve_name(lower.c_str()) != 0;
}

class Checker {
 public:
  Checker(const JsonDocument& doc, Diagnostics& diags)
      : doc_(doc), diags_(diags), root_(doc.root), pre_draft_(FormatOf(doc.root) == SpecFormat::kPreDraft) {}

  bool Run() {
    const size_t before = diags_.size();
    if (!root_.is_object()) return true;  // the schema pass reports that
    CollectNamespaces();
    CheckVersion();
    CheckRequired();
    CheckProcess();
    CheckHostnames();
    CheckMounts();
    CheckHooks();
    CheckIdMappings();
    CheckTimeOffsets();
    CheckDevices();
    CheckResources();
    CheckCgroupsPath();
    CheckSeccomp();
    CheckSysctl();
    CheckPaths();
    CheckNetDevices();
    CheckIntelRdt();
    CheckPersonality();
    // In parsed text only an escape can make a NUL (the parser refuses raw control characters), so
    // the walk, which would cost as much as the rest of this pass, is skipped without one.
    if (doc_.text().empty() || doc_.text().find("\\u0000") != std::string_view::npos) {
      std::string pointer;
      CheckNulCharacters(root_, pointer);
    }
    // Checks run rule by rule; the report reads top to bottom like the file.
    std::stable_sort(diags_.begin() + static_cast<std::ptrdiff_t>(before), diags_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return std::tie(a.line, a.col) < std::tie(b.line, b.col);
                     });
    return diags_.size() == before;
  }

 private:
  struct NamespaceInfo {
    bool joined = false;
    std::string pointer;
  };

  void Report(const std::string& pointer, std::string message) {
    diags_.push_back(doc_.Diag(pointer, std::move(message)));
  }

  const Json* Linux() const { return Get(root_, "linux"); }
  bool Has(NamespaceType t) const { return namespaces_.count(t) != 0; }
  bool Joined(NamespaceType t) const {
    auto it = namespaces_.find(t);
    return it != namespaces_.end() && it->second.joined;
  }

  // ---- namespaces ----

  void CollectNamespaces() {
    const std::string base = "/linux/namespaces";
    const auto& list = Array(Get(Linux(), "namespaces"));
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string p = Ptr(base, i);
      const auto type_name = String(Get(list[i], "type"));
      if (!type_name) continue;
      const auto type = NamespaceByName(*type_name);
      if (!type) {
        Report(Ptr(p, "type"), "unknown namespace type " + Q(*type_name));
        continue;
      }
      const std::string path = String(Get(list[i], "path")).value_or("");
      if (!path.empty() && !IsAbsolute(path)) {
        Report(Ptr(p, "path"), "namespace path " + Q(path) + " is not absolute");
      }
      if (Has(*type)) {
        Report(Ptr(p, "type"), "duplicate namespace " + Q(*type_name));
        continue;
      }
      namespaces_[*type] = NamespaceInfo{!path.empty(), p};
    }
  }

  // ---- version ----

  void CheckVersion() {
    if (pre_draft_) {
      const auto os = String(Get(Get(root_, "platform"), "os"));
      if (os && *os != "linux") Report("/platform/os", "unsupported os " + Q(*os) + " (want linux)");
      return;
    }
    const auto version = String(Get(root_, "ociVersion"));
    if (!version) return;
    const std::string& v = *version;
    size_t digits = 0;
    while (digits < v.size() && std::isdigit(static_cast<unsigned char>(v[digits]))) ++digits;
    if (digits == 0 || digits == v.size() || v[digits] != '.') {
      Report("/ociVersion", "invalid ociVersion " + Q(v));
      return;
    }
    if (v.substr(0, digits) != "1") {
      Report("/ociVersion", "unsupported ociVersion " + Q(v) + " (want 1.x)");
      return;
    }
    if (!IsSemver(v)) Report("/ociVersion", "invalid ociVersion " + Q(v));
  }

  // MAJOR.MINOR.PATCH[-pre][+build] with numeric parts.
  static bool IsSemver(std::string_view v) {
    size_t i = 0;
    for (int part = 0; part < 3; ++part) {
      const size_t start = i;
      while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
      if (i == start) return false;
      if (part < 2) {
        if (i >= v.size() || v[i] != '.') return false;
        ++i;
      }
    }
    if (i == v.size()) return true;
    if (v[i] != '-' && v[i] != '+') return false;
    if (i + 1 == v.size()) return false;
    for (++i; i < v.size(); ++i) {
      const char c = v[i];
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+') return false;
    }
    return true;
  }

  // ---- root and process ----

  void CheckRequired() {
    // The runtime-spec makes both optional in general, but on Linux `root` is required, and
    // `process` is required to create a container (which is what a plan is compiled for); runc
    // refuses both ("root must be specified", "process property must not be empty"). Without
    // `root` the bundle directory itself used to become the rootfs. The pre-draft schema already
    // requires both.
    if (!pre_draft_) {
      for (const char* field : {"root", "process"}) {
        if (!Get(root_, field)) Report("", "missing required field \"" + std::string(field) + "\"");
      }
    }
    // An empty path would be the bundle directory too.
    if (const auto path = View(Get(Get(root_, "root"), "path")); path && path->empty()) {
      Report("/root/path", "root path must not be empty");
    }
  }

  // ---- process ----

  void CheckProcess() {
    const Json* process = Get(root_, "process");
    if (process) {
      const Json* args = Get(*process, "args");
      if (!args) {
        // OCI 1.1 made args optional for Windows' commandLine; on Linux at least one entry is required.
        if (!Get(*process, "commandLine")) Report("/process", "process requires args");
      } else if (args->is_array() && args->empty()) {
        Report("/process/args", "args must not be empty");
      }
      CheckEnv(Get(*process, "env"), "/process/env");
      if (const auto cwd = String(Get(*process, "cwd"))) {
        // The pre-draft wrote "" for the default "/".
        if (!(pre_draft_ && cwd->empty()) && !IsAbsolute(*cwd)) {
          Report("/process/cwd", "cwd " + Q(*cwd) + " is not absolute");
        }
      }
      for (const char* key : {"initial", "final"}) {
        if (const auto cpus = String(Get(Get(*process, "execCPUAffinity"), key))) {
          std::vector<unsigned> list;
          std::string error;
          if (!ParseCpuList(*cpus, list, error)) Report(Ptr("/process/execCPUAffinity", key), error);
        }
      }
    }

    if (pre_draft_) {
      const auto& caps = Array(Get(Linux(), "capabilities"));
      const std::string base = "/linux/capabilities";
      for (size_t i = 0; i < caps.size(); ++i) CheckCapability(caps[i], base, i, true);
      CheckRlimits(Get(Linux(), "rlimits"), "/linux/rlimits");
    } else if (process) {
      const Json* caps = Get(*process, "capabilities");
      for (const char* set : {"bounding", "effective", "inheritable", "permitted", "ambient"}) {
        const auto& list = Array(Get(caps, set));
        const std::string base = Ptr("/process/capabilities", set);
        for (size_t i = 0; i < list.size(); ++i) CheckCapability(list[i], base, i, false);
      }
      CheckRlimits(Get(*process, "rlimits"), "/process/rlimits");
    }
  }

  // Environment entries are NAME=VALUE: an entry without "=" would reach execve(2) as it is, and
  // the program would not see the variable the config meant (runc refuses it too).
  void CheckEnv(const Json* env, std::string_view base) {
    const auto& list = Array(env);
    for (size_t i = 0; i < list.size(); ++i) {
      const auto entry = View(&list[i]);
      // An entry with a NUL is reported by CheckNulCharacters, and must not be quoted here.
      if (!entry || entry->find('\0') != std::string_view::npos) continue;
      const size_t eq = entry->find('=');
      if (eq == std::string_view::npos) {
        Report(Ptr(base, i), "environment variable " + Q(*entry) + " has no \"=\"");
      } else if (eq == 0) {
        Report(Ptr(base, i), "environment variable " + Q(*entry) + " has an empty name");
      }
    }
  }

  // Pointers are only built for a report: this runs for every capability of every set.
  void CheckCapability(const Json& value, const std::string& base, size_t index, bool allow_bare) {
    const auto name = View(&value);
    if (name && !CapabilityByName(*name, allow_bare)) Report(Ptr(base, index), "unknown capability " + Q(*name));
  }

  void CheckRlimits(const Json* rlimits, const std::string& base) {
    std::set<int> seen;
    const auto& list = Array(rlimits);
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string p = Ptr(base, i);
      const Json* type = Get(list[i], "type");
      std::optional<int> resource;
      std::string shown;
      if (pre_draft_) {
        // The pre-draft wrote the Linux resource number.
        const auto number = Int(type);
        if (!number) continue;
        shown = std::to_string(*number);
        if (*number >= 0 && *number <= 15) resource = static_cast<int>(*number);
        if (!resource) Report(Ptr(p, "type"), "unknown rlimit type " + shown);
      } else {
        const auto name = String(type);
        if (!name) continue;
        shown = Q(*name);
        resource = RlimitByName(*name);
        if (!resource) Report(Ptr(p, "type"), "unknown rlimit " + shown);
      }
      if (resource && !seen.insert(*resource).second) {
        Report(Ptr(p, "type"), (pre_draft_ ? "duplicate rlimit type " : "duplicate rlimit ") + shown);
      }
      const auto soft = Uint(Get(list[i], "soft"));
      const auto hard = Uint(Get(list[i], "hard"));
      if (soft && hard && *soft > *hard) {
        Report(p, "soft limit " + std::to_string(*soft) + " is greater than hard limit " + std::to_string(*hard));
      }
    }
  }

  // ---- hostname ----

  void CheckHostnames() {
    // runc: a hostname cannot be set without a UTS namespace (it would rename the host).
    for (const char* field : {"hostname", "domainname"}) {
      const auto value = String(Get(root_, field));
      if (value && !value->empty() && !Has(NamespaceType::kUts)) {
        Report(std::string("/") + field, std::string(field) + " requires a uts namespace");
      }
    }
  }

  // ---- mounts ----

  void CheckMounts() {
    const auto& mounts = Array(Get(root_, "mounts"));
    for (size_t i = 0; i < mounts.size(); ++i) {
      const std::string p = Ptr("/mounts", i);
      const Json& m = mounts[i];
      // runtime-spec 1.0.0: on Linux the destination MUST be absolute.
      if (const auto dest = View(Get(m, "destination")); dest && !IsAbsolute(*dest)) {
        Report(Ptr(p, "destination"), "mount destination " + Q(*dest) + " is not absolute");
      }
      std::vector<std::string> options;
      std::string error;
      const Json* opts = Get(m, "options");
      if (pre_draft_) {
        if (const auto s = String(opts); s && !SplitOptionString(*s, options, error)) {
          Report(Ptr(p, "options"), error);
          continue;
        }
      } else {
        options = Strings(opts);
      }
      MountOptions parsed;
      if (!ParseMountOptions(options, parsed, error)) Report(Ptr(p, "options"), error);

      const bool uid = !Array(Get(m, "uidMappings")).empty();
      const bool gid = !Array(Get(m, "gidMappings")).empty();
      if (uid != gid) Report(p, "idmapped mount requires both uidMappings and gidMappings");
      CheckMappingSizes(Get(m, "uidMappings"), p, "uidMappings");
      CheckMappingSizes(Get(m, "gidMappings"), p, "gidMappings");
      // runtime-spec 1.2 idmap/ridmap: the mapping is the mount's or, when it has none, the
      // container's user namespace's ("otherwise an error MUST be returned"). Mappings without
      // either option are an idmap mount as well (the option SHOULD be there; runc takes them).
      // Only bind mounts: the mapping goes onto a clone of the source, as in runc.
      const bool idmap = parsed.idmap || parsed.ridmap;
      if (idmap || uid || gid) {
        const auto type = String(Get(m, "type"));
        if ((parsed.flags & MS_BIND) == 0 && !(type && *type == "bind")) {
          Report(p, "idmapped mounts are only supported for bind mounts");
        } else if (!uid && !gid && !Has(NamespaceType::kUser)) {
          Report(Ptr(p, "options"), "idmap without uidMappings and gidMappings requires a user namespace");
        }
      }
    }
  }

  // ---- hooks ----

  void CheckHooks() {
    const Json* hooks = Get(root_, "hooks");
    for (const auto& [kind, list_value] : Object(hooks)) {
      const auto& list = Array(&list_value);
      for (size_t i = 0; i < list.size(); ++i) {
        const std::string p = Ptr(Ptr("/hooks", kind), i);
        if (const auto path = String(Get(list[i], "path")); path && !IsAbsolute(*path)) {
          Report(Ptr(p, "path"), "hook path " + Q(*path) + " is not absolute");
        }
        CheckEnv(Get(list[i], "env"), Ptr(p, "env"));
      }
    }
  }

  // ---- user namespace and mappings ----

  // `parent`/`field` name the list; its pointer is only built for a report.
  void CheckMappingSizes(const Json* list_value, const std::string& parent, std::string_view field) {
    const auto& list = Array(list_value);
    for (size_t i = 0; i < list.size(); ++i) {
      if (const auto size = Uint(Get(list[i], "size")); size && *size == 0) {
        Report(Ptr(Ptr(Ptr(parent, field), i), "size"), "mapping size must be greater than zero");
      }
    }
  }

  void CheckIdMappings() {
    const std::string uid_field = pre_draft_ ? "uidMapping" : "uidMappings";
    const std::string gid_field = pre_draft_ ? "gidMapping" : "gidMappings";
    const bool has_user = Has(NamespaceType::kUser);
    bool has_uid = false;
    bool has_gid = false;
    for (const auto& [field, seen, what] :
         {std::tuple{uid_field, &has_uid, "uid"}, std::tuple{gid_field, &has_gid, "gid"}}) {
      const Json* list = Get(Linux(), field);
      *seen = !Array(list).empty();
      CheckMappingSizes(list, "/linux", field);
      if (*seen && !has_user) {
        Report(Ptr("/linux", field), std::string(what) + " mappings require a user namespace");
      }
    }
    // A new user namespace needs maps written by the runtime; a joined one already has them.
    if (has_user && !Joined(NamespaceType::kUser)) {
      const std::string& p = namespaces_.at(NamespaceType::kUser).pointer;
      if (!has_uid) Report(p, "user namespace requires linux." + uid_field);
      if (!has_gid) Report(p, "user namespace requires linux." + gid_field);
    }
  }

  void CheckTimeOffsets() {
    const Json* offsets = Get(Linux(), "timeOffsets");
    if (!offsets) return;
    for (const auto& [clock, value] : Object(offsets)) {
      (void)value;
      if (clock != "monotonic" && clock != "boottime") {
        Report(Ptr("/linux/timeOffsets", clock), "unknown clock " + Q(clock) + " (want monotonic or boottime)");
      }
    }
    if (!Has(NamespaceType::kTime)) {
      Report("/linux/timeOffsets", "time offsets require a time namespace");
    } else if (Joined(NamespaceType::kTime)) {
      // Offsets can only be written before the first process enters the namespace.
      Report("/linux/timeOffsets", "time offsets cannot be set on a joined time namespace");
    }
  }

  // ---- devices ----

  void CheckDevices() {
    std::set<std::string> paths;
    const auto& devices = Array(Get(Linux(), "devices"));
    for (size_t i = 0; i < devices.size(); ++i) {
      const std::string p = Ptr("/linux/devices", i);
      const Json& d = devices[i];
      char type = 0;
      std::string shown;
      if (pre_draft_) {
        if (const auto number = Int(Get(d, "type"))) {
          type = PreDraftDeviceType(*number);
          shown = std::to_string(*number);
        }
      } else if (const auto letter = String(Get(d, "type"))) {
        shown = Q(*letter);
        if (letter->size() == 1 && std::string_view("cbup").find((*letter)[0]) != std::string_view::npos) {
          type = (*letter)[0];
        }
      }
      if (type == 0 && !shown.empty()) Report(Ptr(p, "type"), "unknown device type " + shown);
      if (type != 0 && type != 'p') {
        // runtime-spec: major and minor are required unless the type is p. For a fifo they are
        // optional, not forbidden (other tools write them, and mknod(2) ignores them there).
        const std::string letter(1, type);
        if (!Get(d, "major")) Report(p, "major is required for device type " + Q(letter));
        if (!Get(d, "minor")) Report(p, "minor is required for device type " + Q(letter));
      }
      if (const auto path = String(Get(d, "path"))) {
        if (!IsAbsolute(*path)) {
          Report(Ptr(p, "path"), "device path " + Q(*path) + " is not absolute");
        } else if (!paths.insert(*path).second) {
          Report(Ptr(p, "path"), "duplicate device path " + Q(*path));
        }
      }
      if (pre_draft_) {
        // The pre-draft also used each device's permissions as its cgroup rule.
        if (const auto perms = String(Get(d, "permissions")); perms && !perms->empty()) {
          unsigned bits = 0;
          std::string error;
          if (!ParseDeviceAccess(*perms, bits, error)) Report(Ptr(p, "permissions"), error);
        }
      }
    }
  }

  // ---- resources ----

  void CheckResources() {
    const Json* resources = Get(Linux(), "resources");
    if (!resources) return;
    const std::string base = "/linux/resources";

    const auto& rules = Array(Get(*resources, "devices"));
    for (size_t i = 0; i < rules.size(); ++i) {
      const std::string p = Ptr(Ptr(base, "devices"), i);
      if (const auto type = String(Get(rules[i], "type"));
          type && *type != "a" && *type != "c" && *type != "b") {
        Report(Ptr(p, "type"), "unknown device type " + Q(*type) + " (want a, c or b)");
      }
      // "" is runc's "all of rwm", like an absent access.
      if (const auto access = String(Get(rules[i], "access")); access && !access->empty()) {
        unsigned bits = 0;
        std::string error;
        if (!ParseDeviceAccess(*access, bits, error)) Report(Ptr(p, "access"), error);
      }
    }

    const Json* cpu = Get(*resources, "cpu");
    for (const char* key : {"cpus", "mems"}) {
      if (const auto list = String(Get(cpu, key))) {
        std::vector<unsigned> parsed;
        std::string error;
        if (!ParseCpuList(*list, parsed, error)) Report(Ptr(Ptr(base, "cpu"), key), error);
      }
    }

    const Json* memory = Get(*resources, "memory");
    if (!pre_draft_) {
      // memory.swap is memory+swap: below the memory limit the kernel refuses it (runc checks too).
      const auto limit = Int(Get(memory, "limit"));
      const auto swap = Int(Get(memory, "swap"));
      if (limit && swap && *limit > 0 && *swap > 0 && *swap < *limit) {
        Report(base + "/memory/swap", "swap limit " + std::to_string(*swap) + " is less than memory limit " +
                                          std::to_string(*limit));
      }
    }

    const auto& pages = Array(Get(*resources, "hugepageLimits"));
    for (size_t i = 0; i < pages.size(); ++i) {
      if (const auto size = String(Get(pages[i], "pageSize")); size && !IsHugepageSize(*size)) {
        Report(Ptr(Ptr(base + "/hugepageLimits", i), "pageSize"), "invalid hugepage size " + Q(*size));
      }
    }

    for (const auto& [file, value] : Object(Get(*resources, "unified"))) {
      (void)value;
      if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..") {
        Report(Ptr(base + "/unified", file), "invalid cgroup file name " + Q(file));
      }
    }

    if (pre_draft_) {
      const Json* blkio = Get(*resources, "blockIO");
      for (const char* key : {"blkioWeightDevice", "blkioThrottleReadBpsDevice", "blkioThrottleWriteBpsDevice",
                              "blkioThrottleReadIopsDevice", "blkioThrottleWriteIopsDevice"}) {
        if (const auto s = String(Get(blkio, key))) {
          std::vector<BlkioLine> lines;
          std::string error;
          if (!ParseBlkioLines(*s, lines, error)) Report(Ptr(base + "/blockIO", key), error);
        }
      }
      if (const auto id = String(Get(Get(*resources, "network"), "classId"))) {
        std::optional<uint32_t> parsed;
        std::string error;
        if (!ParseClassId(*id, parsed, error)) Report(base + "/network/classId", error);
      }
    }
  }

  // The kernel's hugetlb file names: "2MB", "1GB", "64KB".
  static bool IsHugepageSize(std::string_view s) {
    size_t digits = 0;
    while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
    if (digits == 0) return false;
    const std::string_view unit = s.substr(digits);
    return unit == "KB" || unit == "MB" || unit == "GB";
  }

  // ---- cgroupsPath ----

  void CheckCgroupsPath() {
    const auto path = String(Get(Linux(), "cgroupsPath"));
    if (!path || path->empty()) return;
    const std::string& s = *path;
    const std::string p = "/linux/cgroupsPath";
    if (s.find(':') != std::string::npos) {
      // systemd form "slice:prefix:name"; which form applies depends on --systemd-cgroup, which is
      // not known here, so both are accepted as runc does.
      std::vector<std::string> parts;
      size_t start = 0;
      for (;;) {
        const size_t colon = s.find(':', start);
        parts.push_back(s.substr(start, colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
      }
      if (parts.size() != 3) {
        Report(p, "cgroupsPath " + Q(s) + " is neither a path nor \"slice:prefix:name\"");
        return;
      }
      const std::string& slice = parts[0];
      const bool slice_ok = slice.empty() || (slice.size() > 6 && slice.compare(slice.size() - 6, 6, ".slice") == 0 &&
                                              slice.find('/') == std::string::npos);
      if (!slice_ok) Report(p, "invalid slice " + Q(slice) + " in cgroupsPath " + Q(s));
      if (parts[2].empty()) Report(p, "cgroupsPath " + Q(s) + " has an empty name");
      if (parts[1].find('/') != std::string::npos || parts[2].find('/') != std::string::npos) {
        Report(p, "cgroupsPath " + Q(s) + " has \"/\" in its prefix or name");
      }
      return;
    }
    size_t start = 0;
    for (;;) {
      const size_t slash = s.find('/', start);
      if (s.substr(start, slash - start) == "..") {
        Report(p, "cgroupsPath " + Q(s) + " must not contain \"..\"");
        return;
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }

  // ---- seccomp ----

  void CheckSeccomp() {
    const Json* seccomp = Get(Linux(), "seccomp");
    if (!seccomp) return;
    const std::string base = "/linux/seccomp";

    const auto default_action = String(Get(*seccomp, "defaultAction"));
    if (default_action) {
      if (!InList(SeccompActionNames(), *default_action)) {
        Report(base + "/defaultAction", "unknown seccomp action " + Q(*default_action));
      } else if (*default_action == "SCMP_ACT_NOTIFY") {
        // runc: the runtime's own syscalls after loading the filter would block on the listener.
        Report(base + "/defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
      }
    }
    if (Get(*seccomp, "defaultErrnoRet") && default_action && !TakesErrno(*default_action)) {
      Report(base + "/defaultErrnoRet", "defaultErrnoRet requires defaultAction SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    }

    const auto& arches = Array(Get(*seccomp, "architectures"));
    for (size_t i = 0; i < arches.size(); ++i) {
      if (const auto arch = String(&arches[i]); arch && !KnownSeccompArch(*arch)) {
        Report(Ptr(base + "/architectures", i), "unknown seccomp architecture " + Q(*arch));
      }
    }
    const auto& flags = Array(Get(*seccomp, "flags"));
    for (size_t i = 0; i < flags.size(); ++i) {
      if (const auto flag = String(&flags[i]); flag && !InList(SeccompFlagNames(), *flag)) {
        Report(Ptr(base + "/flags", i), "unknown seccomp flag " + Q(*flag));
      }
    }

    bool uses_notify = false;
    const auto& syscalls = Array(Get(*seccomp, "syscalls"));
    for (size_t i = 0; i < syscalls.size(); ++i) {
      const std::string p = Ptr(base + "/syscalls", i);
      const Json& rule = syscalls[i];
      const auto action = String(Get(rule, "action"));
      if (action && !InList(SeccompActionNames(), *action)) {
        Report(Ptr(p, "action"), "unknown seccomp action " + Q(*action));
      }
      if (action && *action == "SCMP_ACT_NOTIFY") uses_notify = true;
      if (Get(rule, "errnoRet") && action && !TakesErrno(*action)) {
        Report(Ptr(p, "errnoRet"), "errnoRet requires action SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
      }
      const auto& names = Array(Get(rule, "names"));
      for (size_t j = 0; j < names.size(); ++j) {
        const auto name = String(&names[j]);
        if (!name) continue;
        if (seccomp_syscall_resolve_name(name->c_str()) == __NR_SCMP_ERROR) {
          Report(Ptr(Ptr(p, "names"), j), "unknown syscall " + Q(*name));
        } else if (action && *action == "SCMP_ACT_NOTIFY" && *name == "write") {
          // runc: the container's init reports errors with write(2) after the filter is loaded.
          Report(Ptr(Ptr(p, "names"), j), "SCMP_ACT_NOTIFY cannot be used for \"write\"");
        }
      }
      const auto& args = Array(Get(rule, "args"));
      for (size_t j = 0; j < args.size(); ++j) {
        const std::string ap = Ptr(Ptr(p, "args"), j);
        if (const auto op = String(Get(args[j], "op")); op && !InList(SeccompOperatorNames(), *op)) {
          Report(Ptr(ap, "op"), "unknown seccomp operator " + Q(*op));
        }
      }
    }
    if (uses_notify && String(Get(*seccomp, "listenerPath")).value_or("").empty()) {
      Report(base, "SCMP_ACT_NOTIFY requires listenerPath");
    }
  }

  static bool TakesErrno(std::string_view action) {
    return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE";
  }

  // ---- sysctl ----

  void CheckSysctl() {
    const std::string field = pre_draft_ ? "systemProperties" : "sysctl";
    const std::string base = Ptr("/linux", field);
    for (const auto& [key, value] : Object(Get(Linux(), field))) {
      (void)value;
      std::string name = key;  // "net/ipv4/ip_forward" is the same sysctl
      for (char& c : name) {
        if (c == '/') c = '.';
      }
      const std::string p = Ptr(base, key);
      // The same rules as runc's validator: only sysctls that live in a namespace the container has.
      if (InTable(kIpcSysctls, name) || name.rfind("fs.mqueue.", 0) == 0) {
        if (!Has(NamespaceType::kIpc)) Report(p, "sysctl " + Q(key) + " requires an ipc namespace");
      } else if (name.rfind("net.", 0) == 0) {
        if (!Has(NamespaceType::kNetwork)) Report(p, "sysctl " + Q(key) + " requires a network namespace");
      } else if (name == "kernel.domainname") {
        if (!Has(NamespaceType::kUts)) Report(p, "sysctl " + Q(key) + " requires a uts namespace");
      } else if (name == "kernel.hostname") {
        if (!Has(NamespaceType::kUts)) {
          Report(p, "sysctl " + Q(key) + " requires a uts namespace");
        } else {
          Report(p, "sysctl " + Q(key) + " conflicts with the hostname field");
        }
      } else {
        Report(p, "sysctl " + Q(key) + " is not namespaced");
      }
    }
  }

  // ---- masked / read-only paths ----

  void CheckPaths() {
    for (const auto& [field, what] : {std::pair{"maskedPaths", "masked path "}, std::pair{"readonlyPaths", "read-only path "}}) {
      const auto& list = Array(Get(Linux(), field));
      for (size_t i = 0; i < list.size(); ++i) {
        if (const auto path = View(&list[i]); path && !IsAbsolute(*path)) {
          Report(Ptr(Ptr("/linux", field), i), what + Q(*path) + " is not absolute");
        }
      }
    }
  }

  void CheckNetDevices() {
    // runtime-spec 1.3: devices are moved into the container's network namespace.
    if (!Object(Get(Linux(), "netDevices")).empty() && !Has(NamespaceType::kNetwork)) {
      Report("/linux/netDevices", "netDevices require a network namespace");
    }
  }

  void CheckIntelRdt() {
    const Json* rdt = Get(Linux(), "intelRdt");
    if (rdt == nullptr) return;
    if (const auto clos = String(Get(*rdt, "closID"))) {
      if (clos->find('/') != std::string::npos || *clos == "." || *clos == "..") {
        Report("/linux/intelRdt/closID", "closID must name a directory of the resctrl filesystem, got \"" + *clos + "\"");
      }
    }
    if (const auto mb = String(Get(*rdt, "memBwSchema")); mb && !mb->empty()) {
      if (mb->compare(0, 3, "MB:") != 0 || mb->find('\n') != std::string::npos) {
        Report("/linux/intelRdt/memBwSchema", "memBwSchema must be one line starting with \"MB:\"");
      }
    }
  }

  void CheckPersonality() {
    // runtime-spec: "Currently no flag values are supported."
    const auto& flags = Array(Get(Get(Linux(), "personality"), "flags"));
    for (size_t i = 0; i < flags.size(); ++i) {
      Report(Ptr("/linux/personality/flags", i), "unsupported personality flag \"" + String(&flags[i]).value_or("") + "\"" +
                                                      ": the runtime-spec defines no flag values");
    }
  }

  // ---- NUL characters ----

  // Nearly every string of a config ends up as a C string (a path, an argument, an environment
  // entry, a label, a sysctl or cgroup file name): an escaped NUL ("sh\u0000evil") would cut it
  // short there, so that what runs is not what the config says. Every string and member name is
  // checked, whatever it is used for. `pointer` is that of `v`, extended and restored in place.
  void CheckNulCharacters(const Json& v, std::string& pointer) {
    if (v.is_string()) {
      if (v.str().find('\0') != std::string_view::npos) Report(pointer, Shown(v.str()) + " contains a NUL character");
      return;
    }
    const size_t len = pointer.size();
    const auto& elements = v.elements();
    for (size_t i = 0; i < elements.size(); ++i) {
      char digits[24];
      const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, i);
      (void)ec;  // 24 digits hold any size_t
      pointer += '/';
      pointer.append(digits, end);
      CheckNulCharacters(elements[i], pointer);
      pointer.resize(len);
    }
    for (const auto& [key, value] : v.items()) {
      pointer += '/';
      AppendPointerToken(pointer, key);
      if (key.find('\0') != std::string_view::npos) {
        // Named at the object, since a pointer with a NUL in it cannot be printed; the line and
        // column are the member's.
        Diagnostic d = doc_.Diag(pointer, "member name " + Shown(key) + " contains a NUL character");
        d.pointer.resize(len);
        diags_.push_back(std::move(d));
      } else {
        CheckNulCharacters(value, pointer);
      }
      pointer.resize(len);
    }
  }

  // A string as JSON text ("sh\u0000evil"), or only the start of it when it is long.
  static std::string Shown(std::string_view s) {
    constexpr size_t kMax = 40;
    // Cutting may split a UTF-8 sequence: dump replaces what is left of it instead of throwing.
    std::string text = nlohmann::json(std::string(s.substr(0, kMax)))
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (s.size() > kMax) text.insert(text.size() - 1, "...");
    return text;
  }

  const JsonDocument& doc_;
  Diagnostics& diags_;
  const Json& root_;
  const bool pre_draft_;
  std::map<NamespaceType, NamespaceInfo> namespaces_;
};

}  // namespace

bool ValidateSemantics(const JsonDocument& doc, Diagnostics& diags) {
  try {
    return Checker(doc, diags).Run();
  } catch (const std::exception& e) {
    // Nothing above should throw on a document of any shape; this keeps the promise of the module.
    diags.push_back(doc.Diag("", std::string("internal error in semantic validation: ") + e.what()));
    return false;
  }
}

}  // namespace runc
