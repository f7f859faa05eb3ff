// libFuzzer target: the qcow2 header (and backing file name) of a guest image file, and the
// L1/L2 entry decoding that finds the cluster with the image's boot sector.
#include "disks/qcow2.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    hal::Qcow2Header header;
    if (hal::parse_qcow2_header(data, size, header) == hal::Qcow2Result::kOk) {
        if (header.cluster_bits < 9 || header.cluster_bits > 21) __builtin_trap();
    }
    if (size >= 16) {
        (void)hal::qcow2_l2_offset(hal::read_be64(data));
        (void)hal::qcow2_cluster_offset(hal::read_be64(data + 8));
    }
    return 0;
}
