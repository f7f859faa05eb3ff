// Parsers of the display settings; no I/O.
#include "display/settings.hpp"

#include "base/setting_text.hpp"

namespace hal {
namespace {

constexpr NamedValue<DisplayMode> kModes[] = {{"auto", DisplayMode::kAuto}, {"none", DisplayMode::kNone}};
constexpr NamedValue<GuestVideo> kVideos[] = {{"std", GuestVideo::kStd}, {"virtio", GuestVideo::kVirtio}};
constexpr NamedValue<bool> kInputs[] = {{"auto", true}, {"none", false}};

}  // namespace

Parsed<DisplayMode> parse_display_mode(std::string_view text) {
    return parse_named(text, kModes, "display must be auto or none");
}
Parsed<GuestVideo> parse_guest_video(std::string_view text) {
    return parse_named(text, kVideos, "guest_video must be std or virtio");
}
Parsed<bool> parse_input_setting(std::string_view text) {
    return parse_named(text, kInputs, "input must be auto or none");
}

}  // namespace hal
