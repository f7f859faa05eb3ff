// hostfwd parsing and formatting; no I/O.
#include "net/hostfwd.hpp"

#include <cstdio>

#include "base/text.hpp"
#include "net/dhcp_packet.hpp"
#include "net/ip_config.hpp"

namespace hal {
namespace {

bool parse_port(std::string_view text, uint16_t& port) {
    const auto value = parse_unsigned(text);
    if (!value || *value == 0 || *value > 65535) return false;
    port = static_cast<uint16_t>(*value);
    return true;
}

bool parse_address(std::string_view text, uint32_t& address) {
    if (text.empty()) {
        address = 0;
        return true;
    }
    return parse_ipv4(text, address);
}

// "[ADDR:]PORT" on the host side, "[ADDR]:PORT" on the guest side.
bool parse_end(std::string_view text, bool guest, uint32_t& address, uint16_t& port) {
    address = 0;
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return !guest && parse_port(text, port);
    return parse_address(text.substr(0, colon), address) &&
           parse_port(text.substr(colon + 1), port);
}

bool parse_one(std::string_view entry, HostForward& forward) {
    forward = {};
    if (starts_with(entry, "tcp:")) {
        entry.remove_prefix(4);
    } else if (starts_with(entry, "udp:")) {
        forward.udp = true;
        entry.remove_prefix(4);
    } else {
        return false;
    }
    const size_t dash = entry.find('-');
    if (dash == std::string_view::npos) return false;
    std::string_view host = entry.substr(0, dash);
    if (starts_with(host, ":")) host.remove_prefix(1);  // QEMU's own "tcp::2222-:22"
    return parse_end(host, false, forward.host_address, forward.host_port) &&
           parse_end(entry.substr(dash + 1), true, forward.guest_address, forward.guest_port);
}

}  // namespace

Parsed<HostForwardList> parse_host_forwards(std::string_view text) {
    HostForwardList list;
    text = trim(text);
    if (text.empty()) return list;
    while (true) {
        const size_t comma = text.find(',');
        const std::string_view entry = trim(text.substr(0, comma));
        if (list.count == kMaxHostForwards) return ParseError{"hostfwd lists at most 16 forwards"};
        if (!parse_one(entry, list.forwards[list.count]))
            return ParseError{
                "hostfwd entries are tcp|udp:[HOSTADDR:]HOSTPORT-[GUESTADDR]:GUESTPORT, e.g. "
                "tcp:2222-:22"};
        ++list.count;
        if (comma == std::string_view::npos) return list;
        text.remove_prefix(comma + 1);
    }
}

void format_host_forward(const HostForward& forward, char* out, size_t size) {
    char host[16] = "", guest[16] = "";
    if (forward.host_address) dhcp::format_address(forward.host_address, host);
    if (forward.guest_address) dhcp::format_address(forward.guest_address, guest);
    std::snprintf(out, size, "hostfwd=%s:%s:%u-%s:%u", forward.udp ? "udp" : "tcp", host,
                  forward.host_port, guest, forward.guest_port);
}

}  // namespace hal
