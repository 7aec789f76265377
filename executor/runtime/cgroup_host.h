// Cgroup directories on the host, as the runtime manages them (steps cgroup.mkdir, cgroup.write,
// cgroup.join, cgroup.rmdir and the failure path of Spawn).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace runc {

// mkdir -p: creates `path` and every missing parent (mode 0755). Each directory it created is
// appended to `created`, parents first, so that undoing it is removing them in reverse. Returns 0 or
// an errno, with `failed` = the directory that could not be created.
int CgroupMkdirAll(const std::string& path, std::vector<std::string>& created, std::string& failed);

// cgroup v1 cpuset (the cgroup.copy step): a new cgroup starts with empty cpuset.cpus /
// cpuset.mems, and no process can join it until they are set. Copies `dir`/`name` from the parent
// directory's when it is empty (what runc does). Returns 0 or an errno with `failed` = the file.
int CgroupInheritFile(const std::string& dir, const std::string& name, std::string& failed);

// Removes a cgroup directory with its sub-cgroups, deepest first. A cgroup is busy for a moment
// after its last process exited (or while killed processes exit), so EBUSY is retried for up to
// `timeout_ms`. A missing directory counts as removed. Returns 0 or an errno.
int CgroupRemove(const std::string& path, int timeout_ms);

// Pids in `dir`/cgroup.procs and in its sub-cgroups (empty when unreadable).
std::vector<pid_t> CgroupPids(const std::string& dir);

// Sends `sig` to every process of the cgroup (and its sub-cgroups) but the caller. Returns how many
// were signalled.
int CgroupSignalAll(const std::string& dir, int sig);

}  // namespace runc
