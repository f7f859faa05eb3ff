// The host's monitor as the kernel describes it in sysfs: its DRM connectors (cardN-NAME/status,
// cardN-NAME/modes): whether one is connected and its native mode, which the guest's virtual
// monitor advertises in its EDID; and, on a host whose display has no DRM driver, the
// firmware's framebuffer (/sys/class/graphics/fbN: name, virtual_size, bits_per_pixel) and
// whether hal-display can draw on it. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/text.hpp"

namespace hal {

struct MonitorMode {
    uint32_t width = 0;
    uint32_t height = 0;
};

// The host's monitor as hal-init found it (display/sys/monitor.hpp): whether the guest's screen
// has somewhere to go, and the mode the guest's EDID advertises.
struct MonitorFacts {
    bool present = false;
    MonitorMode mode;
    FixedString<32> framebuffer;  // /dev/fbN when the monitor has no DRM driver; empty: DRM
};

// True for a connector's status text "connected".
bool connector_connected(std::string_view status);

// The first mode of a connector's modes list ("1920x1080\n1280x1024\n..."): the kernel lists
// the preferred mode first. nullopt when there is none or it is not WIDTHxHEIGHT.
std::optional<MonitorMode> preferred_mode(std::string_view modes);

// An fbdev framebuffer's virtual_size text ("1024,768\n"); nullopt when it is not WIDTH,HEIGHT.
std::optional<MonitorMode> framebuffer_size(std::string_view virtual_size);

// True for the fbdev emulation of a DRM driver (its name ends in "drmfb": "bochs-drmdrmfb",
// "i915drmfb"): the monitor is the DRM device's, reached through its connectors.
bool framebuffer_of_drm(std::string_view name);

// A framebuffer's pixel layout (FBIOGET_VSCREENINFO's bits_per_pixel and bitfields).
struct FramebufferFormat {
    uint32_t bits_per_pixel = 0;
    uint32_t red_offset = 0, red_length = 0;
    uint32_t green_offset = 0, green_length = 0;
    uint32_t blue_offset = 0, blue_length = 0;
};

// True when it is the 32-bit XRGB8888 hal-display draws (blue in the lowest byte), which the
// EFI GOP and VESA framebuffers of PCs use.
bool framebuffer_drawable(const FramebufferFormat& format);

}  // namespace hal
