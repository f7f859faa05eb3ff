// Reading one host disk or image file as the guest will get it: its bus, identity (serial,
// model, WWN, EUI-64), sector sizes, whether it takes O_DIRECT, and its boot signs from the
// partition table; for images, the format (raw or qcow2, with a backing file that must
// resolve). Also what a partition belongs to. Reads sysfs and the devices themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"
#include "disks/disk_plan.hpp"

namespace hal {

// A whole disk /sys/block/NAME, read in full; false when it vanished meanwhile.
bool read_host_disk(std::string_view name, HostDisk& disk);

// A block device that is no whole disk (a partition, a device-mapper node), used as it is.
void read_other_block_device(std::string_view path, HostDisk& disk);

// Disks that are never the machine's own (loop, ram, zram, dm, md, optical, floppy, nbd).
bool is_virtual_disk(std::string_view name);
// A real, non-removable whole disk with a size.
bool is_candidate_disk(std::string_view name);

// `disk` matches a serial:TEXT or wwid:TEXT entry: its identity, or the raw sysfs attributes
// /dev/disk/by-id names come from.
bool disk_has_serial(const HostDisk& disk, std::string_view serial);
bool disk_has_wwid(const HostDisk& disk, std::string_view wwid);

// An image file on a mounted host partition, read as the guest will see it. The rejection
// names the file and what is wrong with it.
struct ImageProblem {
    char text[512] = "";
};
Result<HostDisk, ImageProblem> read_image(std::string_view file);

// The boot disk's ESP, read once it is chosen (not at every look for disks): a signed loader
// (the guest's Secure Boot may follow the host's) and Windows Boot Manager. Raw disks and
// images only.
void read_esp_signs(HostDisk& disk);

// The whole disk a block device belongs to (vdb for vdb1; itself for a whole disk).
void parent_disk(const char* name, FixedString<32>& disk);
// True when partition `name` (vdb1) is named `wanted` in its disk's GPT.
bool partition_named(const char* name, std::string_view wanted);

// The first `size` bytes (at most the partition table's) of a device or file, into the one
// shared sector buffer; returns them (fewer for a short device, none when unreadable).
std::span<const uint8_t> read_head(const char* path, size_t size);

}  // namespace hal
