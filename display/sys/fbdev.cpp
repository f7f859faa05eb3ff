// fbdev: FBIOGET_*SCREENINFO, mmap, and the console VT's KDSETMODE.
#include "display/sys/fbdev.hpp"

#include <fcntl.h>
#include <linux/fb.h>
#include <linux/kd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "display/host_display.hpp"

namespace hal::sys {
namespace {

constexpr const char* kConsoleVt = "/dev/tty0";  // the foreground VT

}  // namespace

Status FbScreen::open(const char* device) {
    close();
    fd_ = ::open(device, O_RDWR | O_CLOEXEC);
    if (fd_ < 0) return error_from_errno("open framebuffer");
    fb_var_screeninfo variable = {};
    fb_fix_screeninfo fixed = {};
    if (::ioctl(fd_, FBIOGET_VSCREENINFO, &variable) < 0)
        return error_from_errno("FBIOGET_VSCREENINFO");
    if (::ioctl(fd_, FBIOGET_FSCREENINFO, &fixed) < 0)
        return error_from_errno("FBIOGET_FSCREENINFO");
    const FramebufferFormat format{
        variable.bits_per_pixel, variable.red.offset,  variable.red.length, variable.green.offset,
        variable.green.length,   variable.blue.offset, variable.blue.length};
    if (!framebuffer_drawable(format))
        return Error{"framebuffer format (not 32-bit XRGB8888)", ENOTSUP};
    const size_t first =
        static_cast<size_t>(variable.yoffset) * fixed.line_length + variable.xoffset * 4u;
    const size_t visible = static_cast<size_t>(fixed.line_length) * variable.yres;
    if (fixed.smem_len < first + visible)
        return Error{"framebuffer size (smaller than its mode)", EINVAL};
    void* mapped = ::mmap(nullptr, fixed.smem_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (mapped == MAP_FAILED) return error_from_errno("mmap framebuffer");
    mapped_ = static_cast<uint8_t*>(mapped);
    size_ = fixed.smem_len;
    pixels_ = mapped_ + first;
    stride_ = fixed.line_length;
    width_ = variable.xres;
    height_ = variable.yres;
    return ok_status();
}

Status FbScreen::show() {
    // The picture is on the monitor already; without the VT in graphics mode the console may
    // draw over it now and then (said once, by the caller).
    shown_ = true;
    if (console_ < 0) console_ = ::open(kConsoleVt, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (console_ < 0) return error_from_errno("open /dev/tty0");
    if (::ioctl(console_, KDSETMODE, KD_GRAPHICS) < 0)
        return error_from_errno("KDSETMODE KD_GRAPHICS");
    return ok_status();
}

void FbScreen::close() {
    if (console_ >= 0) {
        (void)::ioctl(console_, KDSETMODE, KD_TEXT);
        ::close(console_);
    }
    console_ = -1;
    if (mapped_) ::munmap(mapped_, size_);
    mapped_ = pixels_ = nullptr;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    shown_ = false;
}

}  // namespace hal::sys
