// Container state on disk: <root>/<id>/ holds state.json (the OCI state plus what the runtime needs
// privately), plan.json (the compiled plan, PlanToJson) and the start fifo exec.fifo while the
// container is `created`. Commands on one container are serialised with flock(2) on the state
// directory's fd, so commands on different containers never block each other.
//
// Crash safety: `create` holds that lock from the moment it makes the state directory until the
// container is `created`, and writes plan.json and a `creating` state.json before it makes any
// other host resource; before each cgroup or resctrl directory it appends the step's index to
// `progress`, and it adds the init's pid to state.json as soon as the init exists. So whoever gets
// the lock of a `creating` container knows that its create died, and what it may have made.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/plan.h"
#include "schema/diag.h"

namespace runc {

inline constexpr const char* kStateFile = "state.json";
inline constexpr const char* kPlanFile = "plan.json";
inline constexpr const char* kExecFifo = "exec.fifo";
// The init's report of a failure after the start wait when it cannot write it into the exec fifo
// (a seccomp profile that denies write(2)): a page of a file in the state dir that the runtime maps
// shared before the clone, so that the init writes into it without a syscall (Spawner::PreFork).
// Zeros unless a report is in it; only plans with a seccomp step have it.
inline constexpr const char* kExecReportFile = "exec.report";
inline constexpr size_t kExecReportSize = 4096;
inline constexpr const char* kProgressFile = "progress";
inline constexpr const char* kTeardownFile = "teardown";
// The runtime-spec version our state documents follow.
inline constexpr const char* kStateOciVersion = "1.3.0";

enum class ContainerStatus { kCreating, kCreated, kRunning, kPaused, kStopped };
// "creating", "created", "running", "paused", "stopped"
std::string_view StatusName(ContainerStatus s);

struct ContainerState {
  // The OCI state (runtime-spec "State").
  std::string oci_version = kStateOciVersion;
  std::string id;
  ContainerStatus status = ContainerStatus::kCreating;  // computed live by LoadState
  pid_t pid = 0;                                       // container init in the host pid namespace
  std::string bundle;                                  // absolute
  std::map<std::string, std::string> annotations;
  // runc's extra fields (`runc state` and `runc list` print them).
  std::string rootfs;   // absolute
  std::string created;  // RFC 3339 with nanoseconds, UTC
  std::string owner;    // user name of the creator ("" when unknown)
  // Private: the init's start time (field 22 of /proc/PID/stat, clock ticks since boot), so that a
  // recycled pid is not mistaken for the container.
  uint64_t init_start_time = 0;
  // Private: the start fifo (the plan's kWaitStart path); empty = <state dir>/exec.fifo.
  std::string fifo;
  // Private: the freezer's control file (v1 <dir>/freezer.state or cgroup2 <dir>/cgroup.freeze);
  // empty when the container has no cgroup to freeze. Its value makes a running container paused.
  std::string freezer;
  // Private: whether `start` needs the plan (poststart hooks, a notify socket). False saves it
  // reading and parsing plan.json (about a quarter of its CPU); true when unknown (older files).
  bool start_reads_plan = true;
  // Private: the container's linux.resources as `runc update` last left them (the config's, merged
  // with every update); null until the first update, when the bundle's config.json holds them.
  nlohmann::json resources;
};

// runc's rule: [\w+-.]+, not "." or "..", no "/". False + error ("invalid container id \"..\"").
bool ValidContainerId(const std::string& id, std::string& error);

std::string StateDir(const std::string& root, const std::string& id);  // root/id

// Field 22 of /proc/PID/stat; 0 when the process does not exist or is a zombie (dead either way).
uint64_t ProcessStartTime(pid_t pid);

// "2024-05-01T12:34:56.123456789Z" for now.
std::string NowRfc3339();

// The OCI state document as `runc state` prints it (and as hooks receive it on stdin). The private
// fields are left out; a stopped container reports pid 0, as runc does.
nlohmann::ordered_json StateToOciJson(const ContainerState& s);
// The full document kept in state.json (OCI fields + private ones), and back.
nlohmann::ordered_json StateToFileJson(const ContainerState& s);
bool StateFromFileJson(const nlohmann::json& j, ContainerState& out, std::string& error);

// Status of a container from what is on disk and in /proc: recorded as creating -> creating (its
// create has not finished, or died: only delete --force ends that); init gone (or pid recycled, or
// a zombie) -> stopped; exec.fifo still in the state dir -> created; a frozen freezer -> paused;
// otherwise running.
ContainerStatus DetectStatus(const ContainerState& s, const std::string& state_dir);

// An open, locked state directory. Lock() blocks until every other command on this container is
// done; it fails with `container "ID" does not exist` when the directory is missing (or was
// removed by a delete we waited for).
class ContainerLock {
 public:
  ContainerLock() = default;
  ~ContainerLock();
  ContainerLock(const ContainerLock&) = delete;
  ContainerLock& operator=(const ContainerLock&) = delete;

  bool Lock(const std::string& root, const std::string& id, Diagnostic& err);
  // Non-blocking variant: false with err.err == EWOULDBLOCK when someone else holds it.
  bool TryLock(const std::string& root, const std::string& id, Diagnostic& err);
  void Unlock();
  int fd() const { return fd_; }
  const std::string& dir() const { return dir_; }

 private:
  bool Acquire(const std::string& root, const std::string& id, bool block, Diagnostic& err);
  int fd_ = -1;
  std::string dir_;
};

// Reads <root>/<id>/state.json and computes the live status. A state dir without state.json is a
// container being created (status creating, pid 0): its create has made nothing but the directory
// (and maybe plan.json). A `creating` container's pid is its init's from the progress log, if it
// has one yet. Missing dir: `container "ID" does not exist`.
bool LoadState(const std::string& root, const std::string& id, ContainerState& out, Diagnostic& err);

// Writes state.json / plan.json atomically (temp file + rename) into `state_dir`.
bool SaveState(const std::string& state_dir, const ContainerState& s, Diagnostic& err);
bool SavePlan(const std::string& state_dir, const Plan& plan, Diagnostic& err);

// The progress log of a create (kProgressFile), appended to (one write(2) with O_APPEND: a kill
// leaves whole lines) while the container is `creating`, so that no state.json rewrite is needed
// for it: a step index ("12") before a run of steps that make host directories, covering up to its
// last such step; "init PID START_TIME" once the init exists. ReadProgress of a state dir without
// one (nothing made but the state dir, plan.json and state.json) is all zeros. ParseProgress is its
// parser: lines of another form (none should be) are ignored.
struct CreateProgress {
  int made_through = 0;          // the highest step index recorded
  pid_t init = 0;                // the init, once cloned
  uint64_t init_start_time = 0;  // its ProcessStartTime
};
bool RecordProgress(const std::string& state_dir, int step_index, Diagnostic& err);
bool RecordInitProgress(const std::string& state_dir, pid_t init, uint64_t start_time, Diagnostic& err);
CreateProgress ReadProgress(const std::string& state_dir);
CreateProgress ParseProgress(const std::string& text);

// The teardown's record (kTeardownFile): the index of each teardown step done, a line each. A
// teardown that fails keeps the state dir and appends to it the steps it did (one write, at its
// end), and the next one skips what is recorded (RunTeardown). A teardown killed midway records
// nothing: the next one runs every step again.
bool RecordTeardownSteps(const std::string& state_dir, const std::vector<int>& step_indices, Diagnostic& err);
std::set<int> ReadTeardownRecord(const std::string& state_dir);

// The plan of a created container, for `runc plan ID`, `runc delete` and `runc kill --all`.
bool LoadContainerPlan(const std::string& root, const std::string& id, Plan& out, Diagnostic& err);

// Ids of every container under root (subdirectories with a valid id), sorted. A missing root is
// an empty list.
std::vector<std::string> ListContainerIds(const std::string& root);

// `runc list` table: columns ID PID STATUS BUNDLE CREATED OWNER aligned like Go's tabwriter with
// runc's settings (minwidth 12, padding 3).
std::string FormatContainerTable(const std::vector<ContainerState>& states);
// `runc list --format json`: an array of OCI states plus rootfs/created/owner (runc prints `null`
// for no containers; we do the same so scripts written for runc keep working).
std::string FormatContainerJson(const std::vector<ContainerState>& states);

// Writes `pid` as digits to `path` atomically (temp file in the same dir + rename).
bool WritePidFile(const std::string& path, pid_t pid, Diagnostic& err);

}  // namespace runc
