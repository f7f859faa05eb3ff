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

TEST_CASE("watchdog: QEMU answers while no query has waited its patience; an answer clears it") {
    hal::QemuLiveness off;
    CHECK_FALSE(off.watched());
    CHECK(off.answers(1000000));
    CHECK(off.next_query_in(0) == -1);

    hal::QemuLiveness liveness(3000, 10000);
    CHECK(liveness.next_query_in(5000) == 0);  // the first query at once
    liveness.query_sent(5000);
    CHECK(liveness.next_query_in(6000) == 2000);
    CHECK(liveness.answers(14999));
    liveness.answered();
    CHECK(liveness.waiting_ms(20000) == 0);
    // Unanswered from 8000 on: later queries do not restart the wait.
    liveness.query_sent(8000);
    liveness.query_sent(11000);
    liveness.query_sent(14000);
    CHECK(liveness.waiting_ms(17999) == 9999);
    CHECK(liveness.answers(17999));
    CHECK_FALSE(liveness.answers(18000));
    liveness.answered();
    CHECK(liveness.answers(18000));
}
