// Network mode, guest NIC and MAC choices; no I/O.
#include "net/network_plan.hpp"

#include <algorithm>
#include <cstdio>

namespace hal {
namespace {

constexpr uint8_t kPortPurpose = 1;
constexpr uint8_t kManagePurpose = 2;

// FNV-1a over the base MAC and the purpose: the derived MAC's last four bytes.
uint32_t mix(const Mac& base, uint8_t purpose) {
    uint32_t hash = 2166136261u;
    for (uint8_t byte : base) hash = (hash ^ byte) * 16777619u;
    return (hash ^ purpose) * 16777619u;
}

}  // namespace

Mac derive_local_mac(const Mac& base, uint8_t purpose) {
    Mac mac = base;
    for (uint32_t attempt = 0;; ++attempt) {
        const uint32_t hash = mix(base, static_cast<uint8_t>(purpose + 16 * attempt));
        mac[0] = static_cast<uint8_t>((base[0] | 0x02) & ~0x01);  // locally administered, unicast
        mac[1] = static_cast<uint8_t>(base[1] ^ purpose);
        mac[2] = static_cast<uint8_t>(hash >> 24);
        mac[3] = static_cast<uint8_t>(hash >> 16);
        mac[4] = static_cast<uint8_t>(hash >> 8);
        mac[5] = static_cast<uint8_t>(hash);
        if (mac != base) return mac;
    }
}

NetworkPlan plan_network(const Config& config, const HostNic* nics, size_t count) {
    NetworkPlan plan;
    plan.manage = config.net_manage.mode != NetMode::kOff;
    if (config.network == NetworkMode::kNone || config.nic == NicModel::kNone) {
        plan.mode = NetworkMode::kNone;
        plan.reason = config.network == NetworkMode::kNone ? "network = none" : "nic = none";
        plan.manage = false;
        return plan;
    }
    if (config.network == NetworkMode::kNat) {
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
            if (plan.skipped_count < std::size(plan.skipped)) plan.skipped[plan.skipped_count++] = "wireless";
            continue;
        }
        if (nics[i].enslaved) {
            if (plan.skipped_count < std::size(plan.skipped)) plan.skipped[plan.skipped_count++] = "already enslaved";
            continue;
        }
        order[usable++] = i;
    }
    std::sort(order, order + usable,
              [&](size_t a, size_t b) { return nics[a].order_key.view() < nics[b].order_key.view(); });
    if (usable == 0) {
        plan.mode = NetworkMode::kNat;
        plan.reason = config.network == NetworkMode::kBridge
                          ? "network = bridge, but the host has no wired NIC to bridge: NAT instead"
                          : "no wired NIC on the host: NAT";
        plan.manage = false;
        return plan;
    }
    plan.mode = NetworkMode::kBridge;
    plan.reason = config.network == NetworkMode::kBridge ? "network = bridge" : "the host has a wired NIC";
    const size_t wanted = config.nics_all ? std::min(usable, kMaxGuestNics) : 1;
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

bool parse_mac(std::string_view text, Mac& mac) {
    text = trim(text);
    if (text.size() != 17) return false;
    for (size_t i = 0; i < 6; ++i) {
        uint8_t value = 0;
        for (size_t j = 0; j < 2; ++j) {
            const char c = text[3 * i + j];
            const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) return false;
            value = static_cast<uint8_t>((value << 4) | digit);
        }
        if (i < 5 && text[3 * i + 2] != ':') return false;
        mac[i] = value;
    }
    return true;
}

const char* format_mac(const Mac& mac, char* out) {
    std::snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return out;
}

}  // namespace hal
