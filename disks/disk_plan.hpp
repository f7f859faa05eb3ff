// The guest's disks: from what hal-init found on the host to what QEMU is asked for, in boot
// order, each on a bus that can carry the host disk's identity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "disks/boot_signs.hpp"
#include "disks/disk_identity.hpp"
#include "disks/disk_spec.hpp"
#include "disks/settings.hpp"

namespace hal {

enum class ImageFormat : uint8_t { kRaw, kQcow2 };

// One host disk or image file, as hal-init found it.
struct HostDisk {
    FixedString<kPathCapacity> path;  // what QEMU opens: /dev/sda, or an image under /run/hal/mnt
    FixedString<32> name;             // sda, nvme0n1, or the image's file name
    FixedString<kPathCapacity>
        order_key;  // resolved sysfs path: PCI topology order, stable across boots
    HostBus bus = HostBus::kOther;
    DiskIdentity identity;
    uint32_t logical_block = 512;
    uint32_t physical_block = 512;
    bool rotational = true;
    bool discard = false;      // the device takes discards (queue/discard_max_bytes > 0)
    bool block_device = true;  // false: an image file on a host partition
    ImageFormat format = ImageFormat::kRaw;
    bool direct_io = true;  // opens with O_DIRECT, so cache=none works
    DiskBootSigns boot;     // from its partition table
    bool bootable() const { return boot.uefi || boot.bios; }
};

// The guest's disks as hal-init found them (disks/sys/discovery.hpp); for `disk = all` the boot
// disk goes first, otherwise the config's order is kept.
struct FoundDisks {
    HostDisk disks[kMaxGuestDisks];
    size_t count = 0;
    bool boot_disk_first = false;
    // The boot disk went to the guest with its controller (passthrough): not emulated, but its
    // boot signs still choose the firmware and tell Windows.
    std::optional<DiskBootSigns> passed_boot;
    // The boot disk's signs, emulated or passed; none without a disk.
    DiskBootSigns boot_signs() const {
        return passed_boot ? *passed_boot : count > 0 ? disks[0].boot : DiskBootSigns{};
    }
};

struct GuestDisk {
    HostDisk host;
    DiskBus bus = DiskBus::kVirtio;  // never kAuto here
    DiskCache cache = DiskCache::kWriteback;
    bool native_aio = false;      // aio=native (needs cache=none)
    bool snapshot = false;        // writes go to a RAM overlay and are discarded
    const char* cache_note = "";  // why the cache mode differs from what was asked, for the log
};

struct DiskPlan {
    GuestDisk disks[kMaxGuestDisks];
    size_t count = 0;
};

// The boot disk for `auto`: the first bootable disk in `order_key` order, else the first disk;
// -1 when there is none.
int choose_auto_disk(const HostDisk* disks, size_t count);

// `disks` in the order the spec gave them (for `all`: the boot disk first, then `order_key`
// order), with buses (disk_bus, or auto: the host's bus where QEMU has one that carries its
// identity, AHCI otherwise and for image files), cache modes (disk_cache, or auto: none with
// native AIO for block devices that take O_DIRECT, writeback for files) and snapshot.
DiskPlan plan_disks(const FoundDisks& found, const DiskSettings& settings);

const char* image_format_name(ImageFormat format);

}  // namespace hal
