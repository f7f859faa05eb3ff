// libFuzzer target: an EFI System Partition's FAT directories and its loaders' PE headers, read
// from the input as the partition's bytes (a short read past its end).
#include "disks/esp_loaders.hpp"
#include "tests/fuzz/fuzz_input.hpp"

#include <cstring>

namespace {

struct Input final : hal::ByteSource {
    const uint8_t* data;
    size_t size;
    size_t reads = 0;
    Input(const uint8_t* d, size_t s) : data(d), size(s) {}
    bool read(uint64_t offset, uint8_t* out, size_t want) override {
        ++reads;
        if (offset > size || want > size - offset) return false;
        std::memcpy(out, data + offset, want);
        return true;
    }
};

hal::EspScanBuffers g_buffers;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input input(data, size);
    const hal::EspLoaders found = hal::scan_esp_loaders(input, g_buffers);
    if (found.signed_loaders > found.loaders) __builtin_trap();
    if (found.signed_loaders > 0 && found.first_signed.view().substr(0, 4) != "EFI/")
        __builtin_trap();
    if (!found.readable && found.loaders != 0) __builtin_trap();
    // Bounded: three directory levels of at most 512 entries, each loader's head a chain walk.
    if (input.reads > 4'000'000) __builtin_trap();
    (void)hal::pe_signed(data, size);
    return 0;
}
