// Faults on purpose, for boot tests only: armed in build/hal-init-test (compiled with
// HAL_TEST_HOOKS), inert in the hal-init an image ships. `hal_test_fault=` on the kernel
// command line:
//   segv            a real SIGSEGV inside PID 1 once QEMU runs (the crash guard's path)
//   stack-overflow  the same through stack exhaustion (the guard runs on its alternate stack)
//   kill-display    SIGKILL to hal-display 3 s after it starts (its restart path)
//   stall-guest     the first QEMU starts with its vCPUs stopped (-S): a guest that never
//                   starts, for the start watch (supervision/guest_start.hpp)
//   sigterm-on-serial  SIGTERM to PID 1 when a line arrives on /dev/ttyS1 (make soak's
//                   SIGTERM stop cycles, sent when the guest is mid-write)
// `hal_test_report=memory[:SECONDS]`: PID 1 logs its VmRSS, VmHWM, open descriptors and the
// uevents it received every SECONDS (default 60), from the event loop.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/sys/event_loop.hpp"
#include "devices/sys/uevents.hpp"
#include "display/sys/display_child.hpp"

namespace hal {

class TestHooks : public EventSource {
public:
    TestHooks(const DisplayChild& display, const UeventMonitor& uevents)
        : display_(display), uevents_(uevents) {}

    // Arms what the command line asks for (the test build only).
    void read(std::string_view cmdline);
    // True once, for the first launch, when the guest is to be stalled.
    bool stall_guest();

    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    enum class Fault { kNone, kSegv, kStackOverflow, kKillDisplay, kStallGuest, kSigtermOnSerial };
    int64_t fault_deadline_in(uint64_t now_ms) const;
    void report_memory();
    void run_fault(uint64_t now_ms);
    void sigterm_on_serial();

    const DisplayChild& display_;
    const UeventMonitor& uevents_;
    Fault fault_ = Fault::kNone;
    bool done_ = false;
    int trigger_fd_ = -1;
    uint64_t report_every_ms_ = 0;
    uint64_t next_report_ms_ = 0;
};

}  // namespace hal
