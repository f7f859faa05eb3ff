// Step 5 of the boot plan, the guest's side: its place on the LAN. In bridge mode each guest
// NIC is a macvtap on a host wired NIC carrying that NIC's MAC (passthru), and the host takes
// no address unless net.manage gives it one on a macvlan beside it; in NAT mode the guest is
// behind QEMU's user network and the host runs its own DHCP.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "devices/sys/wait.hpp"
#include "net/network_plan.hpp"
#include "net/settings.hpp"
#include "net/sys/host_network.hpp"

namespace hal {

class GuestNetwork {
public:
    // Finds the host's NICs, decides the mode, creates the macvtaps (and the management
    // macvlan) and opens their tap devices. A NIC that cannot be bridged is one log line and the
    // guest starts without it. False when net.required cannot be met.
    bool prepare(DeviceClock& clock, const NetSettings& settings);

    // The host's own network for the mode chosen: DHCP/static on the host NIC (NAT), on the
    // management macvlan (bridge with net.manage), or none (bridge: invisible on the LAN).
    bool start_host_side(DeviceClock& clock, HostNetwork& host);

    // Once QEMU is up: whether it took /dev/vhost-net, and the host's own addresses, one line
    // each.
    void report_after_launch(pid_t qemu) const;

    // What the launcher needs, and the tap descriptors QEMU gets as fds 3, 4... in plan order.
    const GuestNetworkFacts& facts() const { return facts_; }
    size_t passed_descriptors(int* fds, size_t capacity) const;

private:
    bool bridge_nic(DeviceClock& clock, const GuestNicPlan& plan, const HostNic& host,
                    size_t number);
    bool create_manage_link(const GuestNicPlan& plan, const HostNic& host);

    const NetSettings* settings_ = nullptr;
    NetSettings manage_settings_;  // net.manage's setting on the management macvlan
    GuestNetworkFacts facts_;
    HostNic nics_[16];
    size_t nic_count_ = 0;
    int tap_fds_[kMaxGuestNics] = {-1, -1, -1, -1};  // /dev/tapN of each guest NIC's macvtap
    FixedString<16> manage_interface_;               // the host's management macvlan, or empty
};

}  // namespace hal
