// The graceful stop ladder as a pure state machine over a caller-supplied clock: ask the
// guest (system_powerdown, repeated), then QMP quit, then SIGTERM, then SIGKILL.
#pragma once

#include <cstdint>

namespace hal {

struct LadderTiming {
    uint64_t powerdown_timeout_ms = 120000;  // config powerdown_timeout
    uint64_t powerdown_repeat_ms = 5000;     // guests may miss the first ACPI event
    uint64_t quit_grace_ms = 5000;
    uint64_t terminate_grace_ms = 5000;
    // This many triggers within the window skip straight to the forced end.
    unsigned impatient_triggers = 3;
    uint64_t impatient_window_ms = 5000;
};

enum class LadderStep { kRunning, kPowerdown, kQuit, kTerminate, kKill };

enum class LadderAction { kNone, kSendPowerdown, kSendQuit, kSendTerminate, kSendKill };

class StopLadder {
public:
    explicit StopLadder(const LadderTiming& timing) : timing_(timing) {}

    // A stop request (power button, SIGTERM, SIGPWR, Ctrl-Alt-Del).
    LadderAction trigger(uint64_t now_ms);
    // Time passed: the next rung when the current one timed out, or a repeat.
    LadderAction tick(uint64_t now_ms);
    // Milliseconds until tick() has something to do; -1 when nothing is pending.
    int64_t next_deadline_in(uint64_t now_ms) const;

    LadderStep step() const { return step_; }
    bool active() const { return step_ != LadderStep::kRunning; }

private:
    LadderAction enter(LadderStep step, uint64_t now_ms);

    LadderTiming timing_;
    LadderStep step_ = LadderStep::kRunning;
    uint64_t step_started_ = 0;
    uint64_t last_powerdown_ = 0;
    uint64_t recent_triggers_[8] = {};
    unsigned trigger_count_ = 0;
};

}  // namespace hal
