// libFuzzer target: the board model and compatible string from a flattened device tree
// (/sys/firmware/fdt) through libfdt.
#include "platform/device_tree.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    hal::BoardIdentity board;
    (void)hal::board_identity(data, size, board);
    return 0;
}
