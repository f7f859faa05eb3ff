// Where the guest's screen goes on the host's monitor: 1:1 and centred when it fits, scaled
// down keeping its shape when it does not; and the copy (nearest pixel) of a changed region.
// No I/O.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hal {

struct Placement {
    uint32_t x = 0, y = 0;           // top-left corner on the monitor
    uint32_t width = 0, height = 0;  // size on the monitor
    bool scaled = false;
};

Placement place(uint32_t guest_width, uint32_t guest_height, uint32_t screen_width,
                uint32_t screen_height);

struct Rect {
    uint32_t x = 0, y = 0, width = 0, height = 0;
    bool empty() const { return width == 0 || height == 0; }
    void include(uint32_t px, uint32_t py, uint32_t pw, uint32_t ph);  // grow to cover
};

// Copies guest region `dirty` (XRGB, `guest_stride` bytes per row) to the monitor buffer
// through `placement`; returns the monitor region it wrote (for the driver's dirty hint).
Rect blit(const uint8_t* guest, size_t guest_stride, uint32_t guest_width, uint32_t guest_height,
          const Rect& dirty, uint8_t* screen, size_t screen_stride, const Placement& placement);

}  // namespace hal
