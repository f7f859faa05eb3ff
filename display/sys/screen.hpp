// The host monitor hal-display draws the guest's screen on: a DRM/KMS dumb buffer
// (display/sys/drm.hpp) or, on a host whose display has no DRM driver (the firmware's
// framebuffer: efifb, vesafb), the fbdev framebuffer (display/sys/fbdev.hpp). Either way a
// 32-bit XRGB pixel array hal-display blits into, shown only once there is something to
// show; closing it gives the monitor back to the kernel's console.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.hpp"
#include "display/layout.hpp"

namespace hal::sys {

class Screen {
public:
    Screen() = default;
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    virtual Status open(const char* device) = 0;
    virtual Status show() = 0;                   // the pixels become what the monitor shows
    virtual void flush(const Rect& region) = 0;  // a changed region, for devices that need telling
    virtual void close() = 0;

    bool is_open() const { return pixels_ != nullptr; }
    bool shown() const { return shown_; }
    uint8_t* pixels() const { return pixels_; }
    size_t stride() const { return stride_; }
    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }

protected:
    ~Screen() = default;  // never deleted through the base (hal-display has no heap)

    uint8_t* pixels_ = nullptr;
    size_t stride_ = 0;
    uint32_t width_ = 0, height_ = 0;
    bool shown_ = false;
};

}  // namespace hal::sys
