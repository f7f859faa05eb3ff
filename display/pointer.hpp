// The guest's pointer from the host's mice, touchpads and tablets. QEMU's screen gets an
// absolute position (the guest has a USB tablet): relative motion is added up 1:1 (no
// acceleration on top of the guest's own), absolute devices are scaled to the guest's screen.
// When QEMU says the guest's pointer is relative, motion goes as deltas instead. No I/O.
#pragma once

#include <cstdint>

namespace hal {

enum PointerButton : uint8_t { kLeft = 1, kMiddle = 2, kRight = 4, kWheelUp = 8, kWheelDown = 16 };

class Pointer {
public:
    void resize(uint16_t width, uint16_t height);
    void set_absolute(bool absolute) {
        absolute_ = absolute;
        dx_ = dy_ = 0;  // motion from before the switch is not the guest's to replay
    }
    bool absolute() const { return absolute_; }

    void move_relative(int32_t dx, int32_t dy);
    // An absolute axis reading from a device whose range is [minimum, maximum].
    void move_absolute_x(int32_t value, int32_t minimum, int32_t maximum);
    void move_absolute_y(int32_t value, int32_t minimum, int32_t maximum);
    void button(uint8_t bit, bool down);

    // The position (or, in relative mode, 0x7FFF + the delta since the last call) to send
    // in an RFB pointer event, with the button mask.
    uint16_t x_for_event();
    uint16_t y_for_event();
    uint8_t buttons() const { return buttons_; }

    int32_t x() const { return x_; }
    int32_t y() const { return y_; }

private:
    static int32_t scale(int32_t value, int32_t minimum, int32_t maximum, uint16_t size);
    void clamp();

    uint16_t width_ = 1, height_ = 1;
    int32_t x_ = 0, y_ = 0;
    int32_t dx_ = 0, dy_ = 0;  // pending relative motion
    uint8_t buttons_ = 0;
    bool absolute_ = true;
};

}  // namespace hal
