// kNetDevice: moves a host network interface into the container's network namespace (runtime-spec
// 1.3 linux.netDevices), renaming it on the way when asked. One RTM_NEWLINK on an existing link with
// IFLA_NET_NS_FD (+ IFLA_IFNAME): the kernel applies the new name in the target namespace, so a name
// that exists on the host is no obstacle.
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "executor/common/sys.h"
#include "executor/runtime/internal.h"

namespace runc {
namespace {

void AddAttr(std::string& msg, uint16_t type, const void* data, size_t len) {
  rtattr a{};
  a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  a.rta_type = type;
  size_t start = msg.size();
  msg.append(reinterpret_cast<const char*>(&a), sizeof a);
  msg.append(static_cast<const char*>(data), len);
  msg.resize(start + RTA_ALIGN(a.rta_len), '\0');
}

}  // namespace

int MoveNetDevice(const std::string& host_name, const std::string& ctr_name, pid_t pid, std::string& what) {
  what = "move network device " + host_name;
  unsigned index = if_nametoindex(host_name.c_str());
  if (index == 0) return errno;
  std::string ns_path = "/proc/" + std::to_string(pid) + "/ns/net";
  int ns_fd = open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0) {
    what = "open " + ns_path;
    return errno;
  }
  int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (sock < 0) {
    int err = errno;
    close(ns_fd);
    what = "socket netlink";
    return err;
  }
  std::string msg(NLMSG_LENGTH(sizeof(ifinfomsg)), '\0');
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = static_cast<int>(index);
  memcpy(msg.data() + NLMSG_HDRLEN, &ifi, sizeof ifi);
  msg.resize(NLMSG_ALIGN(msg.size()), '\0');
  uint32_t fd32 = static_cast<uint32_t>(ns_fd);
  AddAttr(msg, IFLA_NET_NS_FD, &fd32, sizeof fd32);
  const std::string& name = ctr_name.empty() ? host_name : ctr_name;
  if (name != host_name) AddAttr(msg, IFLA_IFNAME, name.c_str(), name.size() + 1);
  nlmsghdr h{};
  h.nlmsg_len = static_cast<uint32_t>(msg.size());
  h.nlmsg_type = RTM_NEWLINK;
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  h.nlmsg_seq = 1;
  memcpy(msg.data(), &h, sizeof h);

  int err = 0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(sock, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    err = errno;
  } else {
    char buf[4096];
    ssize_t n;
    do {
      n = recv(sock, buf, sizeof buf, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      err = errno;
    } else if (static_cast<size_t>(n) < NLMSG_LENGTH(sizeof(nlmsgerr))) {
      err = EPROTO;
    } else {
      const auto* reply = reinterpret_cast<const nlmsghdr*>(buf);
      if (reply->nlmsg_type != NLMSG_ERROR) {
        err = EPROTO;
      } else {
        const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(reply));
        err = -e->error;
      }
    }
  }
  close(sock);
  close(ns_fd);
  return err;
}

}  // namespace runc
