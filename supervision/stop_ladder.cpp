// Stop ladder transitions; every decision depends only on the inputs, for tests with a fake clock.
#include "supervision/stop_ladder.hpp"

namespace hal {

LadderAction StopLadder::enter(LadderStep step, uint64_t now_ms) {
    step_ = step;
    step_started_ = now_ms;
    switch (step) {
        case LadderStep::kPowerdown: last_powerdown_ = now_ms; return LadderAction::kSendPowerdown;
        case LadderStep::kQuit: return LadderAction::kSendQuit;
        case LadderStep::kTerminate: return LadderAction::kSendTerminate;
        case LadderStep::kKill: return LadderAction::kSendKill;
        case LadderStep::kRunning: break;
    }
    return LadderAction::kNone;
}

LadderAction StopLadder::trigger(uint64_t now_ms) {
    // Remember the last few triggers to recognise an impatient user.
    constexpr unsigned kKept = sizeof recent_triggers_ / sizeof recent_triggers_[0];
    recent_triggers_[trigger_count_ % kKept] = now_ms;
    ++trigger_count_;
    unsigned recent = 0;
    for (unsigned i = 0; i < kKept && i < trigger_count_; ++i)
        if (now_ms - recent_triggers_[i] <= timing_.impatient_window_ms) ++recent;
    if (step_ == LadderStep::kRunning) return enter(LadderStep::kPowerdown, now_ms);
    // A second trigger does not restart the ladder; many in a short time skip to the end.
    if (recent >= timing_.impatient_triggers && step_ < LadderStep::kQuit)
        return enter(LadderStep::kQuit, now_ms);
    return LadderAction::kNone;
}

LadderAction StopLadder::tick(uint64_t now_ms) {
    const uint64_t in_step = now_ms - step_started_;
    switch (step_) {
        case LadderStep::kRunning: return LadderAction::kNone;
        case LadderStep::kPowerdown:
            if (in_step >= timing_.powerdown_timeout_ms) return enter(LadderStep::kQuit, now_ms);
            if (now_ms - last_powerdown_ >= timing_.powerdown_repeat_ms) {
                last_powerdown_ = now_ms;
                return LadderAction::kSendPowerdown;
            }
            return LadderAction::kNone;
        case LadderStep::kQuit:
            return in_step >= timing_.quit_grace_ms ? enter(LadderStep::kTerminate, now_ms)
                                                    : LadderAction::kNone;
        case LadderStep::kTerminate:
            return in_step >= timing_.terminate_grace_ms ? enter(LadderStep::kKill, now_ms)
                                                         : LadderAction::kNone;
        case LadderStep::kKill: return LadderAction::kNone;
    }
    return LadderAction::kNone;
}

int64_t StopLadder::next_deadline_in(uint64_t now_ms) const {
    auto remaining = [now_ms](uint64_t deadline) -> int64_t {
        return deadline > now_ms ? static_cast<int64_t>(deadline - now_ms) : 0;
    };
    switch (step_) {
        case LadderStep::kRunning:
        case LadderStep::kKill: return -1;
        case LadderStep::kPowerdown: {
            const uint64_t timeout = step_started_ + timing_.powerdown_timeout_ms;
            const uint64_t repeat = last_powerdown_ + timing_.powerdown_repeat_ms;
            return remaining(timeout < repeat ? timeout : repeat);
        }
        case LadderStep::kQuit: return remaining(step_started_ + timing_.quit_grace_ms);
        case LadderStep::kTerminate: return remaining(step_started_ + timing_.terminate_grace_ms);
    }
    return -1;
}

}  // namespace hal
