// Pointer position bookkeeping; no I/O.
#include "display/pointer.hpp"

namespace hal {

void Pointer::resize(uint16_t width, uint16_t height) {
    if (width_ > 1 || height_ > 1) {
        // Keep the pointer where it was, relative to the screen.
        x_ = static_cast<int32_t>(static_cast<int64_t>(x_) * width / width_);
        y_ = static_cast<int32_t>(static_cast<int64_t>(y_) * height / height_);
    } else {
        x_ = width / 2, y_ = height / 2;
    }
    width_ = width ? width : 1;
    height_ = height ? height : 1;
    clamp();
}

void Pointer::clamp() {
    if (x_ < 0) x_ = 0;
    if (y_ < 0) y_ = 0;
    if (x_ >= width_) x_ = width_ - 1;
    if (y_ >= height_) y_ = height_ - 1;
}

void Pointer::move_relative(int32_t dx, int32_t dy) {
    x_ += dx, y_ += dy;
    dx_ += dx, dy_ += dy;
    clamp();
}

int32_t Pointer::scale(int32_t value, int32_t minimum, int32_t maximum, uint16_t size) {
    if (maximum <= minimum) return 0;
    if (value < minimum) value = minimum;
    if (value > maximum) value = maximum;
    return static_cast<int32_t>(static_cast<int64_t>(value - minimum) * (size - 1) /
                                (maximum - minimum));
}

void Pointer::move_absolute_x(int32_t value, int32_t minimum, int32_t maximum) {
    const int32_t x = scale(value, minimum, maximum, width_);
    dx_ += x - x_;
    x_ = x;
}

void Pointer::move_absolute_y(int32_t value, int32_t minimum, int32_t maximum) {
    const int32_t y = scale(value, minimum, maximum, height_);
    dy_ += y - y_;
    y_ = y;
}

void Pointer::button(uint8_t bit, bool down) {
    buttons_ = down ? (buttons_ | bit) : (buttons_ & ~bit);
}

namespace {

// One axis for QEMU's pointer event: the position for a tablet, else the movement since the
// last event around 0x7fff (the relative encoding), which is then spent.
uint16_t axis_for_event(bool absolute, int32_t position, int32_t& delta) {
    const int32_t moved = delta < -0x7fff ? -0x7fff : (delta > 0x7fff ? 0x7fff : delta);
    delta = 0;
    return static_cast<uint16_t>(absolute ? position : 0x7fff + moved);
}

}  // namespace

uint16_t Pointer::x_for_event() { return axis_for_event(absolute_, x_, dx_); }
uint16_t Pointer::y_for_event() { return axis_for_event(absolute_, y_, dy_); }

}  // namespace hal
