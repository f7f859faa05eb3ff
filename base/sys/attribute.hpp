// One sysfs (or procfs) attribute: a small text file read whole, trimmed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/result.hpp"

namespace hal::sys {

// DIRECTORY/NAME into `buffer`, trimmed of surrounding white space. ENAMETOOLONG when the
// path does not fit, EFBIG when the file does not fit in the buffer.
Result<std::string_view> read_attribute(std::string_view directory, std::string_view name,
                                        char* buffer, size_t capacity);

// The same, as a decimal number; `fallback` when it is absent or not a number.
uint64_t read_number_attribute(std::string_view directory, std::string_view name,
                               uint64_t fallback);

// True when DIRECTORY/NAME exists.
bool attribute_exists(std::string_view directory, std::string_view name);

// The driver bound to the device of a sysfs class entry (the basename of DIRECTORY/device/
// driver, e.g. "e1000e" for /sys/class/net/eth0), in `buffer`; `fallback` when there is none.
const char* bound_driver(std::string_view directory, char* buffer, size_t capacity,
                         const char* fallback);

}  // namespace hal::sys
