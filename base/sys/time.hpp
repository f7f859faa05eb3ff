// The monotonic clock and sleeping.
#pragma once

#include <cstdint>

namespace hal::sys {

uint64_t monotonic_ms();
uint64_t monotonic_us();
void sleep_ms(uint32_t milliseconds);

}  // namespace hal::sys
