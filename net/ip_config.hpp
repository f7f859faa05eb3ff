// The kernel's ip= syntax (Documentation/admin-guide/nfs/nfsroot.rst), shared by the kernel
// command line and hal.conf's net.ip:
//   ip=dhcp | ip=off |
//   ip=<client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>:<dns0>:<dns1>
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"

namespace hal {

enum class NetMode { kDhcp, kStatic, kOff };

struct IpSetting {
    IpSetting() = default;
    explicit IpSetting(NetMode initial) : mode(initial) {}
    NetMode mode = NetMode::kDhcp;
    uint32_t client = 0, server = 0, gateway = 0, netmask = 0;
    FixedString<64> hostname;
    FixedString<16> device;  // empty: the configured host NIC
    uint32_t dns[2] = {};
    bool operator==(const IpSetting&) const = default;
};

bool parse_ipv4(std::string_view text, uint32_t& address);

// Rejected: a value the kernel would not accept either.
Parsed<IpSetting> parse_ip_setting(std::string_view value);

}  // namespace hal
