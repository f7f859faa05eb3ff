// Disk ordering, bus and cache choices; no I/O.
#include "disks/disk_plan.hpp"

#include <algorithm>

namespace hal {
namespace {

bool before(const HostDisk& a, const HostDisk& b) {
    return a.order_key.view() < b.order_key.view();
}

// The guest bus that carries a host disk's identity: virtio keeps its serial, SATA becomes
// AHCI (serial, model, WWN), NVMe stays NVMe (serial, EUI-64), SAS/SCSI becomes SCSI (serial,
// vendor, product, WWN). USB, MMC and files go to AHCI, which every OS drives.
DiskBus mirrored_bus(const HostDisk& disk) {
    // ATA in QEMU has 512-byte logical sectors only: a 4Kn disk's partition table is in 4096-byte
    // units, so such a disk goes to SCSI, which can carry its sector size.
    const DiskBus ata = disk.logical_block == 512 ? DiskBus::kAhci : DiskBus::kScsi;
    if (!disk.block_device) return ata;
    switch (disk.bus) {
        case HostBus::kVirtio: return DiskBus::kVirtio;
        case HostBus::kSata: return ata;
        case HostBus::kNvme: return DiskBus::kNvme;
        case HostBus::kScsi: return DiskBus::kScsi;
        case HostBus::kUsb:
        case HostBus::kMmc:
        case HostBus::kOther: break;
    }
    return ata;
}

void choose_cache(GuestDisk& guest, const DiskSettings& settings) {
    if (settings.cache != DiskCache::kAuto) {
        guest.cache = settings.cache;
        if (guest.cache == DiskCache::kNone && !guest.host.direct_io) {
            guest.cache = DiskCache::kWriteback;
            guest.cache_note =
                "disk_cache = none, but the device refuses O_DIRECT: writeback instead";
        }
        guest.native_aio = guest.cache == DiskCache::kNone;
        return;
    }
    if (guest.host.block_device && guest.host.direct_io) {
        guest.cache = DiskCache::kNone;
        guest.native_aio = true;
        return;
    }
    guest.cache = DiskCache::kWriteback;
    if (guest.host.block_device)
        guest.cache_note = "the device refuses O_DIRECT: writeback instead of none";
}

}  // namespace

int choose_auto_disk(const HostDisk* disks, size_t count) {
    int best = -1;
    bool best_bootable = false;
    for (size_t i = 0; i < count; ++i) {
        const bool bootable = disks[i].bootable();
        if (best < 0 || (bootable && !best_bootable) ||
            (bootable == best_bootable && before(disks[i], disks[static_cast<size_t>(best)]))) {
            best = static_cast<int>(i);
            best_bootable = bootable;
        }
    }
    return best;
}

DiskPlan plan_disks(const FoundDisks& found, const DiskSettings& settings) {
    DiskPlan plan;
    const HostDisk* disks = found.disks;
    size_t order[kMaxGuestDisks];
    const size_t count = std::min(found.count, kMaxGuestDisks);
    for (size_t i = 0; i < count; ++i) order[i] = i;
    if (found.boot_disk_first) {
        const int boot = choose_auto_disk(disks, count);
        std::sort(order, order + count, [&](size_t a, size_t b) {
            if (static_cast<int>(a) == boot || static_cast<int>(b) == boot)
                return static_cast<int>(a) == boot;
            return before(disks[a], disks[b]);
        });
    }
    for (size_t i = 0; i < count; ++i) {
        GuestDisk& guest = plan.disks[plan.count++];
        guest.host = disks[order[i]];
        guest.bus = settings.bus == DiskBus::kAuto ? mirrored_bus(guest.host) : settings.bus;
        guest.snapshot = settings.snapshot;
        choose_cache(guest, settings);
    }
    return plan;
}

const char* image_format_name(ImageFormat format) {
    return format == ImageFormat::kQcow2 ? "qcow2" : "raw";
}

}  // namespace hal
