// The machine's identity for the guest (identity = host): the host firmware's SMBIOS
// structures 0-3 and OEM licence ACPI tables, copied to files QEMU reads and checked first,
// and the host's CPU topology; and whether the host itself booted with UEFI.
#pragma once

#include "platform/facts.hpp"
#include "platform/settings.hpp"

namespace hal {

// Fills the identity fields of `facts` (and host_uefi, which the firmware choice needs
// whatever the identity setting, and with `secure_boot` host_secure_boot); logs one line with
// what was found.
void gather_identity(Identity identity, bool secure_boot, PlatformFacts& facts);

// This machine is a guest of a HAL: an SMBIOS OEM string (type 11) is kGuestMarker.
bool inside_hal_guest();

}  // namespace hal
