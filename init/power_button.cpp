// Power button discovery by evdev capability bits, and KEY_POWER press detection.
#include "init/power_button.hpp"

#include <linux/input.h>

#include <cstring>

#include "common/text.hpp"
#include "init/log.hpp"
#include "init/sys/sys.hpp"

namespace hal {

PowerButtons open_power_buttons() {
    PowerButtons buttons;
    (void)sys::for_each_entry("/dev/input", [&](const char* name) {
        if (!starts_with(name, "event") || buttons.count >= kMaxPowerButtons) return;
        FixedString<kPathCapacity> path;
        if (!path.assign("/dev/input/") || !path.append(name)) return;
        const auto fd = sys::open_file(path.c_str(), sys::kReadOnly);
        if (!fd.ok()) return;
        unsigned char bits[KEY_MAX / 8 + 1] = {};
        if (sys::input_key_bits(fd.value(), bits, sizeof bits).ok() && (bits[KEY_POWER / 8] & (1u << (KEY_POWER % 8)))) {
            buttons.fds[buttons.count++] = fd.value();
            log_info("supervise: power button on %s", path.c_str());
        } else {
            sys::close_fd(fd.value());
        }
    });
    return buttons;
}

bool power_button_pressed(int fd) {
    struct input_event events[16];
    bool pressed = false;
    while (true) {
        const auto got = sys::read_some(fd, reinterpret_cast<char*>(events), sizeof events);
        if (!got.ok() || got.value() < sizeof events[0]) break;
        for (size_t i = 0; i < got.value() / sizeof events[0]; ++i)
            if (events[i].type == EV_KEY && events[i].code == KEY_POWER && events[i].value == 1) pressed = true;
        if (got.value() < sizeof events) break;
    }
    return pressed;
}

}  // namespace hal
