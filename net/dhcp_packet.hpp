// DHCPv4 messages (RFC 2131/2132): the client's builder and a parser that treats every
// reply as hostile, checking each length before it reads (cf. busybox CVE-2018-20679,
// CVE-2019-5747). No allocation; addresses are IPv4 in host byte order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/text.hpp"

namespace hal::dhcp {

inline constexpr uint16_t kClientPort = 68;
inline constexpr uint16_t kServerPort = 67;
inline constexpr uint32_t kMagicCookie = 0x63825363;
inline constexpr size_t kFixedSize = 236;  // BOOTP header before the cookie
inline constexpr size_t kMinimumReply = kFixedSize + 4;
inline constexpr size_t kMaxMessage = 1500;
inline constexpr size_t kMaxRoutes = 16;
inline constexpr size_t kMaxDnsServers = 4;

enum class MessageType : uint8_t {
    kNone = 0,
    kDiscover = 1,
    kOffer = 2,
    kRequest = 3,
    kDecline = 4,
    kAck = 5,
    kNak = 6,
    kRelease = 7,
    kInform = 8
};

using MacAddress = uint8_t[6];

struct Route {
    uint32_t destination = 0;
    uint8_t prefix = 0;
    uint32_t gateway = 0;
};

// Everything the client uses from an OFFER/ACK/NAK.
struct Reply {
    MessageType type = MessageType::kNone;
    uint32_t your_address = 0;
    uint32_t server_id = 0;
    bool has_subnet_mask = false;
    uint32_t subnet_mask = 0;
    bool has_router = false;
    uint32_t router = 0;
    bool has_broadcast = false;
    uint32_t broadcast = 0;
    uint32_t lease_seconds = 0;  // 0: not given
    uint32_t renewal_seconds = 0;
    uint32_t rebinding_seconds = 0;
    uint16_t mtu = 0;
    uint32_t dns[kMaxDnsServers] = {};
    size_t dns_count = 0;
    FixedString<256> domain;
    FixedString<256> search;  // option 119, decoded, names separated by spaces
    FixedString<64> hostname;
    Route routes[kMaxRoutes];  // option 121 (classless static routes)
    size_t route_count = 0;
    bool has_classless_routes = false;
    FixedString<128> message;  // option 56, e.g. a NAK's reason
};

struct Request {
    MessageType type = MessageType::kDiscover;
    uint32_t xid = 0;
    uint16_t seconds = 0;
    uint32_t client_address = 0;     // ciaddr: renewing, rebinding, release
    uint32_t requested_address = 0;  // option 50: selecting, init-reboot, decline
    uint32_t server_id = 0;          // option 54: selecting, decline, release
    bool broadcast_flag = true;      // we have no address yet: ask for broadcast replies
};

// Writes a client message into `out`; returns its size, 0 when `out` is too small.
size_t build_request(const Request& request, const MacAddress mac, std::span<uint8_t> out);

// Validates a server reply for our transaction and extracts its options. Returns nullptr on
// success, otherwise why the packet was rejected (and `reply` must not be used).
const char* parse_reply(std::span<const uint8_t> packet, uint32_t xid, const MacAddress mac,
                        Reply& reply);

// "192.168.1.2" into buffer (at least 16 bytes).
const char* format_address(uint32_t address, char* buffer);
uint8_t prefix_length(uint32_t mask);  // 255.255.255.0 -> 24; non-contiguous masks count bits

}  // namespace hal::dhcp
