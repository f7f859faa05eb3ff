// Names of the disk settings' values; no I/O.
#include "disks/settings.hpp"

#include "base/setting_text.hpp"

namespace hal {
namespace {

using namespace std::string_view_literals;
constexpr std::string_view kDiskBuses = "auto\0virtio\0ide\0ahci\0nvme\0scsi"sv;
// `unsafe` is deliberately absent: it drops the guest's flushes and loses data on power loss.
constexpr std::string_view kDiskCaches = "auto\0writeback\0none\0writethrough\0directsync"sv;

}  // namespace

Parsed<DiskBus> parse_disk_bus(std::string_view text) {
    return parse_enum<DiskBus>(text, kDiskBuses,
                               "disk_bus must be auto, virtio, ide, ahci, nvme or scsi");
}

Parsed<DiskCache> parse_disk_cache(std::string_view text) {
    return parse_enum<DiskCache>(
        text, kDiskCaches, "disk_cache must be auto, writeback, none, writethrough or directsync");
}

const char* disk_bus_name(DiskBus bus) { return enum_name(bus, kDiskBuses); }
const char* disk_cache_name(DiskCache cache) { return enum_name(cache, kDiskCaches); }

}  // namespace hal
