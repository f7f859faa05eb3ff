// The host monitor through DRM/KMS: the first connected connector at its preferred mode, one
// dumb buffer hal-display draws into, shown only once there is something to show. Closing it
// gives the screen back to the kernel's console (fbcon restores its mode on last close).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/result.hpp"
#include "display/layout.hpp"

namespace hal::sys {

class DrmScreen {
public:
    DrmScreen() = default;
    DrmScreen(const DrmScreen&) = delete;
    DrmScreen& operator=(const DrmScreen&) = delete;
    ~DrmScreen() { close(); }

    // Finds a connected connector with a mode and a CRTC for it; creates and maps the buffer.
    Status open(const char* card);
    bool is_open() const { return fd_ >= 0; }
    Status show();  // SETCRTC: the buffer becomes what the monitor shows
    bool shown() const { return shown_; }
    void flush(const Rect& region);  // DIRTYFB for drivers that upload changes
    void close();

    uint8_t* pixels() const { return pixels_; }
    size_t stride() const { return stride_; }
    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }

private:
    int fd_ = -1;
    uint32_t connector_ = 0, crtc_ = 0, framebuffer_ = 0, handle_ = 0;
    uint32_t width_ = 0, height_ = 0;
    size_t stride_ = 0, size_ = 0;
    uint8_t* pixels_ = nullptr;
    bool shown_ = false;
    alignas(8) unsigned char mode_[68];  // struct drm_mode_modeinfo
};

}  // namespace hal::sys
