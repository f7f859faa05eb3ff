// Unit tests for disk identity texts: ATA IDENTIFY words, VPD page 0x80, WWN and EUI-64 forms.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "disks/disk_identity.hpp"

using namespace hal;

namespace {

// libata's id attribute: 256 words, 16 per line, as the kernel prints them.
std::string id_text(const char* serial, const char* model, uint64_t wwn) {
    uint16_t words[256] = {};
    auto put_string = [&](size_t first, size_t count, const char* text) {
        char padded[80];
        std::snprintf(padded, sizeof padded, "%-*s", static_cast<int>(2 * count), text);
        for (size_t i = 0; i < count; ++i)
            words[first + i] = static_cast<uint16_t>((static_cast<uint8_t>(padded[2 * i]) << 8) |
                                                     static_cast<uint8_t>(padded[2 * i + 1]));
    };
    put_string(10, 10, serial);
    put_string(27, 20, model);
    if (wwn) {
        words[84] = (1 << 14) | (1 << 8);
        for (int i = 0; i < 4; ++i) words[108 + i] = static_cast<uint16_t>(wwn >> (48 - 16 * i));
    }
    std::string text;
    char word[8];
    for (int i = 0; i < 256; ++i) {
        std::snprintf(word, sizeof word, "%04x%c", words[i], i % 16 == 15 ? '\n' : ' ');
        text += word;
    }
    return text;
}

}  // namespace

TEST_CASE("ATA identity: IDENTIFY words -> serial, 40-character model, WWN, vendor ATA") {
    DiskIdentity identity;
    REQUIRE(ata_identity_from_id_text(
        id_text("WD-WCC4N1234567", "WDC WD10EFRX-68FYTN0 long model name", 0x50014ee2b1c2d3e4ull),
        identity));
    CHECK(identity.serial.view() == "WD-WCC4N1234567");
    CHECK(identity.model.view() == "WDC WD10EFRX-68FYTN0 long model name");
    CHECK(identity.wwn == 0x50014ee2b1c2d3e4ull);
    CHECK(identity.vendor.view() == "ATA");
}

TEST_CASE("ATA identity: no WWN words -> wwn 0; malformed text -> false") {
    DiskIdentity identity;
    REQUIRE(ata_identity_from_id_text(id_text("S1", "M1", 0), identity));
    CHECK(identity.wwn == 0);
    std::string text = id_text("S1", "M1", 0);
    CHECK_FALSE(ata_identity_from_id_text(text.substr(0, text.size() / 2), identity));
    text[5] = 'x';
    CHECK_FALSE(ata_identity_from_id_text(text, identity));
    CHECK_FALSE(ata_identity_from_id_text(text + " 0000", identity));
}

TEST_CASE("VPD page 0x80 -> the serial, blanks trimmed; wrong page or short -> empty") {
    const uint8_t page[] = {0x00, 0x80, 0x00, 0x0c, ' ', ' ', 'Z', '1',
                            'D',  '5',  'L',  '1',  'E', 'P', ' ', ' '};
    CHECK(serial_from_vpd80(page, sizeof page) == "Z1D5L1EP");
    const uint8_t other[] = {0x00, 0x83, 0x00, 0x02, 'a', 'b'};
    CHECK(serial_from_vpd80(other, sizeof other).empty());
    CHECK(serial_from_vpd80(page, 3).empty());
    const uint8_t overlong[] = {0x00, 0x80, 0x00, 0xff, 'A', 'B'};
    CHECK(serial_from_vpd80(overlong, sizeof overlong) == "AB");
}

TEST_CASE("WWN text: naa. and 0x forms of 64-bit NAA names; 128-bit and t10. forms -> none") {
    CHECK(wwn_from_text("naa.5000c500a1b2c3d4\n") == 0x5000c500a1b2c3d4ull);
    CHECK(wwn_from_text("0x5000C500A1B2C3D4") == 0x5000c500a1b2c3d4ull);
    CHECK_FALSE(wwn_from_text("naa.600508b1001c4d2f9e5a2b3c4d5e6f70").has_value());
    CHECK_FALSE(
        wwn_from_text("t10.ATA     QEMU HARDDISK                           QM00001").has_value());
    CHECK_FALSE(
        wwn_from_text("naa.1000c500a1b2c3d4").has_value());  // NAA type 1 is not a 64-bit WWN
}

TEST_CASE("EUI-64 text: spaced bytes and eui. form -> value; all zero or wrong length -> none") {
    CHECK(eui64_from_text("00 25 38 5a 81 b0 b6 76") == 0x0025385a81b0b676ull);
    CHECK(eui64_from_text("eui.0025385a81b0b676") == 0x0025385a81b0b676ull);
    CHECK_FALSE(eui64_from_text("00 00 00 00 00 00 00 00").has_value());
    CHECK_FALSE(eui64_from_text("0025385a81b0b6").has_value());
}

TEST_CASE("host bus from the resolved sysfs path of a disk") {
    CHECK(host_bus_from_device_path("/sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda") ==
          HostBus::kVirtio);
    CHECK(host_bus_from_device_path(
              "/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda") ==
          HostBus::kSata);
    CHECK(host_bus_from_device_path("/sys/devices/pci0000:00/0000:00:05.0/nvme/nvme0/nvme0n1") ==
          HostBus::kNvme);
    CHECK(host_bus_from_device_path(
              "/sys/devices/pci0000:00/0000:00:06.0/virtio2/host2/target2:0:0/2:0:0:0/block/sdb") ==
          HostBus::kScsi);
    CHECK(host_bus_from_device_path(
              "/sys/devices/pci0000:00/0000:00:07.0/host3/target3:0:1/3:0:1:0/block/sdc") ==
          HostBus::kScsi);
    CHECK(host_bus_from_device_path("/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host4/"
                                    "target4:0:0/4:0:0:0/block/sdd") == HostBus::kUsb);
}
