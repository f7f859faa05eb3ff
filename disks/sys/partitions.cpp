// Partition search over /sys/class/block with a filesystem probe of each; mounting.
#include "disks/sys/partitions.hpp"

#include "base/sys/fs.hpp"
#include "base/sys/mount.hpp"
#include "disks/sys/disk_reader.hpp"

namespace hal {

bool find_partition(const DeviceName& name, FoundPartition& found) {
    bool matched = false;
    (void)sys::for_each_entry("/sys/class/block", [&](const char* entry) {
        if (matched || is_virtual_disk(entry)) return;
        FixedString<kPathCapacity> device;
        if (!device.assign("/dev/") || !device.append(entry)) return;
        if (name.kind == DeviceNameKind::kPath && device.view() != name.value.view()) return;
        if (name.kind == DeviceNameKind::kPartLabel && !partition_named(entry, name.value.view()))
            return;
        FilesystemInfo filesystem;
        const std::span<const uint8_t> head = read_head(device.c_str(), kFilesystemProbeBytes);
        if (!probe_filesystem(head.data(), head.size(), filesystem)) return;
        if (name.kind == DeviceNameKind::kLabel && filesystem.label.view() != name.value.view())
            return;
        if (name.kind == DeviceNameKind::kUuid &&
            !same_uuid(filesystem.uuid.view(), name.value.view()))
            return;
        found.device = device;
        found.filesystem = filesystem;
        parent_disk(entry, found.disk);
        matched = true;
    });
    return matched;
}

Status mount_partition(StorageEnvironment& environment, const FoundPartition& partition,
                       const char* directory, bool read_only) {
    environment.load_filesystem(partition.filesystem.type);  // built in, or packed; mount tells
    TRY(sys::make_directories(directory, 0700));
    return sys::mount_filesystem(partition.device.c_str(), directory, partition.filesystem.type,
                                 read_only ? sys::kMountReadOnly : 0, "");
}

}  // namespace hal
