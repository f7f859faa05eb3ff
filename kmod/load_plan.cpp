// Dependency-respecting scheduling of module loads.
#include "common/load_plan.hpp"

namespace hal {

unsigned LoadPlan::request(int index) {
    if (index < 0 || static_cast<size_t>(index) >= table_.size() || state_[index] != LoadState::kIdle) return 0;
    // Iterative closure with an explicit stack: no recursion depth to worry about in PID 1.
    uint16_t stack[kMaxModules];
    size_t depth = 0;
    unsigned added = 0;
    state_[index] = LoadState::kWaiting;
    stack[depth++] = static_cast<uint16_t>(index);
    ++added;
    while (depth > 0) {
        const uint16_t current = stack[--depth];
        for (const uint16_t pulled : table_.pulls(current)) {
            if (state_[pulled] != LoadState::kIdle) continue;
            state_[pulled] = LoadState::kWaiting;
            stack[depth++] = pulled;
            ++added;
        }
    }
    return added;
}

// A prerequisite counts only when it takes part in this boot (idle ones belong to a
// post-softdep relation whose owner was never requested).
bool LoadPlan::prerequisites_loaded(int index, bool& blocked) const {
    blocked = false;
    bool all_done = true;
    for (const uint16_t prerequisite : table_.required(static_cast<size_t>(index))) {
        const LoadState state = state_[prerequisite];
        if (state == LoadState::kFailed || state == LoadState::kSkipped) blocked = true;
        if (state == LoadState::kWaiting || state == LoadState::kLoading) all_done = false;
    }
    for (const uint16_t predecessor : table_.ordered_after(static_cast<size_t>(index))) {
        const LoadState state = state_[predecessor];
        if (state == LoadState::kWaiting || state == LoadState::kLoading) all_done = false;
    }
    return all_done && !blocked;
}

int LoadPlan::next_ready() {
    // Skipping one module can block another earlier in the table, so repeat until stable.
    bool skipped_any = true;
    while (skipped_any) {
        skipped_any = false;
        for (size_t i = 0; i < table_.size(); ++i) {
            if (state_[i] != LoadState::kWaiting) continue;
            bool blocked = false;
            if (prerequisites_loaded(static_cast<int>(i), blocked)) {
                state_[i] = LoadState::kLoading;
                return static_cast<int>(i);
            }
            if (blocked) {
                state_[i] = LoadState::kSkipped;
                skipped_any = true;
            }
        }
    }
    return -1;
}

bool LoadPlan::busy() const {
    for (size_t i = 0; i < table_.size(); ++i)
        if (state_[i] == LoadState::kWaiting || state_[i] == LoadState::kLoading) return true;
    return false;
}

int LoadPlan::failed_prerequisite(int index) const {
    for (const uint16_t prerequisite : table_.required(static_cast<size_t>(index)))
        if (state_[prerequisite] == LoadState::kFailed || state_[prerequisite] == LoadState::kSkipped)
            return prerequisite;
    return -1;
}

}  // namespace hal
