// The host's hardware watchdog setting and its schedule: hal-init arms /dev/watchdog0 and
// pets it from its event loop, so a PID 1 whose loop stops resets the machine. No I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.hpp"

namespace hal {

// watchdog = auto (armed for 60 s when the machine has one), none, or SECONDS.
struct WatchdogSetting {
    bool enabled = true;
    uint32_t timeout_seconds = 60;
    bool operator==(const WatchdogSetting&) const = default;
};

Parsed<WatchdogSetting> parse_watchdog(std::string_view text);

// How often the loop pets a watchdog that resets after `timeout_seconds`: a third of it, so
// two pets may be late before the machine resets.
inline uint64_t watchdog_pet_interval_ms(uint32_t timeout_seconds) {
    return timeout_seconds * 1000ull / 3;
}

// How long hal-init looks for a watchdog device after QEMU starts (its driver loads with the
// other device drivers, which go on loading while QEMU runs), and how often.
inline constexpr uint64_t kWatchdogSearchMs = 60 * 1000;
inline constexpr uint64_t kWatchdogLookEveryMs = 2 * 1000;

}  // namespace hal
