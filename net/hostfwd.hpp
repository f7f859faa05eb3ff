// Port forwards into a NAT guest (hostfwd = tcp:2222-:22,udp::5353-:53): parsed, checked and
// written back in QEMU's user-network syntax. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/result.hpp"

namespace hal {

inline constexpr size_t kMaxHostForwards = 16;

struct HostForward {
    bool udp = false;
    uint32_t host_address = 0;  // IPv4, host byte order; 0: every address of the host
    uint16_t host_port = 0;
    uint32_t guest_address = 0;  // 0: the guest's DHCP address
    uint16_t guest_port = 0;
    bool operator==(const HostForward&) const = default;
};

struct HostForwardList {
    HostForward forwards[kMaxHostForwards];
    size_t count = 0;
    bool operator==(const HostForwardList&) const = default;
};

// Comma-separated `PROTO:[HOSTADDR:]HOSTPORT-[GUESTADDR]:GUESTPORT` entries; PROTO is tcp or
// udp, ports 1-65535. The first bad entry rejects the whole list.
Parsed<HostForwardList> parse_host_forwards(std::string_view text);

// One forward as QEMU's -netdev user option value: "hostfwd=tcp:0.0.0.0:2222-:22".
void format_host_forward(const HostForward& forward, char* out, size_t size);

}  // namespace hal
