// signalfd reads and the WNOHANG reap loop.
#include "supervision/sys/signals.hpp"

#include <signal.h>

#include <cstring>

#include "base/sys/io.hpp"
#include "base/sys/log.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"

namespace hal {

bool is_stop_signal(int number) {
    return number == SIGTERM || number == SIGINT || number == SIGPWR;
}

const char* stop_signal_source(int number) {
    return number == SIGINT ? "Ctrl-Alt-Del" : strsignal(number);
}

bool SignalSource::add_watcher(ChildWatcher& watcher) {
    if (watcher_count_ == kMaxWatchers) return false;
    watchers_[watcher_count_++] = &watcher;
    return true;
}

void SignalSource::reap(uint64_t now_ms) {
    while (true) {
        const auto child = sys::reap_child();
        if (!child.ok() || child.value().pid == 0) break;  // ECHILD: nobody left; 0: none exited
        const pid_t pid = child.value().pid;
        if (supervisor_ && pid == supervisor_->qemu()) {
            supervisor_->on_qemu_exited(child.value().status);
            continue;
        }
        bool watched = false;
        for (size_t i = 0; i < watcher_count_ && !watched; ++i)
            watched = watchers_[i]->on_child_exited(pid, child.value().status, now_ms);
        if (!watched) log_debug("supervise: reaped pid %d", static_cast<int>(pid));
    }
}

size_t SignalSource::descriptors(int* fds, size_t capacity) {
    if (capacity == 0) return 0;
    fds[0] = fd_;
    return 1;
}

void SignalSource::on_event(uint64_t now_ms, const bool*, size_t) {
    while (true) {
        const auto signal = sys::read_signal(fd_);
        if (!signal.ok() || signal.value() == 0) break;
        const int number = signal.value();
        if (number == SIGCHLD)
            reap(now_ms);
        else if (is_stop_signal(number) && supervisor_)
            supervisor_->request_stop(stop_signal_source(number), now_ms);
        else
            log_info("supervise: ignored signal %d (%s)", number, strsignal(number));
    }
}

bool SignalSource::pause(uint64_t delay_ms) {
    const uint64_t until = sys::monotonic_ms() + delay_ms;
    while (true) {
        const uint64_t now = sys::monotonic_ms();
        if (now >= until) return true;
        const auto readable = sys::wait_readable(fd_, static_cast<int>(until - now));
        if (!readable.ok() || !readable.value()) continue;
        while (true) {
            const auto signal = sys::read_signal(fd_);
            if (!signal.ok() || signal.value() == 0) break;
            if (signal.value() == SIGCHLD) reap(sys::monotonic_ms());
            if (is_stop_signal(signal.value())) {
                log_info("stop: %s during the restart pause", strsignal(signal.value()));
                return false;
            }
        }
    }
}

}  // namespace hal
