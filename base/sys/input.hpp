// evdev devices: the capability bits a device reports.
#pragma once

#include <cstddef>

#include "base/result.hpp"

namespace hal::sys {

// The KEY_* capability bits of an evdev device (EVIOCGBIT(EV_KEY)).
Status input_key_bits(int fd, unsigned char* bits, size_t size);

}  // namespace hal::sys
