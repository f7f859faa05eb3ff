// Unit tests for the guest firmware decision from a disk's boot signs and the host's mode.
#include <doctest/doctest.h>

#include <string>

#include "platform/boot_firmware.hpp"

using namespace hal;

TEST_CASE("boot firmware: decision table -> disk signs first, then the host's mode") {
    struct Case {
        FirmwareSetting setting;
        bool uefi, bios, host_uefi;
        BootFirmware expected;
        const char* reason_part;
    };
    const Case cases[] = {
        {FirmwareSetting::kAuto, true, false, false, BootFirmware::kUefi, "EFI System Partition"},
        {FirmwareSetting::kAuto, false, true, true, BootFirmware::kBios, "BIOS boot code"},
        {FirmwareSetting::kAuto, true, true, true, BootFirmware::kUefi,
         "both ways; the host booted with UEFI"},
        {FirmwareSetting::kAuto, true, true, false, BootFirmware::kBios,
         "both ways; the host booted with BIOS"},
        {FirmwareSetting::kAuto, false, false, true, BootFirmware::kUefi, "no boot signs"},
        {FirmwareSetting::kAuto, false, false, false, BootFirmware::kBios, "no boot signs"},
        {FirmwareSetting::kBios, true, false, true, BootFirmware::kBios, "firmware = bios"},
        {FirmwareSetting::kUefi, false, true, false, BootFirmware::kUefi, "firmware = uefi"},
        {FirmwareSetting::kUefiSecure, false, false, false, BootFirmware::kUefiSecure,
         "uefi-secure"},
    };
    for (const Case& test : cases) {
        CAPTURE(test.reason_part);
        DiskBootSigns signs;
        signs.uefi = test.uefi;
        signs.bios = test.bios;
        PlatformFacts host;
        host.host_uefi = test.host_uefi;
        const BootDecision decision = decide_boot_firmware(test.setting, signs, host);
        CHECK(decision.firmware == test.expected);
        CHECK(std::string(decision.reason).find(test.reason_part) != std::string::npos);
        CHECK(std::string(decision.secure_boot).empty());
    }
}

TEST_CASE("boot firmware: Secure Boot follows the host's for a disk whose loader is signed") {
    DiskBootSigns signs;
    signs.uefi = true;
    signs.signed_loader_path.assign("EFI/BOOT/BOOTX64.EFI");
    PlatformFacts host;
    host.host_uefi = host.host_secure_boot = host.ovmf_secure = true;
    BootDecision decision = decide_boot_firmware(FirmwareSetting::kAuto, signs, host);
    CHECK(decision.firmware == BootFirmware::kUefiSecure);
    CHECK(std::string(decision.reason) == "the boot disk has an EFI System Partition");
    CHECK(std::string(decision.secure_boot).find("loader is signed") != std::string::npos);

    SUBCASE("an unsigned loader (an OS made only for QEMU) keeps plain UEFI") {
        signs.signed_loader_path.clear();
        decision = decide_boot_firmware(FirmwareSetting::kAuto, signs, host);
        CHECK(decision.firmware == BootFirmware::kUefi);
        CHECK(std::string(decision.secure_boot).find("no loader on the ESP is signed") !=
              std::string::npos);
    }
    SUBCASE("an image without the Secure Boot OVMF says how to pack it") {
        host.ovmf_secure = false;
        decision = decide_boot_firmware(FirmwareSetting::kAuto, signs, host);
        CHECK(decision.firmware == BootFirmware::kUefi);
        CHECK(std::string(decision.secure_boot).find("--secure-boot on") != std::string::npos);
    }
    SUBCASE(
        "a host without Secure Boot, a BIOS disk, or an explicit setting: no Secure Boot note") {
        host.host_secure_boot = false;
        CHECK(decide_boot_firmware(FirmwareSetting::kAuto, signs, host).firmware ==
              BootFirmware::kUefi);
        host.host_secure_boot = true;
        DiskBootSigns bios;
        bios.bios = true;
        CHECK(decide_boot_firmware(FirmwareSetting::kAuto, bios, host).firmware ==
              BootFirmware::kBios);
        decision = decide_boot_firmware(FirmwareSetting::kUefi, signs, host);
        CHECK(decision.firmware == BootFirmware::kUefi);
        CHECK(std::string(decision.secure_boot).empty());
    }
}
