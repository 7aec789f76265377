// update: new cgroup limits for a container that exists (runc update). The resources document is
// validated like linux.resources, compiled into cgroup.write steps for the container's cgroups
// (CompileUpdate), run by the executor (ApplyCgroupUpdate), and saved: state.json keeps the merged
// resources, plan.json's cgroup.write steps get the new values, so that `runc plan ID` and the next
// update start from them.
#include <fstream>
#include <map>
#include <sstream>

#include "compiler/compile.h"
#include "container/internal.h"
#include "executor/runtime/spawn.h"
#include "schema/load.h"

namespace runc::container {
namespace {

// The container's resources before this update: what the last update saved, else the bundle's
// config.json (its linux.resources as create read it, unless the file was edited since).
nlohmann::json CurrentResources(const ContainerState& state) {
  if (!state.resources.is_null()) return state.resources;
  std::ifstream in(state.bundle + "/config.json");
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json config = nlohmann::json::parse(text.str(), nullptr, false);
  if (config.is_object() && config.contains("linux") && config["linux"].is_object() &&
      config["linux"].contains("resources") && config["linux"]["resources"].is_object()) {
    return config["linux"]["resources"];
  }
  return nlohmann::json::object();
}

bool Unset(const nlohmann::json& v) {
  return v.is_null() || (v.is_number() && v.get<double>() == 0) || (v.is_string() && v.get<std::string>().empty());
}

// The update's fields over the current ones: only what CompileUpdate applies, and not the zero
// values it skips (runc's "0 = leave as is").
nlohmann::json Merge(nlohmann::json current, const nlohmann::json& update) {
  if (!current.is_object()) current = nlohmann::json::object();
  auto take = [&](const char* object, std::initializer_list<const char*> keys) {
    if (!update.contains(object) || !update[object].is_object()) return;
    for (const char* key : keys) {
      if (!update[object].contains(key) || Unset(update[object][key])) continue;
      if (!current.contains(object) || !current[object].is_object()) current[object] = nlohmann::json::object();
      current[object][key] = update[object][key];
    }
  };
  take("memory", {"limit", "reservation", "swap", "kernelTCP"});
  take("cpu", {"shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle"});
  take("blockIO", {"weight"});
  take("pids", {"limit"});
  if (update.contains("unified") && update["unified"].is_object()) {
    for (const auto& [file, value] : update["unified"].items()) current["unified"][file] = value;
  }
  return current;
}

struct Prepared {
  ContainerState state;
  Plan container;  // as saved at create (and by earlier updates)
  Plan update;
  nlohmann::json merged;
};

bool Prepare(const Context& ctx, const std::string& id, const UpdateOptions& options, Prepared& out,
             Diagnostics& errors) {
  Diagnostic err;
  if (!LoadState(ctx.root, id, out.state, err)) {
    errors.push_back(err);
    return false;
  }
  if (out.state.status == ContainerStatus::kStopped || out.state.status == ContainerStatus::kCreating) {
    errors.push_back(Error("cannot update container " + id + ": it is " + std::string(StatusName(out.state.status))));
    return false;
  }
  if (!LoadContainerPlan(ctx.root, id, out.container, err)) {
    errors.push_back(err);
    return false;
  }
  Resources update;
  if (!LoadResourcesText(options.resources, options.display_name, update, errors)) return false;
  // runc 1.1 refuses `unified` on a host whose controllers are v1 at update too (fs.Set:
  // ErrV1NoUnified), as create does here (CheckHostSupport); nothing is written.
  if (!update.unified.empty() && out.container.host_label != "cgroup-v2") {
    errors.push_back(Diagnostic{options.display_name, 0, 0, "/unified",
                                "invalid configuration: cannot use unified on cgroup v1 (the container's resource "
                                "controllers are v1)",
                                0});
    return false;
  }
  const nlohmann::json update_json = nlohmann::json::parse(options.resources, nullptr, false);
  const nlohmann::json current_json = CurrentResources(out.state);
  Resources current;
  Diagnostics ignored;  // a config that no longer validates: no current values to order by
  LoadResourcesText(current_json.dump(), "config.json", current, ignored);
  out.update = CompileUpdate(update, current, out.container, ctx.rootless);
  out.merged = Merge(current_json, update_json);
  if (!options.l3_cache_schema.empty() || !options.mem_bw_schema.empty()) {
    const Step* rdt = FindStep(out.container, StepKind::kRdtGroup);
    if (!rdt) {
      errors.push_back(Error("cannot update Intel RDT of container " + id + ": it has no linux.intelRdt"));
      return false;
    }
    Step& s = out.update.steps.emplace_back();
    s.phase = Phase::kHost;
    s.kind = StepKind::kRdtGroup;
    s.origin = "cli";
    s.path = rdt->path;
    if (!options.l3_cache_schema.empty()) s.value += options.l3_cache_schema + "\n";
    if (!options.mem_bw_schema.empty()) s.value += options.mem_bw_schema + "\n";
    s.nums = {1};
    s.index = static_cast<int>(out.update.steps.size());
  }
  return true;
}

// plan.json after the update: the update's writes of a file replace the container's writes of it
// one for one, in order, the update's last write of the file also the container's later ones; a
// write the container has no counterpart for joins the host phase after its last cgroup step. A
// file can be written twice: the cpu period before and again after the quota (runc's order), and
// both writes must stay in the plan, in the order the update ran them.
void MergeIntoPlan(Plan& container, const Plan& update) {
  std::map<std::string, std::vector<size_t>> theirs;  // file -> the container's writes of it
  std::map<std::string, size_t> total, seen;          // file -> the update's writes of it
  for (size_t i = 0; i < container.steps.size(); ++i) {
    if (container.steps[i].kind == StepKind::kCgroupWrite) theirs[container.steps[i].path].push_back(i);
  }
  for (const auto& u : update.steps) {
    if (u.kind == StepKind::kCgroupWrite) ++total[u.path];
  }
  std::vector<Step> added;  // in the update's order
  for (const auto& u : update.steps) {
    if (u.kind != StepKind::kCgroupWrite) continue;
    Step merged = u;
    merged.origin = "/linux/resources" + u.origin;
    const size_t k = seen[u.path]++;
    const std::vector<size_t>& same = theirs[u.path];
    if (k >= same.size()) {
      added.push_back(merged);
      continue;
    }
    const size_t last = k + 1 == total[u.path] ? same.size() : k + 1;
    for (size_t j = k; j < last; ++j) {
      Step& s = container.steps[same[j]];
      s.value = merged.value;
      s.origin = merged.origin;
      s.flags |= merged.flags;  // a period the update wrote before its quota
    }
  }
  size_t at = 0;
  for (size_t i = 0; i < container.steps.size(); ++i) {
    const StepKind k = container.steps[i].kind;
    if (k == StepKind::kCgroupMkdir || k == StepKind::kCgroupWrite || k == StepKind::kCgroupDevices) at = i + 1;
  }
  container.steps.insert(container.steps.begin() + static_cast<std::ptrdiff_t>(at), added.begin(), added.end());
  for (size_t i = 0; i < container.steps.size(); ++i) container.steps[i].index = static_cast<int>(i + 1);
}

}  // namespace

bool PlanUpdate(const Context& ctx, const std::string& id, const UpdateOptions& options, Plan& out,
                Diagnostics& errors) {
  ContainerLock lock;
  Diagnostic err;
  if (!lock.Lock(ctx.root, id, err)) {
    errors.push_back(err);
    return false;
  }
  Prepared p;
  if (!Prepare(ctx, id, options, p, errors)) return false;
  out = std::move(p.update);
  return true;
}

bool Update(const Context& ctx, const std::string& id, const UpdateOptions& options, Updated& out,
            Diagnostics& errors) {
  ContainerLock lock;
  Diagnostic err;
  if (!lock.Lock(ctx.root, id, err)) {
    errors.push_back(err);
    return false;
  }
  Prepared p;
  if (!Prepare(ctx, id, options, p, errors)) return false;
  if (!ApplyCgroupUpdate(p.update, err)) {
    errors.push_back(err);
    return false;
  }
  p.state.resources = p.merged;
  MergeIntoPlan(p.container, p.update);
  if (!SaveState(lock.dir(), p.state, err) || !SavePlan(lock.dir(), p.container, err)) {
    errors.push_back(err);
    return false;
  }
  out.plan = std::move(p.update);
  out.resources = std::move(p.merged);
  return true;
}

}  // namespace runc::container
