// The guest's place on the network: bridged onto the host's wired NICs with their own MACs
// (macvtap), behind QEMU's NAT, or none; the host's management address beside it; all decided
// from the config and the NICs hal-init found. No I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"

namespace hal {

inline constexpr size_t kMaxGuestNics = 4;
using Mac = std::array<uint8_t, 6>;

// One host network interface as sysfs shows it.
struct HostNic {
    FixedString<16> name;
    Mac mac{};
    FixedString<kPathCapacity> order_key;  // resolved sysfs device path: PCI order
    bool ethernet = false;   // ARPHRD_ETHER with a device behind it (not lo, not virtual)
    bool wireless = false;   // a wireless/ or phy80211 entry: no second MAC in station mode
    bool enslaved = false;   // already a port of a bridge or bond (a master link)
    bool carrier = false;
};

struct GuestNicPlan {
    size_t host = 0;          // index into the host NICs
    Mac guest_mac{};          // the guest's NIC: the host NIC's own MAC
    // With a management address the host keeps a macvlan beside the guest's macvtap: the
    // physical port moves to a derived locally administered MAC (so the guest can own the
    // original) and the macvtap runs in bridge mode; without one, macvtap passthru.
    bool passthru = true;
    Mac port_mac{};           // the physical port's MAC when not passthru
    Mac manage_mac{};         // the host's management macvlan (first NIC only)
};

struct NetworkPlan {
    NetworkMode mode = NetworkMode::kNat;  // never kAuto
    const char* reason = "";
    GuestNicPlan nics[kMaxGuestNics];
    size_t count = 0;                      // bridged guest NICs
    bool manage = false;                   // the host gets a management address (net.manage)
    const char* skipped[kMaxGuestNics * 2] = {};  // why NICs were passed over, for the log
    size_t skipped_count = 0;
};

// Wired NICs in PCI order; with `auto` a bridge when there is one (its carrier is not waited
// for: a cable plugged in later gives the guest the LAN), NAT otherwise.
NetworkPlan plan_network(const Config& config, const HostNic* nics, size_t count);

// A locally administered unicast MAC derived from `base` and a purpose number, stable across
// boots and different from `base` and from the other purposes' MACs.
Mac derive_local_mac(const Mac& base, uint8_t purpose);

bool parse_mac(std::string_view text, Mac& mac);
// "52:54:00:12:34:56" into `out` (18 bytes).
const char* format_mac(const Mac& mac, char* out);

}  // namespace hal
