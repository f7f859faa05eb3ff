// The host's power button: evdev devices that report KEY_POWER (ACPI button driver).
#pragma once

#include <cstddef>

#include "base/text.hpp"

namespace hal {

inline constexpr size_t kMaxPowerButtons = 4;

// The open power buttons; devices appear while QEMU runs (evdev loads in the background, USB
// keyboards are plugged in), so the set grows, and shrinks when a device goes away.
struct PowerButtons {
    int fds[kMaxPowerButtons];
    FixedString<16> names[kMaxPowerButtons];  // eventN
    size_t count = 0;
};

// Opens every /dev/input/event* that can report KEY_POWER and is not open yet; returns how
// many were added.
unsigned open_new_power_buttons(PowerButtons& buttons);

// Reads pending events from button `index`; true when KEY_POWER was pressed. A device that
// went away is closed and removed from the set (the indexes after it move down).
bool power_button_pressed(PowerButtons& buttons, size_t index);

}  // namespace hal
