// MBR and GPT parsing with every offset checked against the buffer; no I/O.
#include "disks/partition_table.hpp"

#include <cstring>

namespace hal {
namespace {

constexpr size_t kMbrBootCode = 440;
constexpr size_t kMbrEntries = 446;
constexpr size_t kMbrSignature = 510;
constexpr uint32_t kMaxGptEntries = 1024;

// GUIDs as they are stored on disk (the first three fields little-endian).
constexpr uint8_t kEfiSystemGuid[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                        0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};
constexpr uint8_t kBiosBootGuid[16] = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e,
                                       0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46, 0x49};
constexpr uint8_t kLinuxDataGuid[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
                                        0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
constexpr uint8_t kWindowsDataGuid[16] = {0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44,
                                          0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7};
// E3C9E316-0B5C-4DB8-817D-F92DF00215AE: every Windows installation on GPT makes one.
constexpr uint8_t kMicrosoftReservedGuid[16] = {0x16, 0xe3, 0xc9, 0xe3, 0x5c, 0x0b, 0xb8, 0x4d,
                                                0x81, 0x7d, 0xf9, 0x2d, 0xf0, 0x02, 0x15, 0xae};

uint32_t le32(const uint8_t* p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t le64(const uint8_t* p) { return le32(p) | (static_cast<uint64_t>(le32(p + 4)) << 32); }

PartitionKind mbr_kind(uint8_t type) {
    switch (type) {
        case 0xef: return PartitionKind::kEfiSystem;
        case 0x83: return PartitionKind::kLinux;
        case 0x07: return PartitionKind::kWindowsData;
        case 0x05:
        case 0x0f:
        case 0x85: return PartitionKind::kExtended;
        default: return PartitionKind::kOther;
    }
}

PartitionKind gpt_kind(const uint8_t* guid) {
    if (std::memcmp(guid, kEfiSystemGuid, 16) == 0) return PartitionKind::kEfiSystem;
    if (std::memcmp(guid, kBiosBootGuid, 16) == 0) return PartitionKind::kBiosBoot;
    if (std::memcmp(guid, kLinuxDataGuid, 16) == 0) return PartitionKind::kLinux;
    if (std::memcmp(guid, kWindowsDataGuid, 16) == 0) return PartitionKind::kWindowsData;
    if (std::memcmp(guid, kMicrosoftReservedGuid, 16) == 0)
        return PartitionKind::kMicrosoftReserved;
    return PartitionKind::kOther;
}

void parse_mbr(const uint8_t* data, PartitionTable& table) {
    for (size_t i = 0; i < kMbrBootCode && !table.mbr_boot_code; ++i)
        table.mbr_boot_code = data[i] != 0;
    for (uint32_t i = 0; i < 4; ++i) {
        const uint8_t* entry = data + kMbrEntries + 16 * i;
        const uint8_t type = entry[4];
        const uint32_t sectors = le32(entry + 12);
        if (type == 0 || sectors == 0) continue;
        if (type == 0xee) {
            table.protective_mbr = true;
            continue;
        }
        Partition& partition = table.partitions[table.count++];
        partition.number = i + 1;
        partition.first_lba = le32(entry + 8);
        partition.sectors = sectors;
        partition.mbr_type = type;
        partition.bootable = entry[0] == 0x80;
        partition.kind = mbr_kind(type);
    }
}

// The GPT name (UTF-16LE) as ASCII, or empty when it has other characters.
void gpt_name(const uint8_t* name, FixedString<40>& out) {
    char ascii[37];
    size_t length = 0;
    for (; length < 36; ++length) {
        const uint16_t unit = static_cast<uint16_t>(name[2 * length] | (name[2 * length + 1] << 8));
        if (unit == 0) break;
        if (unit < 0x20 || unit > 0x7e) return;
        ascii[length] = static_cast<char>(unit);
    }
    out.assign(std::string_view(ascii, length));
}

// A GPT whose header sits at LBA 1 of `sector_size`; false when absent or damaged.
bool parse_gpt(const uint8_t* data, size_t size, uint32_t sector_size, PartitionTable& table) {
    if (size < 2ull * sector_size) return false;
    const uint8_t* header = data + sector_size;
    if (std::memcmp(header, "EFI PART", 8) != 0) return false;
    const uint32_t header_size = le32(header + 12);
    if (header_size < 92 || header_size > sector_size) return false;
    uint8_t copy[4096];
    std::memcpy(copy, header, header_size);
    std::memset(copy + 16, 0, 4);  // the CRC field counts as zero
    if (crc32_ieee(copy, header_size) != le32(header + 16)) return false;
    if (le64(header + 24) != 1) return false;  // MyLBA of the primary header
    const uint64_t entries_lba = le64(header + 72);
    const uint32_t entry_count = le32(header + 80);
    const uint32_t entry_size = le32(header + 84);
    if (entry_size < 128 || entry_size % 8 != 0 || entry_size > 4096 ||
        entry_count > kMaxGptEntries)
        return false;
    if (entries_lba < 2 || entries_lba > size / sector_size) return false;
    const uint64_t start = entries_lba * sector_size;
    const uint64_t length = static_cast<uint64_t>(entry_count) * entry_size;
    if (start > size || length > size - start) return false;
    const uint8_t* entries = data + start;
    if (crc32_ieee(entries, static_cast<size_t>(length)) != le32(header + 88)) return false;
    table.count = 0;
    for (uint32_t i = 0; i < entry_count && table.count < kMaxPartitions; ++i) {
        const uint8_t* entry = entries + static_cast<size_t>(i) * entry_size;
        static constexpr uint8_t kUnused[16] = {};
        if (std::memcmp(entry, kUnused, 16) == 0) continue;
        const uint64_t first = le64(entry + 32), last = le64(entry + 40);
        if (last < first) continue;
        Partition& partition = table.partitions[table.count++];
        partition.number = i + 1;
        partition.first_lba = first;
        partition.sectors = last - first + 1;
        partition.kind = gpt_kind(entry);
        gpt_name(entry + 56, partition.name);
    }
    table.gpt = true;
    table.sector_size = sector_size;
    return true;
}

}  // namespace

bool PartitionTable::has(PartitionKind kind) const {
    for (size_t i = 0; i < count; ++i)
        if (partitions[i].kind == kind) return true;
    return false;
}

uint32_t crc32_ieee(const uint8_t* data, size_t size, uint32_t crc) {
    crc = ~crc;
    for (size_t i = 0; i < size; ++i) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

PartitionTable parse_partition_table(const uint8_t* data, size_t size) {
    PartitionTable table;
    if (size < 512) return table;
    table.mbr_signature = data[kMbrSignature] == 0x55 && data[kMbrSignature + 1] == 0xaa;
    if (!table.mbr_signature) return table;
    parse_mbr(data, table);
    // A protective MBR means GPT; hybrid MBRs (an 0xEE entry beside others) are GPT too.
    if (table.protective_mbr && !parse_gpt(data, size, 512, table))
        parse_gpt(data, size, 4096, table);
    if (table.protective_mbr && !table.gpt)
        table.count = 0;  // damaged GPT: no trustworthy partitions
    return table;
}

}  // namespace hal
