// The typed model of a bundle's config.json. Both input formats (OCI runtime-spec 1.0–1.3 and the
// 2015 "pre-draft" format) load into this one struct; the compiler only ever sees a Spec.
//
// Conventions:
// - names are normalised: capabilities always carry "CAP_" ("KILL" in pre-draft -> "CAP_KILL"),
//   rlimits are numeric RLIMIT_* resources, devices carry a type letter ('c','b','u','p').
// - `origin` fields hold the RFC 6901 pointer of the JSON element the value came from, so the plan
//   can say which config field caused a step even when the two formats place it differently.
// - optional<> means "absent in the config" (pre-draft zero values that meant "unset" map to nullopt).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace runc {

enum class SpecFormat { kOci, kPreDraft };

enum class NamespaceType { kPid, kNetwork, kMount, kIpc, kUts, kUser, kCgroup, kTime };

struct Namespace {
  NamespaceType type = NamespaceType::kPid;
  std::string path;    // empty = create a new one; otherwise join
  std::string origin;  // "/linux/namespaces/2"
};

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct Mount {
  std::string destination;
  std::string type;                  // may be empty (bind mounts)
  std::string source;
  std::vector<std::string> options;  // pre-draft's comma string is split into entries
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
  std::string origin;  // "/mounts/3"
};

struct Rlimit {
  int resource = 0;  // RLIMIT_* number
  uint64_t soft = 0;
  uint64_t hard = 0;
  std::string origin;  // "/process/rlimits/0" or "/linux/rlimits/0" (pre-draft)
};

struct Capabilities {
  // "CAP_"-prefixed names in config order. Pre-draft's single list fills bounding, effective,
  // permitted and inheritable (that is what 2015 runc did with it).
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
  std::string origin;  // "/process/capabilities" or "/linux/capabilities"
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;
  std::string username;  // windows only; kept for completeness
};

struct ConsoleSize {
  uint32_t height = 0;
  uint32_t width = 0;
};

struct Scheduler {  // runtime-spec 1.1+
  std::string policy;  // SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE
  std::optional<int32_t> nice;
  std::optional<int32_t> priority;
  std::vector<std::string> flags;  // SCHED_FLAG_*
  std::optional<uint64_t> runtime, deadline, period;
};

struct IoPriority {  // runtime-spec 1.1+
  std::string io_class;  // IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE
  int32_t priority = 0;
};

struct CpuAffinity {  // runtime-spec 1.3 process.execCPUAffinity
  std::string initial;
  std::string final_;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd;  // pre-draft "" means "/"
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::string apparmor_profile;
  std::optional<int32_t> oom_score_adj;
  std::string selinux_label;
  std::optional<Scheduler> scheduler;
  std::optional<IoPriority> io_priority;
  std::optional<CpuAffinity> exec_cpu_affinity;
};

struct Root {
  std::string path;  // as written (relative to the bundle or absolute)
  bool readonly = false;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int32_t> timeout;  // seconds
  std::string origin;              // "/hooks/prestart/0"
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart, poststop;
};

struct Device {
  char type = 'c';  // 'c', 'b', 'u', 'p'   (pre-draft 99 -> 'c', 98 -> 'b')
  std::string path;
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::string origin;  // "/linux/devices/0"
};

struct DeviceRule {  // linux.resources.devices (cgroup device controller)
  bool allow = false;
  char type = 'a';  // 'a', 'c', 'b'
  std::optional<int64_t> major;  // nullopt = wildcard
  std::optional<int64_t> minor;
  std::string access;  // subset of "rwm"; empty means "rwm"
  std::string origin;
};

struct Memory {
  std::optional<int64_t> limit, reservation, swap, kernel, kernel_tcp;
  std::optional<uint64_t> swappiness;
  std::optional<bool> disable_oom_killer, use_hierarchy, check_before_update;
};

struct Cpu {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> burst;
  std::optional<uint64_t> period;
  std::optional<int64_t> realtime_runtime;
  std::optional<uint64_t> realtime_period;
  std::string cpus;  // "0-3,7"
  std::string mems;
  std::optional<int64_t> idle;
};

struct WeightDevice {
  int64_t major = 0, minor = 0;
  std::optional<uint16_t> weight, leaf_weight;
};

struct ThrottleDevice {
  int64_t major = 0, minor = 0;
  uint64_t rate = 0;
};

struct BlockIO {
  std::optional<uint16_t> weight, leaf_weight;
  std::vector<WeightDevice> weight_device;
  std::vector<ThrottleDevice> throttle_read_bps, throttle_write_bps, throttle_read_iops, throttle_write_iops;
};

struct HugepageLimit {
  std::string page_size;  // "2MB", "1GB"
  uint64_t limit = 0;
};

struct NetworkResources {
  std::optional<uint32_t> class_id;
  std::vector<std::pair<std::string, uint32_t>> priorities;  // interface name, priority
};

struct RdmaLimit {
  std::optional<uint32_t> hca_handles, hca_objects;
};

struct Resources {
  std::vector<DeviceRule> devices;
  std::optional<Memory> memory;
  std::optional<Cpu> cpu;
  std::optional<int64_t> pids_limit;
  std::optional<BlockIO> block_io;
  std::vector<HugepageLimit> hugepage_limits;
  std::optional<NetworkResources> network;
  std::map<std::string, RdmaLimit> rdma;
  std::map<std::string, std::string> unified;  // cgroup v2 file -> value
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // SCMP_CMP_EQ ...
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;  // SCMP_ACT_*
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
  std::string origin;  // "/linux/seccomp/syscalls/3"
};

struct Seccomp {
  std::string default_action;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // SCMP_ARCH_*
  std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
  std::string listener_path;
  std::string listener_metadata;
  std::vector<SeccompSyscall> syscalls;
};

struct IntelRdt {
  std::string clos_id;
  std::string l3_cache_schema;
  std::string mem_bw_schema;
  std::vector<std::string> schemata;  // 1.3
  std::optional<bool> enable_monitoring;
};

struct Personality {
  std::string domain;  // LINUX, LINUX32
  std::vector<std::string> flags;
};

struct TimeOffset {
  int64_t secs = 0;
  uint32_t nanosecs = 0;
};

struct MemoryPolicy {  // 1.3 linux.memoryPolicy
  std::string mode;    // MPOL_*
  std::string nodes;   // "0-3,7"
  std::vector<std::string> flags;
};

struct NetDevice {  // 1.3 linux.netDevices
  std::string name;  // new name inside the container; empty = keep
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings, gid_mappings;
  std::string uid_mappings_origin = "/linux/uidMappings";  // pre-draft: /linux/uidMapping
  std::string gid_mappings_origin = "/linux/gidMappings";
  std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
  std::vector<Device> devices;
  std::optional<std::string> cgroups_path;
  std::optional<Resources> resources;
  std::string rootfs_propagation;
  std::optional<Seccomp> seccomp;
  std::map<std::string, std::string> sysctl;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::string mount_label;
  std::optional<IntelRdt> intel_rdt;
  std::optional<Personality> personality;
  std::optional<MemoryPolicy> memory_policy;
  std::map<std::string, NetDevice> net_devices;
};

// Where a value starts in the config (1-based; 0 = unknown).
struct SourcePosition {
  int line = 0;
  int col = 0;
};

struct Spec {
  SpecFormat format = SpecFormat::kOci;
  std::string oci_version;  // "1.3.0", or "pre-draft"
  Root root;
  Process process;
  bool has_process = false;
  std::string hostname;
  std::optional<std::string> domainname;
  std::vector<Mount> mounts;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  Linux linux;

  // For the diagnostics of checks made after loading, against the host (CheckHostSupport in
  // compiler/compile.h), so that they name config.json:LINE:COL like the others: the config's
  // display name, and where the fields those checks look at were written, by pointer
  // ("/process/apparmorProfile"). Both are empty for a Spec built in code.
  std::string source_name;
  std::map<std::string, SourcePosition> positions;
};

// Names used in the config and the plan.
const char* NamespaceTypeName(NamespaceType t);  // "pid", "network", ... (the config's spelling)

}  // namespace runc
