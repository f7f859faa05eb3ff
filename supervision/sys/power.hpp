// Step 8 of the boot plan, and the end of every fatal path: sync, then power off.
#pragma once

#include "supervision/exit_policy.hpp"

namespace hal {

// Logs why, syncs and powers off. Never returns; if reboot(2) itself fails, hal-init stays
// alive and idle rather than exiting, because PID 1 exiting panics the kernel.
[[noreturn]] void power_off_host(const char* reason);

// Logs why, syncs and reboots the host.
[[noreturn]] void reboot_host(const char* reason);

// The emergency action for fatal setup errors and crash loops (config `emergency`):
// power off (default), reboot, or the rescue shell then power off.
void set_emergency_action(ExitAction action);
[[noreturn]] void run_emergency_action(const char* reason);
// Called first by the emergency action with what went wrong (fail_boot's text, else the
// reason): fallback = bare-metal boots the OS natively from there, or returns.
using BeforeEmergency = void (*)(const char* what);
void set_before_emergency(BeforeEmergency hook);

// Runs /bin/sh on the console (images built with --rescue-shell) and waits for it; false
// when the image has no shell.
bool run_rescue_shell(const char* why);

// A fatal setup error: logged as an error, then the emergency action.
[[noreturn]] void fail_boot(const char* what);

}  // namespace hal
