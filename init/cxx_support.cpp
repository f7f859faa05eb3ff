// The one libstdc++ hook the header-only library parts call; hal-init links without libstdc++.
#include <cstdarg>
#include <cstdio>

#include "init/power.hpp"

namespace std {

// Called by std::string_view::substr and friends on an out-of-range position. With
// -fno-exceptions there is nothing to unwind to, so this is a fatal internal error; PID 1
// ends it with sync + power off rather than a crash that would panic the kernel.
[[noreturn]] void __throw_out_of_range_fmt(const char* format, ...) {
    char message[256];
    va_list arguments;
    va_start(arguments, format);
    std::vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    hal::fail_boot(message);
}

}  // namespace std
