// The host's power button: evdev devices that report KEY_POWER (ACPI button driver).
#pragma once

#include <cstddef>

namespace hal {

inline constexpr size_t kMaxPowerButtons = 4;

struct PowerButtons {
    int fds[kMaxPowerButtons];
    size_t count = 0;
};

// Opens every /dev/input/event* that can report KEY_POWER.
PowerButtons open_power_buttons();

// Reads pending events from one device; true when KEY_POWER was pressed.
bool power_button_pressed(int fd);

}  // namespace hal
