// fallback = bare-metal's system half: on a fatal error, GRUB's environment gets the flag
// mkinitrd_hal_fallback, which makes the installed entries (initrd/boot_entry.cpp) step aside
// and clear it, so the machine boots its own OS natively once; then the reboot.
#pragma once

#include "disks/sys/storage.hpp"
#include "fallback/settings.hpp"

namespace hal {

// The variable the installed GRUB entries look for.
inline constexpr const char* kGrubFallbackVariable = "mkinitrd_hal_fallback";

// Writes the flag with `why` as its value and reboots (never returns) when it can; otherwise
// one line says why not and it returns, for the emergency action to follow. Nothing when
// fallback = none.
void boot_os_natively_next(StorageEnvironment& environment, const FallbackSettings& settings,
                           const char* why);

}  // namespace hal
