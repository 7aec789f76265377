// Internals of the runtime side (executor/runtime/*.cc). Not a public header: only this folder
// includes it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "compiler/plan.h"

namespace runc {

// kNetDevice (executor/runtime/netdev.cc): moves host interface `host_name` into the network
// namespace of `pid`, named `ctr_name` there (empty = keep). Returns 0 or an errno with `what`.
int MoveNetDevice(const std::string& host_name, const std::string& ctr_name, pid_t pid, std::string& what);

// kRdtGroup (executor/runtime/rdt.cc): creates (or, with nums {1}, requires) the resctrl group
// directory step.path and makes its schemata hold step.value's lines. A directory it creates is
// appended to `created` (the failure path removes it). Returns 0, an errno, or kNoErrno with `what`.
int RdtGroup(const Step& step, std::vector<std::string>& created, std::string& what);

// Removes a directory tree (the state dir). Returns 0 or the first errno.
int RemoveTree(const std::string& path);
// The host id that id 0 of a user namespace maps to ("0 100000 65536\n..."); 0 when unmapped.
unsigned long HostIdOfRoot(const std::string& map);

}  // namespace runc
