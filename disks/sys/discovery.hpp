// Step 4 of the boot plan: the guest's disks. Finds what the `disk` setting names (waiting,
// bounded, while drivers load), reads each disk's identity, sector sizes and partition table,
// mounts the host partitions that hold image files, and finds the partition for uefi_vars.
#pragma once

#include <cstddef>
#include <cstdint>

#include "config/config.hpp"
#include "disks/filesystem_probe.hpp"
#include "launcher/launcher.hpp"

namespace hal {

// A block device found by LABEL=, UUID=, PARTLABEL= or path, with its filesystem.
struct FoundPartition {
    FixedString<kPathCapacity> device;  // /dev/vdb1
    FixedString<32> disk;               // the whole disk it belongs to (vdb), or itself
    FilesystemInfo filesystem;
};

// Looks for the partition once; false when it is not there (yet).
bool find_partition(const DeviceName& name, FoundPartition& found);

// Mounts `partition` at `directory` (read-only when asked), loading its filesystem's module
// first. Logs and returns false on failure; EROFS/EACCES come back in `error_code`.
bool mount_partition(const FoundPartition& partition, const char* directory, bool read_only, int& error_code);

struct DiskSetup {
    bool ok = false;
    char problem[1024] = "";  // what went wrong, for the fatal log line
};

// Fills facts.disks/disk_count/boot_disk_first. `exclude_disk` (a whole disk's name, or empty)
// is left out of auto and all: the HAL itself keeps files there (uefi_vars).
DiskSetup prepare_guest_disks(const Config& config, std::string_view exclude_disk, HostFacts& facts);

}  // namespace hal
