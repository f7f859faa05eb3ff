// Firmware selection: SeaBIOS and the option ROMs QEMU's pc/q35 machines load for our devices.
#include "launcher/firmware.hpp"

namespace hal {

FirmwareList firmware_for(const Config& config, bool secure_boot_machine) {
    FirmwareList list;
    auto add = [&list](std::string_view name) { list.names[list.count++] = name; };
    // SeaBIOS for both machines, plus the ROMs QEMU loads for the APIC and for direct kernel
    // boot; without them it refuses to start.
    add("bios-256k.bin");
    add("kvmvapic.bin");
    add("linuxboot_dma.bin");
    // OVMF for UEFI guests (Debian's ovmf package): code and the variable store template.
    // `auto` may meet a UEFI disk, so it packs the plain build, and on a machine that boots
    // with Secure Boot on the Secure Boot build too (its guest's Secure Boot follows the
    // host's); uefi-secure only the Secure Boot build, with Microsoft's keys enrolled.
    switch (config.platform.firmware) {
        case FirmwareSetting::kAuto:
        case FirmwareSetting::kUefi:
            add("OVMF_CODE_4M.fd");
            add("OVMF_VARS_4M.fd");
            if (config.platform.firmware == FirmwareSetting::kUefi || !secure_boot_machine) break;
            add("OVMF_CODE_4M.secboot.fd");
            add("OVMF_VARS_4M.ms.fd");
            break;
        case FirmwareSetting::kUefiSecure:
            add("OVMF_CODE_4M.secboot.fd");
            add("OVMF_VARS_4M.ms.fd");
            break;
        case FirmwareSetting::kBios: break;
    }
    // The guest's screen: its VGA BIOS (SeaBIOS runs it; OVMF has its own drivers), and the
    // keymap QEMU's VNC server loads even though hal-display sends key numbers.
    if (config.display.mode != DisplayMode::kNone) {
        add(config.display.video == GuestVideo::kVirtio ? "vgabios-virtio.bin"
                                                        : "vgabios-stdvga.bin");
        add("keymaps/en-us");
    }
    // A NIC's PXE option ROM only when the guest may boot from the network: without it the
    // launcher gives the NIC an empty romfile, and no ROM runs (or waits for Ctrl-B) at boot.
    if (!config.net.nic_boot) return list;
    switch (config.net.nic) {
        case NicModel::kVirtio: add("efi-virtio.rom"); break;
        case NicModel::kE1000: add("efi-e1000.rom"); break;
        case NicModel::kE1000e: add("efi-e1000e.rom"); break;
        case NicModel::kRtl8139: add("efi-rtl8139.rom"); break;
        case NicModel::kNone: break;
    }
    return list;
}

}  // namespace hal
