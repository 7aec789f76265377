#include "executor/common/sync.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runc {
namespace {

// On the wire. `more` = another datagram continues this payload.
struct WireHeader {
  uint32_t type;
  int32_t step;
  int32_t err;
  int32_t pid;
  uint32_t more;
  uint32_t len;  // payload bytes in this datagram
};

// Well below the default socket buffer, so one datagram always fits.
constexpr size_t kChunk = 16 * 1024;

}  // namespace

bool SyncPair(int fds[2]) { return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0; }

int SyncSend(int fd, const SyncMessage& msg) {
  size_t off = 0;
  char buf[sizeof(WireHeader) + kChunk];
  bool first = true;
  do {
    size_t n = msg.payload.size() - off;
    if (n > kChunk) n = kChunk;
    WireHeader h{static_cast<uint32_t>(msg.type), msg.step, msg.err, msg.pid,
                 off + n < msg.payload.size() ? 1u : 0u, static_cast<uint32_t>(n)};
    memcpy(buf, &h, sizeof h);
    if (n > 0) memcpy(buf + sizeof h, msg.payload.data() + off, n);
    iovec iov{buf, sizeof h + n};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    if (first && msg.fd >= 0) {
      memset(control, 0, sizeof control);
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      cmsghdr* c = CMSG_FIRSTHDR(&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      memcpy(CMSG_DATA(c), &msg.fd, sizeof(int));
    }
    ssize_t sent;
    do {
      sent = sendmsg(fd, &mh, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return errno;
    if (static_cast<size_t>(sent) != sizeof h + n) return EMSGSIZE;
    off += n;
    first = false;
  } while (off < msg.payload.size());
  return 0;
}

namespace {

// The descriptors of an SCM_RIGHTS message: the first is kept in `keep` (when it is -1), any
// other is closed. A truncated control message (MSG_CTRUNC) already lost its extra fds.
void TakeFds(msghdr& mh, int& keep) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int received;
      memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (keep < 0) {
        keep = received;
      } else {
        close(received);
      }
    }
  }
}

int CloseAndFail(SyncMessage& msg, int err) {
  if (msg.fd >= 0) close(msg.fd);
  msg.fd = -1;
  return err;
}

}  // namespace

int SyncRecv(int fd, SyncMessage& msg) {
  msg.payload.clear();
  msg.fd = -1;
  char buf[sizeof(WireHeader) + kChunk];
  while (true) {
    iovec iov{buf, sizeof buf};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(4 * sizeof(int))];
    mh.msg_control = control;
    mh.msg_controllen = sizeof control;
    ssize_t n;
    do {
      n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return CloseAndFail(msg, errno == ECONNRESET ? -1 : errno);
    TakeFds(mh, msg.fd);
    if (n == 0) return CloseAndFail(msg, -1);
    WireHeader h;
    if (static_cast<size_t>(n) < sizeof h) return CloseAndFail(msg, EPROTO);
    memcpy(&h, buf, sizeof h);
    if (h.len != static_cast<size_t>(n) - sizeof h) return CloseAndFail(msg, EPROTO);
    msg.type = static_cast<SyncType>(h.type);
    msg.step = h.step;
    msg.err = h.err;
    msg.pid = h.pid;
    msg.payload.append(buf + sizeof h, h.len);
    if (!h.more) return 0;
  }
}

const char* SyncTypeName(SyncType t) {
  switch (t) {
    case SyncType::kRun:
      return "run";
    case SyncType::kState:
      return "state";
    case SyncType::kYield:
      return "yield";
    case SyncType::kCloned:
      return "cloned";
    case SyncType::kReady:
      return "ready";
    case SyncType::kDebug:
      return "debug";
    case SyncType::kError:
      return "error";
    case SyncType::kFd:
      return "fd";
    case SyncType::kHandover:
      return "handover";
  }
  return "unknown";
}

}  // namespace runc
