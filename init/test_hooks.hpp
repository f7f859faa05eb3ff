// Faults on purpose, for boot tests only: compiled into build/hal-init-test (HAL_TEST_HOOKS),
// never into the hal-init an image ships. `hal_test_fault=` on the kernel command line:
//   segv            a real SIGSEGV inside PID 1 once QEMU runs (the crash guard's path)
//   stack-overflow  the same through stack exhaustion (the guard runs on its alternate stack)
//   kill-display    SIGKILL to hal-display 3 s after it starts (its restart path)
//   stall-guest     the first QEMU starts with its vCPUs stopped (-S): a guest that never
//                   starts, for the start watch (supervision/guest_start.hpp)
//   sigterm-on-serial  SIGTERM to PID 1 when a line arrives on /dev/ttyS1 (make soak's
//                   SIGTERM stop cycles, sent when the guest is mid-write)
// `hal_test_report=memory[:SECONDS]`: PID 1 logs its VmRSS, VmHWM, open descriptors and the
// uevents it received every SECONDS (default 60), from the supervision loop.
#pragma once

#include <cstdint>
#include <string_view>

namespace hal {

#ifdef HAL_TEST_HOOKS
void read_test_hooks(std::string_view cmdline);
// For the supervision loop: ms until a hook is due (-1: none), and the hook itself.
int64_t test_hooks_timer_in(uint64_t now_ms);
void run_test_hooks(uint64_t now_ms);
// True once, for the first launch, when the guest is to be stalled.
bool test_hook_stall_guest();
#else
inline void read_test_hooks(std::string_view) {}
inline int64_t test_hooks_timer_in(uint64_t) { return -1; }
inline void run_test_hooks(uint64_t) {}
inline bool test_hook_stall_guest() { return false; }
#endif

}  // namespace hal
