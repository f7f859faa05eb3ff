#include "fallback/grub_env.hpp"

#include <cstring>

namespace hal {
namespace {

bool safe_char(char c, bool in_name) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
        return true;
    return !in_name && std::strchr(" ,.:;()/=-", c) != nullptr && c != '\0';
}

bool safe_text(std::string_view text, bool in_name) {
    for (const char c : text)
        if (!safe_char(c, in_name)) return false;
    return true;
}

// The variable lines: from after the header to the first line that is not NAME=VALUE (the
// padding, or the end).
std::string_view variable_lines(std::string_view block) {
    size_t end = kGrubEnvHeader.size();
    while (end < block.size() && block[end] != '#') {
        const size_t newline = block.find('\n', end);
        if (newline == std::string_view::npos) break;
        end = newline + 1;
    }
    return block.substr(kGrubEnvHeader.size(), end - kGrubEnvHeader.size());
}

// Calls `visit(line, name)` for each variable line (without its newline).
template <class Visit>
void for_each_line(std::string_view lines, Visit&& visit) {
    while (!lines.empty()) {
        const size_t newline = lines.find('\n');
        const std::string_view line = lines.substr(0, newline);
        visit(line, line.substr(0, line.find('=')));
        lines.remove_prefix(newline == std::string_view::npos ? lines.size() : newline + 1);
    }
}

}  // namespace

bool grub_env_valid(std::string_view block) {
    return block.size() > kGrubEnvHeader.size() &&
           block.substr(0, kGrubEnvHeader.size()) == kGrubEnvHeader;
}

std::string_view grub_env_value(std::string_view block, std::string_view name) {
    if (!grub_env_valid(block)) return {};
    std::string_view value;
    for_each_line(variable_lines(block), [&](std::string_view line, std::string_view key) {
        if (key == name && key.size() < line.size()) value = line.substr(key.size() + 1);
    });
    return value;
}

Parsed<Unit> set_grub_env_value(char* block, size_t size, std::string_view name,
                                std::string_view value) {
    const std::string_view old(block, size);
    if (size > kGrubEnvMaxSize || !grub_env_valid(old))
        return ParseError{"not a GRUB environment block"};
    if (name.empty() || !safe_text(name, true) || !safe_text(value, false))
        return ParseError{"a name or value GRUB would have to escape"};
    char edited[kGrubEnvMaxSize];
    size_t used = kGrubEnvHeader.size();
    std::memcpy(edited, kGrubEnvHeader.data(), used);
    bool room = true;
    const auto put = [&](std::string_view text) {
        if (used + text.size() > size) room = false;
        if (!room) return;
        std::memcpy(edited + used, text.data(), text.size());
        used += text.size();
    };
    for_each_line(variable_lines(old), [&](std::string_view line, std::string_view key) {
        if (key == name) return;
        put(line);
        put("\n");
    });
    if (!value.empty()) {
        put(name);
        put("=");
        put(value);
        put("\n");
    }
    if (!room) return ParseError{"the GRUB environment block has no room left"};
    std::memset(edited + used, '#', size - used);
    std::memcpy(block, edited, size);
    return Unit{};
}

void grub_env_safe_text(std::string_view text, char* out, size_t capacity) {
    if (capacity == 0) return;
    size_t used = 0;
    for (const char c : text) {
        if (used + 1 >= capacity) break;
        out[used++] = safe_char(c, false) ? c : '_';
    }
    out[used] = '\0';
}

}  // namespace hal
