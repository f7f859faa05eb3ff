// The passthrough list's parser; no I/O.
#include "passthrough/settings.hpp"

#include <cstdio>

#include "base/setting_text.hpp"

namespace hal {
namespace {

using namespace std::string_view_literals;
constexpr std::string_view kKinds = "gpu\0audio\0usb\0nic\0storage"sv;

constexpr const char* kListMessage =
    "passthrough must be none, auto, all or a comma-separated list of PCI addresses "
    "(0000:03:00.0), vendor:device IDs (10de:2204) and gpu, audio, usb, nic, storage";

// Exactly `digits` hex digits; nullopt on anything else.
std::optional<uint32_t> parse_hex(std::string_view text, size_t digits) {
    if (text.size() != digits) return std::nullopt;
    uint32_t value = 0;
    for (char c : text) {
        uint32_t digit;
        if (c >= '0' && c <= '9')
            digit = static_cast<uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = static_cast<uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = static_cast<uint32_t>(c - 'A' + 10);
        else
            return std::nullopt;
        value = value * 16 + digit;
    }
    return value;
}

Parsed<PciSelector> parse_selector(std::string_view word) {
    PciSelector selector;
    if (const auto kind = parse_enum<DeviceKind>(word, kKinds, kListMessage); kind.ok()) {
        selector.kind = SelectorKind::kKind;
        selector.device_kind = kind.value();
        return selector;
    }
    if (word.find('.') != std::string_view::npos) {
        selector.kind = SelectorKind::kAddress;
        selector.address = TRY(parse_pci_address(word));
        return selector;
    }
    const auto vendor =
        word.size() == 9 && word[4] == ':' ? parse_hex(word.substr(0, 4), 4) : std::nullopt;
    const auto device = vendor ? parse_hex(word.substr(5), 4) : std::nullopt;
    if (!device) return ParseError{kListMessage};
    selector.kind = SelectorKind::kId;
    selector.vendor = static_cast<uint16_t>(*vendor);
    selector.device = static_cast<uint16_t>(*device);
    return selector;
}

}  // namespace

Parsed<PciAddress> parse_pci_address(std::string_view text) {
    const ParseError bad{"a PCI address is DDDD:BB:DD.F or BB:DD.F, e.g. 0000:03:00.0"};
    std::string_view domain = "0000";
    if (text.size() == 12 && text[4] == ':') {
        domain = text.substr(0, 4);
        text.remove_prefix(5);
    }
    if (text.size() != 7 || text[2] != ':' || text[5] != '.') return bad;
    const auto segment = parse_hex(domain, 4);
    const auto bus = parse_hex(text.substr(0, 2), 2);
    const auto device = parse_hex(text.substr(3, 2), 2);
    const auto function = parse_hex(text.substr(6, 1), 1);
    if (!segment || !bus || !device || !function || *device > 31 || *function > 7) return bad;
    PciAddress address;
    address.domain = static_cast<uint16_t>(*segment);
    address.bus = static_cast<uint8_t>(*bus);
    address.device = static_cast<uint8_t>(*device);
    address.function = static_cast<uint8_t>(*function);
    return address;
}

Parsed<PassthroughSettings> parse_passthrough(std::string_view text) {
    PassthroughSettings settings;
    text = trim(text);
    if (text == "none" || text.empty()) {
        settings.text.assign("none");
        return settings;
    }
    if (text == "auto" || text == "all") {
        settings.scope = text == "auto" ? PassthroughScope::kAuto : PassthroughScope::kAll;
        settings.text.assign(text);
        return settings;
    }
    settings.scope = PassthroughScope::kList;
    if (!settings.text.assign(text)) return ParseError{"passthrough is too long"};
    for (bool more = true; more;) {
        const size_t comma = text.find(',');
        const std::string_view word = trim(text.substr(0, comma));
        more = comma != std::string_view::npos;
        text = more ? text.substr(comma + 1) : std::string_view();
        if (word.empty()) return ParseError{kListMessage};
        if (settings.count == kMaxSelectors)
            return ParseError{"passthrough names at most 16 entries"};
        settings.selectors[settings.count++] = TRY(parse_selector(word));
    }
    return settings;
}

void format_pci_address(const PciAddress& address, char (&out)[16]) {
    std::snprintf(out, sizeof out, "%04x:%02x:%02x.%x", address.domain, address.bus, address.device,
                  address.function);
}

const char* device_kind_name(DeviceKind kind) { return enum_name(kind, kKinds); }

}  // namespace hal
