// Placement and nearest-pixel scaling; no I/O.
#include "display/layout.hpp"

#include <cstring>

namespace hal {

Placement place(uint32_t guest_width, uint32_t guest_height, uint32_t screen_width,
                uint32_t screen_height) {
    Placement placement;
    if (guest_width == 0 || guest_height == 0 || screen_width == 0 || screen_height == 0)
        return placement;
    if (guest_width <= screen_width && guest_height <= screen_height) {
        placement.width = guest_width, placement.height = guest_height;
    } else {
        placement.scaled = true;
        // The smaller of the two ratios, in integers: width-limited or height-limited.
        if (static_cast<uint64_t>(guest_width) * screen_height >=
            static_cast<uint64_t>(guest_height) * screen_width) {
            placement.width = screen_width;
            placement.height = static_cast<uint32_t>(static_cast<uint64_t>(guest_height) *
                                                     screen_width / guest_width);
        } else {
            placement.height = screen_height;
            placement.width = static_cast<uint32_t>(static_cast<uint64_t>(guest_width) *
                                                    screen_height / guest_height);
        }
        if (placement.width == 0) placement.width = 1;
        if (placement.height == 0) placement.height = 1;
    }
    placement.x = (screen_width - placement.width) / 2;
    placement.y = (screen_height - placement.height) / 2;
    return placement;
}

void Rect::include(uint32_t px, uint32_t py, uint32_t pw, uint32_t ph) {
    if (pw == 0 || ph == 0) return;
    if (empty()) {
        x = px, y = py, width = pw, height = ph;
        return;
    }
    const uint32_t right = x + width > px + pw ? x + width : px + pw;
    const uint32_t bottom = y + height > py + ph ? y + height : py + ph;
    x = x < px ? x : px;
    y = y < py ? y : py;
    width = right - x;
    height = bottom - y;
}

Rect blit(const uint8_t* guest, size_t guest_stride, uint32_t guest_width, uint32_t guest_height,
          const Rect& dirty, uint8_t* screen, size_t screen_stride, const Placement& placement) {
    Rect written;
    if (dirty.empty() || placement.width == 0 || guest_width == 0 || guest_height == 0)
        return written;
    const uint32_t dirty_right =
        dirty.x + dirty.width > guest_width ? guest_width : dirty.x + dirty.width;
    const uint32_t dirty_bottom =
        dirty.y + dirty.height > guest_height ? guest_height : dirty.y + dirty.height;
    if (!placement.scaled) {
        for (uint32_t row = dirty.y; row < dirty_bottom; ++row)
            std::memcpy(screen + (placement.y + row) * screen_stride + (placement.x + dirty.x) * 4,
                        guest + row * guest_stride + dirty.x * 4, (dirty_right - dirty.x) * 4);
        written.include(placement.x + dirty.x, placement.y + dirty.y, dirty_right - dirty.x,
                        dirty_bottom - dirty.y);
        return written;
    }
    // The monitor rows and columns whose nearest guest pixel lies in the dirty region.
    const auto first = [](uint32_t guest_position, uint32_t guest_size, uint32_t size) {
        return static_cast<uint32_t>(
            (static_cast<uint64_t>(guest_position) * size + guest_size - 1) / guest_size);
    };
    const uint32_t x0 = first(dirty.x, guest_width, placement.width);
    const uint32_t x1 = first(dirty_right, guest_width, placement.width);
    const uint32_t y0 = first(dirty.y, guest_height, placement.height);
    const uint32_t y1 = first(dirty_bottom, guest_height, placement.height);
    for (uint32_t y = y0; y < y1 && y < placement.height; ++y) {
        const uint32_t source_row =
            static_cast<uint32_t>(static_cast<uint64_t>(y) * guest_height / placement.height);
        const auto* source = reinterpret_cast<const uint32_t*>(guest + source_row * guest_stride);
        auto* target =
            reinterpret_cast<uint32_t*>(screen + (placement.y + y) * screen_stride) + placement.x;
        for (uint32_t x = x0; x < x1 && x < placement.width; ++x)
            target[x] = source[static_cast<uint64_t>(x) * guest_width / placement.width];
    }
    if (x1 > x0 && y1 > y0) written.include(placement.x + x0, placement.y + y0, x1 - x0, y1 - y0);
    return written;
}

}  // namespace hal
