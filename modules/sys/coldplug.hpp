// Step 3 of the boot plan: kernel modules, early list then coldplug, and uevents afterwards.
#pragma once

#include <cstdint>

#include "config/config.hpp"

namespace hal {

struct HardwareSummary {
    uint32_t early = 0;       // modules from the packer's list queued at boot
    uint32_t coldplug = 0;    // modules queued because a device's modalias matched
    uint32_t storage = 0;     // of those, storage drivers (loaded first, waited for by the disk search)
    uint32_t critical = 0;    // and the rest of what QEMU's launch waits for (KVM, a bridged NIC...)
    uint32_t loaded = 0;
    uint32_t failed = 0;      // including modules skipped because a dependency failed
    uint64_t elapsed_ms = 0;
};

// Reads the image's module index, opens the uevent socket and starts loading, in the
// background, the early list (KVM vendor module chosen from the CPU) and whatever present
// devices need, storage and critical modules first (load_plan.hpp). Returns at once; never fatal.
void start_hardware(const char* kernel_release, const Config& config);

// Waits until every bus and critical module queued so far, and every one the uevents that
// arrived meanwhile asked for, has loaded: a bus driver still probing when the boot disk
// appeared may yet bring the NIC the guest is bridged to. Call before launching QEMU, once
// the disks are found; storage drivers of other controllers and the other modules go on
// loading while it runs.
HardwareSummary settle_critical_hardware();

// For the supervision loop: once every module has loaded, logs the totals (once).
void report_hardware_when_idle();

// True while a storage driver is waiting or loading: a disk may still appear.
bool storage_modules_busy();
// When the last storage device appeared: a disk, or a SCSI/ATA/NVMe object on the way to one
// (monotonic ms; the boot's start when none has).
uint64_t last_storage_activity_ms();
// Loads, now, what mounting a `type` filesystem needs: the modules with alias fs-TYPE and the
// packed NLS tables. False when no module has that alias (built in, or not packed).
bool load_modules_for_filesystem(std::string_view type);
// Loads, now, every packed module with an alias matching `alias` (fs-ext4 before mounting an
// ext4 partition: there is no modprobe for the kernel to call). False when none is packed.
bool load_modules_for_alias(std::string_view alias);

// The uevent socket, or -1; the device waits and the supervision loop poll it and pass it to
// service_uevents().
int uevent_fd();

struct UeventEffects {
    bool queued_modules = false;  // a new device needed a packed driver
    bool input_added = false;     // an input event device appeared (power buttons, keyboards)
};
// Handles pending uevents: queues modules for new devices, creates nodes without devtmpfs.
UeventEffects service_uevents();
// Uevents received since boot (every action), for the test build's memory report.
uint64_t uevents_received();

}  // namespace hal
