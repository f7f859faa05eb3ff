// The firmware decision table; no I/O.
#include "platform/boot_firmware.hpp"

namespace hal {

BootDecision decide_boot_firmware(FirmwareSetting setting, const DiskBootSigns& signs,
                                  bool host_uefi) {
    switch (setting) {
        case FirmwareSetting::kBios: return {BootFirmware::kBios, "firmware = bios in the config"};
        case FirmwareSetting::kUefi: return {BootFirmware::kUefi, "firmware = uefi in the config"};
        case FirmwareSetting::kUefiSecure:
            return {BootFirmware::kUefiSecure, "firmware = uefi-secure in the config"};
        case FirmwareSetting::kAuto: break;
    }
    if (signs.uefi && !signs.bios)
        return {BootFirmware::kUefi, "the boot disk has an EFI System Partition"};
    if (signs.bios && !signs.uefi)
        return {BootFirmware::kBios,
                "the boot disk has BIOS boot code and no EFI System Partition"};
    const BootFirmware host = host_uefi ? BootFirmware::kUefi : BootFirmware::kBios;
    if (signs.uefi)
        return {host, host_uefi ? "the boot disk can boot both ways; the host booted with UEFI"
                                : "the boot disk can boot both ways; the host booted with BIOS"};
    return {host, host_uefi ? "the boot disk shows no boot signs; the host booted with UEFI"
                            : "the boot disk shows no boot signs; the host booted with BIOS"};
}

const char* boot_firmware_name(BootFirmware firmware) {
    switch (firmware) {
        case BootFirmware::kBios: return "bios";
        case BootFirmware::kUefi: return "uefi";
        case BootFirmware::kUefiSecure: return "uefi-secure";
    }
    return "?";
}

}  // namespace hal
