// The runtime <-> child protocol of Spawn (executor/runtime/spawn.cc).
//
// One SOCK_SEQPACKET socketpair, created before the first fork. The runtime keeps one end; the
// helper process (when the plan needs one) and the container init share the other, one after the
// other: the helper stops reading before it clones the init. Every message is one datagram: a fixed
// header plus an optional payload (split into several datagrams when it is large).
//
// The plan is walked in lock step: whoever runs the current step (decided by Spawner::Classify in
// executor/runtime/spawn.cc) holds the baton. The runtime passes it with kRun{step}; the child passes it back with
// kYield{step} (the next step is the runtime's), kCloned{step, pid} (the helper cloned the init and
// exits), kReady{step} (the init reached kWaitStart) or kError{step, errno, detail}
// (the step failed: the child exits). kDebug{step} lets the runtime log the child's steps with
// --debug in order with its own. kFd{step} carries a file descriptor (SCM_RIGHTS) from the runtime
// to the init for a later step of the init's: the detached idmapped mount a kMount step attaches.
// After kReady the init waits for kHandover{step}: `create` has recorded the container as created,
// and the init may outlive the runtime. End of file instead means that the runtime died before:
// the init exits, so that no container process outlives a create that did not finish.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace runc {

enum class SyncType : uint32_t {
  kRun = 1,     // runtime -> child: run from step `step` (1-based index) on
  kState,       // runtime -> init: payload = OCI state JSON for in-container hooks; pid = status
                // selector (0 = "creating", 1 = "created")
  kYield,       // child -> runtime: step `step` is the runtime's to run
  kCloned,      // helper -> runtime: the init was cloned (pid, host pid namespace); next is `step`
  kReady,       // init -> runtime: reached kWaitStart (step); `create` can return
  kDebug,       // child -> runtime: about to run step `step`
  kError,       // child -> runtime: step `step` failed with errno `err` (0 = not an errno failure,
                // -1 = see detail only); payload = "SYSCALL OBJECT"
  kFd,          // runtime -> init: `fd` is for step `step` (0-based plan position), sent between
                // two kRun while the init waits for the baton
  kHandover,    // runtime -> init: the container is recorded as created (after kReady at step
                // `step`); the init goes on to wait for `start`
};

struct SyncMessage {
  SyncType type = SyncType::kRun;
  int32_t step = 0;
  int32_t err = 0;
  int32_t pid = 0;
  std::string payload;
  // A file descriptor passed along (SCM_RIGHTS), -1 for none. SyncSend does not take ownership;
  // SyncRecv hands a received one (close-on-exec) to the caller, who must close it.
  int fd = -1;
};

// A pair of connected SOCK_SEQPACKET|SOCK_CLOEXEC sockets. False + errno set on failure.
bool SyncPair(int fds[2]);

// Sends one message (MSG_NOSIGNAL: a vanished peer is an error, not SIGPIPE), msg.fd with its
// first datagram. Returns 0 or errno.
int SyncSend(int fd, const SyncMessage& msg);

// Receives one message. Returns 0, an errno, or -1 on EOF (the peer closed its end or died).
// Interrupted reads are retried. msg.fd is the descriptor that came with it, or -1; on an error
// return none is left open.
int SyncRecv(int fd, SyncMessage& msg);

// "run", "state", ... for error messages.
const char* SyncTypeName(SyncType t);

}  // namespace runc
