// Crash safety for PID 1: a fault inside hal-init is logged, the disks are synced and the
// host is rebooted or powered off, instead of the kernel panicking ("Attempted to kill init").
#pragma once

namespace hal {

// Installs handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS and SIGTRAP on an
// alternate stack. `power_off` chooses the final action (else reboot).
void install_crash_guard(int kmsg_fd, bool power_off);

}  // namespace hal
