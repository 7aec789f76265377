#include "executor/runtime/cgroup_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "executor/common/log.h"
#include "executor/common/sys.h"
#include "executor/runtime/spawn.h"

namespace runc {
namespace {

std::vector<std::string> SubDirs(const std::string& dir) {
  std::vector<std::string> out;
  // A cgroup directory (kernfs) has a link count of 2 plus its subdirectories: one stat instead of
  // listing its twenty-odd control files, in the common case of a cgroup without children.
  struct stat st;
  if (stat(dir.c_str(), &st) == 0 && st.st_nlink == 2) return out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_type != DT_DIR) continue;
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    out.push_back(dir + "/" + n);
  }
  closedir(d);
  return out;
}

void SleepMs(int ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

}  // namespace

int CgroupMkdirAll(const std::string& path, std::vector<std::string>& created, std::string& failed) {
  if (path.empty() || path[0] != '/') {
    failed = path;
    return EINVAL;
  }
  // Usually only the last component is missing: one mkdir. Otherwise walk down from the first
  // missing ancestor, found from the bottom up.
  if (mkdir(path.c_str(), 0755) == 0) {
    created.push_back(path);
    return 0;
  }
  if (errno == EEXIST) return 0;
  if (errno != ENOENT) {
    failed = path;
    return errno;
  }
  std::vector<std::string> missing;
  std::string p = path;
  while (p.size() > 1) {
    struct stat st;
    if (stat(p.c_str(), &st) == 0) break;
    if (errno != ENOENT) {
      failed = p;
      return errno;
    }
    missing.push_back(p);
    size_t slash = p.find_last_of('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (mkdir(it->c_str(), 0755) == 0) {
      created.push_back(*it);
    } else if (errno != EEXIST) {
      failed = *it;
      return errno;
    }
  }
  return 0;
}

namespace {

// The first line of a small file, without the newline; false when unreadable.
bool ReadLine(const std::string& path, std::string& out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) return false;
  out.assign(buf, static_cast<size_t>(n));
  size_t nl = out.find('\n');
  if (nl != std::string::npos) out.resize(nl);
  return true;
}

}  // namespace

int CgroupInheritFile(const std::string& dir, const std::string& name, std::string& failed) {
  std::string parent = dir.substr(0, dir.find_last_of('/'));
  std::string value;
  if (ReadLine(dir + "/" + name, value) && !value.empty()) return 0;
  if (!ReadLine(parent + "/" + name, value)) {
    failed = parent + "/" + name;
    return errno;
  }
  int fd = open((dir + "/" + name).c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, value.data(), value.size()) < 0) {
    int err = errno;
    if (fd >= 0) close(fd);
    failed = dir + "/" + name;
    return err;
  }
  close(fd);
  return 0;
}

int CgroupRemove(const std::string& path, int timeout_ms) {
  // Children (cgroups the container made) first; look for them only when the rmdir says busy.
  if (rmdir(path.c_str()) == 0 || errno == ENOENT) return 0;
  for (const auto& sub : SubDirs(path)) CgroupRemove(sub, timeout_ms);
  int waited = 0;
  int delay = 1;
  while (rmdir(path.c_str()) != 0) {
    if (errno == ENOENT) return 0;
    if (errno != EBUSY || waited >= timeout_ms) return errno;
    SleepMs(delay);
    waited += delay;
    if (delay < 50) delay *= 2;
  }
  return 0;
}

std::vector<pid_t> CgroupPids(const std::string& dir) {
  std::vector<pid_t> out;
  int fd = open((dir + "/cgroup.procs").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    close(fd);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      pid_t pid = static_cast<pid_t>(atoi(text.substr(pos, nl - pos).c_str()));
      if (pid > 0) out.push_back(pid);
      pos = nl + 1;
    }
  }
  for (const auto& sub : SubDirs(dir)) {
    auto more = CgroupPids(sub);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

int CgroupSignalAll(const std::string& dir, int sig) {
  int count = 0;
  pid_t self = getpid();
  for (pid_t pid : CgroupPids(dir)) {
    if (pid == self) continue;
    if (kill(pid, sig) == 0) ++count;
  }
  return count;
}

}  // namespace runc

namespace runc {

bool ApplyCgroupUpdate(const Plan& plan, Diagnostic& error) {
  std::vector<std::pair<std::string, std::string>> undo;  // file, value before the write
  for (const auto& s : plan.steps) {
    // rdt.group of an update: new schemata lines for the group the container is in.
    if (s.kind != StepKind::kCgroupWrite && s.kind != StepKind::kRdtGroup) continue;
    const std::string file = s.kind == StepKind::kRdtGroup ? s.path + "/schemata" : s.path;
    // Traced as create traces its steps: the trace of `runc --debug update` is the update's plan.
    LogDebug("step " + std::to_string(s.index) + " " + KindName(s));
    std::string old;
    const bool have_old = ReadFileAll(file, old);
    int err = WriteFileOnce(file, s.value);
    // A period written again after the quota (runc's order): its first EINVAL is no error.
    if (err == EINVAL && s.kind == StepKind::kCgroupWrite && (s.flags & kRetriedAfterQuota)) {
      LogDebug("step " + std::to_string(s.index) + " skipped: write " + file + ": " + strerror(err) +
               " (written again after the quota)");
      continue;
    }
    if (err) {
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) WriteFileOnce(it->first, it->second);
      error = Diagnostic{};
      error.message = StepError(s, "write " + file, err);
      error.err = err;
      return false;
    }
    if (have_old) {
      while (!old.empty() && old.back() == '\n') old.pop_back();
      undo.emplace_back(file, old);
    }
  }
  return true;
}

}  // namespace runc
