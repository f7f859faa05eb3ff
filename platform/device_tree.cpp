// Board identity from a flattened device tree with libfdt; no I/O.
#include "platform/device_tree.hpp"

#include <libfdt.h>

#include <cstdint>

namespace hal {
namespace {

constexpr int kRootNode = 0;

// A property's value as one NUL-terminated string (the first of a string list).
bool first_string(const void* blob, const char* property, std::string_view& text) {
    int length = 0;
    const auto* value = static_cast<const char*>(fdt_getprop(blob, kRootNode, property, &length));
    if (!value || length <= 0) {
        text = {};
        return true;
    }
    size_t end = 0;
    while (end < static_cast<size_t>(length) && value[end] != '\0') ++end;
    if (end == static_cast<size_t>(length)) return false;  // not terminated inside the property
    text = {value, end};
    return true;
}

uint32_t big_endian32(const unsigned char* bytes) {
    return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
           bytes[3];
}

size_t padded(size_t offset) { return (offset + FDT_TAGSIZE - 1) & ~size_t{FDT_TAGSIZE - 1}; }

// One bounded pass over the structure block's tokens before libfdt walks it. libfdt 1.6.1
// reads a property's 32-bit length as an int: a length such as 0xfffffff4 moves its walk
// backwards, and fdt_check_full then loops forever. Here every token must lie inside the
// block and every step must move forward. Header fields are checked against size first.
bool tokens_fit(const unsigned char* blob, size_t size) {
    const size_t total = big_endian32(blob + 4);
    const size_t start = big_endian32(blob + 8);
    if (total > size || start > total) return false;
    size_t end = total;
    if (fdt_version(blob) >= 17) {
        const size_t struct_size = big_endian32(blob + 36);
        if (struct_size > total - start) return false;
        end = start + struct_size;
    }
    size_t offset = start;
    while (end - offset >= FDT_TAGSIZE) {
        const uint32_t tag = big_endian32(blob + offset);
        offset += FDT_TAGSIZE;
        switch (tag) {
            case FDT_BEGIN_NODE: {
                size_t name_end = offset;
                while (name_end < end && blob[name_end] != '\0') ++name_end;
                if (name_end == end) return false;
                offset = padded(name_end + 1);
                break;
            }
            case FDT_PROP: {
                if (end - offset < 2 * sizeof(uint32_t)) return false;
                const size_t length = big_endian32(blob + offset);
                offset += 2 * sizeof(uint32_t);
                if (length > end - offset) return false;
                offset = padded(offset + length);
                break;
            }
            case FDT_END_NODE:
            case FDT_NOP: break;
            case FDT_END: return true;
            default: return false;
        }
        if (offset > end) return false;  // padding ran past the block
    }
    return false;  // no FDT_END inside the block
}

}  // namespace

BoardResult board_identity(const void* blob, size_t size, BoardIdentity& board) {
    board = {};
    if (size < sizeof(fdt_header)) return BoardResult::kInvalidTree;
    // Before version 16 node names were full paths; libfdt 1.6.1's fdt_check_full dereferences
    // the NULL name such a node without a '/' gives. Every kernel since 2.6.x exports version 17.
    if (fdt_magic(blob) != FDT_MAGIC || fdt_version(blob) < 16) return BoardResult::kInvalidTree;
    if (!tokens_fit(static_cast<const unsigned char*>(blob), size) ||
        fdt_check_full(blob, size) != 0)
        return BoardResult::kInvalidTree;
    std::string_view model, compatible;
    if (!first_string(blob, "model", model) || !first_string(blob, "compatible", compatible))
        return BoardResult::kInvalidTree;
    if (!board.model.assign(model) || !board.compatible.assign(compatible)) {
        board = {};
        return BoardResult::kTextTooLong;
    }
    return BoardResult::kFound;
}

}  // namespace hal
