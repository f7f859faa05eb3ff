// Host menu choices and text; no I/O.
#include "display/menu.hpp"

#include <linux/input-event-codes.h>

#include <cstdio>

namespace hal {

MenuAction menu_choice(uint16_t key, bool shell_available) {
    switch (key) {
        case KEY_1:
        case KEY_KP1: return MenuAction::kPowerOff;
        case KEY_2:
        case KEY_KP2: return MenuAction::kReset;
        case KEY_3:
        case KEY_KP3: return shell_available ? MenuAction::kShell : MenuAction::kNone;
        case KEY_4:
        case KEY_KP4:
        case KEY_ESC: return MenuAction::kBack;
        default: return MenuAction::kNone;
    }
}

size_t menu_text(char* out, size_t size, bool shell_available, const char* hotkey) {
    const int written = std::snprintf(
        out, size,
        "\033[2J\033[H\r\n  mkinitrd-hal host menu (%s)\r\n\r\n"
        "    1  power off the guest (as the power button does)\r\n"
        "    2  reset the guest\r\n"
        "    3  %s\r\n"
        "    4  back to the guest (Esc)\r\n\r\n",
        hotkey,
        shell_available ? "rescue shell on this console" : "(no rescue shell in this image)");
    return written < 0
               ? 0
               : (static_cast<size_t>(written) < size ? static_cast<size_t>(written) : size - 1);
}

const char* menu_action_command(MenuAction action) {
    switch (action) {
        case MenuAction::kPowerOff: return "poweroff";
        case MenuAction::kReset: return "reset";
        case MenuAction::kShell: return "shell";
        case MenuAction::kBack: return "back";
        case MenuAction::kNone: break;
    }
    return "";
}

}  // namespace hal
