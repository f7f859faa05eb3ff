// The host firmware's SMBIOS structures and ACPI tables that make up the machine's identity,
// checked before QEMU is handed them (it takes them as they are).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hal {

// The SMBIOS OEM string (type 11) the launcher gives every guest: a HAL image booted inside
// its own guest finds it and starts no second one; a boot loader can test it (GRUB's
// `smbios --type 11 --get-string 4`: the count byte names string 1 when it is the only one).
inline constexpr std::string_view kGuestMarker = "mkinitrd-hal:guest";

// One SMBIOS structure as /sys/firmware/dmi/entries/T-N/raw holds it: a formatted area of the
// length its header states, then strings ending in a double NUL, and nothing after. Sets
// `type` (0 BIOS, 1 system, 2 baseboard, 3 chassis...).
bool valid_smbios_structure(const uint8_t* data, size_t size, uint8_t& type);

// A valid type 11 (OEM strings) structure that holds `text` as one of its strings.
bool smbios_oem_string_present(const uint8_t* data, size_t size, std::string_view text);

// A whole ACPI table (/sys/firmware/acpi/tables/MSDM): a 36-byte header whose length field
// is `size` and whose bytes sum to zero. Sets the 4-character `signature` (NUL-terminated).
bool valid_acpi_table(const uint8_t* data, size_t size, char (&signature)[5]);

}  // namespace hal
