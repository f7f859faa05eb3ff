// Fixed paths inside the image: the one place both the packer and hal-init take them from.
#pragma once

namespace hal::layout {

inline constexpr const char* kInit = "/init";
inline constexpr const char* kConfig = "/etc/hal.conf";
inline constexpr const char* kQemu = "/usr/bin/qemu-system-x86_64";
inline constexpr const char* kFirmwareDir = "/usr/share/qemu";
inline constexpr const char* kModulesDir = "/lib/modules";
inline constexpr const char* kModulesLoad = "modules.load";  // inside /lib/modules/KVER
inline constexpr const char* kRunDir = "/run/hal";
inline constexpr const char* kQmpSocket = "/run/hal/qmp.sock";

}  // namespace hal::layout
