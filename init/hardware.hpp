// Step 3 of the boot plan: kernel modules, early list then coldplug, and uevents afterwards.
#pragma once

#include <cstdint>

#include "common/config.hpp"

namespace hal {

struct HardwareSummary {
    uint32_t early = 0;       // modules from the packer's list queued at boot
    uint32_t coldplug = 0;    // modules queued because a device's modalias matched
    uint32_t loaded = 0;
    uint32_t failed = 0;      // including modules skipped because a dependency failed
    uint64_t elapsed_ms = 0;
};

// Reads the image's module index, opens the uevent socket and starts loading, in the
// background, the early list (KVM vendor module chosen from the CPU) and whatever present
// devices need. Returns at once; never fatal.
void start_hardware(const char* kernel_release, const Config& config);

// Waits until every module queued so far, and every module the uevents that arrived meanwhile
// asked for, has loaded; ends the loader threads. Call before launching QEMU.
HardwareSummary settle_hardware();

// The uevent socket, or -1; the device waits poll it and pass it to service_uevents().
int uevent_fd();
// Handles pending uevents: queues modules for new devices, creates nodes without devtmpfs.
// Returns true when it queued modules.
bool service_uevents();

}  // namespace hal
