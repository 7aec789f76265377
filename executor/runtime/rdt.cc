// kRdtGroup: the container's Intel RDT group in the resctrl filesystem (runtime-spec "IntelRdt").
// The pid is written to the group's tasks file by kRdtJoin (spawn.cc), the container's own
// groups are removed by kRdtRemove (teardown.cc).
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "compiler/plan.h"
#include "executor/common/sys.h"
#include "executor/runtime/internal.h"

namespace runc {
namespace {

constexpr long kResctrlMagic = 0x7655821;  // RDTGROUP_SUPER_MAGIC of <linux/magic.h>

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos || slash == 0 ? std::string("/") : path.substr(0, slash);
}

// The schemata lines without blanks: the kernel pads what it prints ("    MB:0=100;1=100").
std::vector<std::string> SchemataLines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else if (c != ' ' && c != '\t') {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

int RdtGroup(const Step& step, std::vector<std::string>& created, std::string& what) {
  const std::string parent = Parent(step.path);
  struct statfs fs {};
  if (statfs(parent.c_str(), &fs) != 0 || static_cast<long>(fs.f_type) != kResctrlMagic) {
    what = "intelRdt: no resctrl filesystem is mounted at " + parent;
    return kNoErrno;
  }
  const bool must_exist = !step.nums.empty() && step.nums[0] == 1;
  bool existed = false;
  if (must_exist) {
    struct stat st {};
    if (stat(step.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      what = "intelRdt: closID group " + step.path + " does not exist (without a schema it must be pre-configured)";
      return kNoErrno;
    }
    existed = true;
  } else if (mkdir(step.path.c_str(), 0755) == 0) {
    created.push_back(step.path);
  } else if (errno == EEXIST) {
    existed = true;
  } else {
    what = "mkdir " + step.path;
    return errno;
  }
  if (step.value.empty()) return 0;
  const std::string file = step.path + "/schemata";
  if (existed) {
    // runtime-spec: an existing closID group must already hold the schema asked for.
    std::string current;
    if (!ReadFileAll(file, current)) {
      what = "read " + file;
      return errno;
    }
    const auto have = SchemataLines(current);
    for (const auto& want : SchemataLines(step.value)) {
      bool found = false;
      for (const auto& h : have) found = found || h == want;
      if (!found) {
        what = "intelRdt: group " + step.path + " exists and its schemata do not hold \"" + want + "\"";
        return kNoErrno;
      }
    }
    return 0;
  }
  if (int err = WriteFileOnce(file, step.value)) {
    what = "write " + file;
    return err;
  }
  return 0;
}

}  // namespace runc
