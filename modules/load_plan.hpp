// The module load schedule: which requested module may load now. Pure state; hal-init's
// worker threads drive it under a mutex, unit tests drive it directly.
#pragma once

#include <cstdint>
#include <string_view>

#include "modules/module_table.hpp"

namespace hal {

enum class LoadState : uint8_t { kIdle, kWaiting, kLoading, kLoaded, kFailed, kSkipped };

// Ready modules load in the order kBus, kStorage, kCritical, kNormal (the enum's order,
// highest last). Bus drivers that bring disks and other devices alike (virtio_pci: a virtio
// disk, and a virtio NIC or GPU) come first: both the disk search and the launch wait for
// them. Storage drivers come next: the search for the guest's disks waits for them, and once
// its disks are found the boot does not (a slow RAID HBA beside the NVMe boot disk). Critical
// modules are the rest of what the guest needs before QEMU starts (the accelerator, a bridged
// guest's NIC); the launch waits for them. Everything else loads while QEMU runs.
enum class LoadPriority : uint8_t { kNormal, kCritical, kStorage, kBus };

// A module's priority from its path in the module tree: virtio's bus drivers are kBus, storage
// drivers kStorage, KVM and the TPM drivers kCritical; `network_critical` adds the wired network
// drivers and the macvtap/vhost stack a bridged guest's NIC needs, `display_critical` the DRM
// drivers (the host monitor's mode goes into the guest's EDID).
LoadPriority module_priority(std::string_view path, bool network_critical,
                             bool display_critical = false);

class LoadPlan {
public:
    explicit LoadPlan(const ModuleTable& table) : table_(table) {}

    // Requests a module and everything it pulls in; returns how many became newly waiting.
    // A request above kNormal gives the module, what it pulls in and what must load before it
    // that priority, raising any that were waiting at a lower one.
    unsigned request(int index, LoadPriority priority = LoadPriority::kNormal);

    // A waiting module whose prerequisites have all loaded, now marked kLoading, the highest
    // priority first; a normal one only while no bus, storage or critical module is loading.
    // -1 when none is ready. Waiting modules whose prerequisite failed become
    // kSkipped here.
    int next_ready();
    void finish(int index, bool loaded) {
        state_[index] = loaded ? LoadState::kLoaded : LoadState::kFailed;
    }

    bool busy() const;                       // something is waiting or loading
    bool busy(LoadPriority priority) const;  // a module of this priority is waiting or loading
    unsigned skipped_count() const { return skipped_; }  // grows when next_ready() skips
    LoadState state(int index) const { return state_[index]; }
    LoadPriority priority(int index) const { return priority_[index]; }
    // The prerequisite that made `index` skipped (or -1).
    int failed_prerequisite(int index) const;

private:
    bool prerequisites_loaded(int index, bool& blocked) const;
    // One request's closure at `priority`; sets raise_index (-1 when none) to a module it took
    // that a waiting module of higher priority (raise_to) must load after.
    unsigned take_closure(int index, LoadPriority priority, int& raise_index,
                          LoadPriority& raise_to);

    int next_ready_of(LoadPriority priority);

    const ModuleTable& table_;
    LoadState state_[kMaxModules] = {};
    LoadPriority priority_[kMaxModules] = {};
    unsigned skipped_ = 0;
};

}  // namespace hal
