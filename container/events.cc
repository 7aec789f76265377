// events: runc's event stream for a container: stats documents read from its cgroup files (v1 as
// runc's libcontainer/cgroups/fs reads them, v2 as fs2 does) and oom events, with runc 1.1's field
// names (types/events.go). Go's omitempty is imitated: the fields tagged so are left out when zero.
#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <map>
#include <sstream>

#include "container/internal.h"
#include "executor/common/sys.h"

namespace runc::container {
namespace {

using Json = nlohmann::ordered_json;

std::string Read(const std::string& path) {
  std::string text;
  if (!ReadFileAll(path, text)) return "";
  return text;
}

// A number file; "max" (v2) counts as 0 unless `max_value` says otherwise.
uint64_t ReadU64(const std::string& path, uint64_t max_value = 0) {
  const std::string text = Read(path);
  if (text.rfind("max", 0) == 0) return max_value;
  return std::strtoull(text.c_str(), nullptr, 10);
}

// "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events).
std::map<std::string, uint64_t> ReadKeyed(const std::string& path) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(Read(path));
  std::string key;
  uint64_t value;
  while (in >> key >> value) out[key] = value;
  return out;
}

void SetIf(Json& j, const char* key, uint64_t v) {
  if (v != 0) j[key] = v;
}

// The container's directory for a v1 controller (its cgroup.mkdir step whose hierarchy has it), or
// the unified one.
std::string V1Dir(const Plan& plan, const std::string& controller) {
  for (const auto& s : plan.steps) {
    if (s.kind != StepKind::kCgroupMkdir || s.name == "unified") continue;
    std::istringstream names(s.name);
    for (std::string n; std::getline(names, n, ',');) {
      if (n == controller) return s.path;
    }
  }
  return "";
}

std::string UnifiedDir(const Plan& plan) {
  for (const auto& s : plan.steps) {
    if (s.kind == StepKind::kCgroupMkdir && s.name == "unified") return s.path;
  }
  return "";
}

bool IsV2(const Plan& plan) { return plan.host_label == "cgroup-v2"; }

// "2MB" from "hugetlb.2MB.<suffix>" files of `dir`.
std::vector<std::string> HugePageSizes(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n.rfind("hugetlb.", 0) != 0 || n.size() <= 8 + suffix.size() + 1) continue;
    if (n.compare(n.size() - suffix.size() - 1, suffix.size() + 1, "." + suffix) != 0) continue;
    out.push_back(n.substr(8, n.size() - 8 - suffix.size() - 1));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

Json MemoryEntry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt) {
  Json e = Json::object();
  e["limit"] = limit;
  SetIf(e, "usage", usage);
  SetIf(e, "max", max);
  e["failcnt"] = failcnt;
  return e;
}

// blkio.* v1 files: "MAJ:MIN Op value" lines (and a "Total" line).
Json BlkioEntries(const std::string& path) {
  Json out = Json::array();
  std::istringstream in(Read(path));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string dev, op;
    uint64_t value = 0;
    if (!(f >> dev >> op >> value)) continue;
    const size_t colon = dev.find(':');
    if (colon == std::string::npos) continue;
    Json e = Json::object();
    SetIf(e, "major", std::strtoull(dev.c_str(), nullptr, 10));
    SetIf(e, "minor", std::strtoull(dev.c_str() + colon + 1, nullptr, 10));
    e["op"] = op;
    SetIf(e, "value", value);
    out.push_back(std::move(e));
  }
  return out;
}

Json CpuSet(const std::string& dir) {
  Json j = Json::object();
  auto list = [&](const char* file, const char* key) {
    std::vector<unsigned> ids;
    std::string error;
    std::string text = Read(dir + "/" + file);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (text.empty()) return;
    std::istringstream in(text);
    Json arr = Json::array();
    for (std::string range; std::getline(in, range, ',');) {
      const size_t dash = range.find('-');
      const unsigned a = static_cast<unsigned>(std::strtoul(range.c_str(), nullptr, 10));
      const unsigned b = dash == std::string::npos ? a : static_cast<unsigned>(std::strtoul(range.c_str() + dash + 1, nullptr, 10));
      for (unsigned i = a; i <= b && i < 65536; ++i) arr.push_back(i);
    }
    if (!arr.empty()) j[key] = arr;
  };
  if (dir.empty()) return j;
  list("cpuset.cpus", "cpus");
  j["cpu_exclusive"] = ReadU64(dir + "/cpuset.cpu_exclusive");
  list("cpuset.mems", "mems");
  j["mem_hardwall"] = ReadU64(dir + "/cpuset.mem_hardwall");
  j["mem_exclusive"] = ReadU64(dir + "/cpuset.mem_exclusive");
  j["memory_migrate"] = ReadU64(dir + "/cpuset.memory_migrate");
  j["memory_spread_page"] = ReadU64(dir + "/cpuset.memory_spread_page");
  j["memory_spread_slab"] = ReadU64(dir + "/cpuset.memory_spread_slab");
  j["memory_pressure"] = ReadU64(dir + "/cpuset.memory_pressure");
  j["sched_load_balance"] = ReadU64(dir + "/cpuset.sched_load_balance");
  j["sched_relax_domain_level"] = std::strtoll(Read(dir + "/cpuset.sched_relax_domain_level").c_str(), nullptr, 10);
  return j;
}

Json StatsV1(const Plan& plan) {
  Json data = Json::object();
  // cpu: cpuacct's usage in ns; user/system in clock ticks (USER_HZ) there.
  const std::string cpuacct = V1Dir(plan, "cpuacct");
  const std::string cpu = V1Dir(plan, "cpu");
  Json usage = Json::object();
  if (!cpuacct.empty()) {
    SetIf(usage, "total", ReadU64(cpuacct + "/cpuacct.usage"));
    Json percpu = Json::array();
    std::istringstream in(Read(cpuacct + "/cpuacct.usage_percpu"));
    for (uint64_t v; in >> v;) percpu.push_back(v);
    if (!percpu.empty()) usage["percpu"] = percpu;
    // cpuacct.usage_all: "cpu user system" then one line per cpu, in ns.
    Json percpu_kernel = Json::array(), percpu_user = Json::array();
    std::istringstream all(Read(cpuacct + "/cpuacct.usage_all"));
    std::string header_line;
    std::getline(all, header_line);
    for (uint64_t cpu_index, user, system; all >> cpu_index >> user >> system;) {
      percpu_user.push_back(user);
      percpu_kernel.push_back(system);
    }
    if (!percpu_kernel.empty()) usage["percpu_kernel"] = percpu_kernel;
    if (!percpu_user.empty()) usage["percpu_user"] = percpu_user;
    const auto stat = ReadKeyed(cpuacct + "/cpuacct.stat");
    const uint64_t ns_per_tick = 1000000000ull / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
    usage["kernel"] = (stat.count("system") ? stat.at("system") : 0) * ns_per_tick;
    usage["user"] = (stat.count("user") ? stat.at("user") : 0) * ns_per_tick;
  } else {
    usage["kernel"] = 0;
    usage["user"] = 0;
  }
  Json throttling = Json::object();
  if (!cpu.empty()) {
    const auto stat = ReadKeyed(cpu + "/cpu.stat");
    SetIf(throttling, "periods", stat.count("nr_periods") ? stat.at("nr_periods") : 0);
    SetIf(throttling, "throttledPeriods", stat.count("nr_throttled") ? stat.at("nr_throttled") : 0);
    SetIf(throttling, "throttledTime", stat.count("throttled_time") ? stat.at("throttled_time") : 0);
  }
  data["cpu"] = Json{{"usage", usage}, {"throttling", throttling}};
  data["cpuset"] = CpuSet(V1Dir(plan, "cpuset"));

  Json memory = Json::object();
  const std::string mem = V1Dir(plan, "memory");
  if (!mem.empty()) {
    const auto raw = ReadKeyed(mem + "/memory.stat");
    SetIf(memory, "cache", raw.count("cache") ? raw.at("cache") : 0);
    auto entry = [&](const std::string& prefix) {
      return MemoryEntry(ReadU64(mem + "/" + prefix + ".limit_in_bytes"), ReadU64(mem + "/" + prefix + ".usage_in_bytes"),
                         ReadU64(mem + "/" + prefix + ".max_usage_in_bytes"), ReadU64(mem + "/" + prefix + ".failcnt"));
    };
    memory["usage"] = entry("memory");
    memory["swap"] = entry("memory.memsw");
    memory["kernel"] = entry("memory.kmem");
    memory["kernelTCP"] = entry("memory.kmem.tcp");
    if (!raw.empty()) memory["raw"] = raw;
  } else {
    for (const char* k : {"usage", "swap", "kernel", "kernelTCP"}) memory[k] = MemoryEntry(0, 0, 0, 0);
  }
  data["memory"] = memory;

  Json pids = Json::object();
  if (const std::string dir = V1Dir(plan, "pids"); !dir.empty()) {
    SetIf(pids, "current", ReadU64(dir + "/pids.current"));
    SetIf(pids, "limit", ReadU64(dir + "/pids.max"));
  }
  data["pids"] = pids;

  Json blkio = Json::object();
  if (const std::string dir = V1Dir(plan, "blkio"); !dir.empty()) {
    // The proportional-weight files (CFQ/BFQ) when the kernel has them, else the throttle ones.
    const bool weighted = !Read(dir + "/blkio.io_service_bytes_recursive").empty();
    const std::string prefix = weighted ? "/blkio." : "/blkio.throttle.";
    const std::string rec = weighted ? "_recursive" : "";
    struct Field { const char* key; const char* file; };
    static constexpr Field kFields[] = {
        {"ioServiceBytesRecursive", "io_service_bytes"}, {"ioServicedRecursive", "io_serviced"},
        {"ioQueueRecursive", "io_queued"},               {"ioServiceTimeRecursive", "io_service_time"},
        {"ioWaitTimeRecursive", "io_wait_time"},         {"ioMergedRecursive", "io_merged"},
        {"ioTimeRecursive", "time"},                     {"sectorsRecursive", "sectors"},
    };
    for (const auto& f : kFields) {
      if (!weighted && std::string(f.file) != "io_service_bytes" && std::string(f.file) != "io_serviced") continue;
      Json entries = BlkioEntries(dir + prefix + f.file + rec);
      if (!entries.empty()) blkio[f.key] = std::move(entries);
    }
  }
  data["blkio"] = blkio;

  Json hugetlb = Json::object();
  if (const std::string dir = V1Dir(plan, "hugetlb"); !dir.empty()) {
    for (const auto& size : HugePageSizes(dir, "usage_in_bytes")) {
      const std::string p = dir + "/hugetlb." + size;
      Json h = Json::object();
      SetIf(h, "usage", ReadU64(p + ".usage_in_bytes"));
      SetIf(h, "max", ReadU64(p + ".max_usage_in_bytes"));
      h["failcnt"] = ReadU64(p + ".failcnt");
      hugetlb[size] = h;
    }
  }
  data["hugetlb"] = hugetlb;
  data["intel_rdt"] = Json::object();
  data["network_interfaces"] = nullptr;
  return data;
}

Json StatsV2(const Plan& plan) {
  Json data = Json::object();
  const std::string dir = UnifiedDir(plan);
  const auto cpu = ReadKeyed(dir + "/cpu.stat");
  auto get = [](const std::map<std::string, uint64_t>& m, const char* k) { return m.count(k) ? m.at(k) : 0; };
  Json usage = Json::object();
  SetIf(usage, "total", get(cpu, "usage_usec") * 1000);
  usage["kernel"] = get(cpu, "system_usec") * 1000;
  usage["user"] = get(cpu, "user_usec") * 1000;
  Json throttling = Json::object();
  SetIf(throttling, "periods", get(cpu, "nr_periods"));
  SetIf(throttling, "throttledPeriods", get(cpu, "nr_throttled"));
  SetIf(throttling, "throttledTime", get(cpu, "throttled_usec") * 1000);
  data["cpu"] = Json{{"usage", usage}, {"throttling", throttling}};
  data["cpuset"] = Json::object();
  if (!Read(dir + "/cpuset.cpus.effective").empty()) {
    data["cpuset"] = CpuSet(dir);
  }

  Json memory = Json::object();
  const auto raw = ReadKeyed(dir + "/memory.stat");
  SetIf(memory, "cache", get(raw, "file"));
  const auto events = ReadKeyed(dir + "/memory.events");
  const uint64_t usage_bytes = ReadU64(dir + "/memory.current");
  memory["usage"] = MemoryEntry(ReadU64(dir + "/memory.max", UINT64_MAX), usage_bytes, ReadU64(dir + "/memory.peak"),
                                get(events, "max"));
  // runc reports v2's swap as memory+swap, like v1's memsw.
  const uint64_t swap_limit = ReadU64(dir + "/memory.swap.max", UINT64_MAX);
  memory["swap"] = MemoryEntry(swap_limit, ReadU64(dir + "/memory.swap.current") + usage_bytes, 0, 0);
  memory["kernel"] = MemoryEntry(0, 0, 0, 0);
  memory["kernelTCP"] = MemoryEntry(0, 0, 0, 0);
  if (!raw.empty()) memory["raw"] = raw;
  data["memory"] = memory;

  Json pids = Json::object();
  SetIf(pids, "current", ReadU64(dir + "/pids.current"));
  SetIf(pids, "limit", ReadU64(dir + "/pids.max"));
  data["pids"] = pids;

  // io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..."
  Json blkio = Json::object();
  Json bytes = Json::array(), ios = Json::array();
  std::istringstream in(Read(dir + "/io.stat"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string dev;
    f >> dev;
    const size_t colon = dev.find(':');
    if (colon == std::string::npos) continue;
    const uint64_t major = std::strtoull(dev.c_str(), nullptr, 10);
    const uint64_t minor = std::strtoull(dev.c_str() + colon + 1, nullptr, 10);
    for (std::string kv; f >> kv;) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = kv.substr(0, eq);
      const uint64_t value = std::strtoull(kv.c_str() + eq + 1, nullptr, 10);
      const char* op = key == "rbytes" || key == "rios" ? "Read" : key == "wbytes" || key == "wios" ? "Write" : nullptr;
      if (!op) continue;
      Json e = Json::object();
      SetIf(e, "major", major);
      SetIf(e, "minor", minor);
      e["op"] = op;
      SetIf(e, "value", value);
      (key.back() == 's' && key.find("ios") != std::string::npos ? ios : bytes).push_back(std::move(e));
    }
  }
  if (!bytes.empty()) blkio["ioServiceBytesRecursive"] = bytes;
  if (!ios.empty()) blkio["ioServicedRecursive"] = ios;
  data["blkio"] = blkio;

  Json hugetlb = Json::object();
  for (const auto& size : HugePageSizes(dir, "current")) {
    const std::string p = dir + "/hugetlb." + size;
    Json h = Json::object();
    SetIf(h, "usage", ReadU64(p + ".current"));
    h["failcnt"] = get(ReadKeyed(p + ".events"), "max");
    hugetlb[size] = h;
  }
  data["hugetlb"] = hugetlb;
  data["intel_rdt"] = Json::object();
  data["network_interfaces"] = nullptr;
  return data;
}

Json StatsOf(const Plan& plan) { return IsV2(plan) ? StatsV2(plan) : StatsV1(plan); }

bool Load(const Context& ctx, const std::string& id, ContainerState& state, Plan& plan, Diagnostic& error) {
  if (!LoadState(ctx.root, id, state, error)) return false;
  if (state.status == ContainerStatus::kStopped || state.status == ContainerStatus::kCreating) {
    error = Diagnostic{};
    error.message = "container " + id + " is not running";
    return false;
  }
  if (!LoadContainerPlan(ctx.root, id, plan, error)) return false;
  if (!HasCgroup(plan)) {
    error = Diagnostic{};
    error.message = "container " + id + " has no cgroup to read stats from";
    return false;
  }
  return true;
}

// Counts OOM kills of the container: v1 with an eventfd registered for memory.oom_control
// (cgroup.event_control), v2 from memory.events' oom_kill counter.
class OomWatch {
 public:
  ~OomWatch() {
    if (efd_ >= 0) close(efd_);
    if (control_fd_ >= 0) close(control_fd_);
  }
  void Start(const Plan& plan) {
    if (IsV2(plan)) {
      events_ = UnifiedDir(plan) + "/memory.events";
      last_ = OomKills();
      return;
    }
    const std::string mem = V1Dir(plan, "memory");
    if (mem.empty()) return;
    control_fd_ = open((mem + "/memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC);
    efd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (control_fd_ < 0 || efd_ < 0 ||
        WriteFileOnce(mem + "/cgroup.event_control", std::to_string(efd_) + " " + std::to_string(control_fd_)) != 0) {
      if (efd_ >= 0) close(efd_);
      efd_ = -1;
    }
    oom_control_ = mem + "/memory.oom_control";
  }
  int fd() const { return efd_; }
  // How many OOM events happened since the last call.
  uint64_t Take() {
    if (efd_ >= 0) {
      uint64_t n = 0;
      if (read(efd_, &n, sizeof n) != sizeof n) return 0;
      // The eventfd also fires when the cgroup is removed: only a cgroup that is still there had an OOM.
      if (access(oom_control_.c_str(), F_OK) != 0) return 0;
      return n;
    }
    if (events_.empty()) return 0;
    const uint64_t now = OomKills();
    const uint64_t n = now > last_ ? now - last_ : 0;
    last_ = now;
    return n;
  }

 private:
  uint64_t OomKills() const {
    const auto m = ReadKeyed(events_);
    return m.count("oom_kill") ? m.at("oom_kill") : 0;
  }
  int efd_ = -1, control_fd_ = -1;
  std::string oom_control_, events_;
  uint64_t last_ = 0;
};

Json Event(const char* type, const std::string& id) {
  Json e = Json::object();
  e["type"] = type;
  e["id"] = id;
  return e;
}

}  // namespace

bool Stats(const Context& ctx, const std::string& id, nlohmann::ordered_json& out, Diagnostic& error) {
  ContainerState state;
  Plan plan;
  if (!Load(ctx, id, state, plan, error)) return false;
  out = StatsOf(plan);
  return true;
}

bool Events(const Context& ctx, const std::string& id, const EventsOptions& options, const EventSink& sink,
            Diagnostic& error) {
  ContainerState state;
  Plan plan;
  if (!Load(ctx, id, state, plan, error)) return false;
  if (options.stats_only) {
    Json e = Event("stats", id);
    e["data"] = StatsOf(plan);
    sink(e);
    return true;
  }
  if (options.interval_ms <= 0) {
    error = Diagnostic{};
    error.message = "duration interval must be greater than 0";
    return false;
  }
  OomWatch oom;
  oom.Start(plan);
  // Waking at least every 100 ms notices the container's end (and v2 OOM kills) promptly.
  constexpr int kTickMs = 100;
  int until_stats = 0;
  for (;;) {
    if (until_stats <= 0) {
      Json e = Event("stats", id);
      e["data"] = StatsOf(plan);
      sink(e);
      until_stats = options.interval_ms;
    }
    const int wait = std::min(kTickMs, until_stats);
    pollfd p{oom.fd(), POLLIN, 0};
    const int r = poll(&p, oom.fd() >= 0 ? 1 : 0, wait);
    if (r < 0 && errno != EINTR) {
      error = Diagnostic{};
      error.message = "poll: " + Errno(errno);
      return false;
    }
    until_stats -= wait;
    for (uint64_t n = oom.Take(); n > 0; --n) sink(Event("oom", id));
    ContainerState now;
    Diagnostic ignored;
    if (!LoadState(ctx.root, id, now, ignored) || now.status == ContainerStatus::kStopped ||
        (now.init_start_time != state.init_start_time)) {
      return true;
    }
  }
}

}  // namespace runc::container
