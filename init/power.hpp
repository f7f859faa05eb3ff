// Step 8 of the boot plan, and the end of every fatal path: sync, then power off.
#pragma once

namespace hal {

// Logs why, syncs and powers off. Never returns; if reboot(2) itself fails, hal-init stays
// alive and idle rather than exiting, because PID 1 exiting panics the kernel.
[[noreturn]] void power_off_host(const char* reason);

// A fatal setup error: logged as an error, then the same power-off path.
[[noreturn]] void fail_boot(const char* what);

}  // namespace hal
