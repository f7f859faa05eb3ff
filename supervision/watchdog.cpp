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

}  // namespace hal
