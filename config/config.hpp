// The HAL configuration as typed values: one settings struct per capability, each parsed once
// by that capability's parser (config/schema.cpp says which key goes where), so no consumer
// ever parses text again. Shared by hal-init and mkinitrd-hal (which validates hal.conf).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"
#include "base/word_list.hpp"
#include "devices/settings.hpp"
#include "disks/settings.hpp"
#include "display/settings.hpp"
#include "fallback/settings.hpp"
#include "modules/settings.hpp"
#include "net/settings.hpp"
#include "passthrough/settings.hpp"
#include "platform/settings.hpp"
#include "supervision/settings.hpp"

namespace hal {

inline constexpr size_t kQemuArgsCapacity = 1024;

// hal.break=PHASE: a rescue shell before that phase of the boot plan.
enum class BreakPoint { kNone, kModules, kDevices, kLaunch };

// platform: the machine the guest meets when no key says otherwise (config/schema.hpp's
// presets). kTransparent: this machine's identity and disk bus, for the OS installed on it;
// kVirtual: QEMU's stable machine, for an OS written only for QEMU.
enum class PlatformPreset { kTransparent, kVirtual };

// The boot plan's own settings.
struct BootSettings {
    bool debug = false;  // debug-level logging
    BreakPoint break_before = BreakPoint::kNone;
    bool operator==(const BootSettings&) const = default;
};

struct Config {
    PlatformPreset preset = PlatformPreset::kTransparent;
    // Bit i: setting_rows()[i] was set by a line of hal.conf or a hal.* word, so the preset
    // leaves it alone whichever came first.
    uint64_t explicit_keys = 0;
    BootSettings boot;
    DeviceSettings devices;
    ModuleSettings modules;
    DiskSettings disks;
    PlatformSettings platform;
    NetSettings net;
    DisplaySettings display;
    SupervisionSettings supervision;
    FallbackSettings fallback;
    PassthroughSettings passthrough;
    WordList<kQemuArgsCapacity> qemu_args;  // extra QEMU arguments
    bool operator==(const Config&) const = default;
};

// What went wrong where: the caller prefixes the file name (or "kernel command line").
struct ConfigError {
    unsigned line = 0;  // 0: not tied to a line (a missing key)
    FixedString<64> key;
    const char* message = "";
};

// The configuration every key's default makes (the schema's default column).
Config default_config();

// Parses `key = value` lines with `#` comments over the defaults. Stops at the first error.
// A config without `disk` is an error.
Result<Config, ConfigError> parse_config(std::string_view text);

// Sets one key (or an alias of one) in `config`, as the user's choice: a later `platform`
// preset does not change it.
Result<Unit, ParseError> apply_setting(Config& config, std::string_view key,
                                       std::string_view value);

// Applies `hal.KEY=VALUE` words of a kernel command line (`hal.debug` alone means debug =
// yes) and the kernel's own `ip=`. Words that fail are reported through `report` and
// skipped; the rest still apply.
template <class Report>
void apply_cmdline_overrides(Config& config, std::string_view cmdline, Report&& report) {
    std::string_view word;
    while (next_word(cmdline, word)) {
        std::string_view key, value;
        if (starts_with(word, "ip=")) {
            key = "ip";
            value = word.substr(3);
        } else if (starts_with(word, "hal.")) {
            word.remove_prefix(4);
            const size_t equals = word.find('=');
            key = word.substr(0, equals);
            value = equals == std::string_view::npos ? std::string_view("yes")
                                                     : word.substr(equals + 1);
        } else {
            continue;
        }
        const auto applied = apply_setting(config, key, value);
        if (!applied.ok()) report(key, value, applied.error().message);
    }
}

const char* break_point_name(BreakPoint point);
const char* preset_name(PlatformPreset preset);

}  // namespace hal
