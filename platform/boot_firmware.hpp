// Which firmware boots a disk as the bare metal did: UEFI for a UEFI-installed disk, BIOS for
// a BIOS-installed one, the host's own mode when the disk says both or neither. No I/O.
#pragma once

#include "disks/boot_signs.hpp"
#include "platform/settings.hpp"

namespace hal {

enum class BootFirmware { kBios, kUefi, kUefiSecure };

struct BootDecision {
    BootFirmware firmware = BootFirmware::kBios;
    const char* reason = "";  // for the one log line: why this firmware
};

// `host_uefi`: the host itself booted with UEFI (/sys/firmware/efi exists).
BootDecision decide_boot_firmware(FirmwareSetting setting, const DiskBootSigns& signs,
                                  bool host_uefi);
const char* boot_firmware_name(BootFirmware firmware);

}  // namespace hal
