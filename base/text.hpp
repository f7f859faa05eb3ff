// Text helpers over std::string_view that never allocate: lines, fields, numbers, bounded copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace hal {

// Longest path hal-init handles, terminator included (PATH_MAX is far more than we need).
inline constexpr size_t kPathCapacity = 256;

// Walks a buffer line by line; the last line need not end in '\n'. Line numbers start at 1.
class LineReader {
public:
    explicit LineReader(std::string_view text) : rest_(text) {}

    bool next(std::string_view& line) {
        if (rest_.empty()) return false;
        const size_t end = rest_.find('\n');
        if (end == std::string_view::npos) {
            line = rest_;
            rest_ = {};
        } else {
            line = rest_.substr(0, end);
            rest_.remove_prefix(end + 1);
        }
        ++number_;
        return true;
    }
    unsigned number() const { return number_; }

private:
    std::string_view rest_;
    unsigned number_ = 0;
};

inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

inline std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Removes a trailing "# comment" (a '#' anywhere starts a comment in our formats).
inline std::string_view strip_comment(std::string_view line) {
    const size_t hash = line.find('#');
    return hash == std::string_view::npos ? line : line.substr(0, hash);
}

// Calls visit(line) with each line that has content once its `#` comment and surrounding white
// space are gone. A visit that returns false stops the walk: the result is that line's number
// (from 1); 0 when every line was taken.
template <class Visit>
unsigned for_each_content_line(std::string_view text, Visit&& visit) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        const std::string_view content = trim(strip_comment(line));
        if (!content.empty() && !visit(content)) return reader.number();
    }
    return 0;
}

// Splits off the next whitespace-separated word; returns false when none is left.
inline bool next_word(std::string_view& text, std::string_view& word) {
    text = trim(text);
    if (text.empty()) return false;
    size_t end = 0;
    while (end < text.size() && !is_space(text[end])) ++end;
    word = text.substr(0, end);
    text.remove_prefix(end);
    return true;
}

inline bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

inline bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Decimal unsigned number, no sign, no spaces; nullopt on anything else or on overflow.
inline std::optional<uint64_t> parse_unsigned(std::string_view text) {
    if (text.empty()) return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const uint64_t digit = static_cast<uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

// A string of at most Capacity-1 characters stored inline, always NUL-terminated. Appends that
// would not fit fail and leave the string unchanged: overflow is an error, never truncation.
template <size_t Capacity>
class FixedString {
public:
    static constexpr size_t kCapacity = Capacity;

    FixedString() { data_[0] = '\0'; }
    // For defaults that fit by construction; a text that does not fit leaves it empty.
    explicit FixedString(std::string_view text) : FixedString() { assign(text); }

    bool assign(std::string_view text) {
        clear();
        return append(text);
    }
    bool append(std::string_view text) {
        if (text.empty()) return true;  // an empty view may have no data pointer at all
        if (text.size() >= Capacity - size_) return false;
        std::memcpy(data_ + size_, text.data(), text.size());
        size_ += text.size();
        data_[size_] = '\0';
        return true;
    }
    bool append(char c) { return append(std::string_view(&c, 1)); }
    void clear() {
        size_ = 0;
        data_[0] = '\0';
    }

    const char* c_str() const { return data_; }
    std::string_view view() const { return {data_, size_}; }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    bool operator==(const FixedString& other) const { return view() == other.view(); }

private:
    char data_[Capacity];
    size_t size_ = 0;
};

}  // namespace hal
