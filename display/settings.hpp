// The display capability's settings: the guest on the machine's monitor, its video device,
// the machine's keyboards and pointers, the host menu's hotkey, hal-display's figures; as
// typed values with their parsers. No I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "display/hotkey.hpp"

namespace hal {

// The guest's screen on the host's monitor (hal-display): kAuto when the host has one.
enum class DisplayMode { kAuto, kNone };
enum class GuestVideo { kStd, kVirtio };

struct DisplaySettings {
    DisplayMode mode = DisplayMode::kAuto;  // display
    GuestVideo video = GuestVideo::kStd;    // guest_video: std VGA every OS drives, or virtio-vga
    bool input = true;                      // input = auto: the host's keyboards and pointers
    Hotkey menu_hotkey;                     // opens the host menu (ctrl+alt+esc)
    uint32_t stats_seconds = 0;             // display_stats: seconds between figures; 0: none
    bool operator==(const DisplaySettings&) const = default;
};

Parsed<DisplayMode> parse_display_mode(std::string_view text);
Parsed<GuestVideo> parse_guest_video(std::string_view text);
// input: `auto` (true) or `none`.
Parsed<bool> parse_input_setting(std::string_view text);

}  // namespace hal
