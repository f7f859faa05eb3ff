// FAT12/16/32 directory walking and the PE certificate check; no I/O of its own.
#include "disks/esp_loaders.hpp"

#include <cstring>

namespace hal {
namespace {

uint32_t le16(const uint8_t* p) { return p[0] | p[1] << 8; }
uint32_t le32(const uint8_t* p) {
    return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
}

constexpr size_t kEntry = 32;
constexpr uint8_t kAttrDirectory = 0x10;
constexpr uint8_t kAttrVolumeLabel = 0x08;
constexpr uint8_t kAttrLongName = 0x0f;
constexpr int kMaxChain = 1024;  // clusters followed in one chain

enum class FatType { kFat12, kFat16, kFat32 };

struct Fat {
    ByteSource* source = nullptr;
    FatType type = FatType::kFat32;
    uint32_t bytes_per_sector = 0;
    uint64_t cluster_bytes = 0;
    uint64_t fat_offset = 0;   // the first FAT, in bytes
    uint64_t root_offset = 0;  // FAT12/16: the fixed root directory
    uint32_t root_bytes = 0;   // its size
    uint64_t data_offset = 0;  // cluster 2
    uint32_t clusters = 0;
    uint32_t root_cluster = 0;  // FAT32

    bool valid_cluster(uint32_t cluster) const { return cluster >= 2 && cluster < clusters + 2; }

    // The next cluster of a chain, or 0 at its end or on anything odd.
    uint32_t next(uint32_t cluster) const {
        uint8_t bytes[4] = {};
        uint32_t value = 0;
        switch (type) {
            case FatType::kFat12:
                if (!source->read(fat_offset + cluster + cluster / 2, bytes, 2)) return 0;
                value = le16(bytes);
                value = cluster & 1 ? value >> 4 : value & 0xfff;
                break;
            case FatType::kFat16:
                if (!source->read(fat_offset + uint64_t{cluster} * 2, bytes, 2)) return 0;
                value = le16(bytes);
                break;
            case FatType::kFat32:
                if (!source->read(fat_offset + uint64_t{cluster} * 4, bytes, 4)) return 0;
                value = le32(bytes) & 0x0fffffff;
                break;
        }
        return valid_cluster(value) ? value : 0;
    }

    // Up to `size` bytes of the chain from `cluster` into `out`; the bytes read.
    size_t read_chain(uint32_t cluster, uint8_t* out, size_t size) const {
        size_t got = 0;
        for (int step = 0; step < kMaxChain && got < size && valid_cluster(cluster); ++step) {
            const uint64_t want = size - got < cluster_bytes ? size - got : cluster_bytes;
            if (!source->read(data_offset + (uint64_t{cluster} - 2) * cluster_bytes, out + got,
                              want))
                break;
            got += want;
            cluster = next(cluster);
        }
        return got;
    }
};

bool parse_boot_sector(ByteSource& source, Fat& fat) {
    uint8_t boot[512];
    if (!source.read(0, boot, sizeof boot) || boot[510] != 0x55 || boot[511] != 0xaa) return false;
    const uint32_t sector = le16(boot + 11);
    const uint32_t per_cluster = boot[13];
    const uint32_t reserved = le16(boot + 14);
    const uint32_t fats = boot[16];
    const uint32_t root_entries = le16(boot + 17);
    const uint32_t total = le16(boot + 19) ? le16(boot + 19) : le32(boot + 32);
    const uint32_t fat_sectors = le16(boot + 22) ? le16(boot + 22) : le32(boot + 36);
    if ((sector != 512 && sector != 1024 && sector != 2048 && sector != 4096) || per_cluster == 0 ||
        (per_cluster & (per_cluster - 1)) != 0 || reserved == 0 || fats == 0 || fat_sectors == 0)
        return false;
    const uint64_t root_sectors = (uint64_t{root_entries} * kEntry + sector - 1) / sector;
    const uint64_t meta = reserved + uint64_t{fats} * fat_sectors + root_sectors;
    if (meta >= total) return false;
    fat.source = &source;
    fat.bytes_per_sector = sector;
    fat.cluster_bytes = uint64_t{sector} * per_cluster;
    fat.clusters = static_cast<uint32_t>((total - meta) / per_cluster);
    fat.type = fat.clusters < 4085    ? FatType::kFat12
               : fat.clusters < 65525 ? FatType::kFat16
                                      : FatType::kFat32;
    fat.fat_offset = uint64_t{reserved} * sector;
    fat.root_offset = (reserved + uint64_t{fats} * fat_sectors) * sector;
    fat.root_bytes = root_entries * kEntry;
    fat.data_offset = meta * sector;
    fat.root_cluster = le32(boot + 44);
    return fat.type != FatType::kFat32 || fat.valid_cluster(fat.root_cluster);
}

uint32_t first_cluster(const Fat& fat, const uint8_t* entry) {
    const uint32_t high = fat.type == FatType::kFat32 ? le16(entry + 20) << 16 : 0;
    return high | le16(entry + 26);
}

// An 8.3 name as text: "BOOTX64.EFI", "EFI".
void short_name(const uint8_t* entry, FixedString<16>& name) {
    name.clear();
    for (int i = 0; i < 8 && entry[i] != ' '; ++i) name.append(static_cast<char>(entry[i]));
    if (entry[8] == ' ') return;
    name.append('.');
    for (int i = 8; i < 11 && entry[i] != ' '; ++i) name.append(static_cast<char>(entry[i]));
}

// Calls visit(entry) for each live short entry of a directory held in `bytes`.
template <typename Visit>
void each_entry(const uint8_t* bytes, size_t size, Visit visit) {
    for (size_t at = 0; at + kEntry <= size; at += kEntry) {
        const uint8_t* entry = bytes + at;
        if (entry[0] == 0) return;
        if (entry[0] == 0xe5 || entry[11] == kAttrLongName || (entry[11] & kAttrVolumeLabel))
            continue;
        if (entry[0] == '.') continue;  // . and ..
        visit(entry);
    }
}

struct Scan {
    const Fat& fat;
    EspScanBuffers& buffers;
    EspLoaders& found;

    void loader(const uint8_t* entry, const FixedString<48>& path) {
        ++found.loaders;
        if (std::memcmp(entry, "BOOTMGFWEFI", 11) == 0) found.windows_boot_manager = true;
        const uint32_t size = le32(entry + 28);
        const size_t want = size < sizeof buffers.head ? size : sizeof buffers.head;
        const size_t got = fat.read_chain(first_cluster(fat, entry), buffers.head, want);
        if (!pe_signed(buffers.head, got)) return;
        if (found.signed_loaders++ == 0) found.first_signed = path;
    }

    // The directory at `cluster`, `depth` levels below \EFI (1: a vendor directory).
    void directory(uint32_t cluster, const FixedString<48>& path, int depth) {
        uint8_t* bytes = buffers.directories[depth];
        const size_t size = fat.read_chain(cluster, bytes, sizeof buffers.directories[0]);
        each_entry(bytes, size, [&](const uint8_t* entry) {
            FixedString<16> name;
            short_name(entry, name);
            FixedString<48> inner = path;
            if (!inner.append("/") || !inner.append(name.view())) return;
            if (entry[11] & kAttrDirectory) {
                if (depth < 2) directory(first_cluster(fat, entry), inner, depth + 1);
            } else if (std::memcmp(entry + 8, "EFI", 3) == 0) {
                loader(entry, inner);
            }
        });
    }
};

}  // namespace

bool pe_signed(const uint8_t* data, size_t size) {
    if (size < 0x40 || data[0] != 'M' || data[1] != 'Z') return false;
    const uint64_t pe = le32(data + 0x3c);
    constexpr uint64_t kFileHeader = 24;  // "PE\0\0" and the COFF header
    if (pe + kFileHeader + 2 > size || std::memcmp(data + pe, "PE\0\0", 4) != 0) return false;
    const uint64_t optional = pe + kFileHeader;
    const uint32_t magic = le16(data + optional);
    if (magic != 0x10b && magic != 0x20b) return false;
    const uint64_t count_at = optional + (magic == 0x20b ? 108 : 92);
    const uint64_t directories = count_at + 4;
    constexpr uint64_t kCertificateTable = 4;
    const uint64_t entry = directories + kCertificateTable * 8;
    if (entry + 8 > size || le32(data + count_at) <= kCertificateTable) return false;
    return le32(data + entry) != 0 && le32(data + entry + 4) >= 8;
}

EspLoaders scan_esp_loaders(ByteSource& partition, EspScanBuffers& buffers) {
    EspLoaders found;
    Fat fat;
    if (!parse_boot_sector(partition, fat)) return found;
    uint8_t* root = buffers.directories[0];
    size_t size = 0;
    if (fat.type == FatType::kFat32) {
        size = fat.read_chain(fat.root_cluster, root, sizeof buffers.directories[0]);
    } else {
        size = fat.root_bytes < sizeof buffers.directories[0] ? fat.root_bytes
                                                              : sizeof buffers.directories[0];
        if (!partition.read(fat.root_offset, root, size)) size = 0;
    }
    uint32_t efi = 0;
    each_entry(root, size, [&](const uint8_t* entry) {
        if ((entry[11] & kAttrDirectory) && std::memcmp(entry, "EFI        ", 11) == 0)
            efi = first_cluster(fat, entry);
    });
    if (!fat.valid_cluster(efi)) return found;
    found.readable = true;
    FixedString<48> path;
    path.assign("EFI");
    Scan{fat, buffers, found}.directory(efi, path, 0);
    return found;
}

}  // namespace hal
