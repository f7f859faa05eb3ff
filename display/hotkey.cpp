// Hotkey parsing and the hold-back filter; no I/O.
#include "display/hotkey.hpp"

#include <linux/input-event-codes.h>

#include "base/text.hpp"

namespace hal {
namespace {

struct Name {
    std::string_view text;
    uint16_t code;
};

constexpr Name kKeyNames[] = {
    {"esc", KEY_ESC},
    {"escape", KEY_ESC},
    {"pause", KEY_PAUSE},
    {"scrolllock", KEY_SCROLLLOCK},
    {"delete", KEY_DELETE},
    {"del", KEY_DELETE},
    {"backspace", KEY_BACKSPACE},
    {"insert", KEY_INSERT},
    {"home", KEY_HOME},
    {"end", KEY_END},
    {"space", KEY_SPACE},
    {"enter", KEY_ENTER},
    {"tab", KEY_TAB},
    {"f1", KEY_F1},
    {"f2", KEY_F2},
    {"f3", KEY_F3},
    {"f4", KEY_F4},
    {"f5", KEY_F5},
    {"f6", KEY_F6},
    {"f7", KEY_F7},
    {"f8", KEY_F8},
    {"f9", KEY_F9},
    {"f10", KEY_F10},
    {"f11", KEY_F11},
    {"f12", KEY_F12},
    {"m", KEY_M},
    {"q", KEY_Q},
    {"h", KEY_H},
    {"g", KEY_G},
};

bool same_text(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
        if (c != b[i]) return false;
    }
    return true;
}

}  // namespace

uint8_t modifier_of(uint16_t code) {
    switch (code) {
        case KEY_LEFTCTRL:
        case KEY_RIGHTCTRL: return kCtrl;
        case KEY_LEFTALT:
        case KEY_RIGHTALT: return kAlt;
        case KEY_LEFTSHIFT:
        case KEY_RIGHTSHIFT: return kShift;
        case KEY_LEFTMETA:
        case KEY_RIGHTMETA: return kMeta;
        default: return 0;
    }
}

Parsed<Hotkey> parse_hotkey(std::string_view text) {
    constexpr ParseError kBad{"menu_hotkey must be modifiers and a key, e.g. ctrl+alt+esc"};
    Hotkey parsed{0, 0};
    text = trim(text);
    while (!text.empty()) {
        const size_t plus = text.find('+');
        const std::string_view part = trim(text.substr(0, plus));
        text = plus == std::string_view::npos ? std::string_view() : text.substr(plus + 1);
        if (same_text(part, "ctrl") || same_text(part, "control"))
            parsed.modifiers |= kCtrl;
        else if (same_text(part, "alt"))
            parsed.modifiers |= kAlt;
        else if (same_text(part, "shift"))
            parsed.modifiers |= kShift;
        else if (same_text(part, "meta") || same_text(part, "super") || same_text(part, "win"))
            parsed.modifiers |= kMeta;
        else {
            if (parsed.key != 0) return kBad;  // two keys
            for (const Name& name : kKeyNames)
                if (same_text(part, name.text)) parsed.key = name.code;
            if (parsed.key == 0) return kBad;
        }
    }
    if (parsed.modifiers == 0 || parsed.key == 0) return kBad;
    return parsed;
}

const char* format_hotkey(const Hotkey& hotkey, char* out, size_t size) {
    struct Modifier {
        uint8_t bit;
        const char* name;
    };
    static constexpr Modifier kModifiers[] = {
        {kCtrl, "ctrl"}, {kAlt, "alt"}, {kShift, "shift"}, {kMeta, "meta"}};
    size_t used = 0;
    auto append = [&](std::string_view part) {
        for (char c : part)
            if (used + 1 < size) out[used++] = c;
    };
    for (const Modifier& modifier : kModifiers) {
        if (!(hotkey.modifiers & modifier.bit)) continue;
        append(modifier.name);
        append("+");
    }
    for (const Name& name : kKeyNames) {
        if (name.code != hotkey.key) continue;
        append(name.text);
        break;
    }
    if (size > 0) out[used] = '\0';
    return out;
}

int HotkeyFilter::find(uint16_t code) const {
    for (size_t i = 0; i < count_; ++i)
        if (held_[i].code == code) return static_cast<int>(i);
    return -1;
}

void HotkeyFilter::drop(int index) {
    for (size_t i = static_cast<size_t>(index) + 1; i < count_; ++i) held_[i - 1] = held_[i];
    --count_;
}

uint8_t HotkeyFilter::held_modifiers() const {
    uint8_t modifiers = 0;
    for (size_t i = 0; i < count_; ++i) modifiers |= modifier_of(held_[i].code);
    return modifiers;
}

size_t HotkeyFilter::flush(KeyEvent* out) {
    size_t written = 0;
    for (size_t i = 0; i < count_; ++i) {
        if (held_[i].forwarded) continue;
        held_[i].forwarded = true;
        out[written++] = {held_[i].code, true};
    }
    return written;
}

size_t HotkeyFilter::release_all(KeyEvent* out) {
    size_t written = 0;
    for (size_t i = 0; i < count_; ++i)
        if (held_[i].forwarded) out[written++] = {held_[i].code, false};
    // The keys still down are released later; their releases are not the guest's.
    for (size_t i = 0; i < count_ && swallowed_count_ < kMaxKeys; ++i)
        swallowed_[swallowed_count_++] = held_[i].code;
    count_ = 0;
    return written;
}

size_t HotkeyFilter::key(uint16_t code, bool down, KeyEvent* out, bool& menu) {
    menu = false;
    const int index = find(code);
    if (!down) {
        for (size_t i = 0; i < swallowed_count_; ++i) {
            if (swallowed_[i] != code) continue;
            swallowed_[i] = swallowed_[--swallowed_count_];
            return 0;
        }
        if (index < 0) return 0;  // never pressed as far as we know
        const Held held = held_[index];
        drop(index);
        size_t written = 0;
        if (!held.forwarded)
            out[written++] = {code, true};  // a lone modifier tap still reaches the guest
        out[written++] = {code, false};
        return written;
    }
    if (index >= 0) return 0;  // autorepeat of a key already down
    const uint8_t modifier = modifier_of(code);
    if (modifier & hotkey_.modifiers) {
        // Maybe the start of the hotkey: hold it back.
        if (count_ < kMaxKeys) held_[count_++] = {code, false};
        return 0;
    }
    if (code == hotkey_.key && (held_modifiers() & hotkey_.modifiers) == hotkey_.modifiers) {
        menu = true;
        if (swallowed_count_ < kMaxKeys) swallowed_[swallowed_count_++] = code;
        return release_all(out);
    }
    size_t written = flush(out);
    if (count_ < kMaxKeys) held_[count_++] = {code, true};
    out[written++] = {code, true};
    return written;
}

}  // namespace hal
