// What filesystem a partition holds, with its label and UUID as blkid prints them, read from
// its first bytes; for `LABEL=`/`UUID=` device names in the config.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"

namespace hal {

// Bytes from the start of a partition the probe wants (btrfs keeps its superblock at 64 KiB).
inline constexpr size_t kFilesystemProbeBytes = 68 * 1024;

struct FilesystemInfo {
    const char* type = "";   // the kernel's name for mount(2): ext4, vfat, xfs, btrfs, ntfs3, exfat
    FixedString<257> label;  // empty when the filesystem has none
    FixedString<40> uuid;    // 8-4-4-4-12 lowercase, XXXX-XXXX (FAT, exFAT) or 16 hex digits (NTFS)
};

// False when no known filesystem starts in `data`.
bool probe_filesystem(const uint8_t* data, size_t size, FilesystemInfo& info);

// How the config names a partition: LABEL=, UUID=, PARTLABEL=, or a /dev path.
enum class DeviceNameKind { kPath, kLabel, kUuid, kPartLabel };
struct DeviceName {
    DeviceNameKind kind = DeviceNameKind::kPath;
    FixedString<kPathCapacity> value;  // the label, UUID, partition name or path
    bool operator==(const DeviceName&) const = default;
};
Parsed<DeviceName> parse_device_name(std::string_view text);

// UUIDs compare without regard to case, as blkid's do.
bool same_uuid(std::string_view a, std::string_view b);

// `DEVICE:PATH` (a file on a host partition, e.g. LABEL=HALDATA:/hal/vars.fd): the split is
// at the first ":/". Rejected when there is none or either half is empty.
struct FileOnDevice {
    DeviceName device;
    FixedString<kPathCapacity> path;  // absolute, inside the filesystem
    bool operator==(const FileOnDevice&) const = default;
};
Parsed<FileOnDevice> parse_file_on_device(std::string_view text);

}  // namespace hal
