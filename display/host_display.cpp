// DRM connector and fbdev framebuffer texts from sysfs; no I/O.
#include "display/host_display.hpp"

#include "base/text.hpp"

namespace hal {

bool connector_connected(std::string_view status) { return trim(status) == "connected"; }

std::optional<MonitorMode> preferred_mode(std::string_view modes) {
    LineReader reader(modes);
    std::string_view line;
    if (!reader.next(line)) return std::nullopt;
    line = trim(line);
    const size_t x = line.find('x');
    if (x == std::string_view::npos) return std::nullopt;
    std::string_view height = line.substr(x + 1);
    size_t digits = 0;
    while (digits < height.size() && height[digits] >= '0' && height[digits] <= '9') ++digits;
    // Interlaced modes end in 'i'; anything else after the digits is not a mode.
    if (digits < height.size() && !(digits + 1 == height.size() && height[digits] == 'i'))
        return std::nullopt;
    const auto w = parse_unsigned(line.substr(0, x));
    const auto h = parse_unsigned(height.substr(0, digits));
    if (!w || !h || *w == 0 || *h == 0 || *w > 16384 || *h > 16384) return std::nullopt;
    return MonitorMode{static_cast<uint32_t>(*w), static_cast<uint32_t>(*h)};
}

std::optional<MonitorMode> framebuffer_size(std::string_view virtual_size) {
    const std::string_view text = trim(virtual_size);
    const size_t comma = text.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    const auto w = parse_unsigned(text.substr(0, comma));
    const auto h = parse_unsigned(text.substr(comma + 1));
    if (!w || !h || *w == 0 || *h == 0 || *w > 16384 || *h > 16384) return std::nullopt;
    return MonitorMode{static_cast<uint32_t>(*w), static_cast<uint32_t>(*h)};
}

bool framebuffer_of_drm(std::string_view name) {
    const std::string_view text = trim(name);
    return text.size() >= 5 && text.substr(text.size() - 5) == "drmfb";
}

bool framebuffer_drawable(const FramebufferFormat& format) {
    return format.bits_per_pixel == 32 && format.red_offset == 16 && format.red_length == 8 &&
           format.green_offset == 8 && format.green_length == 8 && format.blue_offset == 0 &&
           format.blue_length == 8;
}

}  // namespace hal
