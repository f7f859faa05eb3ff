// libFuzzer target: MBR and GPT parsing of a disk's first sectors (512- and 4096-byte GPTs).
#include "disks/partition_table.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const hal::PartitionTable table = hal::parse_partition_table(data, size);
    if (table.count > hal::kMaxPartitions) __builtin_trap();
    if (table.gpt && table.sector_size != 512 && table.sector_size != 4096) __builtin_trap();
    for (size_t i = 0; i < table.count; ++i)
        if (table.partitions[i].number == 0) __builtin_trap();
    return 0;
}
