// The disks capability's settings (disk, disk_timeout, disk_bus, disk_cache, snapshot,
// snapshot_size) as typed values, and the parsers config/ calls once for each. No I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "disks/disk_spec.hpp"

namespace hal {

// kAuto: the host disk's own bus where QEMU has one that carries its identity.
enum class DiskBus { kAuto, kVirtio, kIde, kAhci, kNvme, kScsi };
// kAuto: none with native AIO for block devices (O_DIRECT), writeback for image files.
enum class DiskCache { kAuto, kWriteback, kNone, kWritethrough, kDirectsync };

struct DiskSettings {
    DiskSpecList specs = DiskSpecList::automatic();  // disk
    uint32_t timeout_seconds = 30;                   // how long hal-init waits for the disks
    DiskBus bus = DiskBus::kAuto;                    // how the guest sees its disks
    DiskCache cache = DiskCache::kAuto;
    bool snapshot = false;  // yes: guest writes go to a RAM overlay, dropped at power-off
    uint32_t snapshot_size_mib = 1024;  // the overlay's cap
    bool operator==(const DiskSettings&) const = default;
};

Parsed<DiskBus> parse_disk_bus(std::string_view text);
Parsed<DiskCache> parse_disk_cache(std::string_view text);
const char* disk_bus_name(DiskBus bus);
const char* disk_cache_name(DiskCache cache);

}  // namespace hal
