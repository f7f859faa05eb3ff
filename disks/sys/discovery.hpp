// Step 4 of the boot plan: the guest's disks. Finds what the `disk` setting names (waiting,
// bounded, while drivers load), reads each disk's identity, sector sizes and partition table,
// and mounts the host partitions that hold image files.
#pragma once

#include <string_view>

#include "base/result.hpp"
#include "disks/disk_plan.hpp"
#include "disks/settings.hpp"
#include "disks/sys/storage.hpp"

namespace hal {

// Why the guest cannot have its disks, for the fatal log line.
struct DiskProblem {
    char text[1024] = "";
};

// The disks `settings.specs` names. `exclude_disk` (a whole disk's name, or empty) is left
// out of auto and all, and refused when named: the HAL keeps its own files there (uefi_vars).
Result<FoundDisks, DiskProblem> find_guest_disks(StorageEnvironment& environment,
                                                 const DiskSettings& settings,
                                                 std::string_view exclude_disk);

}  // namespace hal
