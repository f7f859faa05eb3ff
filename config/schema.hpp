// The configuration's schema: one row per key with its default, what its values mean, and the
// capability parser that turns its text into a typed field of Config. README's table, the
// man page and the shipped configs/hal.conf are made from these rows
// (mkinitrd-hal --config-reference), so they cannot drift apart.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.hpp"
#include "config/config.hpp"

namespace hal {

struct SettingRow {
    std::string_view key;
    std::string_view default_text;  // as hal.conf writes it; "" for none
    std::string_view meaning;       // the values and what they do (Markdown: `code` spans)
    Parsed<Unit> (*apply)(Config& config, std::string_view value);
};

// Every documented key, in the order README and hal.conf list them.
std::span<const SettingRow> setting_rows();

// The bit of Config::explicit_keys that stands for `row` (one of setting_rows()).
uint64_t setting_bit(const SettingRow& row);

// True when a line of hal.conf or a hal.* word set `key` (not its default, not a preset).
bool set_by_user(const Config& config, std::string_view key);

// What `platform` gives a key unless the user set it: one value per preset.
struct PresetValue {
    std::string_view key;
    std::string_view transparent;
    std::string_view virtual_machine;
    std::string_view of(PlatformPreset preset) const {
        return preset == PlatformPreset::kVirtual ? virtual_machine : transparent;
    }
};

// The keys `platform` sets; nullptr from find_preset_value for a key it leaves alone.
std::span<const PresetValue> preset_values();
const PresetValue* find_preset_value(std::string_view key);

// The row for `key` or one of its aliases (`nic` for nic_model, `ip` for net.ip); nullptr
// for an unknown key.
const SettingRow* find_setting(std::string_view key);

}  // namespace hal
