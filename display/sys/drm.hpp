// The host monitor through DRM/KMS: the first connected connector at its preferred mode, one
// dumb buffer hal-display draws into, shown only once there is something to show. Closing it
// gives the screen back to the kernel's console (fbcon restores its mode on last close).
#pragma once

#include <cstddef>
#include <cstdint>

#include "display/sys/screen.hpp"

namespace hal::sys {

class DrmScreen final : public Screen {
public:
    ~DrmScreen() { close(); }

    // Finds a connected connector with a mode and a CRTC for it; creates and maps the buffer.
    Status open(const char* card) override;
    Status show() override;                   // SETCRTC
    void flush(const Rect& region) override;  // DIRTYFB for drivers that upload changes
    void close() override;

private:
    int fd_ = -1;
    uint32_t connector_ = 0, crtc_ = 0, framebuffer_ = 0, handle_ = 0;
    size_t size_ = 0;
    alignas(8) unsigned char mode_[68];  // struct drm_mode_modeinfo
};

}  // namespace hal::sys
