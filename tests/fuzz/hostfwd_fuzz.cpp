// libFuzzer target: `hostfwd = tcp:2222-:22,...` and its formatter.
#include <cstring>

#include "net/hostfwd.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    hal::HostForwardList list;
    const char* problem = nullptr;
    if (!hal::parse_host_forwards(hal::fuzz::as_text(data, size), list, problem)) {
        if (problem == nullptr) __builtin_trap();
        return 0;
    }
    for (size_t i = 0; i < list.count; ++i) {
        char text[96];
        hal::format_host_forward(list.forwards[i], text, sizeof text);
        if (std::memchr(text, '\0', sizeof text) == nullptr) __builtin_trap();
        // What we hand QEMU, less its "hostfwd=", parses back to the same forward.
        const std::string_view printed(text);
        if (printed.substr(0, 8) != "hostfwd=") __builtin_trap();
        hal::HostForwardList again;
        if (!hal::parse_host_forwards(printed.substr(8), again, problem) || again.count != 1) __builtin_trap();
        const hal::HostForward& a = list.forwards[i];
        const hal::HostForward& b = again.forwards[0];
        if (a.udp != b.udp || a.host_address != b.host_address || a.host_port != b.host_port ||
            a.guest_address != b.guest_address || a.guest_port != b.guest_port)
            __builtin_trap();
    }
    return 0;
}
