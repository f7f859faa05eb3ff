// A host disk's identity as its bus reports it (serial, model, WWN, EUI-64), from the texts
// sysfs shows, so the guest's disk can carry the same identity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/text.hpp"

namespace hal {

// The bus a host disk hangs off, from its resolved sysfs device path.
enum class HostBus : uint8_t { kVirtio, kSata, kScsi, kNvme, kUsb, kMmc, kOther };
HostBus host_bus_from_device_path(std::string_view path);
const char* host_bus_name(HostBus bus);

struct DiskIdentity {
    FixedString<64> serial;  // ATA 20, SCSI up to 36, NVMe 20, virtio 20 characters
    FixedString<48> model;   // ATA 40 characters; SCSI product 16
    FixedString<24> vendor;  // SCSI vendor (8); "ATA" for SATA disks behind libata
    uint64_t wwn = 0;        // NAA world wide name (64-bit form), 0 when none
    uint64_t eui64 = 0;      // NVMe namespace EUI-64, 0 when none
};

// libata's IDENTIFY DEVICE words (/sys/class/ata_device/devN.0/id: 256 hex words) -> the
// ATA serial (words 10-19), model (27-46) and WWN (108-111). False when malformed.
bool ata_identity_from_id_text(std::string_view text, DiskIdentity& identity);

// SCSI VPD page 0x80 (device/vpd_pg80): the unit serial number, blanks trimmed.
std::string_view serial_from_vpd80(const uint8_t* page, size_t size);

// "naa.5000c500a1b2c3d4" or "0x5000c500a1b2c3d4" -> the 64-bit NAA name (types 2, 3 and 5);
// 128-bit NAA and t10./eui. forms -> nullopt (QEMU's wwn property is 64-bit).
std::optional<uint64_t> wwn_from_text(std::string_view text);

// An EUI-64 as sysfs shows it ("00 25 38 5a 81 b0 b6 76", "eui.0025385a81b0b676") -> value.
std::optional<uint64_t> eui64_from_text(std::string_view text);

}  // namespace hal
