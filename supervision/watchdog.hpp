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

// Whether QEMU still answers its monitor, for the watchdog: a query every `every_ms` once
// asked; QEMU answers while no query is left unanswered for `patience_ms` or more. A QEMU that
// stops answering (wedged in its main loop, or stopped) is then no longer vouched for, and the
// machine resets.
class QemuLiveness {
public:
    QemuLiveness() = default;
    QemuLiveness(uint64_t every_ms, uint64_t patience_ms)
        : every_ms_(every_ms), patience_ms_(patience_ms) {}

    bool watched() const { return every_ms_ != 0; }
    // Milliseconds until the next query is due (0: now); -1 when not watched.
    int64_t next_query_in(uint64_t now_ms) const;
    void query_sent(uint64_t now_ms);
    void answered() { unanswered_since_ms_ = 0; }
    // True when not watched, or no query has waited `patience_ms` for its answer.
    bool answers(uint64_t now_ms) const;
    // How long the oldest unanswered query has waited (0: none).
    uint64_t waiting_ms(uint64_t now_ms) const {
        return unanswered_since_ms_ ? now_ms - unanswered_since_ms_ : 0;
    }

private:
    uint64_t every_ms_ = 0;
    uint64_t patience_ms_ = 0;
    uint64_t last_query_ms_ = 0;        // 0: none sent yet
    uint64_t unanswered_since_ms_ = 0;  // the first query not answered yet; 0: none
};

// How long hal-init looks for a watchdog device after QEMU starts (its driver loads with the
// other device drivers, which go on loading while QEMU runs), and how often.
inline constexpr uint64_t kWatchdogSearchMs = 60 * 1000;
inline constexpr uint64_t kWatchdogLookEveryMs = 2 * 1000;

}  // namespace hal
