// Cgroup directories and resource writes, for v1 (also the v1 half of hybrid) and v2. File names
// and value conversions follow runc's libcontainer/cgroups/fs (v1) and fs2 (v2).
//
// A resource the host cannot apply is never dropped silently: its write is emitted for the file
// the kernel would have if the controller were there, so running the plan fails at that step with
// the file and the config field named (the issue asks for "a clear message naming the resource").
#include <linux/bpf.h>

#include <algorithm>
#include <cstdint>
#include <map>

#include "compiler/compile_internal.h"
#include "schema/diag.h"

namespace runc::compile_internal {
namespace {

constexpr std::string_view kDefaultCgroupRoot = "/sys/fs/cgroup";

std::string Basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string Dirname(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

// systemd's unit-name escaping of a slice: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice".
std::string ExpandSlice(std::string_view slice) {
  constexpr std::string_view kSuffix = ".slice";
  if (slice == "-.slice" || slice.empty()) return "/";
  if (slice.size() <= kSuffix.size() || slice.substr(slice.size() - kSuffix.size()) != kSuffix) {
    return "/" + std::string(slice);
  }
  const std::string_view base = slice.substr(0, slice.size() - kSuffix.size());
  std::string path, prefix;
  size_t start = 0;
  while (start <= base.size()) {
    size_t dash = base.find('-', start);
    if (dash == std::string_view::npos) dash = base.size();
    const std::string_view component = base.substr(start, dash - start);
    prefix += prefix.empty() ? std::string(component) : "-" + std::string(component);
    path += "/" + prefix + std::string(kSuffix);
    start = dash + 1;
  }
  return path;
}

std::string Str(int64_t v) { return std::to_string(v); }
std::string Str(uint64_t v) { return std::to_string(v); }

// v2 spelling of a number: 0 = not set, -1 = "max" (runc's numToStr).
std::string V2Num(int64_t v) {
  if (v == 0) return "";
  if (v == -1) return "max";
  return std::to_string(v);
}

class Writer {
 public:
  explicit Writer(Builder& b) : b_(b), v2_(b.host.cgroup_mode == CgroupMode::kV2) {
    predraft_ = b.spec.format == SpecFormat::kPreDraft;
  }

  // `runc update`: the writes of an update document (already reduced to what update changes),
  // with origins relative to it; `current` decides the v1 memory/swap order.
  void RunUpdate(const Resources& current) {
    base_.clear();
    current_ = &current;
    const Resources& res = *b_.spec.linux.resources;
    if (v2_) {
      Pids(res);
      if (res.memory) MemoryV2(*res.memory);
      if (res.block_io) IoV2(*res.block_io);
      if (res.cpu) CpuV2(*res.cpu);
      if (res.cpu) Cpuset(*res.cpu);
      Unified(res);
      return;
    }
    if (res.cpu) Cpuset(*res.cpu);
    if (res.memory) MemoryV1(*res.memory);
    if (res.cpu) CpuV1(*res.cpu);
    Pids(res);
    if (res.block_io) BlkioV1(*res.block_io);
    Unified(res);
  }

  void Run() {
    const auto& res = b_.spec.linux.resources;
    if (v2_) {
      // fs2.Set order: pids, memory, io, cpu, devices, cpuset, hugetlb, rdma, unified. Devices are
      // programmed even without resources (runc's default allow-list), as on v1.
      if (!res) return DevicesV2({});
      Pids(*res);
      if (res->memory) MemoryV2(*res->memory);
      if (res->block_io) IoV2(*res->block_io);
      if (res->cpu) CpuV2(*res->cpu);
      DevicesV2(res->devices);
      if (res->cpu) Cpuset(*res->cpu);
      Hugetlb(*res);
      NetworkV1(*res);  // no v2 equivalent: fails at run time if asked for
      Rdma(*res);
      Unified(*res);
      return;
    }
    // fs subsystem order: cpuset, devices, memory, cpu, pids, blkio, hugetlb, net_cls, net_prio,
    // rdma. Devices are programmed even without resources (runc's default allow-list).
    if (res && res->cpu) Cpuset(*res->cpu);
    DevicesV1(res ? res->devices : std::vector<DeviceRule>{});
    if (!res) return;
    if (res->memory) MemoryV1(*res->memory);
    if (res->cpu) CpuV1(*res->cpu);
    Pids(*res);
    if (res->block_io) BlkioV1(*res->block_io);
    Hugetlb(*res);
    NetworkV1(*res);
    Rdma(*res);
    Unified(*res);
  }

 private:
  // Directory of the container's cgroup for `controller` ("" = the unified hierarchy).
  const std::string& DirOf(std::string_view controller) {
    auto it = dir_cache_.find(std::string(controller));
    if (it != dir_cache_.end()) return it->second;
    std::string dir;
    if (v2_ || controller.empty()) {
      for (const auto& c : b_.cgroups) {
        if (c.unified) dir = c.dir;
      }
      if (dir.empty()) dir = JoinPath(JoinPath(CgroupRoot(), "unified"), Inner());
    } else {
      for (const auto& c : b_.cgroups) {
        if (std::find(c.controllers.begin(), c.controllers.end(), controller) != c.controllers.end()) {
          dir = c.dir;
          break;
        }
      }
      if (dir.empty()) dir = JoinPath(JoinPath(CgroupRoot(), controller), Inner());
    }
    return dir_cache_.emplace(std::string(controller), std::move(dir)).first->second;
  }

  std::string Inner() const { return b_.cgroup_inner_absolute ? b_.cgroup_inner : "/" + b_.cgroup_inner; }

  std::string CgroupRoot() const {
    for (const auto& [controller, mount] : b_.host.v1_mounts) return Dirname(mount);
    return std::string(kDefaultCgroupRoot);
  }

  void Write(std::string_view controller, std::string_view file, std::string value, std::string origin) {
    Step& s = b_.Add(Phase::kHost, StepKind::kCgroupWrite, std::move(origin));
    s.name = controller.empty() ? "unified" : std::string(controller);
    s.path = DirOf(controller) + "/" + std::string(file);
    s.value = std::move(value);
  }

  std::string Ptr(std::string_view rest) const { return base_ + std::string(rest); }

  void Cpuset(const Cpu& cpu) {
    if (!cpu.cpus.empty()) Write("cpuset", "cpuset.cpus", cpu.cpus, Ptr("/cpu/cpus"));
    if (!cpu.mems.empty()) Write("cpuset", "cpuset.mems", cpu.mems, Ptr("/cpu/mems"));
  }

  // One rule as runc hands it to its device emulator (a devices.allow / devices.deny line).
  struct SeqRule {
    bool allow;
    char type;           // 'a', 'c', 'b'
    int64_t major = -1;  // -1 = wildcard
    int64_t minor = -1;
    std::string access;  // "" = "rwm"; only r, w, m (runc's emulator drops any other letter)
    std::string origin;
  };

  // The access as the kernel takes it: validation let one `a` through ("rwa"), which runc's
  // emulator drops and devices.allow/deny would refuse (EINVAL).
  static std::string EmulatorAccess(std::string_view access) {
    std::string out;
    for (char c : access) {
      if (c != 'a') out += c;
    }
    return out;
  }

  // The rules in the order runc applies them (specconv of runc 1.1, the reference for our
  // differential tests): the spec's rules, then runc's allow-list of devices every container gets
  // (AllowedDevices, incl. /dev/net/tun which runc 1.2 dropped) minus the nodes the spec
  // redefines. runc applies them to a deny-all emulator (an
  // allow-list) whatever the spec starts with, so a container only ever gets the devices it is
  // given; that deny-all comes first here unless the spec starts with one itself.
  //
  // A consequence of runc's order: a spec rule cannot take away a device of the default list
  // (/dev/zero, /dev/null, ...), the allow-list that follows gives it back.
  std::vector<SeqRule> DeviceRuleSequence(const std::vector<DeviceRule>& rules) const {
    auto number = [](const std::optional<int64_t>& n) { return n && *n >= 0 ? *n : int64_t{-1}; };
    std::vector<SeqRule> out;
    const bool starts_with_deny_all = !rules.empty() && !rules[0].allow && rules[0].type == 'a';
    if (!starts_with_deny_all) out.push_back({false, 'a', -1, -1, "", "default"});
    for (const auto& r : rules) {
      out.push_back({r.allow, r.type, number(r.major), number(r.minor), EmulatorAccess(r.access), r.origin});
    }
    struct Allowed {
      std::string_view path;  // "" = a rule only
      char type;
      int64_t major, minor;  // -1 = wildcard
      std::string_view access;
    };
    static constexpr Allowed kAllowed[] = {
        {"", 'c', -1, -1, "m"},         {"", 'b', -1, -1, "m"},          {"/dev/null", 'c', 1, 3, "rwm"},
        {"/dev/random", 'c', 1, 8, "rwm"}, {"/dev/full", 'c', 1, 7, "rwm"}, {"/dev/tty", 'c', 5, 0, "rwm"},
        {"/dev/zero", 'c', 1, 5, "rwm"},   {"/dev/urandom", 'c', 1, 9, "rwm"},
        {"", 'c', 136, -1, "rwm"},  // /dev/pts/*
        {"", 'c', 5, 2, "rwm"},     // /dev/ptmx
        {"", 'c', 10, 200, "rwm"},  // /dev/net/tun
    };
    const auto& devices = b_.spec.linux.devices;
    for (const auto& a : kAllowed) {
      if (!a.path.empty() && std::any_of(devices.begin(), devices.end(),
                                         [&](const Device& d) { return d.path == a.path; })) {
        continue;
      }
      out.push_back({true, a.type, a.major, a.minor, std::string(a.access), "default"});
    }
    // The spec's own devices (linux.devices) are made as nodes but get no rule: their access is
    // what linux.resources.devices and the allow-list above give (runc 1.1's createDevices puts
    // them in config.Devices only; its dev.bats "device cgroup deny" expects EPERM on such a node).
    return out;
  }

  void DevicesV1(const std::vector<DeviceRule>& rules) {
    // A rootless runtime cannot program the devices controller; runc skips it the same way.
    if (b_.options.rootless) return;
    auto number = [](int64_t n) { return n >= 0 ? std::to_string(n) : std::string("*"); };
    for (auto& r : DeviceRuleSequence(rules)) {
      std::string value;
      if (r.type == 'a') {
        value = "a";
      } else {
        value = std::string(1, r.type) + " " + number(r.major) + ":" + number(r.minor) + " " +
                std::string(r.access.empty() ? "rwm" : r.access);
      }
      Write("devices", r.allow ? "devices.allow" : "devices.deny", std::move(value), std::move(r.origin));
    }
  }

  // cgroup v2 has no device files: the same rules become one eBPF program (executor/runtime/cgroup_bpf.h).
  // They are run through runc's device emulator here (libcontainer/cgroups/devices), which keeps
  // the state cgroup v1's devices controller would end in: a default verdict and exceptions to
  // it. The step carries that result, so the plan shows the rules the program enforces.
  void DevicesV2(const std::vector<DeviceRule>& rules) {
    if (b_.options.rootless) return;  // as on v1
    struct Exception {
      uint32_t type;  // BPF_DEVCG_DEV_*
      int64_t major, minor;
      uint32_t access;  // BPF_DEVCG_ACC_*
      std::vector<std::string> origins;  // every rule that changed it
    };
    bool default_allow = false;
    std::string default_origin = "default";
    std::vector<Exception> exceptions;  // in the order they were first granted
    auto add_origin = [](Exception& e, const std::string& origin) {
      if (std::find(e.origins.begin(), e.origins.end(), origin) == e.origins.end()) e.origins.push_back(origin);
    };
    for (const auto& r : DeviceRuleSequence(rules)) {
      if (r.type == 'a') {
        // "a" switches the mode and forgets every exception, whatever its access says.
        default_allow = r.allow;
        default_origin = r.origin;
        exceptions.clear();
        continue;
      }
      const uint32_t type = r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
      uint32_t access = 0;
      for (char c : r.access.empty() ? std::string_view("rwm") : std::string_view(r.access)) {
        access |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
      }
      auto it = std::find_if(exceptions.begin(), exceptions.end(), [&](const Exception& e) {
        return e.type == type && e.major == r.major && e.minor == r.minor;
      });
      if (r.allow != default_allow) {
        // An exception to the default: merged into one with the same type and numbers.
        if (it == exceptions.end()) {
          exceptions.push_back({type, r.major, r.minor, access, {r.origin}});
        } else if ((it->access | access) != it->access) {
          it->access |= access;
          add_origin(*it, r.origin);
        }
      } else if (it != exceptions.end() && (it->access & access) != 0) {
        // The default's own verdict takes bits away from the exception with exactly these numbers.
        // Like the v1 kernel (dev_exception_rm), a rule never punches a hole into a wildcard
        // exception; runc's emulator refuses such a rule, the kernel and we ignore it.
        it->access &= ~access;
        add_origin(*it, r.origin);
        if (it->access == 0) exceptions.erase(it);
      }
    }
    const bool spec_rules = b_.spec.linux.resources && !b_.spec.linux.resources->devices.empty();
    Step& s = b_.Add(Phase::kHost, StepKind::kCgroupDevices, spec_rules ? Ptr("/devices") : std::string("default"));
    s.path = DirOf("");
    s.nums.reserve(1 + 4 * exceptions.size());
    s.argv.reserve(1 + exceptions.size());
    s.nums.push_back(default_allow ? 1 : 0);
    s.argv.push_back(std::move(default_origin));
    for (auto& e : exceptions) {
      s.nums.insert(s.nums.end(), {int64_t{e.type}, e.major, e.minor, int64_t{e.access}});
      std::string origins;
      for (const auto& o : e.origins) origins += (origins.empty() ? "" : ",") + o;
      s.argv.push_back(std::move(origins));
    }
  }

  void MemoryV1(const Memory& m) {
    const int64_t limit = m.limit.value_or(0);
    const int64_t swap = m.swap.value_or(0);
    auto write_limit = [&] { Write("memory", "memory.limit_in_bytes", Str(limit), Ptr("/memory/limit")); };
    auto write_swap = [&] { Write("memory", "memory.memsw.limit_in_bytes", Str(swap), Ptr("/memory/swap")); };
    // The kernel wants memsw >= limit at every moment: raise memsw first when it becomes
    // unlimited (runc's setMemoryAndSwap against a fresh, unlimited cgroup).
    // An update goes from the container's current limit: when the new memsw is above it, memsw
    // must grow first (runc compares with the limit it reads from the cgroup; we keep it saved).
    bool swap_first = swap == -1;
    if (current_ && swap > 0) {
      const int64_t cur = current_->memory ? current_->memory->limit.value_or(-1) : -1;
      swap_first = swap_first || (cur > 0 && cur < swap);
    }
    if (limit != 0 && swap != 0) {
      if (swap_first) {
        write_swap();
        write_limit();
      } else {
        write_limit();
        write_swap();
      }
    } else {
      if (limit != 0) write_limit();
      if (swap != 0) write_swap();
    }
    if (m.reservation.value_or(0) != 0) {
      Write("memory", "memory.soft_limit_in_bytes", Str(*m.reservation), Ptr("/memory/reservation"));
    }
    // memory.kernel is deprecated by the runtime spec and its file is gone since Linux 6.1; runc
    // ignores it too.
    if (m.kernel_tcp.value_or(0) != 0) {
      Write("memory", "memory.kmem.tcp.limit_in_bytes", Str(*m.kernel_tcp), Ptr("/memory/kernelTCP"));
    }
    if (m.disable_oom_killer.value_or(false)) {
      Write("memory", "memory.oom_control", "1",
            predraft_ ? Ptr("/disableOOMKiller") : Ptr("/memory/disableOOMKiller"));
    }
    Swappiness(m);
  }

  void Swappiness(const Memory& m) {
    // -1 (as uint64) is the pre-draft's "unset".
    if (m.swappiness && *m.swappiness != UINT64_MAX) {
      Write("memory", "memory.swappiness", Str(*m.swappiness), Ptr("/memory/swappiness"));
    }
  }

  void MemoryV2(const Memory& m) {
    const int64_t limit = m.limit.value_or(0);
    const int64_t swap = m.swap.value_or(0);
    // v1's memory.memsw is memory+swap; v2's memory.swap.max is swap alone
    // (cgroups.ConvertMemorySwapToCgroupV2Value).
    int64_t swap_v2 = swap;
    if (limit == -1 && swap == 0) {
      swap_v2 = -1;  // "unlimited memory" also means unlimited swap, as on v1
    } else if (swap > 0 && limit > 0) {
      // A swap below the limit is invalid; the negative difference makes the kernel refuse it, so
      // the run fails at this step naming /linux/resources/memory/swap.
      swap_v2 = swap - limit;
    }
    std::string swap_text = V2Num(swap_v2);
    if (swap_text.empty() && swap_v2 == 0 && swap > 0) swap_text = "0";  // swap == limit: no swap
    if (!swap_text.empty()) Write("memory", "memory.swap.max", swap_text, Ptr("/memory/swap"));
    if (const std::string v = V2Num(limit); !v.empty()) Write("memory", "memory.max", v, Ptr("/memory/limit"));
    if (const std::string v = V2Num(m.reservation.value_or(0)); !v.empty()) {
      Write("memory", "memory.low", v, Ptr("/memory/reservation"));
    }
    // No v2 files for these; emitted so that asking for them fails visibly.
    if (m.kernel_tcp.value_or(0) != 0) {
      Write("memory", "memory.kmem.tcp.limit_in_bytes", Str(*m.kernel_tcp), Ptr("/memory/kernelTCP"));
    }
    if (m.disable_oom_killer.value_or(false)) {
      Write("memory", "memory.oom_control", "1",
            predraft_ ? Ptr("/disableOOMKiller") : Ptr("/memory/disableOOMKiller"));
    }
    Swappiness(m);
  }

  void CpuV1(const Cpu& c) {
    if (c.shares.value_or(0) != 0) Write("cpu", "cpu.shares", Str(*c.shares), Ptr("/cpu/shares"));
    // runc's order: the period, then the quota; a period the kernel refuses against the old quota
    // (EINVAL: a pod's limit) is written again after the new quota.
    const bool period = c.period.value_or(0) != 0, quota = c.quota.value_or(0) != 0;
    if (period) {
      Write("cpu", "cpu.cfs_period_us", Str(*c.period), Ptr("/cpu/period"));
      if (quota) b_.plan.steps.back().flags = kRetriedAfterQuota;
    }
    if (quota) Write("cpu", "cpu.cfs_quota_us", Str(*c.quota), Ptr("/cpu/quota"));
    if (period && quota) Write("cpu", "cpu.cfs_period_us", Str(*c.period), Ptr("/cpu/period"));
    if (c.burst) Write("cpu", "cpu.cfs_burst_us", Str(*c.burst), Ptr("/cpu/burst"));
    RealtimeCpu(c);
    if (c.idle) Write("cpu", "cpu.idle", Str(*c.idle), Ptr("/cpu/idle"));
  }

  // The period must be in place before a runtime that only fits it (runc's SetRtSched order).
  void RealtimeCpu(const Cpu& c) {
    if (c.realtime_period.value_or(0) != 0) {
      Write("cpu", "cpu.rt_period_us", Str(*c.realtime_period), Ptr("/cpu/realtimePeriod"));
    }
    if (c.realtime_runtime.value_or(0) != 0) {
      Write("cpu", "cpu.rt_runtime_us", Str(*c.realtime_runtime), Ptr("/cpu/realtimeRuntime"));
    }
  }

  void CpuV2(const Cpu& c) {
    if (c.idle) Write("cpu", "cpu.idle", Str(*c.idle), Ptr("/cpu/idle"));
    if (c.shares.value_or(0) != 0) {
      // cgroups.ConvertCPUSharesToCgroupV2Value: [2, 262144] -> [1, 10000].
      const uint64_t shares = std::clamp<uint64_t>(*c.shares, 2, 262144);
      Write("cpu", "cpu.weight", Str(1 + ((shares - 2) * 9999) / 262142), Ptr("/cpu/shares"));
    }
    const int64_t quota = c.quota.value_or(0);
    const uint64_t period = c.period.value_or(0);
    if (quota != 0 || period != 0) {
      std::string v = quota > 0 ? Str(quota) : std::string("max");
      if (period != 0) v += " " + Str(period);
      Write("cpu", "cpu.max", std::move(v), quota != 0 ? Ptr("/cpu/quota") : Ptr("/cpu/period"));
    }
    if (c.burst) Write("cpu", "cpu.max.burst", Str(*c.burst), Ptr("/cpu/burst"));
    RealtimeCpu(c);  // no realtime group scheduling on v2: fails visibly, as runc refuses it
  }

  void Pids(const Resources& res) {
    if (!res.pids_limit) return;
    Write("pids", "pids.max", *res.pids_limit > 0 ? Str(*res.pids_limit) : std::string("max"),
          Ptr("/pids/limit"));
  }

  std::string BlkioPtr(std::string_view oci, std::string_view predraft, size_t index) const {
    if (predraft_) return Ptr("/blockIO/" + std::string(predraft));
    return Ptr("/blockIO/" + std::string(oci) + "/" + std::to_string(index));
  }

  void Throttles(const BlockIO& io, bool v2) {
    struct Kind {
      const std::vector<ThrottleDevice>* list;
      std::string_view v1_file, v2_key, oci, predraft;
    };
    const Kind kinds[] = {
        {&io.throttle_read_bps, "blkio.throttle.read_bps_device", "rbps", "throttleReadBpsDevice",
         "blkioThrottleReadBpsDevice"},
        {&io.throttle_write_bps, "blkio.throttle.write_bps_device", "wbps", "throttleWriteBpsDevice",
         "blkioThrottleWriteBpsDevice"},
        {&io.throttle_read_iops, "blkio.throttle.read_iops_device", "riops", "throttleReadIOPSDevice",
         "blkioThrottleReadIopsDevice"},
        {&io.throttle_write_iops, "blkio.throttle.write_iops_device", "wiops", "throttleWriteIOPSDevice",
         "blkioThrottleWriteIopsDevice"},
    };
    for (const auto& k : kinds) {
      for (size_t i = 0; i < k.list->size(); ++i) {
        const auto& t = (*k.list)[i];
        const std::string dev = Str(t.major) + ":" + Str(t.minor);
        if (v2) {
          Write("io", "io.max", dev + " " + std::string(k.v2_key) + "=" + Str(t.rate), BlkioPtr(k.oci, k.predraft, i));
        } else {
          Write("blkio", k.v1_file, dev + " " + Str(t.rate), BlkioPtr(k.oci, k.predraft, i));
        }
      }
    }
  }

  void BlkioV1(const BlockIO& io) {
    if (io.weight.value_or(0) != 0) {
      Write("blkio", "blkio.weight", Str(uint64_t{*io.weight}), predraft_ ? Ptr("/blockIO/blkioWeight") : Ptr("/blockIO/weight"));
    }
    if (io.leaf_weight.value_or(0) != 0) {
      Write("blkio", "blkio.leaf_weight", Str(uint64_t{*io.leaf_weight}), Ptr("/blockIO/leafWeight"));
    }
    for (size_t i = 0; i < io.weight_device.size(); ++i) {
      const auto& wd = io.weight_device[i];
      const std::string dev = Str(wd.major) + ":" + Str(wd.minor);
      if (wd.weight.value_or(0) != 0) {
        Write("blkio", "blkio.weight_device", dev + " " + Str(uint64_t{*wd.weight}),
              BlkioPtr("weightDevice", "blkioWeightDevice", i));
      }
      if (wd.leaf_weight.value_or(0) != 0) {
        Write("blkio", "blkio.leaf_weight_device", dev + " " + Str(uint64_t{*wd.leaf_weight}),
              BlkioPtr("weightDevice", "blkioWeightDevice", i));
      }
    }
    Throttles(io, false);
  }

  // blkio weights [10, 1000] -> io.weight [1, 10000] (cgroups.ConvertBlkIOToIOWeightValue).
  static uint64_t IoWeight(uint16_t w) {
    const uint64_t weight = std::clamp<uint64_t>(w, 10, 1000);
    return 1 + (weight - 10) * 9999 / 990;
  }

  void IoV2(const BlockIO& io) {
    if (io.weight.value_or(0) != 0) {
      Write("io", "io.weight", "default " + Str(IoWeight(*io.weight)),
            predraft_ ? Ptr("/blockIO/blkioWeight") : Ptr("/blockIO/weight"));
    }
    if (io.leaf_weight.value_or(0) != 0) {
      Write("io", "blkio.leaf_weight", Str(uint64_t{*io.leaf_weight}), Ptr("/blockIO/leafWeight"));
    }
    for (size_t i = 0; i < io.weight_device.size(); ++i) {
      const auto& wd = io.weight_device[i];
      const std::string dev = Str(wd.major) + ":" + Str(wd.minor);
      if (wd.weight.value_or(0) != 0) {
        Write("io", "io.weight", dev + " " + Str(IoWeight(*wd.weight)),
              BlkioPtr("weightDevice", "blkioWeightDevice", i));
      }
      if (wd.leaf_weight.value_or(0) != 0) {
        Write("io", "blkio.leaf_weight_device", dev + " " + Str(uint64_t{*wd.leaf_weight}),
              BlkioPtr("weightDevice", "blkioWeightDevice", i));
      }
    }
    Throttles(io, true);
  }

  void Hugetlb(const Resources& res) {
    for (size_t i = 0; i < res.hugepage_limits.size(); ++i) {
      const auto& h = res.hugepage_limits[i];
      const std::string file = "hugetlb." + h.page_size + (v2_ ? ".max" : ".limit_in_bytes");
      Write("hugetlb", file, Str(h.limit), Ptr("/hugepageLimits/" + std::to_string(i)));
    }
  }

  void NetworkV1(const Resources& res) {
    if (!res.network) return;
    const auto& n = *res.network;
    if (n.class_id.value_or(0) != 0) {
      Write("net_cls", "net_cls.classid", Str(uint64_t{*n.class_id}),
            predraft_ ? Ptr("/network/classId") : Ptr("/network/classID"));
    }
    for (size_t i = 0; i < n.priorities.size(); ++i) {
      Write("net_prio", "net_prio.ifpriomap", n.priorities[i].first + " " + Str(uint64_t{n.priorities[i].second}),
            Ptr("/network/priorities/" + std::to_string(i)));
    }
  }

  void Rdma(const Resources& res) {
    for (const auto& [device, limit] : res.rdma) {
      std::string v = device;
      if (limit.hca_handles) v += " hca_handle=" + Str(uint64_t{*limit.hca_handles});
      if (limit.hca_objects) v += " hca_object=" + Str(uint64_t{*limit.hca_objects});
      Write("rdma", "rdma.max", std::move(v), Ptr("/rdma/" + EscapePointerToken(device)));
    }
  }

  void Unified(const Resources& res) {
    // Written as-is into the unified hierarchy. A config's `unified` on a host whose controllers
    // are v1 is refused before compiling (CheckHostSupport, as runc), and `runc update`'s before
    // its plan is compiled (container/update.cc).
    for (const auto& [file, value] : res.unified) {
      Write("", file, value, Ptr("/unified/" + EscapePointerToken(file)));
    }
  }

  Builder& b_;
  bool v2_;
  bool predraft_ = false;
  std::string base_ = "/linux/resources";
  const Resources* current_ = nullptr;  // RunUpdate: the container's resources before the update
  std::map<std::string, std::string> dir_cache_;
};

}  // namespace

void ResolveCgroups(Builder& b) {
  const auto& path = b.spec.linux.cgroups_path;
  b.cgroup_origin = path && !path->empty() ? "/linux/cgroupsPath" : "default";

  if (b.options.systemd_cgroup) {
    // "slice:prefix:name", laid out the way systemd's cgroupfs tree names it; runc's default is
    // "system.slice:runc:<id>".
    std::string_view spec_path = path && !path->empty() ? std::string_view(*path) : std::string_view();
    std::string slice = "system.slice", prefix = "runc", name = b.options.id;
    if (!spec_path.empty()) {
      const size_t a = spec_path.find(':');
      const size_t c = a == std::string_view::npos ? a : spec_path.find(':', a + 1);
      if (c != std::string_view::npos && spec_path.find(':', c + 1) == std::string_view::npos) {
        slice = spec_path.substr(0, a);
        prefix = spec_path.substr(a + 1, c - a - 1);
        name = spec_path.substr(c + 1);
        if (slice.empty()) slice = "system.slice";
      } else {
        slice.clear();
      }
    }
    if (!slice.empty()) {
      std::string unit = name;
      const bool is_slice = unit.size() > 6 && unit.compare(unit.size() - 6, 6, ".slice") == 0;
      if (!is_slice) unit = (prefix.empty() ? "" : prefix + "-") + unit + ".scope";
      b.cgroup_inner = JoinPath(ExpandSlice(slice), unit);
      b.cgroup_inner_absolute = true;
    } else {
      b.cgroup_inner = CleanPath(spec_path);
      b.cgroup_inner_absolute = !b.cgroup_inner.empty() && b.cgroup_inner[0] == '/';
    }
  } else if (path && !path->empty()) {
    const std::string cleaned = CleanPath(*path);
    b.cgroup_inner_absolute = !cleaned.empty() && cleaned[0] == '/';
    // runc's utils.CleanPath: a relative path cannot climb out with "..".
    b.cgroup_inner = b.cgroup_inner_absolute ? cleaned : CleanPath("/" + cleaned).substr(1);
  } else {
    // No cgroupsPath: runc uses the container id, relative to its own cgroup.
    b.cgroup_inner = CleanPath("/" + b.options.id).substr(1);
    b.cgroup_inner_absolute = false;
  }
  if (!b.cgroup_inner_absolute && b.cgroup_inner.empty()) b.cgroup_inner = ".";

  auto own = [&](const std::string& controller) -> std::string {
    auto it = b.host.own_cgroups.find(controller);
    return it == b.host.own_cgroups.end() || it->second.empty() ? std::string("/") : it->second;
  };
  auto place = [&](const std::string& mount, const std::string& own_path) {
    if (b.cgroup_inner_absolute) return JoinPath(mount, b.cgroup_inner);
    return JoinPath(JoinPath(mount, own_path), b.cgroup_inner);
  };

  b.cgroups.clear();
  if (b.host.cgroup_mode != CgroupMode::kV2) {
    std::map<std::string, CgroupDir> by_mount;  // one directory per hierarchy, however co-mounted
    for (const auto& [controller, mount] : b.host.v1_mounts) {
      CgroupDir& d = by_mount[mount];
      if (d.controllers.empty()) {
        d.label = Basename(mount);
        d.dir = place(mount, own(controller));
        d.own_dir = JoinPath(mount, own(controller));
      }
      d.controllers.push_back(controller);
    }
    std::vector<CgroupDir> dirs;
    dirs.reserve(by_mount.size() + 1);
    for (auto& [mount, d] : by_mount) dirs.push_back(std::move(d));
    std::sort(dirs.begin(), dirs.end(), [](const CgroupDir& x, const CgroupDir& y) { return x.label < y.label; });
    b.cgroups = std::move(dirs);
  }
  if (b.host.cgroup_mode != CgroupMode::kV1 && !b.host.unified_mount.empty()) {
    CgroupDir d;
    d.label = "unified";
    d.unified = true;
    // On a pure v2 host runc uses the parent of its own cgroup: the cgroup it sits in usually has
    // processes, and "no internal processes" would forbid enabling controllers below it.
    const std::string own_path = own("");
    d.dir = place(b.host.unified_mount,
                  b.host.cgroup_mode == CgroupMode::kV2 ? Dirname(own_path) : own_path);
    d.own_dir = JoinPath(b.host.unified_mount, own_path);
    b.cgroups.push_back(std::move(d));
  }
}

void AddCgroupUpdate(Builder& b, const Resources& current) { Writer(b).RunUpdate(current); }
bool CgroupsBestEffort(const Builder& b) {
  // runc's rootless cgroup managers ignore a permission error only where the config names no
  // cgroupsPath (fs: isIgnorableError && c.Path == ""; fs2: the same, and only without limits,
  // which the cgroup.write steps' own error covers here).
  return b.options.rootless && b.cgroup_origin == "default";
}

void AddCgroupSetup(Builder& b) {
  for (const auto& c : b.cgroups) {
    Step& s = b.Add(Phase::kHost, StepKind::kCgroupMkdir, b.cgroup_origin);
    s.name = c.label;
    s.path = c.dir;
    if (CgroupsBestEffort(b)) s.flags = kIfPermitted;
    // A new v1 cpuset has no CPUs and no memory nodes: no task could join it.
    bool cpuset = false;
    for (const auto& controller : c.controllers) cpuset = cpuset || controller == "cpuset";
    if (!cpuset) continue;
    for (const char* file : {"/cpuset.cpus", "/cpuset.mems"}) {
      Step& inherit = b.Add(Phase::kHost, StepKind::kCgroupCopy, b.cgroup_origin);
      inherit.name = c.label;
      inherit.path = c.dir + file;
      if (CgroupsBestEffort(b)) inherit.flags = kIfPermitted;
    }
  }
  Writer(b).Run();
}

}  // namespace runc::compile_internal
