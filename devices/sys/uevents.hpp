// The kernel's device announcements (NETLINK_KOBJECT_UEVENT) while hal-init runs: read,
// parsed, and handed to whoever registered (the module coldplug, static /dev nodes), with
// what the disk search and the power buttons need to know about them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.hpp"
#include "base/sys/event_loop.hpp"
#include "devices/sys/wait.hpp"
#include "devices/uevent.hpp"

namespace hal {

// Gets every "add" event, and word that some were lost (the socket overflowed: a sysfs scan
// recovers what they said).
class UeventListener {
public:
    virtual void on_device_added(const Uevent& event) { (void)event; }
    virtual void on_events_lost() {}

protected:
    ~UeventListener() = default;
};

struct UeventBatch {
    unsigned added = 0;        // "add" events handed to the listeners
    bool input_added = false;  // an input event device appeared (power buttons, keyboards)
};

class UeventMonitor : public EventSource {
public:
    static constexpr size_t kMaxListeners = 4;

    // Opens the socket; before the first module loads, so no device is missed.
    Status open(uint64_t now_ms);
    int fd() const { return fd_; }
    bool add_listener(UeventListener& listener);

    // Reads and dispatches everything pending.
    UeventBatch service(uint64_t now_ms);
    // The storage stack's last sign of life (monotonic ms): a block device, or the SCSI, ATA
    // and NVMe objects that come before one; the boot's start when none has.
    uint64_t last_storage_activity_ms() const { return last_storage_activity_ms_; }
    uint64_t received() const { return received_; }  // every datagram since boot
    // Called with each batch the event loop services (input devices for the power buttons).
    void set_batch_handler(void (*handler)(const UeventBatch& batch, void* context), void* context);

    // EventSource
    size_t descriptors(int* fds, size_t capacity) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    int fd_ = -1;
    UeventListener* listeners_[kMaxListeners] = {};
    size_t listener_count_ = 0;
    uint64_t last_storage_activity_ms_ = 0;
    uint64_t received_ = 0;
    void (*batch_handler_)(const UeventBatch&, void*) = nullptr;
    void* batch_context_ = nullptr;
};

// The device clock of the boot: waiting is polling the uevent socket, so drivers for the
// devices that appear meanwhile are queued while the boot waits.
class UeventClock : public DeviceClock {
public:
    explicit UeventClock(UeventMonitor& monitor) : monitor_(monitor) {}
    void pass(uint32_t ms) override;

private:
    UeventMonitor& monitor_;
};

}  // namespace hal
