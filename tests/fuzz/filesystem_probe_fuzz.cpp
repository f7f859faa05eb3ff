// libFuzzer target: filesystem type, label and UUID from a partition's first bytes (ext4,
// vfat, exFAT, NTFS, XFS, btrfs), as hal-init finds LABEL=/UUID= partitions.
#include "disks/filesystem_probe.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    hal::FilesystemInfo info;
    if (hal::probe_filesystem(data, size, info) && info.type[0] == '\0') __builtin_trap();
    return 0;
}
