// PID 1's one event loop: fixed capacity; each source names the descriptors it waits on and
// its next deadline, and gets a call when one is readable or the deadline passed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hal {

inline constexpr size_t kMaxSourceDescriptors = 8;

// A source of events. The defaults wait on nothing and never time out. (Not pure virtuals and
// no virtual destructor: hal-init links without libstdc++'s runtime.)
class EventSource {
public:
    // The descriptors to wait on now (-1 entries are skipped); returns how many it wrote.
    virtual size_t descriptors(int* fds, size_t capacity) {
        (void)fds, (void)capacity;
        return 0;
    }
    // Milliseconds until the source wants a call without a readable descriptor; -1: none. Asked
    // before each wait; the call comes once that much time has passed.
    virtual int64_t deadline_in(uint64_t now_ms) {
        (void)now_ms;
        return -1;
    }
    // A descriptor became readable (`ready` in descriptors() order) or the deadline passed.
    virtual void on_event(uint64_t now_ms, const bool* ready, size_t count) {
        (void)now_ms, (void)ready, (void)count;
    }

protected:
    ~EventSource() = default;
};

class EventLoop {
public:
    static constexpr size_t kMaxSources = 16;
    static constexpr size_t kMaxDescriptors = 32;

    // False when the loop is full (a programming error the caller logs).
    bool add(EventSource& source);
    void remove(EventSource& source);

    // One round: waits until a descriptor is readable or the nearest deadline, at most
    // `max_wait_ms` (-1: no bound), then calls the sources that have something. Returns
    // false when the wait itself failed (the round is skipped).
    bool run_once(int64_t max_wait_ms = -1);

    // Rounds until `done()` is true (checked before each round).
    template <class Done>
    void run_until(Done&& done) {
        while (!done())
            if (!run_once()) continue;
    }

private:
    EventSource* sources_[kMaxSources] = {};
    size_t count_ = 0;
};

}  // namespace hal
