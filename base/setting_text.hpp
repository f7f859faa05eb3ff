// The shapes a setting's text takes in every capability's parser: one of a few names, yes or
// no, a number within bounds. No I/O.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"

namespace hal {

template <class Enum>
struct NamedValue {
    std::string_view name;
    Enum value;
};

// The value named `text` in `table`, or `message` as the rejection.
template <class Enum, size_t N>
Parsed<Enum> parse_named(std::string_view text, const NamedValue<Enum> (&table)[N],
                         const char* message) {
    for (const auto& entry : table)
        if (entry.name == text) return entry.value;
    return ParseError{message};
}

// The first name `value` has in `table` ("?" when none).
template <class Enum, size_t N>
const char* name_of(Enum value, const NamedValue<Enum> (&table)[N]) {
    for (const auto& entry : table)
        if (entry.value == value) return entry.name.data();
    return "?";
}

// An enum whose values are 0, 1, 2... in the order `names` lists them, NUL-separated
// ("auto\0kvm\0tcg"sv): the value `text` names, or `message` as the rejection.
template <class Enum>
Parsed<Enum> parse_enum(std::string_view text, std::string_view names, const char* message) {
    size_t index = 0;
    for (size_t at = 0; at <= names.size(); ++index) {
        const size_t end = std::min(names.find('\0', at), names.size());
        if (names.substr(at, end - at) == text) return static_cast<Enum>(index);
        at = end + 1;
    }
    return ParseError{message};
}

// The name of `value` in `names` (a string literal, so every name ends in a NUL); "?" when
// the list is shorter.
template <class Enum>
const char* enum_name(Enum value, std::string_view names) {
    size_t at = 0;
    for (size_t index = 0; index < static_cast<size_t>(value); ++index) {
        at = names.find('\0', at);
        if (at == std::string_view::npos) return "?";
        ++at;
    }
    return names.data() + at;
}

inline constexpr NamedValue<bool> kYesNo[] = {{"yes", true},    {"no", false}, {"true", true},
                                              {"false", false}, {"1", true},   {"0", false}};

inline Parsed<bool> parse_yes_no(std::string_view text, const char* message) {
    return parse_named(text, kYesNo, message);
}

// A decimal count from `minimum` to `maximum`.
inline Parsed<uint32_t> parse_count(std::string_view text, uint32_t minimum, uint32_t maximum,
                                    const char* message) {
    const auto number = parse_unsigned(text);
    if (!number || *number < minimum || *number > maximum) return ParseError{message};
    return static_cast<uint32_t>(*number);
}

// `auto` (0) or a count within bounds.
inline Parsed<uint32_t> parse_auto_count(std::string_view text, uint32_t minimum, uint32_t maximum,
                                         const char* message) {
    if (text == "auto") return uint32_t{0};
    return parse_count(text, minimum, maximum, message);
}

}  // namespace hal
