// The guest's place on the network: bridged onto the host's wired NICs with their own MACs
// (macvtap), behind QEMU's NAT, or none; the host's management address beside it; all decided
// from the config and the NICs hal-init found. No I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/text.hpp"
#include "net/mac.hpp"
#include "net/settings.hpp"

namespace hal {

inline constexpr size_t kMaxGuestNics = 4;

// One host network interface as sysfs shows it.
struct HostNic {
    FixedString<16> name;
    Mac mac{};
    FixedString<kPathCapacity> order_key;  // resolved sysfs device path: PCI order
    bool ethernet = false;  // ARPHRD_ETHER with a device behind it (not lo, not virtual)
    bool wireless = false;  // a wireless/ or phy80211 entry: no second MAC in station mode
    bool enslaved = false;  // already a port of a bridge or bond (a master link)
    bool carrier = false;
};

struct GuestNicPlan {
    size_t host = 0;  // index into the host NICs
    Mac guest_mac{};  // the guest's NIC: the host NIC's own MAC
    // With a management address the host keeps a macvlan beside the guest's macvtap: the
    // physical port moves to a derived locally administered MAC (so the guest can own the
    // original) and the macvtap runs in bridge mode; without one, macvtap passthru.
    bool passthru = true;
    Mac port_mac{};    // the physical port's MAC when not passthru
    Mac manage_mac{};  // the host's management macvlan (first NIC only)
};

struct NetworkPlan {
    NetworkMode mode = NetworkMode::kNat;  // never kAuto
    const char* reason = "";
    GuestNicPlan nics[kMaxGuestNics];
    size_t count = 0;                             // bridged guest NICs
    bool manage = false;                          // the host gets a management address (net.manage)
    const char* skipped[kMaxGuestNics * 2] = {};  // why NICs were passed over, for the log
    size_t skipped_count = 0;
};

// The guest's network as hal-init set it up (net/sys/guest_network.hpp): in bridge mode the
// NICs whose macvtap is open reach QEMU as fds 3, 4... in plan order.
struct GuestNetworkFacts {
    NetworkPlan plan;
    bool tap_ready[kMaxGuestNics] = {};
    bool vhost = false;  // /dev/vhost-net exists: QEMU may use it
};

// Wired NICs in PCI order; with `auto` a bridge when there is one (its carrier is not waited
// for: a cable plugged in later gives the guest the LAN), NAT otherwise.
NetworkPlan plan_network(const NetSettings& settings, const HostNic* nics, size_t count);

}  // namespace hal
