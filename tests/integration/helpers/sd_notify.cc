// A static sd_notify(3) for the busybox rootfs of the integration tests (busybox has no way to
// send a datagram to an AF_UNIX socket): sends argv[1], with "\n" written as two characters
// turned into newlines, to the socket named by $NOTIFY_SOCKET. Exit 0 when sent.
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>

int main(int argc, char** argv) {
  const char* path = getenv("NOTIFY_SOCKET");
  if (argc != 2 || !path || strlen(path) >= sizeof(sockaddr_un::sun_path)) return 2;
  std::string message;
  for (const char* p = argv[1]; *p; ++p) {
    if (p[0] == '\\' && p[1] == 'n') {
      message += '\n';
      ++p;
    } else {
      message += *p;
    }
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 1;
  if (sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return 1;
  close(fd);
  return 0;
}
