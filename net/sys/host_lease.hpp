// Step 5 of the boot plan: the host's network (DHCP or static ip=), and the DHCP lease's
// upkeep while QEMU runs.
#pragma once

#include <cstdint>
#include <string_view>

#include "config/config.hpp"

namespace hal {

struct NetworkOptions {
    const char* interface = "";         // the host NIC ("" = none found)
    const char* resolv_conf = "/etc/resolv.conf";
};

// Brings loopback and the NIC up and configures it; logs one line with the outcome. With
// `wait_for_lease` false, DHCP goes on in the supervision loop and the guest need not wait
// for the host's lease. Returns false when the network could not be set up (not fatal
// unless net.required).
bool start_network(const Config& config, const NetworkOptions& options, bool wait_for_lease);

// The same in two halves, for a caller that waits for carrier itself: loopback and the link
// up (false when there is nothing to configure), then, with carrier, DHCP (not waited for)
// or the static address.
bool begin_network(const Config& config, const NetworkOptions& options);
bool continue_network(const Config& config, bool wait_for_lease = false);

// For the supervision loop: the DHCP socket and the ARP probe socket (-1 when none), the ms
// until the next timer (-1 when none), and the handler for all of them.
int network_fd();
int network_probe_fd();
int64_t network_timer_in(uint64_t now_ms);
void service_network(uint64_t now_ms, bool readable, bool probe_readable);
// RELEASE the lease on an orderly shutdown.
void release_network();

}  // namespace hal
