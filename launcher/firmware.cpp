// Firmware selection: SeaBIOS and the option ROMs QEMU's pc/q35 machines load for our devices.
#include "launcher/firmware.hpp"

namespace hal {

FirmwareList firmware_for(const Config& config) {
    FirmwareList list;
    auto add = [&list](std::string_view name) { list.names[list.count++] = name; };
    // SeaBIOS for both machines, plus the ROMs QEMU loads for the APIC and for direct kernel
    // boot; without them it refuses to start.
    add("bios-256k.bin");
    add("kvmvapic.bin");
    add("linuxboot_dma.bin");
    // Each emulated NIC asks for its PXE option ROM and QEMU fails when it is missing.
    switch (config.nic) {
        case NicModel::kVirtio: add("efi-virtio.rom"); break;
        case NicModel::kE1000: add("efi-e1000.rom"); break;
        case NicModel::kE1000e: add("efi-e1000e.rom"); break;
        case NicModel::kNone: break;
    }
    return list;
}

}  // namespace hal
