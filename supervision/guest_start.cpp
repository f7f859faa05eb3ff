// The guest start watch: queries once a second until a verdict, then stays quiet.
#include "supervision/guest_start.hpp"

namespace hal {

GuestStartWatch::GuestStartWatch(uint64_t timeout_ms, uint64_t now_ms)
    : timeout_ms_(timeout_ms), started_ms_(now_ms) {
    if (timeout_ms == 0) state_ = StartState::kUnavailable;
}

int64_t GuestStartWatch::next_query_in(uint64_t now_ms) const {
    if (state_ != StartState::kWatching || query_outstanding_) return -1;
    if (!queried_) return 0;
    const uint64_t due = last_query_ms_ + kStartQueryIntervalMs;
    return due > now_ms ? static_cast<int64_t>(due - now_ms) : 0;
}

int64_t GuestStartWatch::deadline_in(uint64_t now_ms) const {
    if (state_ != StartState::kWatching) return -1;
    const uint64_t due = started_ms_ + timeout_ms_;
    return due > now_ms ? static_cast<int64_t>(due - now_ms) : 0;
}

void GuestStartWatch::query_sent(uint64_t now_ms) {
    queried_ = true;
    query_outstanding_ = true;
    last_query_ms_ = now_ms;
}

StartState GuestStartWatch::on_reply(uint64_t now_ms, unsigned values, uint64_t io_exits) {
    query_outstanding_ = false;
    if (state_ != StartState::kWatching) return state_;
    ++replies_;
    if (values == 0) return state_ = StartState::kUnavailable;
    io_exits_ = io_exits;
    if (io_exits >= kStartedIoExits) return state_ = StartState::kStarted;
    return tick(now_ms);
}

StartState GuestStartWatch::on_error() {
    query_outstanding_ = false;
    if (state_ == StartState::kWatching) state_ = StartState::kUnavailable;
    return state_;
}

StartState GuestStartWatch::tick(uint64_t now_ms) {
    if (state_ == StartState::kWatching && now_ms - started_ms_ >= timeout_ms_)
        state_ = StartState::kStuck;
    return state_;
}

}  // namespace hal
