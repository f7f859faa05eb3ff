// libFuzzer target: `hostfwd = tcp:2222-:22,...` and its formatter.
#include <cstring>

#include "net/hostfwd.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto parsed = hal::parse_host_forwards(hal::fuzz::as_text(data, size));
    if (!parsed.ok()) {
        if (parsed.error().message == nullptr) __builtin_trap();
        return 0;
    }
    const hal::HostForwardList& list = parsed.value();
    for (size_t i = 0; i < list.count; ++i) {
        char text[96];
        hal::format_host_forward(list.forwards[i], text, sizeof text);
        if (std::memchr(text, '\0', sizeof text) == nullptr) __builtin_trap();
        // What we hand QEMU, less its "hostfwd=", parses back to the same forward.
        const std::string_view printed(text);
        if (printed.substr(0, 8) != "hostfwd=") __builtin_trap();
        const auto again = hal::parse_host_forwards(printed.substr(8));
        if (!again.ok() || again.value().count != 1 ||
            !(again.value().forwards[0] == list.forwards[i]))
            __builtin_trap();
    }
    return 0;
}
