// Power button discovery by evdev capability bits, and KEY_POWER press detection.
#include "supervision/sys/power_button.hpp"

#include <linux/input.h>

#include <cstring>

#include "base/text.hpp"
#include "base/log.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/input.hpp"
#include "base/sys/io.hpp"

namespace hal {
namespace {

bool is_open(const PowerButtons& buttons, const char* name) {
    for (size_t i = 0; i < buttons.count; ++i)
        if (buttons.names[i].view() == name) return true;
    return false;
}

void remove_button(PowerButtons& buttons, size_t index) {
    log_info("supervise: power button on /dev/input/%s went away", buttons.names[index].c_str());
    sys::close_fd(buttons.fds[index]);
    for (size_t i = index + 1; i < buttons.count; ++i) {
        buttons.fds[i - 1] = buttons.fds[i];
        buttons.names[i - 1] = buttons.names[i];
    }
    --buttons.count;
}

}  // namespace

unsigned open_new_power_buttons(PowerButtons& buttons) {
    unsigned added = 0;
    (void)sys::for_each_entry("/dev/input", [&](const char* name) {
        if (!starts_with(name, "event") || buttons.count >= kMaxPowerButtons || is_open(buttons, name)) return;
        FixedString<kPathCapacity> path;
        if (!path.assign("/dev/input/") || !path.append(name)) return;
        const auto fd = sys::open_file(path.c_str(), sys::kReadOnlyNonBlocking);
        if (!fd.ok()) return;
        unsigned char bits[KEY_MAX / 8 + 1] = {};
        if (sys::input_key_bits(fd.value(), bits, sizeof bits).ok() && (bits[KEY_POWER / 8] & (1u << (KEY_POWER % 8))) &&
            buttons.names[buttons.count].assign(name)) {
            buttons.fds[buttons.count++] = fd.value();
            ++added;
            log_info("supervise: power button on %s", path.c_str());
        } else {
            sys::close_fd(fd.value());
        }
    });
    return added;
}

bool power_button_pressed(PowerButtons& buttons, size_t index) {
    struct input_event events[16];
    bool pressed = false;
    while (true) {
        const auto got = sys::read_some(buttons.fds[index], reinterpret_cast<char*>(events), sizeof events);
        if (!got.ok()) {
            if (got.error().code == ENODEV) remove_button(buttons, index);
            break;
        }
        if (got.value() < sizeof events[0]) break;
        for (size_t i = 0; i < got.value() / sizeof events[0]; ++i)
            if (events[i].type == EV_KEY && events[i].code == KEY_POWER && events[i].value == 1) pressed = true;
    }
    return pressed;
}

}  // namespace hal
