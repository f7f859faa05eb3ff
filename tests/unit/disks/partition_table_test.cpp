// Unit tests for MBR/GPT parsing and boot signs, on tables built here byte by byte.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "disks/boot_signs.hpp"
#include "disks/partition_table.hpp"

using namespace hal;

namespace {

constexpr uint8_t kEsp[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                              0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};
constexpr uint8_t kBiosBoot[16] = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e,
                                   0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46, 0x49};
constexpr uint8_t kLinux[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
                                0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
// E3C9E316-0B5C-4DB8-817D-F92DF00215AE, as sgdisk's type 0c01 writes it.
constexpr uint8_t kMicrosoftReserved[16] = {0x16, 0xe3, 0xc9, 0xe3, 0x5c, 0x0b, 0xb8, 0x4d,
                                            0x81, 0x7d, 0xf9, 0x2d, 0xf0, 0x02, 0x15, 0xae};
constexpr uint8_t kWindowsData[16] = {0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44,
                                      0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7};

void put32(std::vector<uint8_t>& disk, size_t at, uint32_t value) {
    for (int i = 0; i < 4; ++i) disk[at + i] = static_cast<uint8_t>(value >> (8 * i));
}
void put64(std::vector<uint8_t>& disk, size_t at, uint64_t value) {
    put32(disk, at, static_cast<uint32_t>(value));
    put32(disk, at + 4, static_cast<uint32_t>(value >> 32));
}

void mbr_entry(std::vector<uint8_t>& disk, int index, uint8_t type, uint32_t first,
               uint32_t sectors, bool active) {
    const size_t at = 446 + 16 * static_cast<size_t>(index);
    disk[at] = active ? 0x80 : 0;
    disk[at + 4] = type;
    put32(disk, at + 8, first);
    put32(disk, at + 12, sectors);
    disk[510] = 0x55;
    disk[511] = 0xaa;
}

struct GptPartition {
    const uint8_t* type;
    uint64_t first, last;
    const char* name;
};

// A protective MBR and a primary GPT with 128 entries at LBA 2, CRCs computed as firmware does.
std::vector<uint8_t> gpt_disk(const std::vector<GptPartition>& partitions, uint32_t sector = 512) {
    std::vector<uint8_t> disk(kPartitionTableBytes, 0);
    mbr_entry(disk, 0, 0xee, 1, 0xffffffff, false);
    const size_t entries = 2 * sector;
    for (size_t i = 0; i < partitions.size(); ++i) {
        const size_t at = entries + 128 * i;
        std::memcpy(&disk[at], partitions[i].type, 16);
        disk[at + 16] = static_cast<uint8_t>(i + 1);  // unique GUID, any non-zero
        put64(disk, at + 32, partitions[i].first);
        put64(disk, at + 40, partitions[i].last);
        for (size_t c = 0; partitions[i].name[c]; ++c)
            disk[at + 56 + 2 * c] = static_cast<uint8_t>(partitions[i].name[c]);
    }
    const size_t header = sector;
    std::memcpy(&disk[header], "EFI PART", 8);
    put32(disk, header + 8, 0x00010000);
    put32(disk, header + 12, 92);
    put64(disk, header + 24, 1);
    put64(disk, header + 72, 2);
    put32(disk, header + 80, 128);
    put32(disk, header + 84, 128);
    put32(disk, header + 88, crc32_ieee(&disk[entries], 128 * 128));
    put32(disk, header + 16, crc32_ieee(&disk[header], 92));
    return disk;
}

}  // namespace

TEST_CASE("crc32: the check value of \"123456789\" -> 0xCBF43926") {
    CHECK(crc32_ieee(reinterpret_cast<const uint8_t*>("123456789"), 9) == 0xcbf43926u);
}

TEST_CASE("partition table: MBR with boot code and an active Linux partition -> BIOS signs") {
    std::vector<uint8_t> disk(4096, 0);
    disk[0] = 0xfa;  // cli: boot code
    mbr_entry(disk, 0, 0x83, 2048, 100000, true);
    const PartitionTable table = parse_partition_table(disk.data(), disk.size());
    CHECK(table.mbr_signature);
    CHECK(table.mbr_boot_code);
    CHECK_FALSE(table.gpt);
    REQUIRE(table.count == 1);
    CHECK(table.partitions[0].number == 1);
    CHECK(table.partitions[0].bootable);
    CHECK(table.partitions[0].first_lba == 2048);
    const DiskBootSigns signs = boot_signs(table);
    CHECK(signs.bios);
    CHECK_FALSE(signs.uefi);
}

TEST_CASE("partition table: GPT with an ESP (512 and 4096-byte sectors) -> UEFI signs, names") {
    for (uint32_t sector : {512u, 4096u}) {
        CAPTURE(sector);
        const auto disk = gpt_disk(
            {{kEsp, 2048, 206847, "EFI system"}, {kLinux, 206848, 999999, "root"}}, sector);
        const PartitionTable table = parse_partition_table(disk.data(), disk.size());
        CHECK(table.protective_mbr);
        CHECK(table.gpt);
        CHECK(table.sector_size == sector);
        REQUIRE(table.count == 2);
        CHECK(table.partitions[0].kind == PartitionKind::kEfiSystem);
        CHECK(table.partitions[0].name.view() == "EFI system");
        CHECK(table.partitions[1].number == 2);
        CHECK(table.partitions[1].sectors == 999999 - 206848 + 1);
        const DiskBootSigns signs = boot_signs(table);
        CHECK(signs.uefi);
        CHECK_FALSE(signs.bios);
    }
}

TEST_CASE(
    "partition table: GPT with a BIOS boot partition -> BIOS signs even with protective-MBR code") {
    auto disk = gpt_disk({{kBiosBoot, 34, 2047, "bios"}, {kLinux, 2048, 99999, "root"}});
    disk[0] = 0xeb;  // GRUB's boot.img
    const DiskBootSigns signs = boot_signs(parse_partition_table(disk.data(), disk.size()));
    CHECK(signs.bios);
    CHECK_FALSE(signs.uefi);
}

TEST_CASE("partition table: damaged GPT header or entry CRC -> no GPT, no partitions trusted") {
    auto header_damaged = gpt_disk({{kEsp, 2048, 4095, "esp"}});
    header_damaged[512 + 40] ^= 1;
    PartitionTable table = parse_partition_table(header_damaged.data(), header_damaged.size());
    CHECK(table.protective_mbr);
    CHECK_FALSE(table.gpt);
    CHECK(table.count == 0);
    auto entries_damaged = gpt_disk({{kEsp, 2048, 4095, "esp"}});
    entries_damaged[1024 + 33] ^= 1;
    table = parse_partition_table(entries_damaged.data(), entries_damaged.size());
    CHECK_FALSE(table.gpt);
}

TEST_CASE(
    "partition table: every truncation of a GPT disk -> parsed or rejected, never out of bounds") {
    const auto disk = gpt_disk({{kEsp, 2048, 206847, "esp"}});
    for (size_t size : {0, 1, 511, 512, 1023, 1024, 1100, 17407, 17408, 17409}) {
        CAPTURE(size);
        const PartitionTable table = parse_partition_table(disk.data(), size);
        CHECK(table.gpt == (size >= 1024 + 128 * 128));
    }
}

TEST_CASE("partition table: blank disk and MBR without boot code -> no signs") {
    std::vector<uint8_t> blank(4096, 0);
    CHECK_FALSE(parse_partition_table(blank.data(), blank.size()).mbr_signature);
    mbr_entry(blank, 0, 0x83, 2048, 1000, false);  // a data disk partitioned by fdisk
    const DiskBootSigns signs = boot_signs(parse_partition_table(blank.data(), blank.size()));
    CHECK_FALSE(signs.bios);
    CHECK_FALSE(signs.uefi);
}

TEST_CASE(
    "boot signs: GPT with a Microsoft Reserved partition -> Windows; an ESP and NTFS alone not") {
    const auto windows =
        gpt_disk({{kEsp, 2048, 206847, "EFI system partition"},
                  {kMicrosoftReserved, 206848, 239615, "Microsoft reserved partition"},
                  {kWindowsData, 239616, 999999, "Basic data partition"}});
    const PartitionTable table = parse_partition_table(windows.data(), windows.size());
    CHECK(table.partitions[1].kind == PartitionKind::kMicrosoftReserved);
    const DiskBootSigns signs = boot_signs(table);
    CHECK(signs.uefi);
    CHECK(signs.windows);
    CHECK(std::string(signs.windows_reason) == "the boot disk has a Microsoft Reserved partition");
    CHECK(windows_boot_partition(table) == nullptr);  // GPT: no MBR boot record to read
    // A Linux disk with an ESP and an NTFS data partition (shared files) is not Windows.
    const auto shared =
        gpt_disk({{kEsp, 2048, 206847, "esp"}, {kWindowsData, 206848, 999999, "data"}});
    CHECK_FALSE(boot_signs(parse_partition_table(shared.data(), shared.size())).windows);
}

TEST_CASE("boot signs: BIOS disk -> the active NTFS partition's boot record names BOOTMGR or not") {
    std::vector<uint8_t> disk(4096, 0);
    disk[0] = 0x33;  // Windows' MBR code starts xor ax,ax
    mbr_entry(disk, 0, 0x07, 2048, 1024000, true);
    mbr_entry(disk, 1, 0x07, 1026048, 4000000, false);
    const PartitionTable table = parse_partition_table(disk.data(), disk.size());
    const Partition* system = windows_boot_partition(table);
    REQUIRE(system != nullptr);
    CHECK(system->first_lba == 2048);
    CHECK_FALSE(boot_signs(table).windows);  // the table alone cannot tell: the caller reads it

    std::vector<uint8_t> record(512, 0);
    std::memcpy(&record[3], "NTFS    ", 8);
    const char message[] = "A disk read error occurred\r\nBOOTMGR is missing\r\n";
    std::memcpy(&record[0x180], message, sizeof message - 1);
    record[510] = 0x55;
    record[511] = 0xaa;
    CHECK(windows_boot_record(record.data(), record.size()));
    CHECK_FALSE(windows_boot_record(record.data(), 511));  // short read
    auto mkntfs = record;  // ntfs-3g's mkntfs: "This is not a bootable disk"
    std::memcpy(&mkntfs[0x180], "This is not a bootable disk.   ", 31);
    CHECK_FALSE(windows_boot_record(mkntfs.data(), mkntfs.size()));
    auto fat = record;  // a FAT boot sector that mentions it is not NTFS
    std::memcpy(&fat[3], "MSWIN4.1", 8);
    CHECK_FALSE(windows_boot_record(fat.data(), fat.size()));
    auto unsigned_record = record;
    unsigned_record[511] = 0;
    CHECK_FALSE(windows_boot_record(unsigned_record.data(), unsigned_record.size()));

    std::vector<uint8_t> inactive(4096, 0);  // NTFS data partitions, none active
    mbr_entry(inactive, 0, 0x07, 2048, 1024000, false);
    CHECK(windows_boot_partition(parse_partition_table(inactive.data(), inactive.size())) ==
          nullptr);
}
