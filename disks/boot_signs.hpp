// What a disk's partition table says about how it boots: an EFI System Partition, BIOS boot
// code, Windows. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/text.hpp"
#include "disks/partition_table.hpp"

namespace hal {

struct DiskBootSigns {
    bool uefi = false;  // an EFI System Partition (GPT, or MBR type 0xEF)
    bool bios = false;  // MBR boot code on a non-GPT disk, or a GPT BIOS boot partition
    // Windows is installed: a Microsoft Reserved partition (GPT), or an active NTFS partition
    // whose boot record loads BOOTMGR (MBR; the caller reads it: windows_boot_record).
    bool windows = false;
    const char* windows_reason = "";
    // UEFI: the first loader on the ESP with an Authenticode signature, as
    // EFI/BOOT/BOOTX64.EFI; empty for none (the caller reads the ESP: scan_esp_loaders). Only
    // a disk with one follows the host into Secure Boot.
    FixedString<48> signed_loader_path;
    bool signed_loader() const { return !signed_loader_path.empty(); }
};

DiskBootSigns boot_signs(const PartitionTable& table);

// The MBR partition whose boot record tells Windows apart on a BIOS disk: the active NTFS
// (type 0x07) one; nullptr on GPT or when there is none.
const Partition* windows_boot_partition(const PartitionTable& table);

// The EFI System Partition a UEFI firmware would boot from: the first one; nullptr if none.
const Partition* efi_system_partition(const PartitionTable& table);

// The first sector of an NTFS partition whose boot code loads Windows' BOOTMGR (Vista and
// later: its messages name it); false for any other sector.
bool windows_boot_record(const uint8_t* sector, size_t size);

}  // namespace hal
