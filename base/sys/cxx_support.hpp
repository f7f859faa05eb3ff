// What a static musl program does on an internal error the standard headers report (an
// out-of-range position): each program says, once, at its start.
#pragma once

namespace hal {

// Called with the message; must not return. Without one, the error is logged and the
// program exits with status 70 (hal-display: hal-init starts it again).
using InternalErrorHandler = void (*)(const char* message);
void set_internal_error_handler(InternalErrorHandler handler);

}  // namespace hal
