// QEMU's -netdev/-device arguments for the guest's NICs: macvtap fds (bridge) or the user
// network with port forwards (NAT).
#pragma once

#include "config/config.hpp"
#include "launcher/launcher.hpp"

namespace hal {

// The first fd a bridged NIC's tap arrives as in QEMU (0-2 are stdio).
inline constexpr int kFirstPassedFd = 3;

void add_network_arguments(const Config& config, const HostFacts& facts, size_t boot_devices,
                           Argv& argv);

}  // namespace hal
