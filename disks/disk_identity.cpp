// Identity texts from sysfs into numbers and trimmed strings; no I/O.
#include "disks/disk_identity.hpp"

namespace hal {
namespace {

constexpr size_t kAtaWords = 256;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Exactly 16 hex digits, ignoring spaces, colons and dashes between them.
std::optional<uint64_t> hex64(std::string_view text) {
    uint64_t value = 0;
    unsigned digits = 0;
    for (char c : text) {
        if (c == ' ' || c == ':' || c == '-') continue;
        const int digit = hex_value(c);
        if (digit < 0 || ++digits > 16) return std::nullopt;
        value = (value << 4) | static_cast<uint64_t>(digit);
    }
    if (digits != 16) return std::nullopt;
    return value;
}

// An ATA string: each word holds two characters, high byte first; trailing blanks trimmed.
template <size_t Capacity>
void ata_string(const uint16_t* words, size_t count, FixedString<Capacity>& out) {
    char text[2 * 40];
    size_t length = 0;
    for (size_t i = 0; i < count && length + 2 <= sizeof text; ++i) {
        text[length++] = static_cast<char>(words[i] >> 8);
        text[length++] = static_cast<char>(words[i] & 0xff);
    }
    out.assign(trim({text, length}));
}

}  // namespace

HostBus host_bus_from_device_path(std::string_view path) {
    // Order matters: a USB-attached disk is also SCSI, an NVMe over virtio... is not a thing.
    if (path.find("/usb") != std::string_view::npos) return HostBus::kUsb;
    if (path.find("/nvme") != std::string_view::npos) return HostBus::kNvme;
    if (path.find("/virtio") != std::string_view::npos) {
        // virtio-scsi disks sit under a SCSI host below the virtio device.
        return path.find("/host") != std::string_view::npos ? HostBus::kScsi : HostBus::kVirtio;
    }
    if (path.find("/ata") != std::string_view::npos) return HostBus::kSata;
    if (path.find("/mmc") != std::string_view::npos) return HostBus::kMmc;
    if (path.find("/host") != std::string_view::npos &&
        path.find("/target") != std::string_view::npos)
        return HostBus::kScsi;
    return HostBus::kOther;
}

const char* host_bus_name(HostBus bus) {
    switch (bus) {
        case HostBus::kVirtio: return "virtio";
        case HostBus::kSata: return "sata";
        case HostBus::kScsi: return "scsi";
        case HostBus::kNvme: return "nvme";
        case HostBus::kUsb: return "usb";
        case HostBus::kMmc: return "mmc";
        case HostBus::kOther: break;
    }
    return "other";
}

bool ata_identity_from_id_text(std::string_view text, DiskIdentity& identity) {
    uint16_t words[kAtaWords];
    size_t count = 0;
    std::string_view word;
    while (next_word(text, word)) {
        if (count == kAtaWords || word.size() != 4) return false;
        uint16_t value = 0;
        for (char c : word) {
            const int digit = hex_value(c);
            if (digit < 0) return false;
            value = static_cast<uint16_t>((value << 4) | digit);
        }
        words[count++] = value;
    }
    if (count != kAtaWords) return false;
    ata_string(words + 10, 10, identity.serial);
    ata_string(words + 27, 20, identity.model);
    identity.vendor.assign("ATA");
    // Word 84 (supported) or 87 (enabled), bits 15:14 = 01 marking the word valid, bit 8:
    // words 108-111 hold the WWN.
    const auto has_wwn = [](uint16_t word) {
        return (word & 0xc000) == 0x4000 && (word & (1u << 8));
    };
    if (has_wwn(words[84]) || has_wwn(words[87]))
        identity.wwn = (static_cast<uint64_t>(words[108]) << 48) |
                       (static_cast<uint64_t>(words[109]) << 32) |
                       (static_cast<uint64_t>(words[110]) << 16) | words[111];
    return true;
}

std::string_view serial_from_vpd80(const uint8_t* page, size_t size) {
    if (size < 4 || page[1] != 0x80) return {};
    size_t length = static_cast<size_t>((page[2] << 8) | page[3]);
    if (length > size - 4) length = size - 4;
    return trim({reinterpret_cast<const char*>(page + 4), length});
}

std::optional<uint64_t> wwn_from_text(std::string_view text) {
    text = trim(text);
    if (starts_with(text, "naa."))
        text.remove_prefix(4);
    else if (starts_with(text, "0x"))
        text.remove_prefix(2);
    else
        return std::nullopt;
    const auto value = hex64(text);
    if (!value) return std::nullopt;
    const unsigned naa = static_cast<unsigned>(*value >> 60);
    if (naa != 2 && naa != 3 && naa != 5) return std::nullopt;
    return value;
}

std::optional<uint64_t> eui64_from_text(std::string_view text) {
    text = trim(text);
    if (starts_with(text, "eui.")) text.remove_prefix(4);
    const auto value = hex64(text);
    if (!value || *value == 0) return std::nullopt;
    return value;
}

}  // namespace hal
