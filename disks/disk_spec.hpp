// The `disk` setting: which host disks (or image files on host partitions) the guest gets,
// parsed once into owned values. No I/O.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.hpp"
#include "disks/filesystem_probe.hpp"

namespace hal {

inline constexpr size_t kMaxGuestDisks = 8;
inline constexpr size_t kDiskSettingCapacity = 512;

enum class DiskSpecKind {
    kAuto,    // the first bootable non-removable whole disk (else the first one)
    kAll,     // every non-removable whole disk, the boot disk first
    kPath,    // /dev/... (a whole disk, or any block device named by path)
    kSerial,  // serial:TEXT (sysfs serial, as /dev/disk/by-id shows it)
    kWwid,    // wwid:TEXT
    kImage,   // DEVICE:/path/file: a raw or qcow2 image on a host partition
};

struct DiskSpec {
    DiskSpecKind kind = DiskSpecKind::kAuto;
    FixedString<kPathCapacity> text;   // the entry as written, for log lines
    FixedString<kPathCapacity> value;  // path, serial or wwid
    FileOnDevice image;                // kImage
    bool operator==(const DiskSpec&) const = default;
};

struct DiskSpecList {
    FixedString<kDiskSettingCapacity> text;  // the whole setting as written, for log lines
    DiskSpec specs[kMaxGuestDisks];
    size_t count = 0;

    static DiskSpecList automatic();  // `auto`, the default
    DiskSpecKind first_kind() const { return specs[0].kind; }
    bool operator==(const DiskSpecList&) const = default;
};

// `auto`, `all`, or a comma-separated list of paths, serial:, wwid: and DEVICE:/FILE entries.
// Rejected: an empty entry, an unknown form, auto/all inside a list, too many entries.
Parsed<DiskSpecList> parse_disk_specs(std::string_view text);

}  // namespace hal
