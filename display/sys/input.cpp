// evdev devices: capability bits, EVIOCGRAB, absolute ranges, inotify hotplug.
#include "display/sys/input.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"

namespace hal::sys {
namespace {

bool has(const unsigned char* bits, unsigned bit) { return bits[bit / 8] & (1u << (bit % 8)); }

}  // namespace

void Inputs::start(bool grab) {
    grab_ = grab;
    watch_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (watch_fd_ >= 0 && ::inotify_add_watch(watch_fd_, "/dev/input", IN_CREATE | IN_ATTRIB) < 0) {
        log_warning("input: cannot watch /dev/input: %s; devices plugged in later are not seen",
                    std::strerror(errno));
        ::close(watch_fd_);
        watch_fd_ = -1;
    }
    refresh();
}

bool Inputs::open_device(const char* node) {
    for (size_t i = 0; i < count_; ++i)
        if (devices_[i].node.view() == node) return false;
    if (count_ == kMaxDevices) return false;
    char path[48];
    std::snprintf(path, sizeof path, "/dev/input/%s", node);
    const int fd = ::open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return false;
    unsigned char types[EV_MAX / 8 + 1] = {}, keys[KEY_MAX / 8 + 1] = {},
                                     relative[REL_MAX / 8 + 1] = {}, absolute[ABS_MAX / 8 + 1] = {};
    ::ioctl(fd, EVIOCGBIT(0, sizeof types), types);
    ::ioctl(fd, EVIOCGBIT(EV_KEY, sizeof keys), keys);
    ::ioctl(fd, EVIOCGBIT(EV_REL, sizeof relative), relative);
    ::ioctl(fd, EVIOCGBIT(EV_ABS, sizeof absolute), absolute);
    InputDevice device;
    device.fd = fd;
    device.node.assign(node);
    device.keyboard = has(types, EV_KEY) && has(keys, KEY_A) && has(keys, KEY_Z);
    device.relative = has(types, EV_REL) && has(relative, REL_X) && has(relative, REL_Y);
    device.absolute = has(types, EV_ABS) && has(absolute, ABS_X) && has(absolute, ABS_Y) &&
                      (has(keys, BTN_LEFT) || has(keys, BTN_TOUCH) || has(keys, BTN_STYLUS));
    if (device.absolute) {
        input_absinfo info = {};
        if (::ioctl(fd, EVIOCGABS(ABS_X), &info) == 0)
            device.x_min = info.minimum, device.x_max = info.maximum;
        if (::ioctl(fd, EVIOCGABS(ABS_Y), &info) == 0)
            device.y_min = info.minimum, device.y_max = info.maximum;
    }
    // A power button, a lid switch, a PC speaker: hal-init's or nobody's.
    if (!device.keyboard && !device.relative && !device.absolute) {
        ::close(fd);
        return false;
    }
    char name[64] = "?";
    ::ioctl(fd, EVIOCGNAME(sizeof name), name);
    if (grab_ && ::ioctl(fd, EVIOCGRAB, 1) != 0)
        log_warning("input: cannot grab %s (%s): %s; the console sees its keys too", path, name,
                    std::strerror(errno));
    log_info("input: %s \"%s\":%s%s%s", path, name, device.keyboard ? " keyboard" : "",
             device.relative ? " mouse" : "", device.absolute ? " absolute pointer" : "");
    devices_[count_++] = device;
    return true;
}

unsigned Inputs::refresh() {
    if (watch_fd_ >= 0) {
        alignas(inotify_event) char buffer[4096];
        while (::read(watch_fd_, buffer, sizeof buffer) > 0) {
        }
    }
    unsigned opened = 0;
    (void)for_each_entry("/dev/input", [&](const char* node) {
        if (starts_with(node, "event") && open_device(node)) ++opened;
    });
    return opened;
}

void Inputs::set_grab(bool grab) {
    grab_ = grab;
    for (size_t i = 0; i < count_; ++i) (void)::ioctl(devices_[i].fd, EVIOCGRAB, grab ? 1 : 0);
}

void Inputs::remove(size_t index) {
    log_info("input: /dev/input/%s went away", devices_[index].node.c_str());
    ::close(devices_[index].fd);
    for (size_t i = index + 1; i < count_; ++i) devices_[i - 1] = devices_[i];
    --count_;
}

size_t Inputs::read(size_t index, input_event* events, size_t capacity) {
    const ssize_t got = ::read(devices_[index].fd, events, capacity * sizeof(input_event));
    if (got < 0) {
        if (errno == ENODEV) remove(index);
        return 0;
    }
    return static_cast<size_t>(got) / sizeof(input_event);
}

}  // namespace hal::sys
