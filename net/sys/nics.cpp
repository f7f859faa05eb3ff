// NIC discovery from sysfs, and the bounded wait that services uevents.
#include "net/sys/nics.hpp"

#include <cstring>

#include "modules/sys/coldplug.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/time.hpp"

namespace hal {
namespace {


bool read_attribute(std::string_view directory, const char* attribute, char* buffer, size_t capacity,
                    std::string_view& value) {
    FixedString<kPathCapacity> path;
    if (!path.assign(directory) || !path.append('/') || !path.append(attribute)) return false;
    const auto size = sys::read_file(path.c_str(), buffer, capacity);
    if (!size.ok()) return false;
    value = trim({buffer, size.value()});
    return true;
}




bool same_mac(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'F') ? static_cast<char>(a[i] + 32) : a[i];
        const char y = (b[i] >= 'A' && b[i] <= 'F') ? static_cast<char>(b[i] + 32) : b[i];
        if (x != y) return false;
    }
    return true;
}

}  // namespace

bool find_nic(std::string_view spec, NetworkInterface& nic) {
    const bool by_mac = starts_with(spec, "mac:");
    const bool automatic = spec == "auto";
    FixedString<32> best;
    (void)sys::for_each_entry("/sys/class/net", [&](const char* name) {
        FixedString<kPathCapacity> directory;
        if (!directory.assign("/sys/class/net/") || !directory.append(name)) return;
        char buffer[64];
        std::string_view value;
        bool chosen = false;
        if (by_mac) {
            chosen = read_attribute(directory.view(), "address", buffer, sizeof buffer, value) &&
                     same_mac(value, spec.substr(4));
        } else if (automatic) {
            // Ethernet (ARPHRD_ETHER = 1) with a device behind it: not lo, not a virtual link.
            FixedString<kPathCapacity> device;
            chosen = read_attribute(directory.view(), "type", buffer, sizeof buffer, value) && value == "1" &&
                     device.assign(directory.view()) && device.append("/device") && sys::path_exists(device.c_str());
        } else {
            chosen = spec == name;
        }
        if (chosen && (best.empty() || std::string_view(name) < best.view())) best.assign(name);
    });
    if (best.empty() || !nic.name.assign(best.view())) return false;
    FixedString<kPathCapacity> directory;
    char buffer[64];
    std::string_view mac;
    if (directory.assign("/sys/class/net/") && directory.append(best.view()) &&
        read_attribute(directory.view(), "address", buffer, sizeof buffer, mac))
        nic.mac.assign(mac);
    return true;
}

uint64_t now_ms() { return sys::monotonic_ms(); }

void wait_tick(uint32_t ms) {
    const int fd = uevent_fd();
    if (fd < 0) {
        sys::sleep_ms(ms);
        return;
    }
    const auto readable = sys::wait_readable(fd, static_cast<int>(ms));
    if (readable.ok() && readable.value()) service_uevents();
}

}  // namespace hal
