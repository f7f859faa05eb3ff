// Boot signs from a parsed partition table; no I/O.
#include "disks/boot_signs.hpp"

namespace hal {

DiskBootSigns boot_signs(const PartitionTable& table) {
    DiskBootSigns signs;
    signs.uefi = table.has(PartitionKind::kEfiSystem);
    // On a GPT disk the protective MBR's code matters only with a BIOS boot partition (GRUB
    // puts core.img there); some tools leave boot code in protective MBRs of UEFI disks.
    signs.bios = table.gpt ? table.has(PartitionKind::kBiosBoot)
                           : table.mbr_signature && table.mbr_boot_code && !table.protective_mbr;
    return signs;
}

}  // namespace hal
