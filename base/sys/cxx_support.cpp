// The one libstdc++ hook the header-only library parts call; hal-init and hal-display link
// without libstdc++ (Debian's is built for glibc).
#include "base/sys/cxx_support.hpp"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>

#include "base/sys/log.hpp"

namespace hal {
namespace {
InternalErrorHandler g_handler = nullptr;
}  // namespace

void set_internal_error_handler(InternalErrorHandler handler) { g_handler = handler; }

}  // namespace hal

namespace std {

// Called by std::string_view::substr and friends on an out-of-range position. With
// -fno-exceptions there is nothing to unwind to, so this is a fatal internal error: PID 1
// ends it with sync + power off rather than a crash that would panic the kernel.
[[noreturn]] void __throw_out_of_range_fmt(const char* format, ...) {
    char message[256];
    va_list arguments;
    va_start(arguments, format);
    std::vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    if (hal::g_handler) hal::g_handler(message);
    log_error("internal error: %s", message);
    ::_exit(70);
}

}  // namespace std
