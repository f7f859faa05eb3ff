// Unit tests for hal-display's figures line (display_stats).
#include <doctest/doctest.h>

#include <string>

#include "display/stats.hpp"

using namespace hal;

namespace {

std::string report(DisplayStats& stats, uint64_t now_ms, uint64_t cpu_us, uint32_t width,
                   uint32_t height) {
    char line[256];
    const size_t length = stats.report(line, sizeof line, now_ms, cpu_us, width, height);
    return {line, length};
}

}  // namespace

TEST_CASE("display stats: disabled never falls due") {
    DisplayStats stats;
    stats.start(0, 1000, 0);
    CHECK_FALSE(stats.enabled());
    CHECK(stats.due_in(999999) == -1);
}

TEST_CASE("display stats: a window's updates, whole screens and CPU share, then a fresh window") {
    DisplayStats stats;
    stats.start(5, 10000, 2000000);
    CHECK(stats.due_in(10000) == 5000);
    CHECK(stats.due_in(14000) == 1000);
    CHECK(stats.due_in(16000) == 0);
    // Ten full 1024x768 updates and half a screen more, 4 bytes a pixel plus headers.
    for (int i = 0; i < 10; ++i) {
        stats.received(1024 * 768 * 4 + 16);
        stats.pixels(1024 * 768);
        stats.update(3000);
    }
    stats.pixels(1024 * 384);
    stats.update(1500);
    CHECK(report(stats, 15000, 2250000, 1024, 768) ==
          "stats: 5.0 s: 11 updates (2.2/s), 8.26 Mpx = 10.5 screens of 1024x768 (2.1/s), 31.5 MB "
          "from QEMU, "
          "drawing 31 ms, cpu 250 ms (5.0 %)");
    // The next window starts empty at the report's moment.
    CHECK(stats.due_in(15000) == 5000);
    CHECK(report(stats, 25000, 2250000, 1024, 768) ==
          "stats: 10.0 s: 0 updates (0.0/s), 0.00 Mpx = 0.0 screens of 1024x768 (0.0/s), 0.0 MB "
          "from QEMU, "
          "drawing 0 ms, cpu 0 ms (0.0 %)");
}

TEST_CASE("display stats: an unknown screen size and a short buffer do not overflow") {
    DisplayStats stats;
    stats.start(1, 0, 0);
    stats.pixels(100);
    CHECK(report(stats, 0, 0, 0, 0).find("0.0 screens of 0x0") != std::string::npos);
    char tiny[8];
    CHECK(stats.report(tiny, sizeof tiny, 1000, 0, 0, 0) == 7);
    CHECK(std::string(tiny) == "stats: ");
}
