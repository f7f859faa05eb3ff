// MBR and GPT partition tables read from the first bytes of a disk: what a firmware would find
// there (boot code, an EFI System Partition, a BIOS boot partition) and where the partitions are.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/text.hpp"

namespace hal {

inline constexpr size_t kMaxPartitions = 128;  // GPT's usual entry count; MBR has 4
// Bytes of a disk the parser wants: LBA 0-33 at 4096-byte sectors covers the MBR, the GPT
// header and 128 entries of 128 bytes on 512e and 4Kn disks alike.
inline constexpr size_t kPartitionTableBytes = 34 * 4096;

enum class PartitionKind : uint8_t {
    kOther,
    kEfiSystem,
    kBiosBoot,
    kLinux,
    kWindowsData,
    kMicrosoftReserved,
    kExtended
};

struct Partition {
    uint32_t number = 0;  // 1-based, as the kernel names it (sda1)
    uint64_t first_lba = 0;
    uint64_t sectors = 0;
    PartitionKind kind = PartitionKind::kOther;
    bool bootable = false;  // MBR active flag
    uint8_t mbr_type = 0;   // MBR partition type byte, 0 on GPT
    FixedString<40> name;   // GPT partition name (PARTLABEL) when it is ASCII, else empty
};

struct PartitionTable {
    bool mbr_signature = false;   // 0x55 0xAA at offset 510
    bool mbr_boot_code = false;   // the 440 bytes of MBR boot code are not all zero
    bool protective_mbr = false;  // one 0xEE partition: the disk is GPT
    bool gpt = false;             // a GPT header whose CRCs check out
    uint32_t sector_size = 512;   // of the GPT found (512 or 4096)
    Partition partitions[kMaxPartitions];
    size_t count = 0;

    bool has(PartitionKind kind) const;
};

// Parses `size` bytes from the start of a disk (kPartitionTableBytes or fewer: a short read
// of a small disk). Never reads outside `data`. A GPT is accepted only with a valid header CRC
// and entry-array CRC; a damaged GPT leaves `gpt` false (with protective_mbr true).
PartitionTable parse_partition_table(const uint8_t* data, size_t size);

// CRC-32 (IEEE 802.3, as GPT uses it).
uint32_t crc32_ieee(const uint8_t* data, size_t size, uint32_t crc = 0);

}  // namespace hal
