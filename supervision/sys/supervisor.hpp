// Step 7 of the boot plan: one run of QEMU, supervised. Stop requests (signals, the power
// button, the host menu) drive the stop ladder; QMP events say how the guest ended; a KVM
// guest that never starts is killed (the start watch). Event sources feed it; it acts on QEMU
// only through QemuControl, so unit tests drive it with a fake.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "base/sys/event_loop.hpp"
#include "supervision/exit_policy.hpp"
#include "supervision/guest_start.hpp"
#include "supervision/qmp_message.hpp"
#include "supervision/stop_ladder.hpp"
#include "supervision/watchdog.hpp"

namespace hal {

// What the supervisor does to QEMU: QMP commands over hal-init's own monitor, and signals.
class QemuControl {
public:
    virtual bool connected() { return false; }
    // {"execute": COMMAND}; false when not connected or the write failed.
    virtual bool execute(const char* command) {
        (void)command;
        return false;
    }
    // One complete JSON command; same result.
    virtual bool send(const char* json) {
        (void)json;
        return false;
    }
    virtual void signal(int number) { (void)number; }

protected:
    ~QemuControl() = default;
};

// Who may ask for the guest to stop (the power buttons, the signal handler, the host menu).
class StopRequests {
public:
    virtual void request_stop(const char* source, uint64_t now_ms) { (void)source, (void)now_ms; }

protected:
    ~StopRequests() = default;
};

class QemuSupervisor : public EventSource, public StopRequests {
public:
    // `start_timeout_ms` (0: off) bounds how long a KVM guest may show no progress.
    QemuSupervisor(QemuControl& control, const LadderTiming& timing, uint64_t start_timeout_ms,
                   pid_t qemu, uint64_t now_ms);

    void request_stop(const char* source, uint64_t now_ms) override;
    void reset_guest();
    void on_qmp_message(const QmpMessage& message, uint64_t now_ms);
    void on_qemu_exited(int status);

    // Asks QEMU every `every_ms` whether it answers (query-status), for the hardware watchdog;
    // off unless called.
    void watch_liveness(uint64_t every_ms, uint64_t patience_ms) {
        liveness_ = QemuLiveness(every_ms, patience_ms);
    }
    const QemuLiveness& liveness() const { return liveness_; }

    bool ended() const { return ended_; }
    const QemuEnding& ending() const { return ending_; }
    pid_t qemu() const { return qemu_; }

    // EventSource: the stop ladder's deadline and the start watch's queries and verdict.
    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    void perform(LadderAction action);
    void on_start_reply(const QmpMessage& message, uint64_t now_ms);
    void on_guest_watchdog(const QmpMessage& message);
    void report_start(StartState state, uint64_t now_ms);

    QemuControl& control_;
    LadderTiming timing_;
    StopLadder ladder_;
    GuestStartWatch start_;
    QemuLiveness liveness_;
    pid_t qemu_;
    QemuEnding ending_;
    bool ended_ = false;
};

}  // namespace hal
