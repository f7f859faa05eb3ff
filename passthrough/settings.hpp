// The passthrough capability's setting: which of the machine's own PCI devices the guest gets
// through VFIO, as typed values with their parser. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"

namespace hal {

// A PCI function's address: DDDD:BB:DD.F.
struct PciAddress {
    uint16_t domain = 0;
    uint8_t bus = 0;
    uint8_t device = 0;    // 0-31
    uint8_t function = 0;  // 0-7
    bool operator==(const PciAddress&) const = default;
    auto operator<=>(const PciAddress&) const = default;
};

// The device kinds a list may name; each is a set of PCI class codes (passthrough/plan.hpp).
enum class DeviceKind { kGpu, kAudio, kUsb, kNic, kStorage };

enum class SelectorKind { kAddress, kId, kKind };
struct PciSelector {
    SelectorKind kind = SelectorKind::kAddress;
    PciAddress address;   // kAddress
    uint16_t vendor = 0;  // kId
    uint16_t device = 0;
    DeviceKind device_kind = DeviceKind::kGpu;  // kKind
    bool operator==(const PciSelector&) const = default;
};

inline constexpr size_t kMaxSelectors = 16;

// none: everything emulated; a list of selectors; auto: every endpoint that can be isolated,
// but what the host itself uses (the console's GPU, the NICs of net.manage); all: the same,
// each of them required as if named.
enum class PassthroughScope { kNone, kList, kAuto, kAll };

// passthrough: none (everything emulated), auto, all, or a comma-separated list of selectors.
struct PassthroughSettings {
    PassthroughScope scope = PassthroughScope::kNone;
    PciSelector selectors[kMaxSelectors];
    size_t count = 0;               // the list's selectors
    FixedString<256> text{"none"};  // as written, for the log
    bool operator==(const PassthroughSettings&) const = default;
    bool any() const { return scope != PassthroughScope::kNone; }
};

// "0000:03:00.0" or "03:00.0" (domain 0).
Parsed<PciAddress> parse_pci_address(std::string_view text);
Parsed<PassthroughSettings> parse_passthrough(std::string_view text);

// "0000:03:00.0" into `out` (13 bytes with the NUL).
void format_pci_address(const PciAddress& address, char (&out)[16]);
const char* device_kind_name(DeviceKind kind);

}  // namespace hal
