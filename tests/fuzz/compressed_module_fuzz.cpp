// libFuzzer target: a .ko.zst as hal-init inflates it. Any bytes: a size is stated or refused,
// and inflating either fills exactly that size or fails; never more.
#include <cstdint>
#include <string>

#include "modules/compressed_module.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto stated = hal::inflated_module_size(data, size);
    if (!stated.ok()) {
        if (stated.error().code != EBADMSG && stated.error().code != EFBIG) __builtin_trap();
        return 0;
    }
    if (stated.value() > (size_t{16} << 20)) return 0;  // real, but too slow to fill here
    std::string output(stated.value() + 64, '\x5a');
    const auto inflated = hal::inflate_module(data, size, output.data(), stated.value());
    if (!inflated.ok() && inflated.error().code != EBADMSG) __builtin_trap();
    // The guard bytes after the stated size stay untouched.
    for (size_t i = stated.value(); i < output.size(); ++i)
        if (output[i] != '\x5a') __builtin_trap();
    return 0;
}
