// NIC discovery from /sys/class/net.
#include "net/sys/nics.hpp"

#include <cstdio>

#include "base/sys/attribute.hpp"
#include "base/sys/fs.hpp"

namespace hal {
namespace {

using Text = FixedString<kPathCapacity>;

bool directory_of(const char* name, Text& directory) {
    return directory.assign("/sys/class/net/") && directory.append(name);
}

// Ethernet (ARPHRD_ETHER = 1) with a device behind it: not lo, not a virtual link.
bool is_ethernet(std::string_view directory) {
    char buffer[16];
    const auto type = sys::read_attribute(directory, "type", buffer, sizeof buffer);
    return type.ok() && type.value() == "1" && sys::attribute_exists(directory, "device");
}

bool has_mac(std::string_view directory, Mac& mac) {
    char buffer[64];
    const auto text = sys::read_attribute(directory, "address", buffer, sizeof buffer);
    return text.ok() && parse_mac(text.value(), mac);
}

bool selected(const NicSelector& selector, const char* name, std::string_view directory) {
    Mac mac;
    switch (selector.kind) {
        case NicSelector::Kind::kNone: return false;
        case NicSelector::Kind::kAuto: return is_ethernet(directory);
        case NicSelector::Kind::kName: return selector.name.view() == name;
        case NicSelector::Kind::kMac: return has_mac(directory, mac) && mac == selector.mac;
    }
    return false;
}

}  // namespace

bool find_nic(const NicSelector& selector, NetworkInterface& nic) {
    FixedString<32> best;
    (void)sys::for_each_entry("/sys/class/net", [&](const char* name) {
        Text directory;
        if (!directory_of(name, directory) || !selected(selector, name, directory.view())) return;
        if (best.empty() || std::string_view(name) < best.view()) best.assign(name);
    });
    if (best.empty() || !nic.name.assign(best.view())) return false;
    Text directory;
    char buffer[64];
    if (!directory_of(best.c_str(), directory)) return true;
    if (const auto mac = sys::read_attribute(directory.view(), "address", buffer, sizeof buffer);
        mac.ok())
        nic.mac.assign(mac.value());
    return true;
}

size_t find_host_nics(HostNic* nics, size_t capacity) {
    size_t count = 0;
    (void)sys::for_each_entry("/sys/class/net", [&](const char* name) {
        Text directory;
        if (count == capacity || !directory_of(name, directory)) return;
        HostNic& nic = nics[count];
        nic = {};
        const std::string_view at = directory.view();
        if (!nic.name.assign(name) || !(nic.ethernet = is_ethernet(at)) || !has_mac(at, nic.mac))
            return;
        nic.wireless =
            sys::attribute_exists(at, "wireless") || sys::attribute_exists(at, "phy80211");
        nic.enslaved = sys::attribute_exists(at, "master");
        nic.carrier = sys::read_number_attribute(at, "carrier", 0) == 1;
        Text device;
        char resolved[kPathCapacity];
        if (device.assign(at) && device.append("/device") &&
            sys::resolve_path(device.c_str(), resolved, sizeof resolved).ok())
            nic.order_key.assign(resolved);
        ++count;
    });
    return count;
}

const char* nic_driver(const char* interface, char* buffer, size_t capacity) {
    char directory[96];
    std::snprintf(directory, sizeof directory, "/sys/class/net/%s", interface);
    return sys::bound_driver(directory, buffer, capacity, "unknown");
}

}  // namespace hal
