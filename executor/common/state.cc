#include "executor/common/state.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "executor/common/sys.h"

namespace runc {
namespace {

Diagnostic Err(std::string message, int err = 0) {
  Diagnostic d;
  d.message = std::move(message);
  d.err = err;
  return d;
}

Diagnostic NotExist(const std::string& id) { return Err("container \"" + id + "\" does not exist", ENOENT); }

bool ReadWholeFile(const std::string& path, std::string& out, int& err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  out.clear();
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      close(fd);
      return false;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return true;
}

// Writes `data` to `path` through a hidden temp file in the same directory and rename(2), so a
// concurrent reader sees the old or the new content, never half of it.
bool WriteAtomic(const std::string& path, const std::string& data, mode_t mode, Diagnostic& err) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string tmp = dir + "/." + base + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    err = Err("open " + tmp + ": " + std::strerror(errno), errno);
    return false;
  }
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(fd);
      unlink(tmp.c_str());
      err = Err("write " + tmp + ": " + std::strerror(e), e);
      return false;
    }
    off += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    err = Err("close " + tmp + ": " + std::strerror(e), e);
    return false;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    err = Err("rename " + tmp + " to " + path + ": " + std::strerror(e), e);
    return false;
  }
  return true;
}

bool IdChar(char c) {
  // runc's regexp is ^[\w+-\.]+$; inside the brackets `+-\.` is the range '+'..'.', which also
  // admits ','. We accept exactly what runc accepts.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (c >= '+' && c <= '.');
}

}  // namespace

std::string_view StatusName(ContainerStatus s) {
  switch (s) {
    case ContainerStatus::kCreating:
      return "creating";
    case ContainerStatus::kCreated:
      return "created";
    case ContainerStatus::kRunning:
      return "running";
    case ContainerStatus::kPaused:
      return "paused";
    case ContainerStatus::kStopped:
      return "stopped";
  }
  return "unknown";
}

bool ValidContainerId(const std::string& id, std::string& error) {
  bool ok = !id.empty() && id != "." && id != ".." && std::all_of(id.begin(), id.end(), IdChar);
  if (!ok) error = "invalid container id \"" + id + "\"";
  return ok;
}

std::string StateDir(const std::string& root, const std::string& id) { return root + "/" + id; }

uint64_t ProcessStartTime(pid_t pid) {
  if (pid <= 0) return 0;
  std::string text;
  int err = 0;
  if (!ReadWholeFile("/proc/" + std::to_string(pid) + "/stat", text, err)) return 0;
  // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
  auto paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream in(text.substr(paren + 1));
  std::string field;
  // Field 3 is the state; field 22 the start time.
  for (int i = 3; i <= 22; ++i) {
    if (!(in >> field)) return 0;
    if (i == 3 && (field == "Z" || field == "X" || field == "x")) return 0;
  }
  try {
    return std::stoull(field);
  } catch (...) {
    return 0;
  }
}

std::string NowRfc3339() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  // The civil date by <chrono>'s calendar, not gmtime_r: glibc's gmtime_r and strftime initialise
  // the time zone on first use (tzset), which reads /etc/localtime for a time that is UTC anyway.
  using namespace std::chrono;
  const sys_seconds secs{seconds(ts.tv_sec)};
  const sys_days day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{secs - day};
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%09ldZ", static_cast<int>(ymd.year()),
           static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
           static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
           static_cast<long>(hms.seconds().count()), static_cast<long>(ts.tv_nsec));
  return buf;
}

nlohmann::ordered_json StateToOciJson(const ContainerState& s) {
  nlohmann::ordered_json j;
  j["ociVersion"] = s.oci_version;
  j["id"] = s.id;
  j["pid"] = s.status == ContainerStatus::kStopped ? 0 : s.pid;
  j["status"] = std::string(StatusName(s.status));
  j["bundle"] = s.bundle;
  j["rootfs"] = s.rootfs;
  j["created"] = s.created;
  j["owner"] = s.owner;
  if (!s.annotations.empty()) j["annotations"] = s.annotations;
  return j;
}

nlohmann::ordered_json StateToFileJson(const ContainerState& s) {
  nlohmann::ordered_json j;
  j["ociVersion"] = s.oci_version;
  j["id"] = s.id;
  j["pid"] = s.pid;
  // The status on disk is only what it was when written; readers recompute it (DetectStatus).
  j["status"] = std::string(StatusName(s.status));
  j["bundle"] = s.bundle;
  j["rootfs"] = s.rootfs;
  j["created"] = s.created;
  j["owner"] = s.owner;
  j["annotations"] = s.annotations;
  j["initStartTime"] = s.init_start_time;
  j["fifo"] = s.fifo;
  j["freezer"] = s.freezer;
  if (!s.start_reads_plan) j["startReadsPlan"] = false;
  if (!s.resources.is_null()) j["resources"] = s.resources;
  return j;
}

bool StateFromFileJson(const nlohmann::json& j, ContainerState& out, std::string& error) {
  try {
    ContainerState s;
    s.oci_version = j.at("ociVersion").get<std::string>();
    s.id = j.at("id").get<std::string>();
    s.pid = j.at("pid").get<pid_t>();
    const std::string status = j.value("status", "creating");
    s.status = status == "created"   ? ContainerStatus::kCreated
               : status == "running" ? ContainerStatus::kRunning
               : status == "paused"  ? ContainerStatus::kPaused
               : status == "stopped" ? ContainerStatus::kStopped
                                     : ContainerStatus::kCreating;
    s.bundle = j.at("bundle").get<std::string>();
    s.rootfs = j.value("rootfs", "");
    s.created = j.value("created", "");
    s.owner = j.value("owner", "");
    if (j.contains("annotations") && j["annotations"].is_object())
      s.annotations = j["annotations"].get<std::map<std::string, std::string>>();
    s.init_start_time = j.value("initStartTime", uint64_t{0});
    s.fifo = j.value("fifo", "");
    s.freezer = j.value("freezer", "");
    s.start_reads_plan = j.value("startReadsPlan", true);
    if (j.contains("resources")) s.resources = j["resources"];
    out = std::move(s);
    return true;
  } catch (const nlohmann::json::exception& e) {
    error = e.what();
    return false;
  }
}

ContainerStatus DetectStatus(const ContainerState& s, const std::string& state_dir) {
  // A live init of a `creating` container is not `created`: its create has not recorded it as
  // handed over, and if that create died, `start` must not release it (delete --force removes it).
  if (s.status == ContainerStatus::kCreating) return ContainerStatus::kCreating;
  if (s.pid <= 0) return ContainerStatus::kStopped;
  const uint64_t start = ProcessStartTime(s.pid);
  if (start == 0 || (s.init_start_time != 0 && start != s.init_start_time)) return ContainerStatus::kStopped;
  const std::string fifo = s.fifo.empty() ? state_dir + "/" + kExecFifo : s.fifo;
  struct stat st;
  if (lstat(fifo.c_str(), &st) == 0) return ContainerStatus::kCreated;
  if (!s.freezer.empty()) {
    // v1: FROZEN (FREEZING is still on its way: runc calls that running too); v2: the request.
    std::string value;
    if (ReadFileAll(s.freezer, value) &&
        (value.rfind("FROZEN", 0) == 0 || (value.rfind("1", 0) == 0 && s.freezer.size() >= 14 &&
                                           s.freezer.compare(s.freezer.size() - 14, 14, "/cgroup.freeze") == 0))) {
      return ContainerStatus::kPaused;
    }
  }
  return ContainerStatus::kRunning;
}

ContainerLock::~ContainerLock() { Unlock(); }

void ContainerLock::Unlock() {
  if (fd_ >= 0) close(fd_);  // closing the last fd of the open file description drops the flock
  fd_ = -1;
}

bool ContainerLock::Lock(const std::string& root, const std::string& id, Diagnostic& err) {
  return Acquire(root, id, true, err);
}

bool ContainerLock::TryLock(const std::string& root, const std::string& id, Diagnostic& err) {
  return Acquire(root, id, false, err);
}

bool ContainerLock::Acquire(const std::string& root, const std::string& id, bool block, Diagnostic& err) {
  Unlock();
  std::string id_error;
  if (!ValidContainerId(id, id_error)) {
    err = Err(id_error, EINVAL);
    return false;
  }
  const std::string dir = StateDir(root, id);
  // A delete may remove the directory while we wait for its lock, and a create may make a new one
  // with the same name: after locking, make sure the locked directory is still the one at `dir`.
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      err = errno == ENOENT ? NotExist(id) : Err("open " + dir + ": " + std::strerror(errno), errno);
      return false;
    }
    while (flock(fd, LOCK_EX | (block ? 0 : LOCK_NB)) != 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      err = e == EWOULDBLOCK ? Err("container \"" + id + "\" is locked by another command", e)
                             : Err("flock " + dir + ": " + std::strerror(e), e);
      return false;
    }
    struct stat locked, now;
    if (fstat(fd, &locked) != 0 || locked.st_nlink == 0) {
      close(fd);
      err = NotExist(id);
      return false;
    }
    if (stat(dir.c_str(), &now) != 0) {
      close(fd);
      err = NotExist(id);
      return false;
    }
    if (now.st_ino == locked.st_ino && now.st_dev == locked.st_dev) {
      fd_ = fd;
      dir_ = dir;
      return true;
    }
    close(fd);
  }
  err = Err("flock " + dir + ": state directory keeps changing", EAGAIN);
  return false;
}

bool LoadState(const std::string& root, const std::string& id, ContainerState& out, Diagnostic& err) {
  std::string id_error;
  if (!ValidContainerId(id, id_error)) {
    err = Err(id_error, EINVAL);
    return false;
  }
  const std::string dir = StateDir(root, id);
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    err = NotExist(id);
    return false;
  }
  std::string text;
  int e = 0;
  if (!ReadWholeFile(dir + "/" + kStateFile, text, e)) {
    if (e != ENOENT) {
      err = Err("read " + dir + "/" + kStateFile + ": " + std::strerror(e), e);
      return false;
    }
    // `create` writes state.json right after the directory, before it makes anything else.
    ContainerState s;
    s.id = id;
    s.status = ContainerStatus::kCreating;
    out = std::move(s);
    return true;
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  std::string parse_error = "not json";
  if (j.is_discarded() || !StateFromFileJson(j, out, parse_error)) {
    err = Err(dir + "/" + kStateFile + ": " + parse_error, EINVAL);
    return false;
  }
  if (out.status == ContainerStatus::kCreating) {
    const CreateProgress progress = ReadProgress(dir);
    if (progress.init > 0) {
      out.pid = progress.init;
      out.init_start_time = progress.init_start_time;
    }
  }
  out.status = DetectStatus(out, dir);
  return true;
}

bool SaveState(const std::string& state_dir, const ContainerState& s, Diagnostic& err) {
  return WriteAtomic(state_dir + "/" + kStateFile, StateToFileJson(s).dump(2) + "\n", 0600, err);
}

bool SavePlan(const std::string& state_dir, const Plan& plan, Diagnostic& err) {
  return WriteAtomic(state_dir + "/" + kPlanFile, PlanToJsonText(plan), 0600, err);
}

namespace {

bool AppendLine(const std::string& state_dir, const char* file, const std::string& line, Diagnostic& err) {
  const std::string path = state_dir + "/" + file;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    err = Err("open " + path + ": " + std::strerror(errno), errno);
    return false;
  }
  ssize_t n;
  do {
    n = write(fd, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  const int e = n < 0 ? errno : EIO;
  close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    err = Err("write " + path + ": " + std::strerror(e), e);
    return false;
  }
  return true;
}

}  // namespace

bool RecordProgress(const std::string& state_dir, int step_index, Diagnostic& err) {
  return AppendLine(state_dir, kProgressFile, std::to_string(step_index) + "\n", err);
}

bool RecordInitProgress(const std::string& state_dir, pid_t init, uint64_t start_time, Diagnostic& err) {
  return AppendLine(state_dir, kProgressFile, "init " + std::to_string(init) + " " + std::to_string(start_time) + "\n", err);
}

bool RecordTeardownSteps(const std::string& state_dir, const std::vector<int>& step_indices, Diagnostic& err) {
  std::string lines;
  for (int i : step_indices) lines += std::to_string(i) + "\n";
  return AppendLine(state_dir, kTeardownFile, lines, err);
}

std::set<int> ReadTeardownRecord(const std::string& state_dir) {
  std::set<int> done;
  std::ifstream in(state_dir + "/" + kTeardownFile);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.size() <= 9 && line.find_first_not_of("0123456789") == std::string::npos)
      done.insert(std::stoi(line));
  }
  return done;
}

CreateProgress ParseProgress(const std::string& text) {
  CreateProgress p;
  const auto number = [](const std::string& t, size_t max_digits) {
    return !t.empty() && t.size() <= max_digits && t.find_first_not_of("0123456789") == std::string::npos;
  };
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (number(line, 9)) {
      p.made_through = std::max(p.made_through, std::stoi(line));
      continue;
    }
    std::istringstream f(line);
    std::string word, pid, start, rest;
    if (f >> word >> pid >> start && !(f >> rest) && word == "init" && number(pid, 9) && number(start, 19)) {
      p.init = std::stoi(pid);
      p.init_start_time = std::stoull(start);
    }
  }
  return p;
}

CreateProgress ReadProgress(const std::string& state_dir) {
  std::string text;
  int e = 0;
  if (!ReadWholeFile(state_dir + "/" + kProgressFile, text, e)) return {};
  return ParseProgress(text);
}

bool LoadContainerPlan(const std::string& root, const std::string& id, Plan& out, Diagnostic& err) {
  std::string id_error;
  if (!ValidContainerId(id, id_error)) {
    err = Err(id_error, EINVAL);
    return false;
  }
  const std::string dir = StateDir(root, id);
  const std::string path = dir + "/" + kPlanFile;
  std::string text;
  int e = 0;
  if (!ReadWholeFile(path, text, e)) {
    struct stat st;
    if (e == ENOENT && stat(dir.c_str(), &st) != 0) {
      err = NotExist(id);
    } else {
      err = Err("read " + path + ": " + std::strerror(e), e);
    }
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    err = Err(path + ": not json", EINVAL);
    return false;
  }
  std::string plan_error;
  if (!PlanFromJson(j, out, plan_error)) {
    err = Err(path + ": " + plan_error, EINVAL);
    return false;
  }
  return true;
}

std::vector<std::string> ListContainerIds(const std::string& root) {
  std::vector<std::string> ids;
  DIR* d = opendir(root.c_str());
  if (!d) return ids;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    std::string error;
    if (!ValidContainerId(name, error)) continue;
    struct stat st;
    if (stat((root + "/" + name).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    ids.push_back(name);
  }
  closedir(d);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string FormatContainerTable(const std::vector<ContainerState>& states) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
  for (const auto& s : states) {
    rows.push_back({s.id, std::to_string(s.status == ContainerStatus::kStopped ? 0 : s.pid),
                    std::string(StatusName(s.status)), s.bundle, s.created, s.owner});
  }
  // Go's text/tabwriter as runc configures it (minwidth 12, tabwidth 1, padding 3, ' '): every
  // tab-terminated column is as wide as its widest cell plus 3, at least 12; the last column is not
  // padded.
  constexpr size_t kMinWidth = 12, kPadding = 3, kColumns = 6;
  std::vector<size_t> width(kColumns - 1, kMinWidth);
  for (const auto& r : rows)
    for (size_t c = 0; c + 1 < kColumns; ++c) width[c] = std::max(width[c], r[c].size() + kPadding);
  std::string out;
  for (const auto& r : rows) {
    for (size_t c = 0; c + 1 < kColumns; ++c) out += r[c] + std::string(width[c] - r[c].size(), ' ');
    out += r[kColumns - 1] + "\n";
  }
  return out;
}

std::string FormatContainerJson(const std::vector<ContainerState>& states) {
  if (states.empty()) return "null\n";
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& s : states) a.push_back(StateToOciJson(s));
  return a.dump() + "\n";
}

bool WritePidFile(const std::string& path, pid_t pid, Diagnostic& err) {
  return WriteAtomic(path, std::to_string(pid), 0644, err);
}

}  // namespace runc
