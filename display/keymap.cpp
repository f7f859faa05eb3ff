// The keymap: Linux codes 1-88 are the XT scancodes themselves; the rest from a table.
#include "display/keymap.hpp"

#include <linux/input-event-codes.h>

namespace hal {
namespace {

struct Extended {
    uint16_t linux_code;
    uint32_t key_number;
};

// Keys beyond the original XT set: E0-prefixed ones (0x80 | scancode) and the Japanese and
// Brazilian keys QEMU knows by their set-1 codes.
constexpr Extended kExtended[] = {
    {KEY_KPENTER, 0x9c},
    {KEY_RIGHTCTRL, 0x9d},
    {KEY_KPSLASH, 0xb5},
    {KEY_SYSRQ, 0xb7},
    {KEY_RIGHTALT, 0xb8},
    {KEY_HOME, 0xc7},
    {KEY_UP, 0xc8},
    {KEY_PAGEUP, 0xc9},
    {KEY_LEFT, 0xcb},
    {KEY_RIGHT, 0xcd},
    {KEY_END, 0xcf},
    {KEY_DOWN, 0xd0},
    {KEY_PAGEDOWN, 0xd1},
    {KEY_INSERT, 0xd2},
    {KEY_DELETE, 0xd3},
    {KEY_MUTE, 0xa0},
    {KEY_VOLUMEDOWN, 0xae},
    {KEY_VOLUMEUP, 0xb0},
    {KEY_POWER, 0xde},
    {KEY_KPEQUAL, 0x59},
    {KEY_PAUSE, 0xc6},
    {KEY_KPCOMMA, 0x7e},
    {KEY_LEFTMETA, 0xdb},
    {KEY_RIGHTMETA, 0xdc},
    {KEY_COMPOSE, 0xdd},
    {KEY_SLEEP, 0xdf},
    {KEY_WAKEUP, 0xe3},
    {KEY_RO, 0x73},
    {KEY_KATAKANAHIRAGANA, 0x70},
    {KEY_HENKAN, 0x79},
    {KEY_MUHENKAN, 0x7b},
    {KEY_YEN, 0x7d},
    {KEY_NEXTSONG, 0x99},
    {KEY_PREVIOUSSONG, 0x90},
    {KEY_PLAYPAUSE, 0xa2},
    {KEY_STOPCD, 0xa4},
};

}  // namespace

uint32_t qemu_key_number(uint16_t linux_code) {
    // ESC (1) to KP. (83), then 102nd key, F11, F12: codes equal to their scancodes.
    if ((linux_code >= KEY_ESC && linux_code <= KEY_KPDOT) || linux_code == KEY_102ND ||
        linux_code == KEY_F11 || linux_code == KEY_F12)
        return linux_code;
    for (const Extended& key : kExtended)
        if (key.linux_code == linux_code) return key.key_number;
    return 0;
}

}  // namespace hal
