// rtnetlink requests (one at a time, each acknowledged) and the DHCP UDP socket.
#include "net/sys/rtnetlink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/sys/fs.hpp"

namespace hal::sys {
namespace {

constexpr size_t kRequestCapacity = 512;

struct NetlinkRequest {
    nlmsghdr header;
    union {
        ifinfomsg link;
        ifaddrmsg address;
        rtmsg route;
    };
    char attributes[kRequestCapacity];
};

void add_attribute(NetlinkRequest& request, uint16_t type, const void* data, size_t size) {
    auto* attribute = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&request) +
                                                NLMSG_ALIGN(request.header.nlmsg_len));
    attribute->rta_type = type;
    attribute->rta_len = static_cast<uint16_t>(RTA_LENGTH(size));
    if (size > 0) std::memcpy(RTA_DATA(attribute), data, size);
    request.header.nlmsg_len =
        NLMSG_ALIGN(request.header.nlmsg_len) + RTA_ALIGN(attribute->rta_len);
}

void add_address_attribute(NetlinkRequest& request, uint16_t type, uint32_t address) {
    const uint32_t network = htonl(address);
    add_attribute(request, type, &network, sizeof network);
}

// Sends one request with NLM_F_ACK and returns the kernel's answer.
Status transact(NetlinkRequest& request, const char* operation) {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return error_from_errno("socket(NETLINK_ROUTE)");
    request.header.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    request.header.nlmsg_seq = 1;
    sockaddr_nl kernel = {};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &request, request.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) < 0) {
        const Error error = error_from_errno(operation);
        ::close(fd);
        return error;
    }
    char answer[1024];
    const ssize_t got = ::recv(fd, answer, sizeof answer, 0);
    ::close(fd);
    if (got < static_cast<ssize_t>(sizeof(nlmsghdr) + sizeof(nlmsgerr)))
        return Error{operation, EIO};
    const auto* header = reinterpret_cast<const nlmsghdr*>(answer);
    if (header->nlmsg_type != NLMSG_ERROR) return Error{operation, EIO};
    const auto* error = reinterpret_cast<const nlmsgerr*>(NLMSG_DATA(header));
    if (error->error != 0) return Error{operation, -error->error};
    return ok_status();
}

NetlinkRequest new_request(uint16_t type, uint16_t flags, size_t body) {
    NetlinkRequest request;
    std::memset(&request, 0, sizeof request);
    request.header.nlmsg_type = type;
    request.header.nlmsg_flags = flags;
    request.header.nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(body));
    return request;
}

Status change_address(uint16_t type, uint16_t flags, int index, uint32_t address, uint8_t prefix,
                      uint32_t broadcast, const char* operation) {
    NetlinkRequest request = new_request(type, flags, sizeof(ifaddrmsg));
    request.address.ifa_family = AF_INET;
    request.address.ifa_prefixlen = prefix;
    request.address.ifa_index = static_cast<uint32_t>(index);
    add_address_attribute(request, IFA_LOCAL, address);
    add_address_attribute(request, IFA_ADDRESS, address);
    if (broadcast) add_address_attribute(request, IFA_BROADCAST, broadcast);
    return transact(request, operation);
}

}  // namespace

Result<int> interface_index(const char* name) {
    const unsigned index = ::if_nametoindex(name);
    if (index == 0) return error_from_errno("if_nametoindex");
    return static_cast<int>(index);
}

Status set_link_up(int index) {
    NetlinkRequest request = new_request(RTM_NEWLINK, 0, sizeof(ifinfomsg));
    request.link.ifi_family = AF_UNSPEC;
    request.link.ifi_index = index;
    request.link.ifi_flags = IFF_UP;
    request.link.ifi_change = IFF_UP;
    return transact(request, "RTM_NEWLINK (up)");
}

Status set_link_down(int index) {
    NetlinkRequest request = new_request(RTM_NEWLINK, 0, sizeof(ifinfomsg));
    request.link.ifi_family = AF_UNSPEC;
    request.link.ifi_index = index;
    request.link.ifi_change = IFF_UP;
    return transact(request, "RTM_NEWLINK (down)");
}

Status set_mac_address(int index, const uint8_t mac[6]) {
    NetlinkRequest request = new_request(RTM_NEWLINK, 0, sizeof(ifinfomsg));
    request.link.ifi_family = AF_UNSPEC;
    request.link.ifi_index = index;
    add_attribute(request, IFLA_ADDRESS, mac, 6);
    return transact(request, "RTM_NEWLINK (address)");
}

Result<int> create_macvlan(MacvlanKind kind, const char* name, int lower, bool passthru,
                           const uint8_t* mac) {
    NetlinkRequest request = new_request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(ifinfomsg));
    request.link.ifi_family = AF_UNSPEC;
    const uint32_t link = static_cast<uint32_t>(lower);
    add_attribute(request, IFLA_LINK, &link, sizeof link);
    add_attribute(request, IFLA_IFNAME, name, std::strlen(name) + 1);
    if (mac) add_attribute(request, IFLA_ADDRESS, mac, 6);
    // IFLA_LINKINFO { IFLA_INFO_KIND, IFLA_INFO_DATA { IFLA_MACVLAN_MODE } }: nested attributes
    // whose lengths are fixed up once their content is in.
    auto* info = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&request) +
                                           NLMSG_ALIGN(request.header.nlmsg_len));
    add_attribute(request, IFLA_LINKINFO, nullptr, 0);
    const char* kind_name = kind == MacvlanKind::kMacvtap ? "macvtap" : "macvlan";
    add_attribute(request, IFLA_INFO_KIND, kind_name, std::strlen(kind_name));
    auto* data = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&request) +
                                           NLMSG_ALIGN(request.header.nlmsg_len));
    add_attribute(request, IFLA_INFO_DATA, nullptr, 0);
    const uint32_t mode = passthru ? MACVLAN_MODE_PASSTHRU : MACVLAN_MODE_BRIDGE;
    add_attribute(request, IFLA_MACVLAN_MODE, &mode, sizeof mode);
    const char* end = reinterpret_cast<char*>(&request) + request.header.nlmsg_len;
    data->rta_len = static_cast<uint16_t>(end - reinterpret_cast<char*>(data));
    info->rta_len = static_cast<uint16_t>(end - reinterpret_cast<char*>(info));
    TRY(transact(request, kind == MacvlanKind::kMacvtap ? "RTM_NEWLINK (macvtap)"
                                                        : "RTM_NEWLINK (macvlan)"));
    return interface_index(name);
}

Status set_mtu(int index, uint32_t mtu) {
    NetlinkRequest request = new_request(RTM_NEWLINK, 0, sizeof(ifinfomsg));
    request.link.ifi_family = AF_UNSPEC;
    request.link.ifi_index = index;
    add_attribute(request, IFLA_MTU, &mtu, sizeof mtu);
    return transact(request, "RTM_NEWLINK (mtu)");
}

Result<bool> has_carrier(const char* name) {
    char path[96], value[8];
    std::snprintf(path, sizeof path, "/sys/class/net/%s/carrier", name);
    const auto size = read_file(path, value, sizeof value);
    if (!size.ok()) return size.error();
    return size.value() > 0 && value[0] == '1';
}

Status add_address(int index, uint32_t address, uint8_t prefix, uint32_t broadcast) {
    return change_address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, index, address, prefix,
                          broadcast, "RTM_NEWADDR");
}

Status remove_address(int index, uint32_t address, uint8_t prefix) {
    return change_address(RTM_DELADDR, 0, index, address, prefix, 0, "RTM_DELADDR");
}

Status add_route(int index, uint32_t destination, uint8_t prefix, uint32_t gateway) {
    NetlinkRequest request = new_request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(rtmsg));
    request.route.rtm_family = AF_INET;
    request.route.rtm_dst_len = prefix;
    request.route.rtm_table = RT_TABLE_MAIN;
    request.route.rtm_protocol = RTPROT_DHCP;
    request.route.rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    request.route.rtm_type = RTN_UNICAST;
    if (prefix > 0) add_address_attribute(request, RTA_DST, destination);
    if (gateway) add_address_attribute(request, RTA_GATEWAY, gateway);
    const uint32_t output = static_cast<uint32_t>(index);
    add_attribute(request, RTA_OIF, &output, sizeof output);
    return transact(request, "RTM_NEWROUTE");
}

Status set_hostname(const char* name, size_t length) {
    if (::sethostname(name, length) != 0) return error_from_errno("sethostname");
    return ok_status();
}

Result<int> open_arp_probe(int index, const uint8_t mac[6], uint32_t address) {
    const int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP));
    if (fd < 0) return error_from_errno("socket(AF_PACKET)");
    sockaddr_ll link = {};
    link.sll_family = AF_PACKET;
    link.sll_protocol = htons(ETH_P_ARP);
    link.sll_ifindex = index;
    link.sll_halen = 6;
    std::memset(link.sll_addr, 0xff, 6);
    // ARP for Ethernet/IPv4: htype 1, ptype 0x0800, hlen 6, plen 4, op 1 (request).
    uint8_t request[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    std::memcpy(request + 8, mac, 6);
    const uint32_t target = htonl(address);
    std::memcpy(request + 24, &target, 4);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&link), sizeof link) != 0 ||
        ::sendto(fd, request, sizeof request, 0, reinterpret_cast<sockaddr*>(&link), sizeof link) <
            0) {
        const Error error = error_from_errno("ARP probe");
        ::close(fd);
        return error;
    }
    return fd;
}

bool arp_conflict(int fd, const uint8_t mac[6], uint32_t address) {
    const uint32_t target = htonl(address);
    uint8_t answer[64];
    while (true) {
        const ssize_t got = ::recv(fd, answer, sizeof answer, 0);
        if (got < 0) return false;  // EAGAIN: nothing more
        if (got < 28 || answer[2] != 8 || answer[3] != 0 || answer[4] != 6 || answer[5] != 4)
            continue;
        // Anyone else naming the address as its own: a reply, or a probe or announcement.
        if (std::memcmp(answer + 14, &target, 4) == 0 && std::memcmp(answer + 8, mac, 6) != 0)
            return true;
    }
}

Result<int> open_dhcp_socket(const char* interface) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return error_from_errno("socket(AF_INET)");
    const int on = 1;
    sockaddr_in local = {};
    local.sin_family = AF_INET;
    local.sin_port = htons(68);
    // Bound to the interface: replies come as broadcasts while we have no address yet.
    if (::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface,
                     static_cast<socklen_t>(std::strlen(interface) + 1)) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        const Error error = error_from_errno("DHCP socket setup");
        ::close(fd);
        return error;
    }
    return fd;
}

Status send_dhcp(int fd, const uint8_t* packet, size_t size, uint32_t destination) {
    sockaddr_in server = {};
    server.sin_family = AF_INET;
    server.sin_port = htons(67);
    server.sin_addr.s_addr = htonl(destination);
    if (::sendto(fd, packet, size, 0, reinterpret_cast<sockaddr*>(&server), sizeof server) < 0)
        return error_from_errno("sendto (DHCP)");
    return ok_status();
}

}  // namespace hal::sys
