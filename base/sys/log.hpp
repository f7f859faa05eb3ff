// The log of hal-init and hal-display: one record per write to /dev/kmsg, stderr until /dev/kmsg
// is open.
#pragma once

#include "base/result.hpp"

namespace hal::log {

// The kernel's levels, so `dmesg` and the console filter our lines like any other.
enum class Level { kError = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

// Switches output from stderr to /dev/kmsg (needs /dev mounted).
void use_kmsg();
void set_debug(bool enabled);
// The record prefix ("hal-init" unless set): hal-display logs through the same code.
void set_program(const char* name);
int kmsg_fd();  // -1 before use_kmsg()
// Unit tests: every record (without prefix and newline) goes to `capture` instead.
using Capture = void (*)(Level level, const char* message);
void set_capture(Capture capture);
void write(Level level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace hal::log

#define log_error(...) ::hal::log::write(::hal::log::Level::kError, __VA_ARGS__)
#define log_warning(...) ::hal::log::write(::hal::log::Level::kWarning, __VA_ARGS__)
#define log_info(...) ::hal::log::write(::hal::log::Level::kInfo, __VA_ARGS__)
#define log_debug(...) ::hal::log::write(::hal::log::Level::kDebug, __VA_ARGS__)
