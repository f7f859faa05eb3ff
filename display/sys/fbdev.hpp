// The host monitor through an fbdev framebuffer (/dev/fbN), for a host whose display has no
// DRM driver: the firmware's framebuffer (efifb on UEFI, vesafb) that Debian's kernel gives
// such a machine (it has no simpledrm). hal-display draws straight into the mapped screen; while
// it is shown the console's VT is in graphics mode so the console does not draw over the
// guest, and closing it puts the VT back in text mode, which redraws the console.
#pragma once

#include "display/sys/screen.hpp"

namespace hal::sys {

class FbScreen final : public Screen {
public:
    ~FbScreen() { close(); }

    // Maps the framebuffer; only 32-bit XRGB8888 is drawn (ENOTSUP otherwise).
    Status open(const char* device) override;
    Status show() override;              // KDSETMODE KD_GRAPHICS on the console
    void flush(const Rect&) override {}  // the mapped memory is what the monitor shows
    void close() override;

private:
    int fd_ = -1;
    int console_ = -1;  // the VT in graphics mode while shown
    uint8_t* mapped_ = nullptr;
    size_t size_ = 0;
};

}  // namespace hal::sys
