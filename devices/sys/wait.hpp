// Waiting, bounded, for something the kernel brings (a disk, a NIC, a tap device) while the
// devices it announces meanwhile get their drivers.
#pragma once

#include <cstdint>
#include <optional>

namespace hal {

// Time and its passing as the waits see it. The real one polls the uevent socket; unit tests
// give a clock of their own that adds devices to a fixture tree as it goes.
class DeviceClock {
public:
    virtual uint64_t now_ms();
    // Lets up to `ms` pass, handling the devices that arrive.
    virtual void pass(uint32_t ms);

protected:
    ~DeviceClock() = default;
};

// Calls `found()` until it returns true or `timeout_ms` passed; returns the wait in ms.
template <class Found>
std::optional<uint64_t> wait_for(DeviceClock& clock, uint64_t timeout_ms, Found&& found) {
    const uint64_t started = clock.now_ms();
    while (true) {
        if (found()) return clock.now_ms() - started;
        if (clock.now_ms() - started >= timeout_ms) return std::nullopt;
        clock.pass(10);
    }
}

}  // namespace hal
