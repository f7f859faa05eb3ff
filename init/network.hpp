// Step 5 of the boot plan: the host's network (DHCP or static ip=), and the DHCP lease's
// upkeep while QEMU runs.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/config.hpp"

namespace hal {

struct NetworkOptions {
    const char* interface = "";         // the host NIC ("" = none found)
    const char* resolv_conf = "/etc/resolv.conf";
};

// Brings loopback and the NIC up and configures it; logs one line with the outcome. Returns
// false when the network could not be set up (not fatal unless net.required).
bool start_network(const Config& config, const NetworkOptions& options);

// For the supervision loop: the DHCP socket (-1 when none), the ms until the client's next
// timer (-1 when none), and the handler for both.
int network_fd();
int64_t network_timer_in(uint64_t now_ms);
void service_network(uint64_t now_ms, bool readable);
// RELEASE the lease on an orderly shutdown.
void release_network();

}  // namespace hal
