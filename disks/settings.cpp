// Names of the disk settings' values; no I/O.
#include "disks/settings.hpp"

#include "base/setting_text.hpp"

namespace hal {
namespace {

constexpr NamedValue<DiskBus> kDiskBuses[] = {{"auto", DiskBus::kAuto}, {"virtio", DiskBus::kVirtio},
                                              {"ide", DiskBus::kIde},   {"ahci", DiskBus::kAhci},
                                              {"nvme", DiskBus::kNvme}, {"scsi", DiskBus::kScsi}};
// `unsafe` is deliberately absent: it drops the guest's flushes and loses data on power loss.
constexpr NamedValue<DiskCache> kDiskCaches[] = {{"auto", DiskCache::kAuto},
                                                 {"writeback", DiskCache::kWriteback},
                                                 {"none", DiskCache::kNone},
                                                 {"writethrough", DiskCache::kWritethrough},
                                                 {"directsync", DiskCache::kDirectsync}};

}  // namespace

Parsed<DiskBus> parse_disk_bus(std::string_view text) {
    return parse_named(text, kDiskBuses, "disk_bus must be auto, virtio, ide, ahci, nvme or scsi");
}

Parsed<DiskCache> parse_disk_cache(std::string_view text) {
    return parse_named(text, kDiskCaches,
                       "disk_cache must be auto, writeback, none, writethrough or directsync");
}

const char* disk_bus_name(DiskBus bus) { return name_of(bus, kDiskBuses); }
const char* disk_cache_name(DiskCache cache) { return name_of(cache, kDiskCaches); }

}  // namespace hal
