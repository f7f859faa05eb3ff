// The firmware decision table; no I/O.
#include "platform/boot_firmware.hpp"

namespace hal {
namespace {

BootDecision from_disk_and_host(const DiskBootSigns& signs, bool host_uefi) {
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

}  // namespace

BootDecision decide_boot_firmware(FirmwareSetting setting, const DiskBootSigns& signs,
                                  const PlatformFacts& host) {
    switch (setting) {
        case FirmwareSetting::kBios: return {BootFirmware::kBios, "firmware = bios in the config"};
        case FirmwareSetting::kUefi: return {BootFirmware::kUefi, "firmware = uefi in the config"};
        case FirmwareSetting::kUefiSecure:
            return {BootFirmware::kUefiSecure, "firmware = uefi-secure in the config"};
        case FirmwareSetting::kAuto: break;
    }
    BootDecision decision = from_disk_and_host(signs, host.host_uefi);
    if (decision.firmware != BootFirmware::kUefi || !host.host_secure_boot) return decision;
    // A loader nobody signed was never booted by this machine with Secure Boot on (an OS made
    // only for QEMU's virtual machine, say): its guest keeps plain UEFI and the pc machine.
    if (!signs.signed_loader()) {
        decision.secure_boot =
            "the host booted with Secure Boot on, but no loader on the ESP is signed: Secure "
            "Boot off";
    } else if (!host.ovmf_secure) {
        decision.secure_boot =
            "the host booted with Secure Boot on, but this image has no Secure Boot OVMF "
            "(mkinitrd-hal --secure-boot on packs it): Secure Boot off";
    } else {
        decision.firmware = BootFirmware::kUefiSecure;
        decision.secure_boot = "the host booted with Secure Boot on and the ESP's loader is signed";
    }
    return decision;
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
