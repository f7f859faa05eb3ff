// Step 5 of the boot plan, the guest's side: its place on the LAN. In bridge mode each guest
// NIC is a macvtap on a host wired NIC carrying that NIC's MAC (passthru), and the host takes
// no address unless net.manage gives it one on a macvlan beside it; in NAT mode the guest is
// behind QEMU's user network and the host runs its own DHCP.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "config/config.hpp"
#include "net/network_plan.hpp"

namespace hal {

struct GuestNetwork {
    NetworkPlan plan;
    HostNic nics[16];
    size_t nic_count = 0;
    int tap_fds[kMaxGuestNics] = {-1, -1, -1, -1};  // /dev/tapN of each guest NIC's macvtap
    bool vhost = false;                            // /dev/vhost-net exists: QEMU may use it
    FixedString<16> manage_interface;              // the host's management macvlan, or empty
};

// Finds the host's NICs, decides the mode, creates the macvtaps (and the management macvlan)
// and opens their tap devices. A NIC that cannot be bridged is one log line and the guest
// starts without it (the emergency action only with net.required and no network at all).
// Returns false when net.required cannot be met.
bool prepare_guest_network(const Config& config, GuestNetwork& network);

// The host's own network for the mode chosen: DHCP/static on the host NIC (NAT), on the
// management macvlan (bridge with net.manage), or none (bridge: invisible on the LAN).
bool start_host_side_network(const Config& config, const GuestNetwork& network);

// Once QEMU is up: whether it took /dev/vhost-net, and the host's own addresses, one line each.
void report_network_after_launch(pid_t qemu, const GuestNetwork& network);

}  // namespace hal
