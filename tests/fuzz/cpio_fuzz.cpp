// libFuzzer target: the newc cpio reader behind --list, --verify and the tests, over a
// sequence of archives as an initramfs holds them.
#include <string>

#include "image/cpio_reader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes = hal::fuzz::as_text(data, size);
    size_t offset = 0;
    while (offset < bytes.size()) {
        const auto read = hal::pack::read_cpio(bytes, offset);
        if (!read.ok()) {
            if (read.error().message.empty()) __builtin_trap();
            break;
        }
        const hal::pack::CpioArchive& archive = read.value();
        if (archive.end <= offset || archive.end > bytes.size())
            __builtin_trap();  // progress, inside
        for (const auto& entry : archive.entries) hal::fuzz::require_inside(entry.data, bytes);
        offset = hal::pack::skip_padding(bytes, archive.end);
    }
    return 0;
}
