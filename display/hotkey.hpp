// The host menu's hotkey (Ctrl+Alt+Esc unless configured) and the filter that keeps it from
// the guest: modifiers that may start the hotkey are held back until the next key decides,
// then either swallowed (the hotkey) or passed on in order (anything else). No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/result.hpp"

namespace hal {

enum Modifier : uint8_t { kCtrl = 1, kAlt = 2, kShift = 4, kMeta = 8 };

struct Hotkey {
    uint8_t modifiers = kCtrl | kAlt;  // every one of these, either side
    uint16_t key = 1;                  // KEY_ESC
    bool operator==(const Hotkey&) const = default;
};

// "ctrl+alt+esc", "ctrl+alt+f12", "meta+pause"...: at least one modifier and one key.
Parsed<Hotkey> parse_hotkey(std::string_view text);
// The hotkey in the form parse_hotkey() reads ("ctrl+alt+esc"), into `out` (32 bytes hold any).
const char* format_hotkey(const Hotkey& hotkey, char* out, size_t size);

struct KeyEvent {
    uint16_t code = 0;
    bool down = false;
};

class HotkeyFilter {
public:
    explicit HotkeyFilter(const Hotkey& hotkey) : hotkey_(hotkey) {}

    // One key press (down) or release from a host keyboard (repeats are ignored); fills `out`
    // with what the guest gets, in order, and returns how many. `menu` turns true when this
    // press completed the hotkey.
    size_t key(uint16_t code, bool down, KeyEvent* out, bool& menu);
    // Passes on held-back modifiers now (a mouse click with Ctrl held).
    size_t flush(KeyEvent* out);
    // Forgets every key (the menu took over; the guest got releases for what it had).
    size_t release_all(KeyEvent* out);

    static constexpr size_t kMaxOutput = 16;

private:
    static constexpr size_t kMaxKeys = 16;
    struct Held {
        uint16_t code;
        bool forwarded;  // the guest has its press
    };
    int find(uint16_t code) const;
    void drop(int index);
    uint8_t held_modifiers() const;

    Hotkey hotkey_;
    Held held_[kMaxKeys];
    size_t count_ = 0;
    uint16_t swallowed_[kMaxKeys];  // presses whose release the guest must not see
    size_t swallowed_count_ = 0;
};

// Which modifier a key code is (0 for none).
uint8_t modifier_of(uint16_t code);

}  // namespace hal
