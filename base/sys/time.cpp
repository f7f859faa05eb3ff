// clock_gettime(CLOCK_MONOTONIC) and nanosleep(2).
#include "base/sys/time.hpp"

#include <time.h>

#include <cerrno>

namespace hal::sys {

uint64_t monotonic_ms() { return monotonic_us() / 1000u; }

uint64_t monotonic_us() {
    struct timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1000000u +
           static_cast<uint64_t>(now.tv_nsec) / 1000u;
}

void sleep_ms(uint32_t milliseconds) {
    struct timespec duration = {static_cast<time_t>(milliseconds / 1000),
                                static_cast<long>(milliseconds % 1000) * 1000000L};
    while (::nanosleep(&duration, &duration) != 0 && errno == EINTR) {
    }
}

}  // namespace hal::sys
