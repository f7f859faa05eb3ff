// Dependency-respecting scheduling of module loads.
#include "modules/load_plan.hpp"

#include <algorithm>

namespace hal {

namespace {

// Module tree directories of the drivers that make the guest's disks appear.
constexpr std::string_view kStorageDirectories[] = {
    "kernel/drivers/ata/",     "kernel/drivers/nvme/", "kernel/drivers/scsi/",
    "kernel/drivers/block/",   "kernel/drivers/mmc/",  "kernel/drivers/usb/storage/",
    "kernel/drivers/message/", "kernel/drivers/md/",
};
// Bus drivers whose devices are disks and NICs and GPUs alike.
constexpr std::string_view kBusDirectory = "kernel/drivers/virtio/";
constexpr std::string_view kAcceleratorDirectory = "kernel/arch/x86/kvm/";
// The TPM the launcher passes to the guest (tpm = auto) must be there when QEMU starts.
constexpr std::string_view kTpmDirectory = "kernel/drivers/char/tpm/";
constexpr std::string_view kNetworkDirectories[] = {
    "kernel/drivers/net/ethernet/",    "kernel/drivers/net/macvlan",
    "kernel/drivers/net/macvtap",      "kernel/drivers/net/tap",
    "kernel/drivers/vhost/",           "kernel/drivers/net/virtio_net",
    "kernel/drivers/net/tun",          "kernel/drivers/net/vmxnet3/",
    "kernel/drivers/net/net_failover", "kernel/net/core/failover",
};

bool under_any(std::string_view path, std::span<const std::string_view> directories) {
    for (const std::string_view directory : directories)
        if (path.substr(0, directory.size()) == directory) return true;
    return false;
}

}  // namespace

LoadPriority module_priority(std::string_view path, bool network_critical, bool display_critical) {
    if (path.substr(0, kBusDirectory.size()) == kBusDirectory) return LoadPriority::kBus;
    if (under_any(path, kStorageDirectories)) return LoadPriority::kStorage;
    if (path.substr(0, kAcceleratorDirectory.size()) == kAcceleratorDirectory ||
        path.substr(0, kTpmDirectory.size()) == kTpmDirectory)
        return LoadPriority::kCritical;
    if (display_critical && path.substr(0, 23) == "kernel/drivers/gpu/drm/")
        return LoadPriority::kCritical;
    if (network_critical && under_any(path, kNetworkDirectories)) return LoadPriority::kCritical;
    return LoadPriority::kNormal;
}

unsigned LoadPlan::request(int index, LoadPriority priority) {
    if (index < 0 || static_cast<size_t>(index) >= table_.size()) return 0;
    unsigned added = 0;
    // A module taken at a lower priority than a waiting module that must load after it (a
    // post-softdep requested after its owner's target) is raised to that priority and taken
    // again: whatever a storage or critical module waits for is never held back as normal.
    // Each pass raises a module strictly, so this ends.
    int next = index;
    LoadPriority next_priority = priority;
    while (next >= 0) added += take_closure(next, next_priority, next, next_priority);
    return added;
}

unsigned LoadPlan::take_closure(int index, LoadPriority priority, int& raise_index,
                                LoadPriority& raise_to) {
    // Iterative closure with an explicit stack: no recursion depth to worry about in PID 1.
    // A module visited once per request: newly waiting, or raised to a higher priority.
    uint16_t stack[kMaxModules];
    uint16_t taken[kMaxModules];
    bool visited[kMaxModules] = {};
    size_t depth = 0, taken_count = 0;
    unsigned added = 0;
    auto take = [&](uint16_t module) {
        if (visited[module]) return;
        const LoadState state = state_[module];
        const bool raise = priority > priority_[module] &&
                           (state == LoadState::kWaiting || state == LoadState::kIdle);
        if (state != LoadState::kIdle && !raise) return;
        visited[module] = true;
        if (state == LoadState::kIdle) {
            state_[module] = LoadState::kWaiting;
            ++added;
        }
        if (priority > priority_[module]) priority_[module] = priority;
        stack[depth++] = module;
        taken[taken_count++] = module;
    };
    take(static_cast<uint16_t>(index));
    while (depth > 0) {
        const uint16_t current = stack[--depth];
        for (const uint16_t pulled : table_.pulls(current)) take(pulled);
        // What must load first is on the same path.
        if (priority != LoadPriority::kNormal) {
            for (const uint16_t before : table_.required(current)) take(before);
            for (const uint16_t before : table_.ordered_after(current))
                if (state_[before] == LoadState::kWaiting) take(before);
        }
    }
    raise_index = -1;
    for (size_t i = 0; i < taken_count && raise_index < 0; ++i) {
        const uint16_t module = taken[i];
        for (const uint16_t after : table_.pulls(module)) {
            if (state_[after] != LoadState::kWaiting || priority_[after] <= priority_[module])
                continue;
            const auto waits_for = table_.ordered_after(after);
            if (std::find(waits_for.begin(), waits_for.end(), module) == waits_for.end()) continue;
            raise_index = module;
            raise_to = priority_[after];
            break;
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
    for (const LoadPriority priority :
         {LoadPriority::kBus, LoadPriority::kStorage, LoadPriority::kCritical})
        if (const int ready = next_ready_of(priority); ready >= 0) return ready;
    // Modules the boot does not wait for start only when none it waits for is loading: on a
    // machine with two CPUs they took its time (measured under `make bench`). Never a
    // deadlock: a load in progress always finishes and wakes the workers.
    for (size_t i = 0; i < table_.size(); ++i)
        if (state_[i] == LoadState::kLoading && priority_[i] != LoadPriority::kNormal) return -1;
    return next_ready_of(LoadPriority::kNormal);
}

int LoadPlan::next_ready_of(LoadPriority priority) {
    // Skipping one module can block another earlier in the table, so repeat until stable.
    bool skipped_any = true;
    while (skipped_any) {
        skipped_any = false;
        for (size_t i = 0; i < table_.size(); ++i) {
            if (state_[i] != LoadState::kWaiting || priority_[i] != priority) continue;
            bool blocked = false;
            if (prerequisites_loaded(static_cast<int>(i), blocked)) {
                state_[i] = LoadState::kLoading;
                return static_cast<int>(i);
            }
            if (blocked) {
                state_[i] = LoadState::kSkipped;
                ++skipped_;
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

bool LoadPlan::busy(LoadPriority priority) const {
    for (size_t i = 0; i < table_.size(); ++i)
        if (priority_[i] == priority &&
            (state_[i] == LoadState::kWaiting || state_[i] == LoadState::kLoading))
            return true;
    return false;
}

int LoadPlan::failed_prerequisite(int index) const {
    for (const uint16_t prerequisite : table_.required(static_cast<size_t>(index)))
        if (state_[prerequisite] == LoadState::kFailed ||
            state_[prerequisite] == LoadState::kSkipped)
            return prerequisite;
    return -1;
}

}  // namespace hal
