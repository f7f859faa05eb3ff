// hal-display's life, on hal-init's side: started once QEMU is up (when the host has a
// monitor), restarted with backoff when it dies (the guest keeps running), the host menu's
// choices read from its control socket, and the menu's rescue shell on the console.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "base/children.hpp"
#include "base/sys/event_loop.hpp"
#include "display/host_display.hpp"
#include "display/settings.hpp"

namespace hal {

// What the host menu asked for.
enum class MenuRequest { kNone, kPowerOff, kReset };

class DisplayChild : public EventSource, public ChildWatcher {
public:
    using MenuHandler = void (*)(MenuRequest request, void* context);

    DisplayChild(const DisplaySettings& settings, MenuHandler handler, void* context)
        : settings_(settings), handler_(handler), context_(context) {}

    // Starts hal-display for a QEMU that has just come up, when the host has a monitor.
    void start(const MonitorFacts& monitor, uint64_t now_ms);
    // QEMU ended: hal-display ends by itself (its VNC connection closes) and is not restarted.
    void stop();
    pid_t pid() const { return pid_; }  // 0 when it is not running
    uint64_t started_ms() const { return started_at_; }

    // EventSource: the control socket and the restart timer.
    size_t descriptors(int* fds, size_t capacity) override;
    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;
    // ChildWatcher: hal-display or the menu's rescue shell ended.
    bool on_child_exited(pid_t pid, int status, uint64_t now_ms) override;

private:
    void spawn(uint64_t now_ms);
    void start_shell();
    MenuRequest read_control();
    void restart_later(const char* description, uint64_t now_ms);

    const DisplaySettings& settings_;
    MenuHandler handler_;
    void* context_;
    MonitorFacts monitor_;
    bool wanted_ = false;  // QEMU runs and the host has a monitor
    pid_t pid_ = 0;
    pid_t shell_ = 0;
    int control_ = -1;  // hal-init's end of the control socket
    uint64_t started_at_ = 0;
    uint64_t restart_at_ = 0;  // 0: no restart pending
    uint64_t backoff_ms_ = 1000;
};

}  // namespace hal
