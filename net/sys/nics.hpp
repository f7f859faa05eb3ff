// Finding the host NIC the config names, and the bounded wait that services uevents (the
// drivers of devices that appear late load meanwhile); guest_disks.hpp finds the disks.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/text.hpp"

namespace hal {

using DevicePath = FixedString<kPathCapacity>;

struct NetworkInterface {
    FixedString<32> name;
    FixedString<32> mac;
};

// The NIC for a spec: `auto` (first Ethernet device with a driver), a name, or `mac:ADDRESS`.
bool find_nic(std::string_view spec, NetworkInterface& nic);

// Calls `found()` until it returns true or `timeout_ms` passed, handling uevents meanwhile;
// returns the wait in ms.
template <class Found>
std::optional<uint64_t> wait_for(uint64_t timeout_ms, Found&& found);

// The wait's tick: poll the uevent socket for up to `ms` and service what arrived.
void wait_tick(uint32_t ms);
uint64_t now_ms();

template <class Found>
std::optional<uint64_t> wait_for(uint64_t timeout_ms, Found&& found) {
    const uint64_t started = now_ms();
    while (true) {
        if (found()) return now_ms() - started;
        if (now_ms() - started >= timeout_ms) return std::nullopt;
        wait_tick(10);
    }
}

}  // namespace hal
