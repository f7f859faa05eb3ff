// Parsers of the display settings; no I/O.
#include "display/settings.hpp"

#include "base/setting_text.hpp"

namespace hal {

using namespace std::string_view_literals;

Parsed<DisplayMode> parse_display_mode(std::string_view text) {
    return parse_enum<DisplayMode>(text, "auto\0none"sv, "display must be auto or none");
}
Parsed<GuestVideo> parse_guest_video(std::string_view text) {
    return parse_enum<GuestVideo>(text, "std\0virtio"sv, "guest_video must be std or virtio");
}
Parsed<bool> parse_input_setting(std::string_view text) {
    // input = auto: every keyboard and pointer drives the guest; none: none does.
    const auto none = parse_enum<bool>(text, "auto\0none"sv, "input must be auto or none");
    if (!none.ok()) return none.error();
    return !none.value();
}

}  // namespace hal
