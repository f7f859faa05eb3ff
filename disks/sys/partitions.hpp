// Host partitions the HAL itself uses (image files, the UEFI variable file): found by LABEL=,
// UUID=, PARTLABEL= or path, and mounted with their filesystem's driver loaded first.
#pragma once

#include "base/text.hpp"
#include "disks/filesystem_probe.hpp"
#include "disks/sys/storage.hpp"

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
// first. The error is mkdir's or mount's (EROFS, EACCES...).
Status mount_partition(StorageEnvironment& environment, const FoundPartition& partition,
                       const char* directory, bool read_only);

}  // namespace hal
