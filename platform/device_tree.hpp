// The host's flattened device tree (/sys/firmware/fdt), read with libfdt: which board this is.
#pragma once

#include <cstddef>

#include "base/text.hpp"

namespace hal {

inline constexpr size_t kBoardTextCapacity = 128;

struct BoardIdentity {
    FixedString<kBoardTextCapacity>
        model;  // the root node's "model", e.g. "Raspberry Pi 4 Model B"
    FixedString<kBoardTextCapacity>
        compatible;  // the first "compatible" string, e.g. "raspberrypi,4-model-b"
};

enum class BoardResult { kFound, kInvalidTree, kTextTooLong };

// Validates the whole blob (a bounded pass of ours over the tokens, then libfdt's
// fdt_check_full) before reading the root's model and compatible properties; a valid tree
// without them gives empty fields. Text longer than kBoardTextCapacity is an error, not a
// truncation.
BoardResult board_identity(const void* blob, size_t size, BoardIdentity& board);

}  // namespace hal
