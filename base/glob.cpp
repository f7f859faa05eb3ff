// Glob matcher with single-star backtracking: linear in practice, never recursive.
#include "base/glob.hpp"

#include <cstddef>

namespace hal {
namespace {

// Matches one bracket expression at pattern[*p] against c; advances *p past it. A '[' with
// no closing ']' is an ordinary character, as in fnmatch.
bool match_class(std::string_view pattern, size_t& p, char c, bool& valid) {
    size_t i = p + 1;
    bool negate = false;
    if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
        negate = true;
        ++i;
    }
    bool matched = false;
    bool first = true;
    while (i < pattern.size() && (first || pattern[i] != ']')) {
        first = false;
        char low = pattern[i];
        if (low == '\\' && i + 1 < pattern.size()) low = pattern[++i];
        char high = low;
        if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            high = pattern[i + 2];
            if (high == '\\' && i + 3 < pattern.size()) high = pattern[++i + 2];
            i += 2;
        }
        if (c >= low && c <= high) matched = true;
        ++i;
    }
    if (i >= pattern.size()) {
        valid = false;
        return false;
    }
    valid = true;
    p = i + 1;
    return matched != negate;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
    size_t p = 0, t = 0;
    size_t star_p = std::string_view::npos, star_t = 0;
    while (t < text.size()) {
        if (p < pattern.size()) {
            const char c = pattern[p];
            if (c == '*') {
                star_p = ++p;
                star_t = t;
                continue;
            }
            if (c == '?') {
                ++p;
                ++t;
                continue;
            }
            if (c == '[') {
                size_t next = p;
                bool valid = false;
                const bool matched = match_class(pattern, next, text[t], valid);
                if (valid && matched) {
                    p = next;
                    ++t;
                    continue;
                }
                if (!valid && text[t] == '[') {
                    ++p;
                    ++t;
                    continue;
                }
            } else {
                char literal = c;
                size_t width = 1;
                if (c == '\\' && p + 1 < pattern.size()) {
                    literal = pattern[p + 1];
                    width = 2;
                }
                if (literal == text[t]) {
                    p += width;
                    ++t;
                    continue;
                }
            }
        }
        // Mismatch: let the last '*' swallow one more character, or fail.
        if (star_p == std::string_view::npos) return false;
        p = star_p;
        t = ++star_t;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace hal
