// libFuzzer target: `disk = ...` lists and the DEVICE:PATH / LABEL= / UUID= names hal.conf
// uses for disks, image files and the UEFI variable file.
#include "disks/disk_spec.hpp"
#include "disks/filesystem_probe.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = hal::fuzz::as_text(data, size);
    hal::DiskSpecList list;
    const char* problem = nullptr;
    if (hal::parse_disk_specs(text, list, problem)) {
        for (size_t i = 0; i < list.count; ++i) {
            hal::fuzz::require_inside(list.specs[i].text, text);
            hal::fuzz::require_inside(list.specs[i].value, text);
        }
    } else if (problem == nullptr) {
        __builtin_trap();
    }
    hal::DeviceName name;
    if (hal::parse_device_name(text, name)) hal::fuzz::require_inside(name.value, text);
    hal::FileOnDevice file;
    if (hal::parse_file_on_device(text, file)) hal::fuzz::require_inside(file.path, text);
    (void)hal::same_uuid(text.substr(0, text.size() / 2), text.substr(text.size() / 2));
    return 0;
}
