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
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
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

namespace {

struct Header {
    uint32_t mode, mtime, file_size, rdev_major, rdev_minor;
    std::string_view name;
    size_t data_start;
};

// One header and its name at `offset`, checked against the buffer.
Checked<Header> read_header(std::string_view bytes, size_t offset) {
    const std::string at = " at byte " + std::to_string(offset);
    if (offset > bytes.size() || bytes.size() - offset < kHeader)
        return problem("the archive ends without a trailer" + at);
    const std::string_view header = bytes.substr(offset, kHeader);
    if (header.substr(0, 6) != "070701") return problem("no newc header (magic 070701)" + at);
    uint32_t fields[13];
    for (size_t i = 0; i < 13; ++i)
        if (!hex_field(header.substr(6 + 8 * i, 8), fields[i]))
            return problem("a header field is not hexadecimal" + at);
    const uint32_t file_size = fields[6], name_size = fields[11];
    if (name_size == 0 || name_size > kMaxName) return problem("an impossible name length" + at);
    const size_t name_start = offset + kHeader;
    if (bytes.size() - name_start < name_size) return problem("a name runs past the end" + at);
    std::string_view name = bytes.substr(name_start, name_size);
    if (name.back() != '\0') return problem("a name is not NUL-terminated" + at);
    name.remove_suffix(1);
    const size_t data_start = align4(name_start + name_size);
    if (data_start > bytes.size() || bytes.size() - data_start < file_size)
        return problem("the data of " + std::string(name) + " runs past the end" + at);
    return Header{fields[1], fields[5], file_size, fields[9], fields[10], name, data_start};
}

}  // namespace

Checked<CpioArchive> read_cpio(std::string_view bytes, size_t offset) {
    CpioArchive archive;
    while (true) {
        const Header header = TRY(read_header(bytes, offset));
        offset = align4(header.data_start + header.file_size);
        if (header.name == "TRAILER!!!") {
            archive.end = offset > bytes.size() ? bytes.size() : offset;
            return archive;
        }
        CpioEntry entry;
        entry.path = std::string(header.name);
        entry.mode = header.mode;
        entry.mtime = header.mtime;
        entry.rdev_major = header.rdev_major;
        entry.rdev_minor = header.rdev_minor;
        entry.data = bytes.substr(header.data_start, header.file_size);
        archive.entries.push_back(std::move(entry));
    }
}

}  // namespace hal::pack
