// Helpers shared by the libFuzzer targets: one input split into several files, and checks that
// what a parser returns comes from the bytes it was given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hal::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The next part of `rest` up to a NUL byte (the seeds separate their files with one).
inline std::string_view next_part(std::string_view& rest) {
    const size_t end = rest.find('\0');
    const std::string_view part = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    return part;
}

// A view the parser hands back must point into its input (or be empty).
inline void require_inside(std::string_view view, std::string_view input) {
    if (view.empty()) return;
    if (view.data() < input.data() || view.data() + view.size() > input.data() + input.size())
        __builtin_trap();
}

// A value a parser copied must be a piece of its input (or empty).
inline void require_copied_from(std::string_view value, std::string_view input) {
    if (!value.empty() && input.find(value) == std::string_view::npos) __builtin_trap();
}

}  // namespace hal::fuzz
