// Maps a validated document of either format onto the typed Spec. Reads defensively (a value of an
// unexpected type is left at its default) so that it never throws, even on an unvalidated document.
#include <string>
#include <string_view>
#include <utility>

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
using spec_util::Bool;
using spec_util::Int;
using spec_util::Uint;
using spec_util::Strings;
using spec_util::Array;
using spec_util::Object;
using spec_util::FormatOf;
using spec_util::BlkioLine;
using spec_util::ParseBlkioLines;
using spec_util::ParseClassId;
using spec_util::PreDraftDeviceType;

template <typename T>
std::optional<T> Narrow(std::optional<int64_t> v) {
  if (!v || !std::in_range<T>(*v)) return std::nullopt;
  return static_cast<T>(*v);
}

template <typename T>
std::optional<T> NarrowU(std::optional<uint64_t> v) {
  if (!v || !std::in_range<T>(*v)) return std::nullopt;
  return static_cast<T>(*v);
}

// Pre-draft zero values meant "unset" (Go zero values of 2015's libcontainer config).
std::optional<int64_t> NonZero(std::optional<int64_t> v) {
  if (v && *v == 0) return std::nullopt;
  return v;
}
std::optional<uint64_t> NonZero(std::optional<uint64_t> v) {
  if (v && *v == 0) return std::nullopt;
  return v;
}

std::vector<uint32_t> Uint32s(const Json* v) {
  std::vector<uint32_t> out;
  for (const auto& e : Array(v)) {
    if (auto n = NarrowU<uint32_t>(Uint(&e))) out.push_back(*n);
  }
  return out;
}

std::string CapName(std::string_view name) {
  // Normalised to the "CAP_" spelling; unknown names (rejected by the semantic pass) are kept.
  if (auto cap = CapabilityByName(name, /*allow_bare=*/true)) return std::string(CapabilityName(*cap));
  return std::string(name);
}

class Builder {
 public:
  explicit Builder(const Json& root) : root_(root), pre_draft_(FormatOf(root) == SpecFormat::kPreDraft) {}

  Spec Build() {
    Spec spec;
    if (!root_.is_object()) return spec;
    spec.format = pre_draft_ ? SpecFormat::kPreDraft : SpecFormat::kOci;
    spec.oci_version = pre_draft_ ? "pre-draft" : String(Get(root_, "ociVersion")).value_or("");
    if (const Json* root = Get(root_, "root")) {
      spec.root.path = String(Get(*root, "path")).value_or("");
      spec.root.readonly = Bool(Get(*root, "readonly")).value_or(false);
    }
    if (const Json* process = Get(root_, "process")) {
      spec.has_process = true;
      spec.process = BuildProcess(*process);
    }
    spec.hostname = String(Get(root_, "hostname")).value_or("");
    spec.domainname = String(Get(root_, "domainname"));
    spec.mounts = BuildMounts();
    spec.hooks = BuildHooks();
    for (const auto& [key, value] : Object(Get(root_, "annotations"))) {
      if (value.is_string()) spec.annotations[key] = value.get<std::string>();
    }
    if (const Json* linux_value = Get(root_, "linux")) {
      spec.linux = BuildLinux(*linux_value);
      if (pre_draft_) {
        // The pre-draft kept capabilities and rlimits under "linux".
        spec.process.capabilities = PreDraftCapabilities(*linux_value);
        spec.process.rlimits = BuildRlimits(Get(*linux_value, "rlimits"), "/linux/rlimits");
      }
    }
    return spec;
  }

 private:
  // ---- process ----

  Process BuildProcess(const Json& p) {
    Process out;
    out.terminal = Bool(Get(p, "terminal")).value_or(false);
    if (const Json* size = Get(p, "consoleSize")) {
      out.console_size = ConsoleSize{NarrowU<uint32_t>(Uint(Get(*size, "height"))).value_or(0),
                                     NarrowU<uint32_t>(Uint(Get(*size, "width"))).value_or(0)};
    }
    if (const Json* user = Get(p, "user")) {
      out.user.uid = NarrowU<uint32_t>(Uint(Get(*user, "uid"))).value_or(0);
      out.user.gid = NarrowU<uint32_t>(Uint(Get(*user, "gid"))).value_or(0);
      out.user.umask = NarrowU<uint32_t>(Uint(Get(*user, "umask")));
      out.user.additional_gids = Uint32s(Get(*user, "additionalGids"));
      out.user.username = String(Get(*user, "username")).value_or("");
    }
    out.args = Strings(Get(p, "args"));
    out.env = Strings(Get(p, "env"));
    out.cwd = String(Get(p, "cwd")).value_or("");
    if (pre_draft_ && out.cwd.empty()) out.cwd = "/";
    if (!pre_draft_) {
      if (const Json* caps = Get(p, "capabilities")) {
        Capabilities c;
        c.bounding = CapNames(Get(*caps, "bounding"));
        c.effective = CapNames(Get(*caps, "effective"));
        c.inheritable = CapNames(Get(*caps, "inheritable"));
        c.permitted = CapNames(Get(*caps, "permitted"));
        c.ambient = CapNames(Get(*caps, "ambient"));
        c.origin = "/process/capabilities";
        out.capabilities = std::move(c);
      }
      out.rlimits = BuildRlimits(Get(p, "rlimits"), "/process/rlimits");
    }
    out.no_new_privileges = Bool(Get(p, "noNewPrivileges")).value_or(false);
    out.apparmor_profile = String(Get(p, "apparmorProfile")).value_or("");
    out.oom_score_adj = Narrow<int32_t>(Int(Get(p, "oomScoreAdj")));
    out.selinux_label = String(Get(p, "selinuxLabel")).value_or("");
    if (const Json* s = Get(p, "scheduler")) {
      Scheduler sched;
      sched.policy = String(Get(*s, "policy")).value_or("");
      sched.nice = Narrow<int32_t>(Int(Get(*s, "nice")));
      sched.priority = Narrow<int32_t>(Int(Get(*s, "priority")));
      sched.flags = Strings(Get(*s, "flags"));
      sched.runtime = Uint(Get(*s, "runtime"));
      sched.deadline = Uint(Get(*s, "deadline"));
      sched.period = Uint(Get(*s, "period"));
      out.scheduler = std::move(sched);
    }
    if (const Json* io = Get(p, "ioPriority")) {
      out.io_priority = IoPriority{String(Get(*io, "class")).value_or(""),
                                   Narrow<int32_t>(Int(Get(*io, "priority"))).value_or(0)};
    }
    if (const Json* affinity = Get(p, "execCPUAffinity")) {
      out.exec_cpu_affinity = CpuAffinity{String(Get(*affinity, "initial")).value_or(""),
                                          String(Get(*affinity, "final")).value_or("")};
    }
    return out;
  }

  static std::vector<std::string> CapNames(const Json* list) {
    std::vector<std::string> out;
    const auto names = Array(list);
    out.reserve(names.size());
    for (const auto& name : names) {
      if (name.is_string()) out.push_back(CapName(name.str()));
    }
    return out;
  }

  std::optional<Capabilities> PreDraftCapabilities(const Json& linux_value) {
    const Json* list = Get(linux_value, "capabilities");
    if (!list) return std::nullopt;
    // 2015 runc applied its one list as the bounding, effective, permitted and inheritable sets.
    Capabilities c;
    c.bounding = CapNames(list);
    c.effective = c.bounding;
    c.permitted = c.bounding;
    c.inheritable = c.bounding;
    c.origin = "/linux/capabilities";
    return c;
  }

  std::vector<Rlimit> BuildRlimits(const Json* list_value, const std::string& base) {
    std::vector<Rlimit> out;
    const auto& list = Array(list_value);
    out.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      Rlimit r;
      const Json* type = Get(list[i], "type");
      if (pre_draft_) {
        r.resource = Narrow<int>(Int(type)).value_or(-1);
      } else {
        r.resource = RlimitByName(String(type).value_or("")).value_or(-1);
      }
      r.soft = Uint(Get(list[i], "soft")).value_or(0);
      r.hard = Uint(Get(list[i], "hard")).value_or(0);
      r.origin = Ptr(base, i);
      out.push_back(std::move(r));
    }
    return out;
  }

  // ---- mounts and hooks ----

  static std::vector<IdMapping> Mappings(const Json* list_value) {
    std::vector<IdMapping> out;
    for (const auto& m : Array(list_value)) {
      // Both formats use the same member names (pre-draft: hostID, containerID, size).
      out.push_back(IdMapping{NarrowU<uint32_t>(Uint(Get(m, "containerID"))).value_or(0),
                              NarrowU<uint32_t>(Uint(Get(m, "hostID"))).value_or(0),
                              NarrowU<uint32_t>(Uint(Get(m, "size"))).value_or(0)});
    }
    return out;
  }

  std::vector<Mount> BuildMounts() {
    std::vector<Mount> out;
    const auto& list = Array(Get(root_, "mounts"));
    out.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      const Json& m = list[i];
      Mount mount;
      mount.destination = String(Get(m, "destination")).value_or("");
      mount.type = String(Get(m, "type")).value_or("");
      mount.source = String(Get(m, "source")).value_or("");
      if (pre_draft_) {
        std::string error;
        if (!SplitOptionString(String(Get(m, "options")).value_or(""), mount.options, error)) mount.options.clear();
      } else {
        mount.options = Strings(Get(m, "options"));
      }
      mount.uid_mappings = Mappings(Get(m, "uidMappings"));
      mount.gid_mappings = Mappings(Get(m, "gidMappings"));
      mount.origin = Ptr("/mounts", i);
      out.push_back(std::move(mount));
    }
    return out;
  }

  Hooks BuildHooks() {
    Hooks hooks;
    const Json* h = Get(root_, "hooks");
    const std::pair<const char*, std::vector<Hook>*> kinds[] = {
        {"prestart", &hooks.prestart},
        {"createRuntime", &hooks.create_runtime},
        {"createContainer", &hooks.create_container},
        {"startContainer", &hooks.start_container},
        {"poststart", &hooks.poststart},
        {"poststop", &hooks.poststop},
    };
    for (const auto& [name, target] : kinds) {
      const auto& list = Array(Get(h, name));
      for (size_t i = 0; i < list.size(); ++i) {
        Hook hook;
        hook.path = String(Get(list[i], "path")).value_or("");
        hook.args = Strings(Get(list[i], "args"));
        hook.env = Strings(Get(list[i], "env"));
        hook.timeout = Narrow<int32_t>(Int(Get(list[i], "timeout")));
        hook.origin = Ptr(Ptr("/hooks", name), i);
        target->push_back(std::move(hook));
      }
    }
    return hooks;
  }

  // ---- linux ----

  Linux BuildLinux(const Json& l) {
    Linux out;
    const auto& namespaces = Array(Get(l, "namespaces"));
    out.namespaces.reserve(namespaces.size());
    for (size_t i = 0; i < namespaces.size(); ++i) {
      const auto type = NamespaceByName(String(Get(namespaces[i], "type")).value_or(""));
      if (!type) continue;
      // "" is "no path" in both formats (see semantic.cc).
      out.namespaces.push_back(
          Namespace{*type, String(Get(namespaces[i], "path")).value_or(""), Ptr("/linux/namespaces", i)});
    }
    if (pre_draft_) {
      out.uid_mappings = Mappings(Get(l, "uidMapping"));
      out.gid_mappings = Mappings(Get(l, "gidMapping"));
      out.uid_mappings_origin = "/linux/uidMapping";
      out.gid_mappings_origin = "/linux/gidMapping";
    } else {
      out.uid_mappings = Mappings(Get(l, "uidMappings"));
      out.gid_mappings = Mappings(Get(l, "gidMappings"));
    }
    for (const auto& [clock, value] : Object(Get(l, "timeOffsets"))) {
      out.time_offsets[clock] = TimeOffset{Int(Get(value, "secs")).value_or(0),
                                           NarrowU<uint32_t>(Uint(Get(value, "nanosecs"))).value_or(0)};
    }
    out.devices = BuildDevices(Get(l, "devices"));
    out.cgroups_path = String(Get(l, "cgroupsPath"));
    if (const Json* r = Get(l, "resources")) out.resources = pre_draft_ ? PreDraftResources(*r) : BuildResources(*r);
    if (pre_draft_) AddPreDraftDeviceRules(Get(l, "devices"), out);
    out.rootfs_propagation = String(Get(l, "rootfsPropagation")).value_or("");
    if (const Json* s = Get(l, "seccomp")) out.seccomp = BuildSeccomp(*s);
    for (const auto& [key, value] : Object(Get(l, pre_draft_ ? "systemProperties" : "sysctl"))) {
      if (value.is_string()) out.sysctl[key] = value.get<std::string>();
    }
    out.masked_paths = Strings(Get(l, "maskedPaths"));
    out.readonly_paths = Strings(Get(l, "readonlyPaths"));
    out.mount_label = String(Get(l, "mountLabel")).value_or("");
    if (const Json* rdt = Get(l, "intelRdt")) {
      IntelRdt r;
      r.clos_id = String(Get(*rdt, "closID")).value_or("");
      r.l3_cache_schema = String(Get(*rdt, "l3CacheSchema")).value_or("");
      r.mem_bw_schema = String(Get(*rdt, "memBwSchema")).value_or("");
      r.schemata = Strings(Get(*rdt, "schemata"));
      r.enable_monitoring = Bool(Get(*rdt, "enableMonitoring"));
      if (!r.enable_monitoring) {
        // runtime-spec 1.1/1.2 spelled monitoring as two flags.
        const auto cmt = Bool(Get(*rdt, "enableCMT"));
        const auto mbm = Bool(Get(*rdt, "enableMBM"));
        if (cmt || mbm) r.enable_monitoring = cmt.value_or(false) || mbm.value_or(false);
      }
      out.intel_rdt = std::move(r);
    }
    if (const Json* p = Get(l, "personality")) {
      out.personality = Personality{String(Get(*p, "domain")).value_or(""), Strings(Get(*p, "flags"))};
    }
    if (const Json* mp = Get(l, "memoryPolicy")) {
      out.memory_policy = MemoryPolicy{String(Get(*mp, "mode")).value_or(""), String(Get(*mp, "nodes")).value_or(""),
                                       Strings(Get(*mp, "flags"))};
    }
    for (const auto& [name, value] : Object(Get(l, "netDevices"))) {
      out.net_devices[name] = NetDevice{String(Get(value, "name")).value_or("")};
    }
    return out;
  }

  std::vector<Device> BuildDevices(const Json* list_value) {
    std::vector<Device> out;
    const auto& list = Array(list_value);
    out.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      const Json& d = list[i];
      Device dev;
      if (pre_draft_) {
        dev.type = PreDraftDeviceType(Int(Get(d, "type")).value_or(0));
      } else {
        const std::string t = String(Get(d, "type")).value_or("");
        dev.type = t.size() == 1 ? t[0] : 0;
      }
      dev.path = String(Get(d, "path")).value_or("");
      dev.major = Int(Get(d, "major")).value_or(0);
      dev.minor = Int(Get(d, "minor")).value_or(0);
      dev.file_mode = NarrowU<uint32_t>(Uint(Get(d, "fileMode")));
      dev.uid = NarrowU<uint32_t>(Uint(Get(d, "uid")));
      dev.gid = NarrowU<uint32_t>(Uint(Get(d, "gid")));
      dev.origin = Ptr("/linux/devices", i);
      out.push_back(std::move(dev));
    }
    return out;
  }

  // 2015 libcontainer denied every device and then allowed exactly the listed ones, each with its
  // `permissions`; that is the only place the pre-draft's permissions mattered.
  void AddPreDraftDeviceRules(const Json* list_value, Linux& out) {
    const auto& list = Array(list_value);
    if (list.empty()) return;
    if (!out.resources) out.resources.emplace();
    auto& rules = out.resources->devices;
    rules.push_back(DeviceRule{false, 'a', std::nullopt, std::nullopt, "rwm", "/linux/devices"});
    for (size_t i = 0; i < out.devices.size(); ++i) {
      const Device& dev = out.devices[i];
      if (dev.type != 'c' && dev.type != 'b') continue;  // the device cgroup only knows c and b
      rules.push_back(DeviceRule{true, dev.type, dev.major, dev.minor,
                                 String(Get(list[i], "permissions")).value_or(""), dev.origin});
    }
  }

  static Resources BuildResources(const Json& r) {
    Resources out;
    const auto& rules = Array(Get(r, "devices"));
    out.devices.reserve(rules.size());
    for (size_t i = 0; i < rules.size(); ++i) {
      DeviceRule rule;
      rule.allow = Bool(Get(rules[i], "allow")).value_or(false);
      const std::string type = String(Get(rules[i], "type")).value_or("a");
      rule.type = type.size() == 1 ? type[0] : 'a';
      rule.major = Int(Get(rules[i], "major"));
      rule.minor = Int(Get(rules[i], "minor"));
      rule.access = String(Get(rules[i], "access")).value_or("");
      rule.origin = Ptr("/linux/resources/devices", i);
      out.devices.push_back(std::move(rule));
    }
    if (const Json* m = Get(r, "memory")) {
      Memory mem;
      mem.limit = Int(Get(*m, "limit"));
      mem.reservation = Int(Get(*m, "reservation"));
      mem.swap = Int(Get(*m, "swap"));
      mem.kernel = Int(Get(*m, "kernel"));
      mem.kernel_tcp = Int(Get(*m, "kernelTCP"));
      mem.swappiness = Uint(Get(*m, "swappiness"));
      mem.disable_oom_killer = Bool(Get(*m, "disableOOMKiller"));
      mem.use_hierarchy = Bool(Get(*m, "useHierarchy"));
      mem.check_before_update = Bool(Get(*m, "checkBeforeUpdate"));
      out.memory = std::move(mem);
    }
    if (const Json* c = Get(r, "cpu")) {
      Cpu cpu;
      cpu.shares = Uint(Get(*c, "shares"));
      cpu.quota = Int(Get(*c, "quota"));
      cpu.burst = Uint(Get(*c, "burst"));
      cpu.period = Uint(Get(*c, "period"));
      cpu.realtime_runtime = Int(Get(*c, "realtimeRuntime"));
      cpu.realtime_period = Uint(Get(*c, "realtimePeriod"));
      cpu.cpus = String(Get(*c, "cpus")).value_or("");
      cpu.mems = String(Get(*c, "mems")).value_or("");
      cpu.idle = Int(Get(*c, "idle"));
      out.cpu = std::move(cpu);
    }
    out.pids_limit = Int(Get(Get(r, "pids"), "limit"));
    if (const Json* b = Get(r, "blockIO")) {
      BlockIO blkio;
      blkio.weight = NarrowU<uint16_t>(Uint(Get(*b, "weight")));
      blkio.leaf_weight = NarrowU<uint16_t>(Uint(Get(*b, "leafWeight")));
      for (const auto& d : Array(Get(*b, "weightDevice"))) {
        blkio.weight_device.push_back(WeightDevice{Int(Get(d, "major")).value_or(0), Int(Get(d, "minor")).value_or(0),
                                                   NarrowU<uint16_t>(Uint(Get(d, "weight"))),
                                                   NarrowU<uint16_t>(Uint(Get(d, "leafWeight")))});
      }
      const std::pair<const char*, std::vector<ThrottleDevice>*> throttles[] = {
          {"throttleReadBpsDevice", &blkio.throttle_read_bps},
          {"throttleWriteBpsDevice", &blkio.throttle_write_bps},
          {"throttleReadIOPSDevice", &blkio.throttle_read_iops},
          {"throttleWriteIOPSDevice", &blkio.throttle_write_iops},
      };
      for (const auto& [key, target] : throttles) {
        for (const auto& d : Array(Get(*b, key))) {
          target->push_back(ThrottleDevice{Int(Get(d, "major")).value_or(0), Int(Get(d, "minor")).value_or(0),
                                           Uint(Get(d, "rate")).value_or(0)});
        }
      }
      out.block_io = std::move(blkio);
    }
    out.hugepage_limits = HugepageLimits(Get(r, "hugepageLimits"));
    if (const Json* n = Get(r, "network")) {
      NetworkResources net;
      net.class_id = NarrowU<uint32_t>(Uint(Get(*n, "classID")));
      net.priorities = Priorities(Get(*n, "priorities"));
      out.network = std::move(net);
    }
    for (const auto& [name, value] : Object(Get(r, "rdma"))) {
      out.rdma[name] = RdmaLimit{NarrowU<uint32_t>(Uint(Get(value, "hcaHandles"))),
                                 NarrowU<uint32_t>(Uint(Get(value, "hcaObjects")))};
    }
    for (const auto& [file, value] : Object(Get(r, "unified"))) {
      if (value.is_string()) out.unified[file] = value.get<std::string>();
    }
    return out;
  }

  static std::vector<HugepageLimit> HugepageLimits(const Json* list) {
    std::vector<HugepageLimit> out;
    for (const auto& h : Array(list)) {
      out.push_back(HugepageLimit{String(Get(h, "pageSize")).value_or(""), Uint(Get(h, "limit")).value_or(0)});
    }
    return out;
  }

  static std::vector<std::pair<std::string, uint32_t>> Priorities(const Json* list) {
    std::vector<std::pair<std::string, uint32_t>> out;
    for (const auto& p : Array(list)) {
      out.emplace_back(String(Get(p, "name")).value_or(""), NarrowU<uint32_t>(Uint(Get(p, "priority"))).value_or(0));
    }
    return out;
  }

  // The 2015 resources: zero values meant "unset", blockIO fields were cgroup file contents.
  static Resources PreDraftResources(const Json& r) {
    Resources out;
    Memory mem;
    const Json* m = Get(r, "memory");
    mem.limit = NonZero(Int(Get(m, "limit")));
    mem.reservation = NonZero(Int(Get(m, "reservation")));
    mem.swap = NonZero(Int(Get(m, "swap")));
    mem.kernel = NonZero(Int(Get(m, "kernel")));
    mem.swappiness = Uint(Get(m, "swappiness"));  // -1 (unset) is not a Uint
    // Only `true` did anything in 2015: false was the zero value.
    if (Bool(Get(r, "disableOOMKiller")).value_or(false)) mem.disable_oom_killer = true;
    if (mem.limit || mem.reservation || mem.swap || mem.kernel || mem.swappiness || mem.disable_oom_killer) {
      out.memory = std::move(mem);
    }

    if (const Json* c = Get(r, "cpu")) {
      Cpu cpu;
      cpu.shares = NonZero(Uint(Get(*c, "shares")));
      cpu.quota = NonZero(Int(Get(*c, "quota")));
      cpu.period = NonZero(Uint(Get(*c, "period")));
      cpu.realtime_runtime = NonZero(Int(Get(*c, "realtimeRuntime")));
      cpu.realtime_period = NonZero(Uint(Get(*c, "realtimePeriod")));
      cpu.cpus = String(Get(*c, "cpus")).value_or("");
      cpu.mems = String(Get(*c, "mems")).value_or("");
      if (cpu.shares || cpu.quota || cpu.period || cpu.realtime_runtime || cpu.realtime_period ||
          !cpu.cpus.empty() || !cpu.mems.empty()) {
        out.cpu = std::move(cpu);
      }
    }

    if (const Json* b = Get(r, "blockIO")) {
      BlockIO blkio;
      blkio.weight = NarrowU<uint16_t>(NonZero(Uint(Get(*b, "blkioWeight"))));
      std::vector<BlkioLine> lines;
      std::string error;
      if (ParseBlkioLines(String(Get(*b, "blkioWeightDevice")).value_or(""), lines, error)) {
        for (const auto& line : lines) {
          blkio.weight_device.push_back(
              WeightDevice{line.major, line.minor, NarrowU<uint16_t>(line.value), std::nullopt});
        }
      }
      const std::pair<const char*, std::vector<ThrottleDevice>*> throttles[] = {
          {"blkioThrottleReadBpsDevice", &blkio.throttle_read_bps},
          {"blkioThrottleWriteBpsDevice", &blkio.throttle_write_bps},
          {"blkioThrottleReadIopsDevice", &blkio.throttle_read_iops},
          {"blkioThrottleWriteIopsDevice", &blkio.throttle_write_iops},
      };
      for (const auto& [key, target] : throttles) {
        if (!ParseBlkioLines(String(Get(*b, key)).value_or(""), lines, error)) continue;
        for (const auto& line : lines) target->push_back(ThrottleDevice{line.major, line.minor, line.value});
      }
      if (blkio.weight || !blkio.weight_device.empty() || !blkio.throttle_read_bps.empty() ||
          !blkio.throttle_write_bps.empty() || !blkio.throttle_read_iops.empty() ||
          !blkio.throttle_write_iops.empty()) {
        out.block_io = std::move(blkio);
      }
    }

    out.hugepage_limits = HugepageLimits(Get(r, "hugepageLimits"));

    if (const Json* n = Get(r, "network")) {
      NetworkResources net;
      std::string error;
      if (!ParseClassId(String(Get(*n, "classId")).value_or(""), net.class_id, error)) net.class_id.reset();
      net.priorities = Priorities(Get(*n, "priorities"));
      if (net.class_id || !net.priorities.empty()) out.network = std::move(net);
    }
    return out;
  }

  static Seccomp BuildSeccomp(const Json& s) {
    Seccomp out;
    out.default_action = String(Get(s, "defaultAction")).value_or("");
    out.default_errno_ret = NarrowU<uint32_t>(Uint(Get(s, "defaultErrnoRet")));
    out.architectures = Strings(Get(s, "architectures"));
    out.flags = Strings(Get(s, "flags"));
    out.listener_path = String(Get(s, "listenerPath")).value_or("");
    out.listener_metadata = String(Get(s, "listenerMetadata")).value_or("");
    const auto& syscalls = Array(Get(s, "syscalls"));
    for (size_t i = 0; i < syscalls.size(); ++i) {
      const Json& rule = syscalls[i];
      SeccompSyscall sc;
      sc.names = Strings(Get(rule, "names"));
      sc.action = String(Get(rule, "action")).value_or("");
      sc.errno_ret = NarrowU<uint32_t>(Uint(Get(rule, "errnoRet")));
      for (const auto& a : Array(Get(rule, "args"))) {
        sc.args.push_back(SeccompArg{NarrowU<uint32_t>(Uint(Get(a, "index"))).value_or(0),
                                     Uint(Get(a, "value")).value_or(0), Uint(Get(a, "valueTwo")).value_or(0),
                                     String(Get(a, "op")).value_or("")});
      }
      sc.origin = Ptr("/linux/seccomp/syscalls", i);
      out.syscalls.push_back(std::move(sc));
    }
    return out;
  }

  const Json& root_;
  const bool pre_draft_;
};

}  // namespace

Spec SpecFromJson(const JsonDocument& doc) {
  try {
    Spec spec = Builder(doc.root).Build();
    spec.source_name = doc.filename;
    // The fields CheckHostSupport may refuse (found from the offset only when they are set).
    for (const std::string_view pointer : {"/process/apparmorProfile", "/process/selinuxLabel", "/linux/mountLabel"}) {
      const JsonValue* value = doc.root.at_pointer(pointer);
      if (value == nullptr || !value->is_string() || value->str().empty()) continue;
      const Position pos = doc.PositionOf(pointer);
      spec.positions[std::string(pointer)] = SourcePosition{pos.line, pos.col};
    }
    if (const JsonValue* unified = doc.root.at_pointer("/linux/resources/unified");
        unified != nullptr && unified->is_object() && unified->size() > 0) {
      const Position pos = doc.PositionOf("/linux/resources/unified");
      spec.positions["/linux/resources/unified"] = SourcePosition{pos.line, pos.col};
    }
    return spec;
  } catch (const std::exception&) {
    // Unreachable with the non-throwing accessors above; the module boundary must hold regardless.
    return Spec{};
  }
}

}  // namespace runc
