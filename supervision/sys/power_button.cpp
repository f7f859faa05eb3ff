// Power button discovery by evdev capability bits, and KEY_POWER press detection.
#include "supervision/sys/power_button.hpp"

#include <linux/input.h>

#include "base/sys/fs.hpp"
#include "base/sys/input.hpp"
#include "base/sys/io.hpp"
#include "base/sys/log.hpp"

namespace hal {

bool PowerButtons::is_open(const char* name) const {
    for (size_t i = 0; i < count_; ++i)
        if (names_[i].view() == name) return true;
    return false;
}

void PowerButtons::remove(size_t index) {
    log_info("supervise: power button on /dev/input/%s went away", names_[index].c_str());
    sys::close_fd(fds_[index]);
    for (size_t i = index + 1; i < count_; ++i) {
        fds_[i - 1] = fds_[i];
        names_[i - 1] = names_[i];
    }
    --count_;
}

bool PowerButtons::watch(int fd, std::string_view name) {
    if (count_ >= kMaxButtons || !names_[count_].assign(name)) return false;
    fds_[count_++] = fd;
    return true;
}

unsigned PowerButtons::open_new() {
    unsigned added = 0;
    (void)sys::for_each_entry("/dev/input", [&](const char* name) {
        if (!starts_with(name, "event") || count_ >= kMaxButtons || is_open(name)) return;
        FixedString<kPathCapacity> path;
        if (!path.assign("/dev/input/") || !path.append(name)) return;
        const auto fd = sys::open_file(path.c_str(), sys::kReadOnlyNonBlocking);
        if (!fd.ok()) return;
        unsigned char bits[KEY_MAX / 8 + 1] = {};
        const bool button = sys::input_key_bits(fd.value(), bits, sizeof bits).ok() &&
                            (bits[KEY_POWER / 8] & (1u << (KEY_POWER % 8)));
        if (button && watch(fd.value(), name)) {
            ++added;
            log_info("supervise: power button on %s", path.c_str());
        } else {
            sys::close_fd(fd.value());
        }
    });
    return added;
}

bool PowerButtons::pressed(size_t index) {
    struct input_event events[16];
    bool pressed = false;
    while (true) {
        const auto got =
            sys::read_some(fds_[index], reinterpret_cast<char*>(events), sizeof events);
        if (!got.ok()) {
            if (got.error().code == ENODEV) remove(index);
            break;
        }
        if (got.value() < sizeof events[0]) break;
        for (size_t i = 0; i < got.value() / sizeof events[0]; ++i)
            if (events[i].type == EV_KEY && events[i].code == KEY_POWER && events[i].value == 1)
                pressed = true;
    }
    return pressed;
}

size_t PowerButtons::descriptors(int* fds, size_t capacity) {
    size_t written = 0;
    for (; written < count_ && written < capacity; ++written) fds[written] = fds_[written];
    return written;
}

void PowerButtons::on_event(uint64_t now_ms, const bool* ready, size_t count) {
    // Backwards: a button that went away is removed and the later ones move down.
    bool stop = false;
    for (size_t i = count < count_ ? count : count_; i-- > 0;)
        if (ready[i] && pressed(i)) stop = true;
    if (stop && listener_) listener_->request_stop("power button", now_ms);
}

}  // namespace hal
