// Step 7 of the boot plan: supervise QEMU. Signals, the power button and QMP events feed
// the stop ladder; every child, orphans included, is reaped.
#pragma once

#include <sys/types.h>

#include "supervision/exit_policy.hpp"
#include "supervision/stop_ladder.hpp"

namespace hal {

// Opens the power buttons once; later launches reuse them. `on_qemu_ready` runs once per
// launch, when QEMU's QMP greeting arrives (QEMU has created its devices by then).
void prepare_supervision(void (*on_qemu_ready)(pid_t qemu));

// Runs until `qemu` ends; returns why it ended. `start_timeout_ms` (0: off) bounds how long a
// KVM guest may show no progress before QEMU is killed (ending.never_started).
QemuEnding supervise_qemu(int signal_fd, pid_t qemu, const LadderTiming& timing, uint64_t start_timeout_ms);

// Waits `delay_ms` while still reaping children and answering signals (a stop request
// during a restart backoff ends the wait: returns false).
bool pause_supervised(int signal_fd, uint64_t delay_ms);

// "exited with status 0" / "killed by signal 9 (Killed)" into `buffer`.
const char* describe_exit(int status, char* buffer, unsigned size);

}  // namespace hal
