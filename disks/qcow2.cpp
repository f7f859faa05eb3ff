// qcow2 header parsing (QEMU's docs/interop/qcow2.txt); no I/O.
#include "disks/qcow2.hpp"

#include <cstring>

namespace hal {
namespace {

constexpr uint64_t kOffsetMask = 0x00fffffffffffe00ull;  // bits 9-55
constexpr uint64_t kCompressed = 1ull << 62;
constexpr uint64_t kZeroCluster = 1ull;
constexpr uint32_t kMaxBackingName = 1023;  // QEMU's own limit

uint32_t be32(const uint8_t* p) {
    return (static_cast<uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

}  // namespace

uint64_t read_be64(const uint8_t* bytes) {
    return (static_cast<uint64_t>(be32(bytes)) << 32) | be32(bytes + 4);
}

Qcow2Result parse_qcow2_header(const uint8_t* data, size_t size, Qcow2Header& header) {
    header = {};
    if (size < 72 || std::memcmp(data, "QFI\xfb", 4) != 0) return Qcow2Result::kNotQcow2;
    header.version = be32(data + 4);
    if (header.version != 2 && header.version != 3) return Qcow2Result::kMalformed;
    const uint64_t backing_offset = read_be64(data + 8);
    const uint32_t backing_size = be32(data + 16);
    header.cluster_bits = be32(data + 20);
    header.virtual_size = read_be64(data + 24);
    header.encrypted = be32(data + 32) != 0;
    header.l1_entries = be32(data + 36);
    header.l1_offset = read_be64(data + 40);
    if (header.cluster_bits < 9 || header.cluster_bits > 21) return Qcow2Result::kMalformed;
    if (header.version == 3) {
        if (size < 104) return Qcow2Result::kMalformed;
        header.external_data = (read_be64(data + 72) & 4) != 0;
    }
    if (backing_offset != 0) {
        if (backing_size == 0 || backing_size > kMaxBackingName || backing_offset > size ||
            backing_size > size - backing_offset)
            return Qcow2Result::kMalformed;
        if (!header.backing_file.assign({reinterpret_cast<const char*>(data + backing_offset),
                                         static_cast<size_t>(backing_size)}))
            return Qcow2Result::kMalformed;
        if (header.backing_file.view().find('\0') != std::string_view::npos)
            return Qcow2Result::kMalformed;
    }
    return Qcow2Result::kOk;
}

std::optional<uint64_t> qcow2_l2_offset(uint64_t l1_entry) {
    const uint64_t offset = l1_entry & kOffsetMask;
    if (offset == 0) return std::nullopt;
    return offset;
}

std::optional<uint64_t> qcow2_cluster_offset(uint64_t l2_entry) {
    if (l2_entry & (kCompressed | kZeroCluster)) return std::nullopt;
    const uint64_t offset = l2_entry & kOffsetMask;
    if (offset == 0) return std::nullopt;
    return offset;
}

}  // namespace hal
