// PID 1's signals as an event source: SIGCHLD reaps every child (orphans included) and tells
// QEMU's supervisor or the child's watcher; SIGTERM, SIGINT (Ctrl-Alt-Del) and SIGPWR are
// stop requests; the rest are logged and ignored.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "base/children.hpp"
#include "base/sys/event_loop.hpp"
#include "supervision/sys/supervisor.hpp"

namespace hal {

class SignalSource : public EventSource {
public:
    static constexpr size_t kMaxWatchers = 4;

    explicit SignalSource(int signal_fd) : fd_(signal_fd) {}
    bool add_watcher(ChildWatcher& watcher);
    // The run of QEMU being supervised (nullptr between runs).
    void set_supervisor(QemuSupervisor* supervisor) { supervisor_ = supervisor; }

    // Waits `delay_ms` while still reaping children and answering signals; a stop request ends
    // the wait early (false).
    bool pause(uint64_t delay_ms);

    size_t descriptors(int* fds, size_t capacity) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    void reap(uint64_t now_ms);
    int fd_;
    ChildWatcher* watchers_[kMaxWatchers] = {};
    size_t watcher_count_ = 0;
    QemuSupervisor* supervisor_ = nullptr;
};

// SIGTERM, SIGINT (Ctrl-Alt-Del, with RB_DISABLE_CAD) and SIGPWR.
bool is_stop_signal(int number);
// How the stop request is named in the log: "Ctrl-Alt-Del" for SIGINT, the signal's name else.
const char* stop_signal_source(int number);

}  // namespace hal
