// libFuzzer target: `disk = ...` lists and the DEVICE:PATH / LABEL= / UUID= names hal.conf
// uses for disks, image files and the UEFI variable file.
#include "disks/disk_spec.hpp"
#include "disks/filesystem_probe.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = hal::fuzz::as_text(data, size);
    const auto list = hal::parse_disk_specs(text);
    if (list.ok()) {
        for (size_t i = 0; i < list.value().count; ++i) {
            hal::fuzz::require_copied_from(list.value().specs[i].text.view(), text);
            hal::fuzz::require_copied_from(list.value().specs[i].value.view(), text);
        }
        // The setting as kept for the log parses to the same list.
        const auto again = hal::parse_disk_specs(list.value().text.view());
        if (!again.ok() || !(again.value() == list.value())) __builtin_trap();
    } else if (list.error().message == nullptr || *list.error().message == '\0') {
        __builtin_trap();
    }
    const auto name = hal::parse_device_name(text);
    if (name.ok()) hal::fuzz::require_copied_from(name.value().value.view(), text);
    const auto file = hal::parse_file_on_device(text);
    if (file.ok()) hal::fuzz::require_copied_from(file.value().path.view(), text);
    (void)hal::same_uuid(text.substr(0, text.size() / 2), text.substr(text.size() / 2));
    return 0;
}
