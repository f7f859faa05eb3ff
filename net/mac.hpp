// Ethernet MAC addresses: text in and out, and the locally administered ones the HAL derives
// for ports it re-addresses. No I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hal {

using Mac = std::array<uint8_t, 6>;

// A locally administered unicast MAC derived from `base` and a purpose number, stable across
// boots and different from `base` and from the other purposes' MACs.
Mac derive_local_mac(const Mac& base, uint8_t purpose);
// "52:54:00:12:34:56" (either case); false for anything else.
bool parse_mac(std::string_view text, Mac& mac);
// "52:54:00:12:34:56" into `out` (18 bytes).
const char* format_mac(const Mac& mac, char* out);

}  // namespace hal
