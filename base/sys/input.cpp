// evdev ioctls.
#include "base/sys/input.hpp"

#include <linux/input.h>
#include <sys/ioctl.h>

namespace hal::sys {

Status input_key_bits(int fd, unsigned char* bits, size_t size) {
    if (::ioctl(fd, EVIOCGBIT(EV_KEY, size), bits) < 0) return error_from_errno("ioctl(EVIOCGBIT)");
    return ok_status();
}

}  // namespace hal::sys
