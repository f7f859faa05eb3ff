// Unit tests for the hardware watchdog's setting and pet schedule.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "supervision/watchdog.hpp"

TEST_CASE("watchdog: auto, none and seconds -> the setting; anything else names the choices") {
    CHECK(hal::parse_watchdog("auto").value() == hal::WatchdogSetting{true, 60});
    CHECK(hal::parse_watchdog("none").value() == hal::WatchdogSetting{false, 0});
    CHECK(hal::parse_watchdog("30").value() == hal::WatchdogSetting{true, 30});
    CHECK(hal::parse_watchdog("10").value().timeout_seconds == 10);
    CHECK(hal::parse_watchdog("3600").value().timeout_seconds == 3600);
    for (const char* bad : {"9", "3601", "yes", "", "-5", "60s"}) {
        CAPTURE(bad);
        const auto parsed = hal::parse_watchdog(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(std::string(parsed.error().message) ==
              "watchdog must be auto, none or seconds between 10 and 3600");
    }
    CHECK(hal::default_config().supervision.watchdog == hal::WatchdogSetting{true, 60});
}

TEST_CASE("watchdog: petted every third of its timeout, so two late pets still do not reset") {
    CHECK(hal::watchdog_pet_interval_ms(60) == 20000);
    CHECK(hal::watchdog_pet_interval_ms(10) == 3333);
    CHECK(3 * hal::watchdog_pet_interval_ms(10) <= 10000);
}
