#include "executor/sync.h"

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
  do {
    size_t n = msg.payload.size() - off;
    if (n > kChunk) n = kChunk;
    WireHeader h{static_cast<uint32_t>(msg.type), msg.step, msg.err, msg.pid,
                 off + n < msg.payload.size() ? 1u : 0u, static_cast<uint32_t>(n)};
    memcpy(buf, &h, sizeof h);
    if (n > 0) memcpy(buf + sizeof h, msg.payload.data() + off, n);
    ssize_t sent;
    do {
      sent = send(fd, buf, sizeof h + n, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return errno;
    if (static_cast<size_t>(sent) != sizeof h + n) return EMSGSIZE;
    off += n;
  } while (off < msg.payload.size());
  return 0;
}

int SyncRecv(int fd, SyncMessage& msg) {
  msg.payload.clear();
  char buf[sizeof(WireHeader) + kChunk];
  while (true) {
    ssize_t n;
    do {
      n = recv(fd, buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno == ECONNRESET ? -1 : errno;
    if (n == 0) return -1;
    WireHeader h;
    if (static_cast<size_t>(n) < sizeof h) return EPROTO;
    memcpy(&h, buf, sizeof h);
    if (h.len != static_cast<size_t>(n) - sizeof h) return EPROTO;
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
  }
  return "unknown";
}

}  // namespace runc
