// Faults on purpose, for boot tests only: armed in build/hal-init-test (compiled with
// HAL_TEST_HOOKS), inert in the hal-init an image ships. `hal_test_fault=` on the kernel
// command line:
//   segv            a real SIGSEGV inside PID 1 once QEMU runs (the crash guard's path)
//   stack-overflow  the same through stack exhaustion (the guard runs on its alternate stack)
//   hang-at-start   PID 1 blocks for good before its first log line (read from init's
//                   environment, where the kernel puts unknown words of its command line)
//   kill-display    SIGKILL to hal-display 3 s after it starts (its restart path)
//   stop-display    SIGSTOP to hal-display 3 s after it starts: a hung hal-display that
//                   keeps the keyboards it grabbed
//   stop-qemu       SIGSTOP to QEMU 10 s after it started: a guest frozen without a sound
//   stop-loop       PID 1's event loop blocks for good 30 s after QEMU started: a hung
//                   hal-init, for the hardware watchdog
//   stall-guest     the first QEMU starts with its vCPUs stopped (-S): a guest that never
//                   starts, for the start watch (supervision/guest_start.hpp)
//   sigterm-on-serial  SIGTERM to PID 1 when a line arrives on /dev/ttyS1 (make soak's
//                   SIGTERM stop cycles, sent when the guest is mid-write)
//   sigpwr-on-serial   the same with SIGPWR (what a UPS daemon sends init)
// `hal_test_report=memory[:SECONDS]`: PID 1 logs its VmRSS, VmHWM, open descriptors and the
// uevents it received every SECONDS (default 60), from the event loop.
// `hal_test_report=display-cpu[:SECONDS]`: hal-display's CPU time from /proc/PID/stat every
// SECONDS (default 1): the display bench's outside measurement of hal-display's own figure.
// `hal_test_report=boot-json[:SECONDS]`: /run/hal/boot.json as the file holds it, in numbered
// pieces that fit log records, every SECONDS (default 5), so a test reads the file itself.
#pragma once

#include <sys/types.h>

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

    // hang-at-start: called first thing in PID 1, before the command line can be read.
    static void hang_if_asked();
    // Arms what the command line asks for (the test build only).
    void read(std::string_view cmdline);
    // QEMU was started as `pid` (stop-qemu's target).
    void qemu_started(pid_t pid, uint64_t now_ms);
    // True once, for the first launch, when the guest is to be stalled.
    bool stall_guest();

    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    enum class Fault {
        kNone,
        kSegv,
        kStackOverflow,
        kKillDisplay,
        kStopDisplay,
        kStopQemu,
        kStopLoop,
        kStallGuest,
        kSignalOnSerial
    };
    int64_t fault_deadline_in(uint64_t now_ms) const;
    struct Report {
        uint64_t every_ms = 0;  // 0: not asked for
        uint64_t next_ms = 0;
    };
    static void read_report(std::string_view word, std::string_view name, uint64_t default_ms,
                            Report& report);
    void report_memory();
    void report_display_cpu();
    void report_boot_json();
    void run_fault(uint64_t now_ms);
    void signal_on_serial();
    void signal_display(int signal_number, const char* what, uint64_t now_ms);

    const DisplayChild& display_;
    const UeventMonitor& uevents_;
    Fault fault_ = Fault::kNone;
    bool done_ = false;
    int trigger_fd_ = -1;
    int serial_signal_ = 0;
    pid_t qemu_ = 0;
    uint64_t qemu_started_ms_ = 0;
    Report memory_report_;
    Report display_cpu_report_;
    Report boot_json_report_;
};

}  // namespace hal
