// Fake rtnetlink: links live in fake::interfaces(); macvlans and macvtaps are added there (and
// their tap device is the test's to provide below the fixture root); carrier is sysfs's.
#include <cerrno>
#include <cstdio>

#include "base/sys/attribute.hpp"
#include "net/sys/rtnetlink.hpp"
#include "tests/unit/fakes/fakes.hpp"

namespace hal::sys {
namespace {

std::string mac_text(const uint8_t* mac) {
    char text[18];
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                  mac[3], mac[4], mac[5]);
    return text;
}

Status recorded(const std::string& call) {
    fake::record(call);
    return ok_status();
}

}  // namespace

Result<int> interface_index(const char* name) {
    const auto found = fake::interfaces().find(name);
    if (found == fake::interfaces().end()) return Error{"if_nametoindex", ENODEV};
    return found->second;
}

Status set_link_up(int index) { return recorded("link up " + std::to_string(index)); }
Status set_link_down(int index) { return recorded("link down " + std::to_string(index)); }
Status set_mtu(int index, uint32_t mtu) {
    return recorded("mtu " + std::to_string(index) + " " + std::to_string(mtu));
}
Status set_mac_address(int index, const uint8_t mac[6]) {
    return recorded("mac " + std::to_string(index) + " " + mac_text(mac));
}

Result<int> create_macvlan(MacvlanKind kind, const char* name, int lower, bool passthru,
                           const uint8_t* mac) {
    const int index = 100 + static_cast<int>(fake::interfaces().size());
    fake::interfaces()[name] = index;
    fake::record(std::string(kind == MacvlanKind::kMacvtap ? "macvtap " : "macvlan ") + name +
                 " on " + std::to_string(lower) +
                 (passthru ? " passthru" : " bridge " + mac_text(mac)) + " -> " +
                 std::to_string(index));
    return index;
}

Result<bool> has_carrier(const char* name) {
    char buffer[8];
    const auto carrier =
        read_attribute(std::string("/sys/class/net/") + name, "carrier", buffer, sizeof buffer);
    return carrier.ok() && carrier.value() == "1";
}

Status add_address(int index, uint32_t address, uint8_t prefix, uint32_t) {
    return recorded("address " + std::to_string(index) + " " + std::to_string(address) + "/" +
                    std::to_string(prefix));
}
Status remove_address(int index, uint32_t address, uint8_t prefix) {
    return recorded("no address " + std::to_string(index) + " " + std::to_string(address) + "/" +
                    std::to_string(prefix));
}
Status add_route(int index, uint32_t destination, uint8_t prefix, uint32_t gateway) {
    return recorded("route " + std::to_string(index) + " " + std::to_string(destination) + "/" +
                    std::to_string(prefix) + " via " + std::to_string(gateway));
}
Status set_hostname(const char* name, size_t length) {
    return recorded("hostname " + std::string(name, length));
}

Result<int> open_arp_probe(int, const uint8_t*, uint32_t) {
    return Error{"socket(AF_PACKET)", EPERM};
}
bool arp_conflict(int, const uint8_t*, uint32_t) { return false; }
Result<int> open_dhcp_socket(const char*) { return Error{"socket(AF_INET)", EPERM}; }
Status send_dhcp(int, const uint8_t*, size_t, uint32_t) { return Error{"sendto", EPERM}; }

}  // namespace hal::sys
