#include "executor/runtime/idmap.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "executor/common/sys.h"
#include "executor/runtime/internal.h"
#include "executor/common/sync.h"

namespace runc::spawn {
namespace {

// A child born in a new user namespace, waiting to be killed. The parent-death signal keeps it
// from outliving a runtime that dies before it kills it.
int MakeUserns(const std::string& uid_map, const std::string& gid_map, int& fd, std::string& what) {
  const pid_t parent = getpid();
  pid_t pid = Clone3(CLONE_NEWUSER, SIGCHLD);
  if (pid < 0) {
    what = "clone3 user namespace";
    return errno;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
    for (;;) pause();
  }
  const std::string dir = "/proc/" + std::to_string(pid);
  int err = WriteFileOnce(dir + "/uid_map", uid_map);
  if (err) {
    what = "write " + dir + "/uid_map";
  } else if ((err = WriteFileOnce(dir + "/gid_map", gid_map)) != 0) {
    what = "write " + dir + "/gid_map";
  } else {
    fd = open((dir + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      err = errno;
      what = "open " + dir + "/ns/user";
    }
  }
  kill(pid, SIGKILL);
  WaitChild(pid, -1);
  return err;
}

// MS_SLAVE, MS_PRIVATE or 0 (leave a peer) after the plan's propagation step (rslave if none).
uint64_t ClonePropagation(const Plan& plan) {
  uint64_t root = MS_SLAVE;
  for (const Step& s : plan.steps) {
    if (s.kind == StepKind::kPropagation) {
      root = s.flags;
      break;
    }
  }
  if (root & MS_SHARED) return 0;
  if (root & (MS_PRIVATE | MS_UNBINDABLE)) return MS_PRIVATE;
  return MS_SLAVE;
}

}  // namespace

int UsernsCache::Get(const std::string& uid_map, const std::string& gid_map, int& fd, std::string& what) {
  auto key = std::make_pair(uid_map, gid_map);
  auto it = fds_.find(key);
  if (it != fds_.end()) {
    fd = it->second;
    return 0;
  }
  int made = -1;
  int err = MakeUserns(uid_map, gid_map, made, what);
  if (err) return err;
  fds_.emplace(std::move(key), made);
  fd = made;
  return 0;
}

void UsernsCache::CloseAll() {
  for (auto& [maps, fd] : fds_) close(fd);
  fds_.clear();
}

size_t IdmapMountTarget(const Plan& plan, size_t i) {
  const Step& s = plan.steps[i];
  for (size_t j = i + 1; j < plan.steps.size(); ++j) {
    const Step& t = plan.steps[j];
    if (t.kind == StepKind::kMount && t.origin == s.origin && t.path == s.path) return j;
  }
  return plan.steps.size();
}

int RunIdmapMount(const Plan& plan, size_t i, int sock, UsernsCache& cache,
                  const std::map<std::string, int>& ns_fds, std::string& what) {
  const Step& s = plan.steps[i];
  const size_t target = IdmapMountTarget(plan, i);
  // mount.open: the same clone without an id mapping (a bind source the container's root could
  // not reach, opened here as the host's root).
  const bool idmap = s.kind == StepKind::kIdmapMount;
  if (target == plan.steps.size()) {
    what = "no mount step of " + s.path + (idmap ? " for the idmapped mount" : " for the opened bind source");
    return EINVAL;
  }
  // The user namespace first: it is cached, while the mount fd must not outlive this step.
  int userns = -1, own_userns = -1;
  if (!idmap) {
    // no mapping
  } else if (s.argv.size() == 2) {
    if (int err = cache.Get(s.argv[0], s.argv[1], userns, what)) return err;
  } else if (!s.name.empty()) {
    auto it = ns_fds.find(s.name);
    if (it != ns_fds.end() && it->second >= 0) {
      userns = it->second;
    } else {
      own_userns = open(s.name.c_str(), O_RDONLY | O_CLOEXEC);
      if (own_userns < 0) {
        what = "open " + s.name;
        return errno;
      }
      userns = own_userns;
    }
  } else {
    what = "idmapped mount of " + s.source + " without mappings";
    return EINVAL;
  }
  unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
  if (s.flags & MS_REC) tree_flags |= AT_RECURSIVE;  // rbind: the submounts come along
  int err = 0;
  int mnt = open_tree(AT_FDCWD, s.source.c_str(), tree_flags);
  if (mnt < 0) {
    err = errno;
    what = "open_tree " + s.source;
  } else {
    // A clone of a shared mount is a peer of it (clone_mnt without CL_PRIVATE): attached in the
    // container, its mounts would propagate back to the host. It gets the propagation a bind
    // made inside the container would have, that of the container's root after the propagation
    // step: a slave under rslave (the default), private under rprivate, a peer under rshared.
    mount_attr propagation{};
    propagation.propagation = ClonePropagation(plan);
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(userns);
    // ridmap: every mount of the clone is mapped; idmap: only its top (runtime-spec 1.2).
    unsigned at_flags = AT_EMPTY_PATH | ((s.flags2 & MS_REC) ? AT_RECURSIVE : 0);
    if (propagation.propagation != 0 &&
        mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &propagation, sizeof propagation) != 0) {
      err = errno;
      what = "mount_setattr propagation " + s.source;
    } else if (idmap && mount_setattr(mnt, "", at_flags, &attr, sizeof attr) != 0) {
      err = errno;
      what = "mount_setattr idmap " + s.source;
    } else {
      SyncMessage m;
      m.type = SyncType::kFd;
      m.step = static_cast<int32_t>(target);
      m.fd = mnt;
      if ((err = SyncSend(sock, m)) != 0) what = "send mount of " + s.source + " to init";
    }
    close(mnt);
  }
  if (own_userns >= 0) close(own_userns);
  return err;
}

}  // namespace runc::spawn
