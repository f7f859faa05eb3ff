// Boot signs from a parsed partition table and a partition's boot record; no I/O.
#include "disks/boot_signs.hpp"

#include <string_view>

namespace hal {

DiskBootSigns boot_signs(const PartitionTable& table) {
    DiskBootSigns signs;
    signs.uefi = table.has(PartitionKind::kEfiSystem);
    // On a GPT disk the protective MBR's code matters only with a BIOS boot partition (GRUB
    // puts core.img there); some tools leave boot code in protective MBRs of UEFI disks.
    signs.bios = table.gpt ? table.has(PartitionKind::kBiosBoot)
                           : table.mbr_signature && table.mbr_boot_code && !table.protective_mbr;
    if (table.gpt && table.has(PartitionKind::kMicrosoftReserved)) {
        signs.windows = true;
        signs.windows_reason = "the boot disk has a Microsoft Reserved partition";
    }
    return signs;
}

const Partition* windows_boot_partition(const PartitionTable& table) {
    if (table.gpt || table.protective_mbr) return nullptr;
    for (size_t i = 0; i < table.count; ++i)
        if (table.partitions[i].bootable && table.partitions[i].mbr_type == 0x07)
            return &table.partitions[i];
    return nullptr;
}

const Partition* efi_system_partition(const PartitionTable& table) {
    for (size_t i = 0; i < table.count; ++i)
        if (table.partitions[i].kind == PartitionKind::kEfiSystem) return &table.partitions[i];
    return nullptr;
}

bool windows_boot_record(const uint8_t* sector, size_t size) {
    if (size < 512 || sector[510] != 0x55 || sector[511] != 0xaa) return false;
    const std::string_view text(reinterpret_cast<const char*>(sector), 512);
    return text.substr(3, 8) == "NTFS    " && text.find("BOOTMGR") != std::string_view::npos;
}

}  // namespace hal
