// Parsing of `load`; no I/O.
#include "modules/settings.hpp"

namespace hal {
namespace {

bool is_name_character(char c) {
    return c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

}  // namespace

Parsed<ModuleSettings> parse_module_load(std::string_view text) {
    ModuleSettings settings;
    while (!text.empty()) {
        const size_t comma = text.find(',');
        const std::string_view name = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
        if (name.empty()) continue;
        for (char c : name)
            if (!is_name_character(c))
                return ParseError{"load must be module names separated by commas"};
        if (settings.load_count == kMaxForcedModules)
            return ParseError{"load names at most 16 modules"};
        if (!settings.load[settings.load_count++].assign(name))
            return ParseError{"load names a module too long"};
    }
    return settings;
}

}  // namespace hal
