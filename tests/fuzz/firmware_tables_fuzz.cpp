// libFuzzer target: the checks on the host's SMBIOS structures and ACPI tables before they
// are handed to QEMU as the guest's identity.
#include "platform/firmware_tables.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    uint8_t type = 0;
    (void)hal::valid_smbios_structure(data, size, type);
    char signature[5] = {};
    if (hal::valid_acpi_table(data, size, signature) && signature[4] != '\0') __builtin_trap();
    return 0;
}
