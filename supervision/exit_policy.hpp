// What hal-init does when QEMU ends: a pure decision from why it ended and the config.
#pragma once

#include <cstdint>

namespace hal {

enum class ExitAction { kPowerOff, kReboot, kRestart, kShell };

struct ExitPolicy {
    // The guest shut down (or QEMU quit cleanly).
    ExitAction on_guest_shutdown = ExitAction::kPowerOff;
    ExitAction on_failure = ExitAction::kPowerOff;  // QEMU crashed or failed
    ExitAction emergency = ExitAction::kPowerOff;   // when restarts are exhausted
    unsigned restart_limit = 3;                     // restarts allowed within the window
    uint64_t restart_window_ms = 300000;
    uint64_t restart_backoff_ms = 1000;  // doubled for each recent restart
    // A device handed to the guest has no reset method: a guest reboot and a restart of QEMU
    // become the machine's reboot.
    bool machine_reset_only = false;
};

struct QemuEnding {
    bool stop_requested = false;  // the host asked (stop ladder): always the host's power-off
    bool exited = false;          // exited (vs killed by a signal)
    int exit_status = 0;
    bool shutdown_event = false;   // QMP SHUTDOWN was seen
    bool guest_initiated = false;  // ... with guest = true
    bool never_started = false;    // killed because the guest made no progress (guest_start.hpp)
    bool guest_watchdog = false;   // ended because the guest's watchdog expired (QMP WATCHDOG)
    bool guest_reset = false;      // QMP SHUTDOWN with reason guest-reset (-action reboot=shutdown)
};

struct ExitDecision {
    ExitAction action = ExitAction::kPowerOff;
    uint64_t delay_ms = 0;  // for kRestart: the backoff
    bool restarts_exhausted = false;
    const char* reason = "";
    const char* instead = "";  // why the action is not the one the settings name; "" when it is
};

// Remembers restart times to bound a crash loop.
class RestartHistory {
public:
    void record(uint64_t now_ms);
    unsigned count_since(uint64_t since_ms) const;

private:
    uint64_t times_[16] = {};
    unsigned count_ = 0;
};

ExitDecision decide_exit(const ExitPolicy& policy, const QemuEnding& ending,
                         const RestartHistory& history, uint64_t now_ms);

}  // namespace hal
