// The host's power buttons: evdev devices that report KEY_POWER (the ACPI button driver, USB
// keyboards). Devices appear while QEMU runs (evdev loads in the background, keyboards are
// plugged in), so the set grows, and shrinks when a device goes away.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/sys/event_loop.hpp"
#include "base/text.hpp"
#include "supervision/sys/supervisor.hpp"

namespace hal {

class PowerButtons : public EventSource {
public:
    static constexpr size_t kMaxButtons = 4;

    // Opens every /dev/input/event* that can report KEY_POWER and is not open yet; returns how
    // many were added.
    unsigned open_new();
    // Watches an open evdev descriptor known to report KEY_POWER; false when the set is full.
    bool watch(int fd, std::string_view name);
    // Who hears a press (the supervisor of the QEMU that runs now).
    void set_listener(StopRequests* listener) { listener_ = listener; }
    size_t count() const { return count_; }

    // EventSource: one descriptor per button.
    size_t descriptors(int* fds, size_t capacity) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    bool is_open(const char* name) const;
    void remove(size_t index);
    // Reads pending events from button `index`; true when KEY_POWER was pressed. A device that
    // went away is closed and removed (the indexes after it move down).
    bool pressed(size_t index);

    int fds_[kMaxButtons];
    FixedString<16> names_[kMaxButtons];  // eventN
    size_t count_ = 0;
    StopRequests* listener_ = nullptr;
};

}  // namespace hal
