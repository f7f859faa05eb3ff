// The host's keyboards, mice, touchpads and tablets (evdev), grabbed so the console gets no
// keys while the guest has them, and watched for devices plugged in later (inotify on
// /dev/input). Power buttons stay with hal-init.
#pragma once

#include <linux/input.h>

#include <cstddef>
#include <cstdint>

#include "base/text.hpp"

namespace hal::sys {

struct InputDevice {
    int fd = -1;
    FixedString<16> node;  // eventN
    bool keyboard = false, relative = false, absolute = false;
    int32_t x_min = 0, x_max = 0, y_min = 0, y_max = 0;  // absolute devices' ranges
};

class Inputs {
public:
    static constexpr size_t kMaxDevices = 16;

    // Starts watching /dev/input and opens what is there. `grab`: take the devices exclusively.
    void start(bool grab);
    // Opens devices that appeared since; returns how many. Call when watch_fd() is readable.
    unsigned refresh();
    // Grabs or lets go of every device (the rescue shell needs the keyboard).
    void set_grab(bool grab);

    int watch_fd() const { return watch_fd_; }
    size_t count() const { return count_; }
    InputDevice& device(size_t index) { return devices_[index]; }
    // Reads up to `capacity` events of device `index`; a device that went away is closed and
    // removed (the indexes after it move down) and 0 is returned.
    size_t read(size_t index, input_event* events, size_t capacity);

private:
    bool open_device(const char* node);
    void remove(size_t index);

    InputDevice devices_[kMaxDevices];
    size_t count_ = 0;
    int watch_fd_ = -1;
    bool grab_ = false;
};

}  // namespace hal::sys
