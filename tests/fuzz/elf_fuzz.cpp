// libFuzzer target: the packer's ELF reader (interpreter, DT_NEEDED, RPATH/RUNPATH) and
// module .modinfo reader, on any bytes presented as a program, library or module.
#include <string>
#include <vector>

#include "image/elf.hpp"
#include "image/module_file.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    // A rejection always says why.
    const auto info = hal::pack::parse_elf(bytes, "fuzz.elf");
    if (!info.ok() && info.error().message.empty()) __builtin_trap();
    const auto values = hal::pack::modinfo_values(bytes, "firmware");
    if (!values.ok() && values.error().message.empty()) __builtin_trap();
    return 0;
}
