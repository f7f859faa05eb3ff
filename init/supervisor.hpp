// Step 7 of the boot plan: run QEMU as a child, handle signals, reap every child.
#pragma once

#include <sys/types.h>

namespace hal {

struct QemuExit {
    int status = 0;  // waitpid status word of QEMU
};

// Waits for `qemu` to end while reaping any other child (orphans re-parented to PID 1).
// Stop requests (SIGTERM, SIGINT from Ctrl-Alt-Del, SIGPWR) are passed to QEMU as SIGTERM.
QemuExit supervise_qemu(int signal_fd, pid_t qemu);

// "exited with status 0" / "killed by signal 9 (Killed)" into `buffer`.
const char* describe_exit(int status, char* buffer, unsigned size);

}  // namespace hal
