// Step 4 of the boot plan: find the guest's disk and the host NIC the config names, waiting
// (bounded) for them while uevents load the drivers of devices that appear late.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/text.hpp"

namespace hal {

using DevicePath = FixedString<kPathCapacity>;

// The disk for a spec: an absolute path (as is, once it exists), `auto` (first non-removable
// whole disk by name), `serial:TEXT` or `wwid:TEXT` (sysfs serial/wwid attributes).
bool find_disk(std::string_view spec, DevicePath& path);

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
