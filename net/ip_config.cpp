// Parsing of ip= values in the kernel's nfsroot syntax.
#include "net/ip_config.hpp"

namespace hal {

bool parse_ipv4(std::string_view text, uint32_t& address) {
    uint32_t value = 0;
    for (int part = 0; part < 4; ++part) {
        const size_t dot = text.find('.');
        const std::string_view digits = part < 3 ? text.substr(0, dot) : text;
        if (digits.empty() || digits.size() > 3 || (part < 3 && dot == std::string_view::npos))
            return false;
        const auto number = parse_unsigned(digits);
        if (!number || *number > 255) return false;
        value = (value << 8) | static_cast<uint32_t>(*number);
        if (part < 3) text.remove_prefix(dot + 1);
    }
    address = value;
    return true;
}

Parsed<IpSetting> parse_ip_setting(std::string_view value) {
    IpSetting setting;
    if (value == "dhcp" || value == "on" || value == "any" || value == "bootp" || value == "both") {
        setting.mode = NetMode::kDhcp;
        return setting;
    }
    if (value == "off" || value == "none") {
        setting.mode = NetMode::kOff;
        return setting;
    }
    std::string_view fields[10];
    size_t count = 0;
    while (count < 10) {
        const size_t colon = value.find(':');
        fields[count++] = value.substr(0, colon);
        if (colon == std::string_view::npos) break;
        value.remove_prefix(colon + 1);
        if (count == 10) return ParseError{"too many ':' fields"};
    }
    uint32_t* addresses[] = {&setting.client, &setting.server, &setting.gateway, &setting.netmask};
    for (size_t i = 0; i < 4 && i < count; ++i) {
        if (!fields[i].empty() && !parse_ipv4(fields[i], *addresses[i]))
            return ParseError{"an address field is not a dotted IPv4 address"};
    }
    if (count > 4 && !setting.hostname.assign(fields[4])) return ParseError{"hostname too long"};
    if (count > 5 && !setting.device.assign(fields[5])) return ParseError{"device name too long"};
    const std::string_view autoconf = count > 6 ? fields[6] : std::string_view();
    for (size_t i = 7; i < 9 && i < count; ++i) {
        if (!fields[i].empty() && !parse_ipv4(fields[i], setting.dns[i - 7]))
            return ParseError{"a DNS field is not a dotted IPv4 address"};
    }
    if (autoconf == "off" || autoconf == "none" || (autoconf.empty() && setting.client != 0)) {
        setting.mode = NetMode::kStatic;
        if (setting.client == 0) return ParseError{"static configuration without a client address"};
        if (setting.netmask == 0)
            setting.netmask = 0xffffff00u;  // the kernel guesses by class; /24 here
        return setting;
    }
    if (autoconf.empty() || autoconf == "dhcp" || autoconf == "on" || autoconf == "any" ||
        autoconf == "bootp" || autoconf == "both") {
        setting.mode = NetMode::kDhcp;
        return setting;
    }
    return ParseError{"autoconf must be off, none, dhcp, on, any, bootp or both"};
}

}  // namespace hal
