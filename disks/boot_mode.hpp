// Which firmware boots a disk as the bare metal did: UEFI for a UEFI-installed disk, BIOS for
// a BIOS-installed one, the host's own mode when the disk says both or neither.
#pragma once

#include "config/config.hpp"
#include "disks/partition_table.hpp"

namespace hal {

enum class BootFirmware { kBios, kUefi, kUefiSecure };

struct BootDecision {
    BootFirmware firmware = BootFirmware::kBios;
    const char* reason = "";  // for the one log line: why this firmware
};

// What a disk says about how it boots.
struct DiskBootSigns {
    bool uefi = false;  // an EFI System Partition (GPT, or MBR type 0xEF)
    bool bios = false;  // MBR boot code on a non-GPT disk, or a GPT BIOS boot partition
};
DiskBootSigns boot_signs(const PartitionTable& table);

// `host_uefi`: the host itself booted with UEFI (/sys/firmware/efi exists).
BootDecision decide_boot_firmware(FirmwareSetting setting, const DiskBootSigns& signs, bool host_uefi);

const char* boot_firmware_name(BootFirmware firmware);

}  // namespace hal
