// The host menu the hotkey opens, shown on the console: what each key chooses and the text.
// No I/O.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hal {

enum class MenuAction { kNone, kPowerOff, kReset, kShell, kBack };

// A key press (Linux code) in the menu: 1 power off the guest, 2 reset it, 3 rescue shell
// (when the image has one), 4 or Esc back to the guest.
MenuAction menu_choice(uint16_t key, bool shell_available);

// The menu as console text (clears the screen first).
size_t menu_text(char* out, size_t size, bool shell_available, const char* hotkey);

const char* menu_action_command(MenuAction action);  // the word hal-init is sent

}  // namespace hal
