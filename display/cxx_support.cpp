// The one libstdc++ hook the header-only library parts call; hal-display links without
// libstdc++. An out-of-range position is an internal error: log it and exit, and hal-init
// starts hal-display again.
#include <unistd.h>

#include <cstdarg>
#include <cstdio>

#include "init/log.hpp"

namespace std {

[[noreturn]] void __throw_out_of_range_fmt(const char* format, ...) {
    char message[256];
    va_list arguments;
    va_start(arguments, format);
    std::vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    log_error("internal error: %s", message);
    ::_exit(70);
}

}  // namespace std
