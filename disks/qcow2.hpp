// The qcow2 image header: what a guest disk image file is and what it depends on (a backing
// file), and where the guest's first cluster lives, to read its partition table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "base/text.hpp"

namespace hal {

// The header, its extensions and the backing file name lie in the first cluster; 64 KiB (the
// default cluster size) is what the caller reads.
inline constexpr size_t kQcow2HeaderBytes = 64 * 1024;

struct Qcow2Header {
    uint32_t version = 0;
    uint32_t cluster_bits = 0;
    uint64_t virtual_size = 0;
    uint64_t l1_offset = 0;
    uint32_t l1_entries = 0;
    bool encrypted = false;
    bool external_data = false;      // the data lives in another file (incompatible bit 2)
    FixedString<1024> backing_file;  // empty: no backing file
};

enum class Qcow2Result { kOk, kNotQcow2, kMalformed };

// Magic "QFI\xfb", version 2 or 3, sane cluster size and offsets inside the stated limits.
Qcow2Result parse_qcow2_header(const uint8_t* data, size_t size, Qcow2Header& header);

// The host offset of the cluster holding guest offset 0, from L1 entry 0 and the L2 entry it
// leads to (both big-endian as read from the file); nullopt when that cluster is unallocated
// (it would come from the backing file or read as zeros), compressed, or marked zero.
std::optional<uint64_t> qcow2_l2_offset(uint64_t l1_entry);
std::optional<uint64_t> qcow2_cluster_offset(uint64_t l2_entry);

uint64_t read_be64(const uint8_t* bytes);

}  // namespace hal
