// Superblock probes for ext2/3/4, FAT, exFAT, NTFS, XFS and btrfs; no I/O.
#include "disks/filesystem_probe.hpp"

#include <cstdio>
#include <cstring>

namespace hal {
namespace {

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const uint8_t* p) { return le16(p) | (static_cast<uint32_t>(le16(p + 2)) << 16); }
uint64_t le64(const uint8_t* p) { return le32(p) | (static_cast<uint64_t>(le32(p + 4)) << 32); }

// A fixed-size, NUL- or space-padded label field.
void set_label(FixedString<257>& label, const uint8_t* field, size_t size) {
    size_t length = 0;
    while (length < size && field[length] != 0) ++length;
    while (length > 0 && field[length - 1] == ' ') --length;
    label.assign(std::string_view(reinterpret_cast<const char*>(field), length));
}

void set_uuid(FixedString<40>& uuid, const uint8_t* bytes) {
    char text[37];
    std::snprintf(text, sizeof text,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                  bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    uuid.assign(text);
}

void set_serial32(FixedString<40>& uuid, uint32_t serial) {
    char text[10];
    std::snprintf(text, sizeof text, "%04X-%04X", serial >> 16, serial & 0xffff);
    uuid.assign(text);
}

bool probe_ext(const uint8_t* data, size_t size, FilesystemInfo& info) {
    constexpr size_t kSuper = 1024;
    if (size < kSuper + 136 || le16(data + kSuper + 56) != 0xef53) return false;
    info.type = "ext4";  // the ext4 driver mounts ext2 and ext3 too
    set_uuid(info.uuid, data + kSuper + 104);
    set_label(info.label, data + kSuper + 120, 16);
    return true;
}

bool probe_fat(const uint8_t* data, size_t size, FilesystemInfo& info) {
    if (size < 512 || data[510] != 0x55 || data[511] != 0xaa) return false;
    const bool fat32 = std::memcmp(data + 82, "FAT32   ", 8) == 0;
    const bool fat16 =
        std::memcmp(data + 54, "FAT1", 4) == 0 || std::memcmp(data + 54, "FAT     ", 8) == 0;
    if (!fat32 && !fat16) return false;
    const size_t serial = fat32 ? 67 : 39, label = fat32 ? 71 : 43;
    info.type = "vfat";
    set_serial32(info.uuid, le32(data + serial));
    set_label(info.label, data + label, 11);
    if (info.label.view() == "NO NAME") info.label.clear();
    return true;
}

bool probe_exfat_ntfs(const uint8_t* data, size_t size, FilesystemInfo& info) {
    if (size < 512) return false;
    if (std::memcmp(data + 3, "EXFAT   ", 8) == 0) {
        info.type = "exfat";
        set_serial32(info.uuid, le32(data + 100));
        return true;
    }
    if (std::memcmp(data + 3, "NTFS    ", 8) == 0) {
        char text[17];
        std::snprintf(text, sizeof text, "%016llX",
                      static_cast<unsigned long long>(le64(data + 72)));
        info.type = "ntfs3";
        info.uuid.assign(text);
        return true;
    }
    return false;
}

bool probe_xfs(const uint8_t* data, size_t size, FilesystemInfo& info) {
    if (size < 120 || std::memcmp(data, "XFSB", 4) != 0) return false;
    info.type = "xfs";
    set_uuid(info.uuid, data + 32);
    set_label(info.label, data + 108, 12);
    return true;
}

bool probe_btrfs(const uint8_t* data, size_t size, FilesystemInfo& info) {
    constexpr size_t kSuper = 64 * 1024;
    if (size < kSuper + 299 + 256 || std::memcmp(data + kSuper + 64, "_BHRfS_M", 8) != 0)
        return false;
    info.type = "btrfs";
    set_uuid(info.uuid, data + kSuper + 32);
    set_label(info.label, data + kSuper + 299, 256);
    return true;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

}  // namespace

bool probe_filesystem(const uint8_t* data, size_t size, FilesystemInfo& info) {
    info = {};
    return probe_ext(data, size, info) || probe_xfs(data, size, info) ||
           probe_btrfs(data, size, info) || probe_exfat_ntfs(data, size, info) ||
           probe_fat(data, size, info);
}

Parsed<DeviceName> parse_device_name(std::string_view text) {
    struct Prefix {
        std::string_view text;
        DeviceNameKind kind;
    };
    static constexpr Prefix kPrefixes[] = {{"LABEL=", DeviceNameKind::kLabel},
                                           {"UUID=", DeviceNameKind::kUuid},
                                           {"PARTLABEL=", DeviceNameKind::kPartLabel}};
    constexpr ParseError kBad{"a device must be LABEL=, UUID=, PARTLABEL= or /dev/..."};
    DeviceName name;
    for (const Prefix& prefix : kPrefixes) {
        if (!starts_with(text, prefix.text)) continue;
        name.kind = prefix.kind;
        const std::string_view value = text.substr(prefix.text.size());
        if (value.empty() || !name.value.assign(value)) return kBad;
        return name;
    }
    if (!starts_with(text, "/dev/") || text.size() <= 5 || !name.value.assign(text)) return kBad;
    return name;
}

bool same_uuid(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

Parsed<FileOnDevice> parse_file_on_device(std::string_view text) {
    constexpr ParseError kBad{"a file on a device must be DEVICE:/PATH"};
    const size_t split = text.find(":/");
    if (split == std::string_view::npos || split == 0) return kBad;
    FileOnDevice file;
    const std::string_view path = text.substr(split + 1);
    if (path.size() < 2 || !file.path.assign(path)) return kBad;
    file.device = TRY(parse_device_name(text.substr(0, split)));
    return file;
}

}  // namespace hal
