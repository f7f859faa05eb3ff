#include "fallback/settings.hpp"

namespace hal {

Parsed<FallbackMode> parse_fallback_mode(std::string_view text) {
    if (text == "bare-metal") return FallbackMode::kBareMetal;
    if (text == "none") return FallbackMode::kNone;
    return ParseError{"fallback must be bare-metal or none"};
}

const char* fallback_mode_name(FallbackMode mode) {
    return mode == FallbackMode::kBareMetal ? "bare-metal" : "none";
}

}  // namespace hal
