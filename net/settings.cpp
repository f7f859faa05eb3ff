// Parsers and names of the net settings; no I/O.
#include "net/settings.hpp"

#include <cstdio>

#include "base/setting_text.hpp"

namespace hal {
namespace {

using namespace std::string_view_literals;
constexpr std::string_view kNetworkModes = "auto\0bridge\0nat\0none"sv;
constexpr std::string_view kNicModels = "none\0virtio\0e1000\0e1000e\0rtl8139"sv;

}  // namespace

Parsed<NetworkMode> parse_network_mode(std::string_view text) {
    return parse_enum<NetworkMode>(text, kNetworkModes,
                                   "network must be auto, bridge, nat or none");
}

Parsed<NicModel> parse_nic_model(std::string_view text) {
    return parse_enum<NicModel>(text, kNicModels,
                                "nic_model must be none, virtio, e1000, e1000e or rtl8139");
}

Parsed<NicSelector> parse_nic_selector(std::string_view text) {
    constexpr ParseError kBad{"host_nic must be none, auto, an interface name or mac:ADDRESS"};
    NicSelector selector;
    if (text == "none") {
        selector.kind = NicSelector::Kind::kNone;
    } else if (text == "auto") {
        selector.kind = NicSelector::Kind::kAuto;
    } else if (starts_with(text, "mac:")) {
        selector.kind = NicSelector::Kind::kMac;
        if (!parse_mac(text.substr(4), selector.mac)) return kBad;
    } else {
        // An interface name: what the kernel allows (IFNAMSIZ, no '/', no white space).
        selector.kind = NicSelector::Kind::kName;
        if (text.empty() || text.size() > 15 || text.find('/') != std::string_view::npos)
            return kBad;
        for (char c : text)
            if (is_space(c) || c == ':') return kBad;
        selector.name.assign(text);
    }
    return selector;
}

Parsed<IpSetting> parse_manage_setting(std::string_view text) {
    if (text == "none" || text == "off") return IpSetting(NetMode::kOff);
    return parse_ip_setting(text);
}

const char* network_mode_name(NetworkMode mode) { return enum_name(mode, kNetworkModes); }
const char* nic_model_name(NicModel nic) { return enum_name(nic, kNicModels); }

const char* nic_selector_text(const NicSelector& selector, char* out, size_t size) {
    char mac[18];
    switch (selector.kind) {
        case NicSelector::Kind::kNone: std::snprintf(out, size, "none"); break;
        case NicSelector::Kind::kAuto: std::snprintf(out, size, "auto"); break;
        case NicSelector::Kind::kName: std::snprintf(out, size, "%s", selector.name.c_str()); break;
        case NicSelector::Kind::kMac:
            std::snprintf(out, size, "mac:%s", format_mac(selector.mac, mac));
            break;
    }
    return out;
}

}  // namespace hal
