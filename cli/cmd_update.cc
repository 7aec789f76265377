// runc update [--resources FILE|-] [--memory M] ... ID: the flags become a linux.resources document
// (runc's update.go: sizes with units, -1 = unlimited, 0 or absent = leave as is), validated and
// applied by container::Update exactly as a --resources file is.
#include <cerrno>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli/flags.h"
#include "executor/common/log.h"
#include "schema/grammar.h"

namespace po = boost::program_options;

namespace runc {
namespace {

struct UpdateFlags {
  std::string resources;
  std::string memory, memory_swap, memory_reservation, kernel_memory, kernel_memory_tcp;
  std::string cpu_shares, cpu_period, cpu_quota, cpu_rt_period, cpu_rt_runtime, cpuset_cpus, cpuset_mems;
  int64_t pids_limit = 0;
  uint64_t blkio_weight = 0;
  std::string l3_cache_schema, mem_bw_schema;
};

// The document the flags ask for; false (after logging) on a value that is not a number or size.
bool FlagsDocument(const UpdateFlags& f, nlohmann::json& doc) {
  doc = nlohmann::json::object();
  struct Size { const char* flag; const std::string* value; const char* key; };
  const Size sizes[] = {
      {"memory", &f.memory, "limit"},
      {"memory-swap", &f.memory_swap, "swap"},
      {"memory-reservation", &f.memory_reservation, "reservation"},
      {"kernel-memory", &f.kernel_memory, "kernel"},
      {"kernel-memory-tcp", &f.kernel_memory_tcp, "kernelTCP"},
  };
  for (const auto& s : sizes) {
    if (s.value->empty()) continue;
    int64_t bytes = 0;
    std::string error;
    if (!ParseSize(*s.value, bytes, error)) {
      LogError(std::string("update: --") + s.flag + ": " + error);
      return false;
    }
    doc["memory"][s.key] = bytes;
  }
  struct Number { const char* flag; const std::string* value; const char* key; bool is_signed; };
  const Number numbers[] = {
      {"cpu-share", &f.cpu_shares, "shares", false},
      {"cpu-period", &f.cpu_period, "period", false},
      {"cpu-quota", &f.cpu_quota, "quota", true},
      {"cpu-rt-period", &f.cpu_rt_period, "realtimePeriod", false},
      {"cpu-rt-runtime", &f.cpu_rt_runtime, "realtimeRuntime", true},
  };
  for (const auto& n : numbers) {
    if (n.value->empty()) continue;
    const char* text = n.value->c_str();
    char* end = nullptr;
    errno = 0;
    bool ok = false;
    if (n.is_signed) {
      const long long v = std::strtoll(text, &end, 10);
      ok = errno == 0 && end != text && *end == '\0';
      if (ok) doc["cpu"][n.key] = v;
    } else {
      const unsigned long long v = std::strtoull(text, &end, 10);
      ok = errno == 0 && end != text && *end == '\0' && text[0] != '-';
      if (ok) doc["cpu"][n.key] = v;
    }
    if (!ok) {
      LogError(std::string("update: --") + n.flag + ": invalid value \"" + *n.value + "\"");
      return false;
    }
  }
  if (!f.cpuset_cpus.empty()) doc["cpu"]["cpus"] = f.cpuset_cpus;
  if (!f.cpuset_mems.empty()) doc["cpu"]["mems"] = f.cpuset_mems;
  if (f.blkio_weight != 0) doc["blockIO"]["weight"] = f.blkio_weight;
  if (f.pids_limit != 0) doc["pids"]["limit"] = f.pids_limit;
  return true;
}

}  // namespace

int CmdUpdate(const GlobalOptions& global, const std::vector<std::string>& args) {
  UpdateFlags f;
  std::string id;
  po::options_description desc("OPTIONS");
  desc.add_options()
      ("resources,r", po::value(&f.resources),
       "path to a file with the new resources (a linux.resources JSON object), - for stdin; the other "
       "resource flags are ignored then")
      ("blkio-weight", po::value(&f.blkio_weight), "block IO weight (relative weight vs. other containers), 10 to 1000")
      ("cpu-period", po::value(&f.cpu_period), "CPU CFS period to be used for hardcapping (in usecs)")
      ("cpu-quota", po::value(&f.cpu_quota), "CPU CFS hardcap limit (in usecs), allowed cpu time in a given period")
      ("cpu-share", po::value(&f.cpu_shares), "CPU shares (relative weight vs. other containers)")
      ("cpu-shares", po::value(&f.cpu_shares), "the same as --cpu-share")
      ("cpu-rt-period", po::value(&f.cpu_rt_period), "CPU realtime period to be used for hardcapping (in usecs)")
      ("cpu-rt-runtime", po::value(&f.cpu_rt_runtime), "CPU realtime hardcap limit (in usecs)")
      ("cpuset-cpus", po::value(&f.cpuset_cpus), "CPU(s) to use")
      ("cpuset-mems", po::value(&f.cpuset_mems), "memory node(s) to use")
      ("kernel-memory", po::value(&f.kernel_memory), "kernel memory limit (in bytes; ignored, as by runc)")
      ("kernel-memory-tcp", po::value(&f.kernel_memory_tcp), "kernel memory limit for tcp buffer (in bytes)")
      ("memory", po::value(&f.memory), "memory limit (in bytes, or with a unit: 100M; -1 = unlimited)")
      ("memory-reservation", po::value(&f.memory_reservation), "memory reservation or soft limit (in bytes)")
      ("memory-swap", po::value(&f.memory_swap), "total memory usage (memory + swap); -1 = unlimited swap")
      ("pids-limit", po::value(&f.pids_limit), "maximum number of pids allowed in the container (-1 = unlimited)")
      ("l3-cache-schema", po::value(&f.l3_cache_schema), "the string of Intel RDT/CAT L3 cache schema")
      ("mem-bw-schema", po::value(&f.mem_bw_schema), "the string of Intel RDT/MBA memory bandwidth schema")
      ("id", po::value(&id), "container id");
  po::positional_options_description pos;
  pos.add("id", 1);
  po::variables_map vm;
  if (int r = ParseFlags("update", "[OPTIONS] ID", desc, pos, args, vm); r >= 0) return r;
  if (!RequireId("update", vm, id)) return 1;
  container::UpdateOptions options;
  if (!f.resources.empty()) {
    if (!ReadInput(f.resources, options.resources)) return 1;
    options.display_name = InputDisplayName(f.resources);
  } else {
    nlohmann::json doc;
    if (!FlagsDocument(f, doc)) return 1;
    options.resources = doc.dump();
    options.display_name = "update flags";
  }
  options.l3_cache_schema = f.l3_cache_schema;
  options.mem_bw_schema = f.mem_bw_schema;
  container::Updated updated;
  Diagnostics errors;
  if (!container::Update(ContextFrom(global), id, options, updated, errors)) return Fail(errors);
  return 0;
}

}  // namespace runc
