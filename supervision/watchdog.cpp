// The watchdog setting's parser; no I/O.
#include "supervision/watchdog.hpp"

#include "base/setting_text.hpp"

namespace hal {

Parsed<WatchdogSetting> parse_watchdog(std::string_view text) {
    if (text == "auto") return WatchdogSetting{};
    if (text == "none") return WatchdogSetting{false, 0};
    const auto seconds =
        parse_count(text, 10, 3600, "watchdog must be auto, none or seconds between 10 and 3600");
    if (!seconds.ok()) return seconds.error();
    return WatchdogSetting{true, seconds.value()};
}

int64_t QemuLiveness::next_query_in(uint64_t now_ms) const {
    if (!watched()) return -1;
    if (last_query_ms_ == 0) return 0;
    const uint64_t due = last_query_ms_ + every_ms_;
    return due > now_ms ? static_cast<int64_t>(due - now_ms) : 0;
}

void QemuLiveness::query_sent(uint64_t now_ms) {
    last_query_ms_ = now_ms;
    if (unanswered_since_ms_ == 0) unanswered_since_ms_ = now_ms;
}

bool QemuLiveness::answers(uint64_t now_ms) const {
    return !watched() || waiting_ms(now_ms) < patience_ms_;
}

}  // namespace hal
