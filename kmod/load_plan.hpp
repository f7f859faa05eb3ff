// The module load schedule: which requested module may load now. Pure state; hal-init's
// worker threads drive it under a mutex, unit tests drive it directly.
#pragma once

#include <cstdint>

#include "common/module_table.hpp"

namespace hal {

enum class LoadState : uint8_t { kIdle, kWaiting, kLoading, kLoaded, kFailed, kSkipped };

class LoadPlan {
public:
    explicit LoadPlan(const ModuleTable& table) : table_(table) {}

    // Requests a module and everything it pulls in; returns how many became newly waiting.
    unsigned request(int index);

    // A waiting module whose prerequisites have all loaded, now marked kLoading; -1 when
    // none is ready. Waiting modules whose prerequisite failed become kSkipped here.
    int next_ready();
    void finish(int index, bool loaded) { state_[index] = loaded ? LoadState::kLoaded : LoadState::kFailed; }

    bool busy() const;      // something is waiting or loading
    LoadState state(int index) const { return state_[index]; }
    // The prerequisite that made `index` skipped (or -1).
    int failed_prerequisite(int index) const;

private:
    bool prerequisites_loaded(int index, bool& blocked) const;

    const ModuleTable& table_;
    LoadState state_[kMaxModules] = {};
};

}  // namespace hal
