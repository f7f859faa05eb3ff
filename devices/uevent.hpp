// Parser for kernel uevent messages (NETLINK_KOBJECT_UEVENT): "action@devpath\0KEY=value\0...".
#pragma once

#include <string_view>

namespace hal {

struct Uevent {
    std::string_view action;  // add, remove, bind, change...
    std::string_view devpath;
    std::string_view subsystem;
    std::string_view modalias;      // empty when the device has none
    std::string_view devname;       // node name under /dev, when it has one
    std::string_view major, minor;  // device numbers, when it has a node
};

// False for anything that is not a well-formed kernel message (udev's "libudev" messages
// and truncated datagrams included); every read stays inside `message`.
bool parse_uevent(std::string_view message, Uevent& event);

// A storage controller still finding its disks: block devices, and the SCSI, ATA and NVMe
// objects that come before one (a SATA port probing its link adds its host and link long
// before the disk). The disk search's quiet period restarts on each.
bool is_storage_activity(const Uevent& event);

}  // namespace hal
