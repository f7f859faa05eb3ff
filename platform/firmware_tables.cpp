// SMBIOS structure and ACPI table checks; no I/O.
#include "platform/firmware_tables.hpp"

namespace hal {

bool valid_smbios_structure(const uint8_t* data, size_t size, uint8_t& type) {
    if (size < 6) return false;  // header (4) and the double NUL of an empty string set
    const size_t formatted = data[1];
    if (formatted < 4 || formatted > size - 2) return false;
    // The string set: NUL-terminated strings, ended by an extra NUL (two NULs when empty).
    size_t at = formatted;
    if (data[at] == 0) {
        if (data[at + 1] != 0) return false;
        at += 2;
    } else {
        while (true) {
            while (at < size && data[at] != 0) ++at;
            if (at + 1 >= size) return false;
            ++at;
            if (data[at] == 0) {
                ++at;
                break;
            }
        }
    }
    if (at != size) return false;
    type = data[0];
    return true;
}

bool smbios_oem_string_present(const uint8_t* data, size_t size, std::string_view text) {
    uint8_t type = 0;
    if (!valid_smbios_structure(data, size, type) || type != 11) return false;
    // Valid: the string set runs from the formatted area's end to the final double NUL.
    const std::string_view strings(reinterpret_cast<const char*>(data) + data[1],
                                   size - data[1] - 1);
    for (size_t at = 0; at < strings.size() && strings[at] != 0;) {
        const size_t end = strings.find('\0', at);
        if (strings.substr(at, end - at) == text) return true;
        at = end + 1;
    }
    return false;
}

bool valid_acpi_table(const uint8_t* data, size_t size, char (&signature)[5]) {
    constexpr size_t kHeader = 36;
    if (size < kHeader) return false;
    const uint32_t length =
        data[4] | (data[5] << 8) | (data[6] << 16) | (static_cast<uint32_t>(data[7]) << 24);
    if (length != size) return false;
    uint8_t sum = 0;
    for (size_t i = 0; i < size; ++i) sum = static_cast<uint8_t>(sum + data[i]);
    if (sum != 0) return false;
    for (int i = 0; i < 4; ++i) {
        const uint8_t c = data[i];
        if (c < 0x20 || c > 0x7e) return false;
        signature[i] = static_cast<char>(c);
    }
    signature[4] = '\0';
    return true;
}

}  // namespace hal
