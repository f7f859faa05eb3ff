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

}  // namespace hal::sys
