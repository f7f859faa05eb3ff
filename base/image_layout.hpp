// Fixed paths inside the image: the one place both the packer and hal-init take them from.
#pragma once

namespace hal::layout {

inline constexpr const char* kInit = "/init";
inline constexpr const char* kConfig = "/etc/hal.conf";
inline constexpr const char* kQemu = "/usr/bin/qemu-system-x86_64";
inline constexpr const char* kDisplay = "/usr/bin/hal-display";  // packed unless display = none
inline constexpr const char* kVncSocket = "/run/hal/vnc.sock";   // QEMU's screen for hal-display
inline constexpr const char* kFirmwareDir = "/usr/share/qemu";
inline constexpr const char* kModulesDir = "/lib/modules";
inline constexpr const char* kModulesLoad = "modules.load";  // inside /lib/modules/KVER
// What the packer meant the image to hold, for --verify: the module firmware it packed and the
// firmware it could not find ("firmware MODULE FILE" / "firmware-absent MODULE FILE" lines).
inline constexpr const char* kManifest = "/etc/hal-image.manifest";
inline constexpr const char* kRunDir = "/run/hal";
inline constexpr const char* kQmpSocket = "/run/hal/qmp.sock";
inline constexpr const char* kBootTimeline = "/run/hal/boot.json";  // base/sys/timeline_file.hpp

// UEFI guests: OVMF from Debian's ovmf package, packed into kFirmwareDir; the guest's variable
// store is a private writable copy of a VARS template made at every launch.
inline constexpr const char* kOvmfCode = "/usr/share/qemu/OVMF_CODE_4M.fd";
inline constexpr const char* kOvmfVars = "/usr/share/qemu/OVMF_VARS_4M.fd";
inline constexpr const char* kOvmfSecureCode = "/usr/share/qemu/OVMF_CODE_4M.secboot.fd";
inline constexpr const char* kOvmfSecureVars = "/usr/share/qemu/OVMF_VARS_4M.ms.fd";
inline constexpr const char* kUefiVars = "/run/hal/vars.fd";
// Host firmware tables handed to the guest (identity = host), copied and checked first.
inline constexpr const char* kIdentityDir = "/run/hal/identity";
// Host partitions holding guest images or the UEFI variable file are mounted below here.
inline constexpr const char* kMountDir = "/run/hal/mnt";
// snapshot = yes: QEMU's temporary overlays (its TMPDIR), a size-capped tmpfs.
inline constexpr const char* kSnapshotDir = "/run/hal/snapshot";

}  // namespace hal::layout
