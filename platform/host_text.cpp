// Parsing of /proc/cpuinfo, /proc/meminfo and kernel CPU lists; no I/O.
#include "platform/host_text.hpp"

#include "base/text.hpp"

namespace hal {
namespace {

// The value of the first "key<tabs>: value" line whose key matches.
std::string_view first_field(std::string_view text, std::string_view key) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        if (trim(line.substr(0, colon)) == key) return trim(line.substr(colon + 1));
    }
    return {};
}

}  // namespace

bool cpuinfo_has_virtualization(std::string_view cpuinfo) {
    std::string_view flags = first_field(cpuinfo, "flags");
    std::string_view flag;
    while (next_word(flags, flag))
        if (flag == "vmx" || flag == "svm") return true;
    return false;
}

std::string_view cpuinfo_vendor(std::string_view cpuinfo) {
    return first_field(cpuinfo, "vendor_id");
}

std::optional<uint64_t> proc_kib_field(std::string_view text, std::string_view key) {
    std::string_view value = first_field(text, key);
    std::string_view number;
    if (!next_word(value, number)) return std::nullopt;
    return parse_unsigned(number);
}

std::optional<uint32_t> cpu_list_count(std::string_view list) {
    list = trim(list);
    if (list.empty()) return std::nullopt;
    uint32_t count = 0;
    while (!list.empty()) {
        const size_t comma = list.find(',');
        const std::string_view range = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        const size_t dash = range.find('-');
        const auto first = parse_unsigned(range.substr(0, dash));
        const auto last =
            dash == std::string_view::npos ? first : parse_unsigned(range.substr(dash + 1));
        if (!first || !last || *last < *first || *last - *first >= 65536) return std::nullopt;
        count += static_cast<uint32_t>(*last - *first + 1);
    }
    return count;
}

std::optional<bool> efi_boolean_variable(std::string_view file) {
    if (file.size() != 5) return std::nullopt;
    const auto value = static_cast<uint8_t>(file[4]);
    if (value > 1) return std::nullopt;
    return value == 1;
}

}  // namespace hal
