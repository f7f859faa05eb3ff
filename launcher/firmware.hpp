// Which QEMU firmware files a configuration needs: the packer packs exactly these.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "config/config.hpp"

namespace hal {

inline constexpr size_t kMaxFirmwareFiles = 16;

struct FirmwareList {
    std::string_view names[kMaxFirmwareFiles];
    size_t count = 0;
    std::span<const std::string_view> view() const { return {names, count}; }
};

// `secure_boot_machine`: the image is for a machine that boots with Secure Boot on.
FirmwareList firmware_for(const Config& config, bool secure_boot_machine = false);

}  // namespace hal
