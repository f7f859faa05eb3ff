// QEMU's -drive/-device arguments for the guest's disks, with each host disk's identity.
#pragma once

#include "disks/disk_plan.hpp"
#include "launcher/launcher.hpp"

namespace hal {

// Controllers (one AHCI per six disks, one virtio-scsi, one NVMe per disk) and drives, in
// the plan's order, bootindex 0 for the first disk.
void add_disk_arguments(const DiskPlan& plan, Argv& argv);

// QEMU option syntax doubles a comma inside a value; this returns the value with commas
// doubled in `out` (false when it does not fit).
bool escape_option_value(std::string_view value, FixedString<256>& out);

}  // namespace hal
