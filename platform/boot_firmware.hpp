// Which firmware boots a disk as the bare metal did: UEFI for a UEFI-installed disk, BIOS for
// a BIOS-installed one, the host's own mode when the disk says both or neither; and Secure
// Boot as the host had it, for a disk whose loader is signed. No I/O.
#pragma once

#include "disks/boot_signs.hpp"
#include "platform/facts.hpp"
#include "platform/settings.hpp"

namespace hal {

enum class BootFirmware { kBios, kUefi, kUefiSecure };

struct BootDecision {
    BootFirmware firmware = BootFirmware::kBios;
    const char* reason = "";  // for the one log line: why this firmware
    // With firmware = auto on a host that booted with Secure Boot on, a UEFI guest: why its
    // Secure Boot is on or off ("" otherwise). The log line adds it after `reason`.
    const char* secure_boot = "";
};

// The host facts used: host_uefi, host_secure_boot (the host's mode) and ovmf_secure (the
// image holds the Secure Boot OVMF).
BootDecision decide_boot_firmware(FirmwareSetting setting, const DiskBootSigns& signs,
                                  const PlatformFacts& host);
const char* boot_firmware_name(BootFirmware firmware);

}  // namespace hal
