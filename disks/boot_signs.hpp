// What a disk's partition table says about how it boots: an EFI System Partition, BIOS boot
// code. No I/O.
#pragma once

#include "disks/partition_table.hpp"

namespace hal {

struct DiskBootSigns {
    bool uefi = false;  // an EFI System Partition (GPT, or MBR type 0xEF)
    bool bios = false;  // MBR boot code on a non-GPT disk, or a GPT BIOS boot partition
};

DiskBootSigns boot_signs(const PartitionTable& table);

}  // namespace hal
