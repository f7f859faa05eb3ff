// Network mode, guest NIC and MAC choices; no I/O.
#include "net/network_plan.hpp"

#include <algorithm>

namespace hal {
namespace {

constexpr uint8_t kPortPurpose = 1;
constexpr uint8_t kManagePurpose = 2;

}  // namespace

NetworkPlan plan_network(const NetSettings& settings, const HostNic* nics, size_t count) {
    NetworkPlan plan;
    plan.manage = settings.manage.mode != NetMode::kOff;
    if (settings.mode == NetworkMode::kNone || settings.nic == NicModel::kNone) {
        plan.mode = NetworkMode::kNone;
        plan.reason = settings.mode == NetworkMode::kNone ? "network = none" : "nic = none";
        plan.manage = false;
        return plan;
    }
    if (settings.mode == NetworkMode::kNat) {
        plan.mode = NetworkMode::kNat;
        plan.reason = "network = nat";
        plan.manage = false;
        return plan;
    }
    // Wired NICs that can carry a second MAC, in PCI order.
    size_t order[64];
    size_t usable = 0;
    for (size_t i = 0; i < count && i < 64; ++i) {
        if (!nics[i].ethernet) continue;
        if (nics[i].wireless) {
            if (plan.skipped_count < std::size(plan.skipped))
                plan.skipped[plan.skipped_count++] = "wireless";
            continue;
        }
        if (nics[i].enslaved) {
            if (plan.skipped_count < std::size(plan.skipped))
                plan.skipped[plan.skipped_count++] = "already enslaved";
            continue;
        }
        order[usable++] = i;
    }
    std::sort(order, order + usable, [&](size_t a, size_t b) {
        return nics[a].order_key.view() < nics[b].order_key.view();
    });
    if (usable == 0) {
        plan.mode = NetworkMode::kNat;
        plan.reason = settings.mode == NetworkMode::kBridge
                          ? "network = bridge, but the host has no wired NIC to bridge: NAT instead"
                          : "no wired NIC on the host: NAT";
        plan.manage = false;
        return plan;
    }
    plan.mode = NetworkMode::kBridge;
    plan.reason =
        settings.mode == NetworkMode::kBridge ? "network = bridge" : "the host has a wired NIC";
    const size_t wanted = settings.all_nics ? std::min(usable, kMaxGuestNics) : 1;
    for (size_t i = 0; i < wanted; ++i) {
        GuestNicPlan& nic = plan.nics[plan.count++];
        nic.host = order[i];
        nic.guest_mac = nics[order[i]].mac;
        // Only the first NIC carries the management address; the others stay passthru.
        nic.passthru = !(plan.manage && i == 0);
        if (!nic.passthru) {
            nic.port_mac = derive_local_mac(nic.guest_mac, kPortPurpose);
            nic.manage_mac = derive_local_mac(nic.guest_mac, kManagePurpose);
        }
    }
    return plan;
}

}  // namespace hal
