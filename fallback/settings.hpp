// The fallback capability's settings: what a fatal error before the guest runs does to the
// machine, and where the GRUB environment block that can boot the OS natively is. No I/O.
#pragma once

#include <string_view>

#include "base/result.hpp"
#include "disks/filesystem_probe.hpp"

namespace hal {

// bare-metal: a fatal error boots the machine's OS natively once (when the boot entry told
// where GRUB's environment is), then the emergency action only if that cannot be done;
// none: the emergency action straight away.
enum class FallbackMode { kBareMetal, kNone };

struct FallbackSettings {
    FallbackMode mode = FallbackMode::kBareMetal;
    // grubenv: GRUB's environment file, DEVICE:/PATH (mkinitrd-hal --install-boot's entries
    // pass it as hal.grubenv=UUID=...:/boot/grub/grubenv); unset: no way back is known.
    bool has_grubenv = false;
    FileOnDevice grubenv;
    bool operator==(const FallbackSettings&) const = default;

    // A fatal error can boot the OS natively instead of ending the machine.
    bool native_boot_possible() const { return mode == FallbackMode::kBareMetal && has_grubenv; }
};

Parsed<FallbackMode> parse_fallback_mode(std::string_view text);
const char* fallback_mode_name(FallbackMode mode);

}  // namespace hal
