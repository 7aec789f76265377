// The runtime's half of an idmapped mount (kIdmapMount, executor/runtime/idmap.cc): a detached clone
// of the bind source with an id mapping attached, sent to the init, whose kMount step of the same
// origin and destination moves it into the container (executor/init/mount.cc).
//
// Why the runtime: mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN over the user namespace
// that owns the source's superblock (the host's) and a user namespace fd carrying the mapping,
// and it only works on a mount that is not attached yet (mount_setattr(2)). The init, maybe in a
// user namespace of its own, has neither. The user namespace is made by a short-lived child that
// is born in it (clone3 CLONE_NEWUSER): the runtime writes its maps, opens /proc/PID/ns/user,
// kills and reaps it. The namespace lives on as long as the fd. (kMountOpen shares the clone and
// the hand-over, without a mapping.)
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>

#include "compiler/plan.h"

namespace runc::spawn {

// User namespaces made for idmapped mounts, one per distinct pair of maps; closed on destruction.
class UsernsCache {
 public:
  UsernsCache() = default;
  ~UsernsCache() { CloseAll(); }
  UsernsCache(const UsernsCache&) = delete;
  UsernsCache& operator=(const UsernsCache&) = delete;

  // An fd (owned by the cache) of a user namespace with these maps ("CID HID SIZE" lines), made on
  // first use. Returns 0 or an errno with `what`.
  int Get(const std::string& uid_map, const std::string& gid_map, int& fd, std::string& what);
  void CloseAll();

 private:
  std::map<std::pair<std::string, std::string>, int> fds_;
};

// The position of the kMount step that attaches the mount of the kIdmapMount step at `i`: the
// first kMount after it with the same origin and destination; plan.steps.size() when none.
size_t IdmapMountTarget(const Plan& plan, size_t i);

// Runs the kIdmapMount step at `i`: open_tree(OPEN_TREE_CLONE) of step.source, made to propagate
// as a bind made inside the container would (after the plan's propagation step), id mapping from
// step.argv's maps (through `cache`) or the user namespace file step.name (an fd already opened by
// ns.open is taken from `ns_fds`), then kFd{target} over `sock` to the init. Nothing stays open in
// the runtime but the cached user namespaces. Returns 0, an errno or kNoErrno with `what`.
// A kMountOpen step (a bind mount of a container in a user namespace) runs the same way without
// the id mapping: the clone is made here, as the host's root, because the container's root may
// not reach the source (runc 1.1 opens bind sources before the user namespace too).
int RunIdmapMount(const Plan& plan, size_t i, int sock, UsernsCache& cache,
                  const std::map<std::string, int>& ns_fds, std::string& what);

}  // namespace runc::spawn
