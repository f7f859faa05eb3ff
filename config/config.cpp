// /etc/hal.conf (`key = value`) and the hal.* kernel command line overrides, through the
// schema's rows.
#include "config/config.hpp"

#include "config/schema.hpp"

namespace hal {
namespace {

ConfigError config_error(unsigned line, std::string_view key, const char* message) {
    ConfigError error;
    error.line = line;
    if (!error.key.assign(key)) error.key.assign(key.substr(0, decltype(error.key)::kCapacity - 1));
    error.message = message;
    return error;
}

}  // namespace

Config default_config() {
    Config config;
    for (const SettingRow& row : setting_rows()) (void)row.apply(config, row.default_text);
    return config;
}

Result<Unit, ParseError> apply_setting(Config& config, std::string_view key,
                                       std::string_view value) {
    const SettingRow* row = find_setting(key);
    if (!row) return ParseError{"unknown key"};
    TRY(row->apply(config, value));
    config.explicit_keys |= setting_bit(*row);
    return Unit{};
}

Result<Config, ConfigError> parse_config(std::string_view text) {
    Config config = default_config();
    bool has_disk = false;
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        const size_t equals = line.find('=');
        if (equals == std::string_view::npos)
            return config_error(reader.number(), line, "expected `key = value`");
        const std::string_view key = trim(line.substr(0, equals));
        if (key.empty()) return config_error(reader.number(), key, "missing key before `=`");
        const auto applied = apply_setting(config, key, trim(line.substr(equals + 1)));
        if (!applied.ok()) return config_error(reader.number(), key, applied.error().message);
        has_disk = has_disk || key == "disk";
    }
    if (!has_disk) return config_error(0, "disk", "required key is missing");
    return config;
}

}  // namespace hal
