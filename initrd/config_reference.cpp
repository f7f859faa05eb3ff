// Rendering the schema's rows as Markdown and as a commented hal.conf.
#include "initrd/config_reference.hpp"

#include <string_view>

#include "config/schema.hpp"

namespace hal::pack {
namespace {

constexpr size_t kCommentWidth = 95;

// Markdown's `code` spans read as plain text in a comment.
std::string plain(std::string_view text) {
    std::string result;
    for (char c : text)
        if (c != '`') result += c;
    return result;
}

// `text` as "# " lines of at most kCommentWidth columns, broken at spaces.
std::string comment(const std::string& text) {
    std::string lines, line;
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find(' ', at);
        if (end == std::string::npos) end = text.size();
        const std::string word = text.substr(at, end - at);
        if (!line.empty() && line.size() + 1 + word.size() > kCommentWidth - 2) {
            lines += "# " + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
        at = end + 1;
    }
    if (!line.empty()) lines += "# " + line + "\n";
    return lines;
}

// A key `platform` sets: its value under each preset.
std::string preset_default(const PresetValue& preset) {
    return std::string(preset.transparent) +
           " (`platform = virtual`: " + std::string(preset.virtual_machine) + ")";
}

}  // namespace

std::string config_reference_markdown() {
    std::string table = "| key | values | default |\n|---|---|---|\n";
    for (const SettingRow& row : setting_rows()) {
        const PresetValue* preset = find_preset_value(row.key);
        table += "| `" + std::string(row.key) + "` | " + std::string(row.meaning) + " | " +
                 (preset ? preset_default(*preset) : std::string(row.default_text)) + " |\n";
    }
    return table;
}

std::string config_reference_conf() {
    std::string conf =
        "# hal-init configuration, packed as /etc/hal.conf. `key = value`; '#' starts a comment.\n"
        "# Any key can be overridden at boot with hal.KEY=VALUE on the kernel command line.\n"
        "# Every key is here at its default, under what it means (mkinitrd-hal "
        "--config-reference=conf);\n"
        "# the keys `platform` sets are commented out, so that they follow it.\n";
    for (const SettingRow& row : setting_rows()) {
        conf += "\n" + comment(plain(row.meaning));
        // Left to `platform`: a line here would be the user's choice and outrank the preset.
        if (const PresetValue* preset = find_preset_value(row.key)) {
            conf += comment("Set by platform: " + plain(preset_default(*preset)) +
                            "; remove the '#' below to choose it yourself.");
            conf += "#" + std::string(row.key) + " = " + std::string(preset->transparent) + "\n";
            continue;
        }
        conf += std::string(row.key) + " =" +
                (row.default_text.empty() ? "" : " " + std::string(row.default_text)) + "\n";
    }
    return conf;
}

}  // namespace hal::pack
