// Unit tests for the ESP scan: a FAT16 file system built here byte by byte, with a loader
// whose PE header spans two clusters; real FAT32 ESPs made by mkfs.vfat are the boot tests'.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "disks/esp_loaders.hpp"

using namespace hal;

namespace {

constexpr size_t kSector = 512;
constexpr uint32_t kTotalSectors = 5000;  // 4978 clusters of one sector: FAT16
constexpr uint32_t kFatSectors = 20;
constexpr uint32_t kDataSector = 1 + kFatSectors + 1;  // boot, FAT, a one-sector root

struct Fat16 {
    std::vector<uint8_t> bytes = std::vector<uint8_t>(kTotalSectors * kSector);

    Fat16() {
        uint8_t* boot = bytes.data();
        boot[11] = 0x00, boot[12] = 0x02;  // 512 bytes per sector
        boot[13] = 1;                      // one sector per cluster
        boot[14] = 1;                      // one reserved sector
        boot[16] = 1;                      // one FAT
        boot[17] = 16;                     // 16 root entries: one sector
        boot[19] = kTotalSectors & 0xff, boot[20] = kTotalSectors >> 8;
        boot[22] = kFatSectors;
        boot[510] = 0x55, boot[511] = 0xaa;
    }
    uint8_t* cluster(uint32_t number) { return &bytes[(kDataSector + number - 2) * kSector]; }
    void link(uint32_t from, uint32_t to) {
        bytes[kSector + from * 2] = to & 0xff;
        bytes[kSector + from * 2 + 1] = static_cast<uint8_t>(to >> 8);
    }
    // An 8.3 entry in the directory at `where`, slot `slot`.
    void entry(uint8_t* where, int slot, const char* name11, uint8_t attributes, uint32_t first,
               uint32_t size = 0) {
        uint8_t* e = where + slot * 32;
        std::memcpy(e, name11, 11);
        e[11] = attributes;
        e[26] = first & 0xff, e[27] = static_cast<uint8_t>(first >> 8);
        for (int i = 0; i < 4; ++i) e[28 + i] = static_cast<uint8_t>(size >> (8 * i));
    }
    uint8_t* root() { return &bytes[(1 + kFatSectors) * kSector]; }
};

// \EFI\BOOT\BOOTX64.EFI in clusters 4 and 5, a PE32+ header whose certificate table entry
// (`certificate_size`, 0 for none) sits past the first cluster.
Fat16 esp_with_loader(uint32_t certificate_size) {
    Fat16 fat;
    fat.entry(fat.root(), 0, "ESP        ", 0x08, 0);
    fat.entry(fat.root(), 1, "EFI        ", 0x10, 2);
    fat.link(2, 0xffff);
    fat.entry(fat.cluster(2), 0, ".          ", 0x10, 2);
    fat.entry(fat.cluster(2), 1, "..         ", 0x10, 0);
    fat.entry(fat.cluster(2), 2, "BOOT       ", 0x10, 3);
    fat.link(3, 0xffff);
    fat.entry(fat.cluster(3), 0, "BOOTX64 EFI", 0x20, 4, 1024);
    fat.link(4, 5);
    fat.link(5, 0xffff);
    uint8_t* pe = fat.cluster(4);  // clusters 4 and 5 are adjacent in this image
    pe[0] = 'M', pe[1] = 'Z';
    pe[0x3c] = 0xc0, pe[0x3d] = 0x01;  // the PE header at 0x1c0
    std::memcpy(pe + 0x1c0, "PE\0\0", 4);
    const size_t optional = 0x1c0 + 24;
    pe[optional] = 0x0b, pe[optional + 1] = 0x02;  // PE32+
    pe[optional + 108] = 16;                       // 16 data directories
    const size_t certificate = optional + 112 + 4 * 8;
    CHECK(certificate > kSector);
    pe[certificate + 1] = 0x10;  // at file offset 0x1000
    for (int i = 0; i < 4; ++i)
        pe[certificate + 4 + i] = static_cast<uint8_t>(certificate_size >> (8 * i));
    return fat;
}

struct Memory final : ByteSource {
    const std::vector<uint8_t>& bytes;
    size_t reads = 0;
    explicit Memory(const std::vector<uint8_t>& b) : bytes(b) {}
    bool read(uint64_t offset, uint8_t* out, size_t size) override {
        ++reads;
        if (offset > bytes.size() || size > bytes.size() - offset) return false;
        std::memcpy(out, bytes.data() + offset, size);
        return true;
    }
};

EspScanBuffers g_buffers;

EspLoaders scan(const Fat16& fat) {
    Memory source(fat.bytes);
    return scan_esp_loaders(source, g_buffers);
}

}  // namespace

TEST_CASE("ESP loaders: a signed loader is found through a two-cluster header") {
    const Fat16 fat = esp_with_loader(0x500);
    const EspLoaders found = scan(fat);
    CHECK(found.readable);
    CHECK(found.loaders == 1);
    CHECK(found.signed_loaders == 1);
    CHECK(found.first_signed.view() == "EFI/BOOT/BOOTX64.EFI");
}

TEST_CASE("ESP loaders: Windows Boot Manager two levels below \\EFI is found and named") {
    Fat16 fat = esp_with_loader(0x500);
    // \EFI\MICROS~1\BOOT\BOOTMGFW.EFI, the same signed header as BOOTX64.EFI.
    fat.entry(fat.cluster(2), 3, "MICROS~1   ", 0x10, 6);
    fat.link(6, 0xffff);
    fat.entry(fat.cluster(6), 0, "BOOT       ", 0x10, 7);
    fat.link(7, 0xffff);
    fat.entry(fat.cluster(7), 0, "BOOTMGFWEFI", 0x20, 4, 1024);
    const EspLoaders found = scan(fat);
    CHECK(found.loaders == 2);
    CHECK(found.signed_loaders == 2);
    CHECK(found.windows_boot_manager);
    CHECK(found.first_signed.view() == "EFI/BOOT/BOOTX64.EFI");
    CHECK_FALSE(scan(esp_with_loader(0x500)).windows_boot_manager);
}

TEST_CASE("ESP loaders: an unsigned loader, no EFI directory, damage") {
    SUBCASE("no certificate table") {
        const Fat16 fat = esp_with_loader(0);
        const EspLoaders found = scan(fat);
        CHECK(found.readable);
        CHECK(found.loaders == 1);
        CHECK(found.signed_loaders == 0);
        CHECK(found.first_signed.empty());
    }
    SUBCASE("the loader's chain ends after one cluster: its header is cut short") {
        Fat16 fat = esp_with_loader(0x500);
        fat.link(4, 0xffff);
        CHECK(scan(fat).signed_loaders == 0);
    }
    SUBCASE("a directory whose chain loops on itself ends") {
        Fat16 fat = esp_with_loader(0x500);
        fat.link(3, 3);
        Memory source(fat.bytes);
        const EspLoaders found = scan_esp_loaders(source, g_buffers);
        CHECK(found.signed_loaders == 1);  // the first copy's end marker stops the reading
        CHECK(source.reads < 4000);
    }
    SUBCASE("no \\EFI") {
        Fat16 fat = esp_with_loader(0x500);
        fat.root()[32] = 0xe5;  // deleted
        CHECK_FALSE(scan(fat).readable);
    }
    SUBCASE("not FAT, or cut short") {
        Fat16 fat = esp_with_loader(0x500);
        fat.bytes[510] = 0;
        CHECK_FALSE(scan(fat).readable);
        const std::vector<uint8_t> short_disk(fat.bytes.begin(), fat.bytes.begin() + 1024);
        Memory cut(short_disk);
        CHECK_FALSE(scan_esp_loaders(cut, g_buffers).readable);
    }
}

TEST_CASE("ESP loaders: the PE check wants MZ, PE and a certificate table entry") {
    const Fat16 fat = esp_with_loader(0x500);
    const uint8_t* pe = fat.bytes.data() + (kDataSector + 4 - 2) * kSector;
    CHECK(pe_signed(pe, 1024));
    CHECK_FALSE(pe_signed(pe, 0x200));  // the entry is past the bytes given
    std::vector<uint8_t> copy(pe, pe + 1024);
    copy[0x1c0 + 24 + 108] = 4;  // only 4 data directories: no certificate table
    CHECK_FALSE(pe_signed(copy.data(), copy.size()));
    copy = std::vector<uint8_t>(pe, pe + 1024);
    copy[0x1c0] = 'X';
    CHECK_FALSE(pe_signed(copy.data(), copy.size()));
}
