// The `disk` setting: which host disks (or image files on host partitions) the guest gets.
#pragma once

#include <cstddef>
#include <string_view>

#include "disks/filesystem_probe.hpp"

namespace hal {

inline constexpr size_t kMaxGuestDisks = 8;

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
    std::string_view text;   // the whole entry as written, for log lines
    std::string_view value;  // path, serial or wwid
    FileOnDevice image;      // kImage
};

struct DiskSpecList {
    DiskSpec specs[kMaxGuestDisks];
    size_t count = 0;
};

// `auto`, `all`, or a comma-separated list of paths, serial:, wwid: and DEVICE:/FILE entries.
// False with `problem` set on an empty entry, an unknown form, auto/all inside a list or too
// many entries.
bool parse_disk_specs(std::string_view text, DiskSpecList& list, const char*& problem);

}  // namespace hal
