// Step 5 of the boot plan: the host's own network on its NIC. With net.required the boot waits
// for it; otherwise it comes up while QEMU runs, driven by the supervision loop, so the
// guest's start never waits for a NIC driver, a carrier or a DHCP server.
#pragma once

#include <cstdint>

#include "config/config.hpp"

namespace hal {

// Blocks until the NIC is found and configured (net.required; false when it is not), or
// starts the deferred bring-up and returns true at once.
bool start_host_network(const Config& config);

// For the supervision loop: ms until the bring-up or the lease needs attention (-1: never),
// and the handler for that moment and for the DHCP and ARP sockets (network_fd(),
// network_probe_fd()).
int64_t host_network_timer_in(uint64_t now_ms);
void service_host_network(uint64_t now_ms, bool dhcp_readable, bool probe_readable);

}  // namespace hal
