// Board identity from a flattened device tree with libfdt; no I/O.
#include "platform/device_tree.hpp"

#include <libfdt.h>

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

}  // namespace

BoardResult board_identity(const void* blob, size_t size, BoardIdentity& board) {
    board = {};
    if (size < sizeof(fdt_header)) return BoardResult::kInvalidTree;
    // Before version 16 node names were full paths; libfdt 1.6.1's fdt_check_full dereferences
    // the NULL name such a node without a '/' gives. Every kernel since 2.6.x exports version 17.
    if (fdt_magic(blob) != FDT_MAGIC || fdt_version(blob) < 16) return BoardResult::kInvalidTree;
    if (fdt_check_full(blob, size) != 0) return BoardResult::kInvalidTree;
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
