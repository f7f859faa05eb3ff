// Exit policy decisions: why QEMU ended -> power off, reboot, restart (bounded) or shell.
#include "supervision/exit_policy.hpp"

namespace hal {

void RestartHistory::record(uint64_t now_ms) {
    times_[count_ % (sizeof times_ / sizeof times_[0])] = now_ms;
    ++count_;
}

unsigned RestartHistory::count_since(uint64_t since_ms) const {
    constexpr unsigned kKept = sizeof times_ / sizeof times_[0];
    unsigned recent = 0;
    for (unsigned i = 0; i < kKept && i < count_; ++i)
        if (times_[i] >= since_ms) ++recent;
    return recent;
}

ExitDecision decide_exit(const ExitPolicy& policy, const QemuEnding& ending,
                         const RestartHistory& history, uint64_t now_ms) {
    ExitDecision decision;
    if (ending.stop_requested) {
        decision.reason = "the host asked to stop";
        return decision;  // power off: that is what the power button means
    }
    const bool clean = ending.exited && ending.exit_status == 0;
    constexpr const char* kMachineReset =
        "a device handed to the guest has no reset method: the machine's reboot resets it";
    if (clean && ending.guest_reset) {
        decision.action = ExitAction::kReboot;
        decision.reason = "the guest rebooted";
        decision.instead = kMachineReset;
        return decision;
    }
    if (ending.never_started) {
        // Nothing ran, nothing is lost: starting again is safe whatever on_failure says,
        // and bounded by the same restart limit.
        decision.action = ExitAction::kRestart;
        decision.reason = "the guest never started";
    } else if (ending.guest_watchdog) {
        decision.action = policy.on_failure;  // QEMU quit cleanly, but on a hung guest
        decision.reason = "the guest's watchdog expired";
    } else if (clean) {
        decision.action = policy.on_guest_shutdown;
        decision.reason = ending.guest_initiated ? "the guest shut down" : "QEMU exited cleanly";
    } else {
        decision.action = policy.on_failure;
        decision.reason = ending.exited ? "QEMU failed" : "QEMU was killed by a signal";
    }
    if (decision.action != ExitAction::kRestart) return decision;
    // Nothing ran on the device when the guest never started: QEMU may start again.
    if (policy.machine_reset_only && !ending.never_started) {
        decision.action = ExitAction::kReboot;
        decision.instead = kMachineReset;
        return decision;
    }
    const uint64_t window_start =
        now_ms > policy.restart_window_ms ? now_ms - policy.restart_window_ms : 0;
    const unsigned recent = history.count_since(window_start);
    if (recent >= policy.restart_limit) {
        decision.action =
            policy.emergency == ExitAction::kRestart ? ExitAction::kPowerOff : policy.emergency;
        decision.restarts_exhausted = true;
        return decision;
    }
    decision.delay_ms = policy.restart_backoff_ms << (recent < 10 ? recent : 10);
    return decision;
}

}  // namespace hal
