// newc: "070701", thirteen 8-digit hex fields, the name (NUL-terminated) padded to 4 bytes,
// the data padded to 4 bytes; "TRAILER!!!" ends an archive. No I/O.
#include "image/cpio_reader.hpp"

namespace hal::pack {
namespace {

constexpr size_t kHeader = 110;
constexpr size_t kMaxName = 4096;

bool hex_field(std::string_view text, uint32_t& value) {
    value = 0;
    for (char c : text) {
        const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0) return false;
        value = (value << 4) | static_cast<uint32_t>(digit);
    }
    return true;
}

size_t align4(size_t value) { return (value + 3) & ~static_cast<size_t>(3); }

}  // namespace

size_t skip_padding(std::string_view bytes, size_t offset) {
    while (offset < bytes.size() && bytes[offset] == '\0') ++offset;
    return offset;
}

bool read_cpio(std::string_view bytes, size_t offset, CpioArchive& archive, std::string& error) {
    archive = {};
    while (true) {
        const std::string at = " at byte " + std::to_string(offset);
        if (offset > bytes.size() || bytes.size() - offset < kHeader) {
            error = "the archive ends without a trailer" + at;
            return false;
        }
        const std::string_view header = bytes.substr(offset, kHeader);
        if (header.substr(0, 6) != "070701") {
            error = "no newc header (magic 070701)" + at;
            return false;
        }
        uint32_t fields[13];
        for (size_t i = 0; i < 13; ++i)
            if (!hex_field(header.substr(6 + 8 * i, 8), fields[i])) {
                error = "a header field is not hexadecimal" + at;
                return false;
            }
        const uint32_t file_size = fields[6], name_size = fields[11];
        if (name_size == 0 || name_size > kMaxName) {
            error = "an impossible name length" + at;
            return false;
        }
        const size_t name_start = offset + kHeader;
        if (bytes.size() - name_start < name_size) {
            error = "a name runs past the end" + at;
            return false;
        }
        std::string_view name = bytes.substr(name_start, name_size);
        if (name.back() != '\0') {
            error = "a name is not NUL-terminated" + at;
            return false;
        }
        name.remove_suffix(1);
        const size_t data_start = align4(name_start + name_size);
        if (data_start > bytes.size() || bytes.size() - data_start < file_size) {
            error = "the data of " + std::string(name) + " runs past the end" + at;
            return false;
        }
        offset = align4(data_start + file_size);
        if (name == "TRAILER!!!") {
            archive.end = offset > bytes.size() ? bytes.size() : offset;
            return true;
        }
        CpioEntry entry;
        entry.path = std::string(name);
        entry.mode = fields[1];
        entry.mtime = fields[5];
        entry.rdev_major = fields[9];
        entry.rdev_minor = fields[10];
        entry.data = bytes.substr(data_start, file_size);
        archive.entries.push_back(std::move(entry));
    }
}

}  // namespace hal::pack
