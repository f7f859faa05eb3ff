// libFuzzer target: the packer's ELF reader (interpreter, DT_NEEDED, RPATH/RUNPATH) and
// module .modinfo reader, on any bytes presented as a program, library or module.
#include <string>
#include <vector>

#include "initrd/elf_closure.hpp"
#include "image/module_file.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    hal::pack::ElfInfo info;
    std::string error;
    if (!hal::pack::parse_elf_info(bytes, "fuzz.elf", info, error) && error.empty()) __builtin_trap();
    std::vector<std::string> values;
    if (!hal::pack::modinfo_values(bytes, "firmware", values, error) && error.empty()) __builtin_trap();
    return 0;
}
