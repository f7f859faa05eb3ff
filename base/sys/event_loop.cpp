// poll(2) over every source's descriptors with the nearest deadline as the timeout.
#include "base/sys/event_loop.hpp"

#include <algorithm>
#include <cstring>

#include "base/sys/io.hpp"
#include "base/sys/log.hpp"
#include "base/sys/time.hpp"

namespace hal {

bool EventLoop::add(EventSource& source) {
    if (count_ == kMaxSources) return false;
    sources_[count_++] = &source;
    return true;
}

void EventLoop::remove(EventSource& source) {
    for (size_t i = 0; i < count_; ++i) {
        if (sources_[i] != &source) continue;
        for (size_t j = i + 1; j < count_; ++j) sources_[j - 1] = sources_[j];
        --count_;
        return;
    }
}

bool EventLoop::run_once(int64_t max_wait_ms) {
    int fds[kMaxDescriptors];
    bool ready[kMaxDescriptors] = {};
    size_t first[kMaxSources + 1];
    // When each source is due, from the deadline it gave before the wait: a source that asks to
    // be polled every 100 ms is called once 100 ms have passed, whatever it says afterwards.
    int64_t due[kMaxSources];
    size_t used = 0;
    const uint64_t before = sys::monotonic_ms();
    int64_t timeout = max_wait_ms;
    for (size_t i = 0; i < count_; ++i) {
        first[i] = used;
        used += sources_[i]->descriptors(fds + used,
                                         std::min(kMaxSourceDescriptors, kMaxDescriptors - used));
        const int64_t deadline = sources_[i]->deadline_in(before);
        due[i] = deadline < 0 ? -1 : static_cast<int64_t>(before) + deadline;
        if (deadline >= 0 && (timeout < 0 || deadline < timeout)) timeout = deadline;
    }
    first[count_] = used;
    const auto polled =
        sys::wait_any(fds, ready, used, timeout < 0 ? -1 : static_cast<int>(timeout));
    if (!polled.ok()) {
        log_warning("supervise: poll failed: %s", std::strerror(polled.error().code));
        sys::sleep_ms(100);
        return false;
    }
    const uint64_t now = sys::monotonic_ms();
    // Sources may add or remove sources while handling: work on the snapshot of this round.
    EventSource* round[kMaxSources];
    const size_t sources = count_;
    std::memcpy(round, sources_, sizeof(EventSource*) * sources);
    for (size_t i = 0; i < sources; ++i) {
        bool any = false;
        for (size_t d = first[i]; d < first[i + 1]; ++d) any = any || ready[d];
        const bool expired = due[i] >= 0 && static_cast<int64_t>(now) >= due[i];
        if (any || expired) round[i]->on_event(now, ready + first[i], first[i + 1] - first[i]);
    }
    return true;
}

}  // namespace hal
