#include "supervision/operator_port.hpp"

namespace hal {
namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view serial_port_name(std::string_view text) {
    constexpr std::string_view kDev = "/dev/";
    if (text.substr(0, kDev.size()) == kDev) text.remove_prefix(kDev.size());
    if (text.empty() || text.size() >= kSerialNameCapacity || !is_letter(text.front())) return {};
    for (const char c : text)
        if (!is_letter(c) && !is_digit(c)) return {};
    return text;
}

bool is_kernel_console(std::string_view active_consoles, std::string_view name) {
    size_t start = 0;
    while (start < active_consoles.size()) {
        size_t end = active_consoles.find_first_of(" \t\n", start);
        if (end == std::string_view::npos) end = active_consoles.size();
        if (end > start && active_consoles.substr(start, end - start) == name) return true;
        start = end + 1;
    }
    return false;
}

}  // namespace hal
