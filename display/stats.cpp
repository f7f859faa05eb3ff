// hal-display's figures over a window; no I/O.
#include "display/stats.hpp"

#include <cstdio>

namespace hal {

void DisplayStats::start(uint32_t seconds, uint64_t now_ms, uint64_t cpu_us) {
    period_ms_ = static_cast<uint64_t>(seconds) * 1000;
    started_ms_ = now_ms, started_cpu_us_ = cpu_us;
    updates_ = pixels_ = bytes_ = draw_us_ = 0;
}

int64_t DisplayStats::due_in(uint64_t now_ms) const {
    if (!enabled()) return -1;
    const uint64_t end = started_ms_ + period_ms_;
    return end > now_ms ? static_cast<int64_t>(end - now_ms) : 0;
}

size_t DisplayStats::report(char* out, size_t size, uint64_t now_ms, uint64_t cpu_us,
                            uint32_t width, uint32_t height) {
    const double seconds =
        now_ms > started_ms_ ? static_cast<double>(now_ms - started_ms_) / 1000.0 : 0.0;
    const double per_second = seconds > 0 ? 1.0 / seconds : 0.0;
    const uint64_t cpu = cpu_us > started_cpu_us_ ? cpu_us - started_cpu_us_ : 0;
    const uint64_t screen = static_cast<uint64_t>(width) * height;
    const double screens =
        screen ? static_cast<double>(pixels_) / static_cast<double>(screen) : 0.0;
    const int written = std::snprintf(
        out, size,
        "stats: %.1f s: %llu updates (%.1f/s), %.2f Mpx = %.1f screens of %ux%u (%.1f/s), %.1f MB "
        "from QEMU, "
        "drawing %llu ms, cpu %llu ms (%.1f %%)",
        seconds, static_cast<unsigned long long>(updates_),
        static_cast<double>(updates_) * per_second, static_cast<double>(pixels_) / 1e6, screens,
        width, height, screens * per_second, static_cast<double>(bytes_) / 1e6,
        static_cast<unsigned long long>(draw_us_ / 1000),
        static_cast<unsigned long long>(cpu / 1000),
        seconds > 0 ? static_cast<double>(cpu) / 10.0 / (seconds * 1000.0) : 0.0);
    start(static_cast<uint32_t>(period_ms_ / 1000), now_ms, cpu_us);
    if (written < 0) return 0;
    return static_cast<size_t>(written) < size ? static_cast<size_t>(written) : size - 1;
}

}  // namespace hal
