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
        const BootDecision decision =
            decide_boot_firmware(test.setting, {test.uefi, test.bios}, test.host_uefi);
        CHECK(decision.firmware == test.expected);
        CHECK(std::string(decision.reason).find(test.reason_part) != std::string::npos);
    }
}
