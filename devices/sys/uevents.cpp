// The uevent socket: drained on each call, every message parsed and bounded.
#include "devices/sys/uevents.hpp"

#include <cerrno>

#include "base/sys/io.hpp"
#include "base/text.hpp"

namespace hal {
namespace {
constexpr size_t kUeventCapacity = 8192;
}  // namespace

Status UeventMonitor::open(uint64_t now_ms) {
    last_storage_activity_ms_ = now_ms;
    fd_ = TRY(sys::open_uevent_socket());
    return ok_status();
}

bool UeventMonitor::add_listener(UeventListener& listener) {
    if (listener_count_ == kMaxListeners) return false;
    listeners_[listener_count_++] = &listener;
    return true;
}

void UeventMonitor::set_batch_handler(void (*handler)(const UeventBatch&, void*), void* context) {
    batch_handler_ = handler;
    batch_context_ = context;
}

UeventBatch UeventMonitor::service(uint64_t now_ms) {
    UeventBatch batch;
    if (fd_ < 0) return batch;
    static char message[kUeventCapacity];
    while (true) {
        const auto size = sys::receive_datagram(fd_, message, sizeof message - 1);
        if (!size.ok()) {
            // ENOBUFS: the kernel dropped events; the listeners rescan sysfs.
            if (size.error().code == ENOBUFS)
                for (size_t i = 0; i < listener_count_; ++i) listeners_[i]->on_events_lost();
            if (size.error().code == ENOBUFS || size.error().code == EMSGSIZE) continue;
            break;
        }
        if (size.value() == 0) break;
        ++received_;
        Uevent event;
        if (!parse_uevent({message, size.value()}, event) || event.action != "add") continue;
        ++batch.added;
        for (size_t i = 0; i < listener_count_; ++i) listeners_[i]->on_device_added(event);
        if (event.subsystem == "input" && starts_with(event.devname, "input/event"))
            batch.input_added = true;
        if (is_storage_activity(event)) last_storage_activity_ms_ = now_ms;
    }
    return batch;
}

size_t UeventMonitor::descriptors(int* fds, size_t capacity) {
    if (capacity == 0 || fd_ < 0) return 0;
    fds[0] = fd_;
    return 1;
}

void UeventMonitor::on_event(uint64_t now_ms, const bool*, size_t) {
    const UeventBatch batch = service(now_ms);
    if (batch_handler_) batch_handler_(batch, batch_context_);
}

void UeventClock::pass(uint32_t ms) {
    if (monitor_.fd() < 0) return DeviceClock::pass(ms);
    const auto readable = sys::wait_readable(monitor_.fd(), static_cast<int>(ms));
    if (readable.ok() && readable.value()) monitor_.service(now_ms());
}

}  // namespace hal
