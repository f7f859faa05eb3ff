// Unit tests for the display's input side: keymap, hotkey parsing and filter, pointer, layout,
// menu and the monitor's modes.
#include <doctest/doctest.h>

#include <linux/input-event-codes.h>

#include <string>
#include <vector>

#include "display/host_display.hpp"
#include "display/hotkey.hpp"
#include "display/keymap.hpp"
#include "display/layout.hpp"
#include "display/menu.hpp"
#include "display/pointer.hpp"
#include "tests/unit/support.hpp"

using namespace hal;

namespace {

std::vector<std::pair<uint16_t, bool>> filter(HotkeyFilter& filter, uint16_t code, bool down,
                                              bool* menu = nullptr) {
    KeyEvent out[HotkeyFilter::kMaxOutput];
    bool opened = false;
    const size_t count = filter.key(code, down, out, opened);
    if (menu) *menu = opened;
    std::vector<std::pair<uint16_t, bool>> events;
    for (size_t i = 0; i < count; ++i) events.emplace_back(out[i].code, out[i].down);
    return events;
}

}  // namespace

TEST_CASE("keymap: XT keys map to themselves, E0 keys to 0x80 | code, unknown to 0") {
    CHECK(qemu_key_number(KEY_A) == 0x1e);
    CHECK(qemu_key_number(KEY_F12) == 0x58);
    CHECK(qemu_key_number(KEY_RIGHTCTRL) == 0x9d);
    CHECK(qemu_key_number(KEY_UP) == 0xc8);
    CHECK(qemu_key_number(KEY_LEFTMETA) == 0xdb);
    CHECK(qemu_key_number(KEY_SYSRQ) == 0xb7);
    CHECK(qemu_key_number(BTN_LEFT) == 0);
}

TEST_CASE(
    "hotkey: parsing modifiers and keys, case-insensitive; no modifier or two keys -> rejected") {
    Hotkey hotkey = test::value_of(parse_hotkey("Ctrl+Alt+Esc"));
    CHECK(hotkey.modifiers == (kCtrl | kAlt));
    CHECK(hotkey.key == KEY_ESC);
    hotkey = test::value_of(parse_hotkey("meta+pause"));
    CHECK(hotkey.modifiers == kMeta);
    CHECK_FALSE(parse_hotkey("esc").ok());
    CHECK_FALSE(parse_hotkey("ctrl+alt").ok());
    CHECK_FALSE(parse_hotkey("ctrl+esc+f1").ok());
    CHECK_FALSE(parse_hotkey("ctrl+nosuchkey").ok());
    char text[32];
    CHECK(std::string(format_hotkey(test::value_of(parse_hotkey("Alt+Ctrl+F12")), text,
                                    sizeof text)) == "ctrl+alt+f12");
    CHECK(test::value_of(parse_hotkey(format_hotkey(hotkey, text, sizeof text))) == hotkey);
}

TEST_CASE("hotkey filter: Ctrl+Alt+Esc -> menu, the guest sees none of its keys or releases") {
    HotkeyFilter keys{Hotkey{}};
    bool menu = false;
    CHECK(filter(keys, KEY_LEFTCTRL, true).empty());
    CHECK(filter(keys, KEY_LEFTALT, true).empty());
    CHECK(filter(keys, KEY_ESC, true, &menu).empty());
    CHECK(menu);
    CHECK(filter(keys, KEY_ESC, false).empty());
    CHECK(filter(keys, KEY_LEFTALT, false).empty());
    CHECK(filter(keys, KEY_LEFTCTRL, false).empty());
    // Afterwards keys flow again.
    CHECK(filter(keys, KEY_A, true) == std::vector<std::pair<uint16_t, bool>>{{KEY_A, true}});
}

TEST_CASE("hotkey filter: Ctrl+C -> the held Ctrl first, then C; a lone Ctrl tap still arrives") {
    HotkeyFilter keys{Hotkey{}};
    CHECK(filter(keys, KEY_LEFTCTRL, true).empty());
    CHECK(filter(keys, KEY_C, true) ==
          std::vector<std::pair<uint16_t, bool>>{{KEY_LEFTCTRL, true}, {KEY_C, true}});
    CHECK(filter(keys, KEY_C, false) == std::vector<std::pair<uint16_t, bool>>{{KEY_C, false}});
    CHECK(filter(keys, KEY_LEFTCTRL, false) ==
          std::vector<std::pair<uint16_t, bool>>{{KEY_LEFTCTRL, false}});
    CHECK(filter(keys, KEY_RIGHTCTRL, true).empty());
    CHECK(filter(keys, KEY_RIGHTCTRL, false) ==
          std::vector<std::pair<uint16_t, bool>>{{KEY_RIGHTCTRL, true}, {KEY_RIGHTCTRL, false}});
    CHECK(filter(keys, KEY_LEFTSHIFT, true) ==
          std::vector<std::pair<uint16_t, bool>>{{KEY_LEFTSHIFT, true}});
}

TEST_CASE("hotkey filter: Esc without both modifiers, autorepeat and flush on a click") {
    HotkeyFilter keys{Hotkey{}};
    CHECK(filter(keys, KEY_LEFTCTRL, true).empty());
    bool menu = true;
    CHECK(filter(keys, KEY_ESC, true, &menu) ==
          std::vector<std::pair<uint16_t, bool>>{{KEY_LEFTCTRL, true}, {KEY_ESC, true}});
    CHECK_FALSE(menu);
    CHECK(filter(keys, KEY_ESC, true).empty());  // repeat
    HotkeyFilter click{Hotkey{}};
    CHECK(filter(click, KEY_LEFTALT, true).empty());
    KeyEvent out[HotkeyFilter::kMaxOutput];
    REQUIRE(click.flush(out) == 1);
    CHECK((out[0].code == KEY_LEFTALT && out[0].down));
    CHECK(filter(click, KEY_LEFTALT, false) ==
          std::vector<std::pair<uint16_t, bool>>{{KEY_LEFTALT, false}});
}

TEST_CASE(
    "pointer: relative motion integrated and clamped; absolute devices scaled; relative mode "
    "deltas") {
    Pointer pointer;
    pointer.resize(1280, 800);
    CHECK((pointer.x() == 640 && pointer.y() == 400));
    pointer.move_relative(100, -50);
    CHECK(pointer.x_for_event() == 740);
    CHECK(pointer.y_for_event() == 350);
    pointer.move_relative(10000, 10000);
    CHECK((pointer.x() == 1279 && pointer.y() == 799));
    pointer.move_absolute_x(32767, 0, 32767);
    pointer.move_absolute_y(0, 0, 32767);
    CHECK((pointer.x() == 1279 && pointer.y() == 0));
    pointer.move_absolute_x(-5, 0, 100);  // out of the device's range: clamped
    CHECK(pointer.x() == 0);
    pointer.set_absolute(false);
    pointer.move_relative(5, -3);
    CHECK(pointer.x_for_event() == 0x7fff + 5);
    CHECK(pointer.y_for_event() == 0x7fff - 3);
    CHECK(pointer.x_for_event() == 0x7fff);  // consumed
    pointer.button(kLeft, true);
    pointer.button(kRight, true);
    pointer.button(kLeft, false);
    CHECK(pointer.buttons() == kRight);
    pointer.resize(640, 400);  // the guest changed mode: the pointer keeps its place
    CHECK(pointer.y() < 400);
}

TEST_CASE("layout: fits -> 1:1 centred; larger -> scaled down keeping its shape, centred") {
    Placement same = place(1280, 800, 1280, 800);
    CHECK((same.x == 0 && same.width == 1280 && !same.scaled));
    Placement small = place(720, 400, 1280, 800);
    CHECK((small.x == 280 && small.y == 200 && !small.scaled));
    Placement wide = place(1920, 1080, 1280, 1024);
    CHECK(wide.scaled);
    CHECK((wide.width == 1280 && wide.height == 720 && wide.y == 152));
    Placement tall = place(1000, 2000, 1280, 800);
    CHECK((tall.height == 800 && tall.width == 400 && tall.x == 440));
    CHECK(place(0, 100, 1280, 800).width == 0);
}

TEST_CASE("layout: blit copies a dirty region 1:1 and scaled, and reports what it wrote") {
    const uint32_t gw = 4, gh = 2;
    std::vector<uint32_t> guest(gw * gh);
    for (uint32_t i = 0; i < guest.size(); ++i) guest[i] = i + 1;
    std::vector<uint32_t> screen(8 * 4, 0);
    Rect dirty;
    dirty.include(1, 0, 2, 2);
    Rect written = blit(reinterpret_cast<uint8_t*>(guest.data()), gw * 4, gw, gh, dirty,
                        reinterpret_cast<uint8_t*>(screen.data()), 8 * 4, place(gw, gh, 8, 4));
    CHECK((written.x == 3 && written.y == 1 && written.width == 2 && written.height == 2));
    CHECK(screen[1 * 8 + 3] == 2);
    CHECK(screen[2 * 8 + 4] == 7);
    CHECK(screen[1 * 8 + 2] == 0);  // outside the dirty region: untouched
    std::vector<uint32_t> half(2 * 1, 0);
    Rect all;
    all.include(0, 0, gw, gh);
    written = blit(reinterpret_cast<uint8_t*>(guest.data()), gw * 4, gw, gh, all,
                   reinterpret_cast<uint8_t*>(half.data()), 2 * 4, place(gw, gh, 2, 1));
    CHECK((half[0] == 1 && half[1] == 3));
    CHECK((written.width == 2 && written.height == 1));
}

TEST_CASE("menu: keys choose, the shell only when packed; the text names the hotkey") {
    CHECK(menu_choice(KEY_1, false) == MenuAction::kPowerOff);
    CHECK(menu_choice(KEY_2, false) == MenuAction::kReset);
    CHECK(menu_choice(KEY_3, false) == MenuAction::kNone);
    CHECK(menu_choice(KEY_3, true) == MenuAction::kShell);
    CHECK(menu_choice(KEY_ESC, false) == MenuAction::kBack);
    CHECK(menu_choice(KEY_Q, true) == MenuAction::kNone);
    char text[512];
    const size_t length = menu_text(text, sizeof text, false, "ctrl+alt+esc");
    const std::string shown(text, length);
    CHECK(shown.find("ctrl+alt+esc") != std::string::npos);
    CHECK(shown.find("no rescue shell") != std::string::npos);
    CHECK(menu_text(text, 16, true, "x") == 15);  // cut to the buffer, terminated
}

TEST_CASE("host display: connected status and the preferred mode first in the list") {
    CHECK(connector_connected("connected\n"));
    CHECK_FALSE(connector_connected("disconnected\n"));
    const auto mode = preferred_mode("1280x800\n1024x768\n");
    REQUIRE(mode.has_value());
    CHECK((mode->width == 1280 && mode->height == 800));
    CHECK(preferred_mode("1920x1080i\n")->height == 1080);
    CHECK_FALSE(preferred_mode("").has_value());
    CHECK_FALSE(preferred_mode("1280by800\n").has_value());
    CHECK_FALSE(preferred_mode("1280x800p\n").has_value());
    CHECK_FALSE(preferred_mode("0x800\n").has_value());
}

TEST_CASE(
    "host display: a firmware framebuffer's size, DRM's own fbdev told apart, XRGB8888 only") {
    const auto size = framebuffer_size("1024,768\n");
    REQUIRE(size.has_value());
    CHECK((size->width == 1024 && size->height == 768));
    for (const char* bad :
         {"", "1024\n", "1024x768\n", "0,768\n", "1024,\n", "99999,768\n", "1024,768,1\n"}) {
        CAPTURE(bad);
        CHECK_FALSE(framebuffer_size(bad).has_value());
    }
    CHECK(framebuffer_of_drm("bochs-drmdrmfb\n"));
    CHECK(framebuffer_of_drm("i915drmfb"));
    CHECK_FALSE(framebuffer_of_drm("EFI VGA\n"));
    CHECK_FALSE(framebuffer_of_drm("VESA VGA"));
    CHECK_FALSE(framebuffer_of_drm("fb"));
    FramebufferFormat xrgb{32, 16, 8, 8, 8, 0, 8};
    CHECK(framebuffer_drawable(xrgb));
    FramebufferFormat bgrx = xrgb;
    bgrx.red_offset = 0, bgrx.blue_offset = 16;
    CHECK_FALSE(framebuffer_drawable(bgrx));
    FramebufferFormat rgb565{16, 11, 5, 5, 6, 0, 5};
    CHECK_FALSE(framebuffer_drawable(rgb565));
    FramebufferFormat rgb24{24, 16, 8, 8, 8, 0, 8};
    CHECK_FALSE(framebuffer_drawable(rgb24));
}
