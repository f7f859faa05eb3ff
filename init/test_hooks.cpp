// The test-only faults; an empty file in the shipped build.
#include "init/test_hooks.hpp"

#ifdef HAL_TEST_HOOKS

#include <signal.h>

#include <cstring>

#include "base/text.hpp"
#include "display/sys/display_child.hpp"
#include "modules/sys/coldplug.hpp"
#include "base/log.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/process.hpp"
#include "platform/host_text.hpp"

namespace hal {
namespace {

constexpr uint64_t kDisplayKillDelayMs = 3000;

constexpr uint64_t kSerialPollMs = 200;
constexpr const char* kTriggerSerial = "/dev/ttyS1";

enum class Fault { kNone, kSegv, kStackOverflow, kKillDisplay, kStallGuest, kSigtermOnSerial };
Fault g_fault = Fault::kNone;
bool g_done = false;
int g_trigger_fd = -1;

// hal_test_report=memory[:SECONDS]: PID 1's own figures every SECONDS (default 60), for the
// long memory run (tests/soak/memory_run.py).
uint64_t g_report_every_ms = 0;
uint64_t g_next_report_ms = 0;

void report_memory() {
    static char status[4096];
    const auto read = sys::read_file("/proc/self/status", status, sizeof status - 1);
    const std::string_view text(status, read.ok() ? read.value() : 0);
    unsigned fds = 0;
    (void)sys::for_each_entry("/proc/self/fd", [&](const char*) { ++fds; });
    // The directory listing itself holds one descriptor while it counts.
    log_info("test: memory: VmRSS %llu kB, VmHWM %llu kB, %u open descriptors, %llu uevents received",
             static_cast<unsigned long long>(proc_kib_field(text, "VmRSS").value_or(0)),
             static_cast<unsigned long long>(proc_kib_field(text, "VmHWM").value_or(0)), fds > 0 ? fds - 1 : 0,
             static_cast<unsigned long long>(uevents_received()));
}

// Frames of 4 KiB until the stack's guard page: the fault the crash guard can only report
// from its alternate stack. The depth bound is never reached; it keeps the recursion finite
// in the compiler's eyes.
[[gnu::noinline]] int exhaust_stack(int depth) {
    volatile char frame[4096];
    frame[0] = static_cast<char>(depth);
    if (depth > (1 << 30)) return frame[0];
    return exhaust_stack(depth + 1) + frame[0];
}

}  // namespace

void read_test_hooks(std::string_view cmdline) {
    std::string_view word;
    while (next_word(cmdline, word)) {
        if (word == "hal_test_fault=segv") g_fault = Fault::kSegv;
        if (word == "hal_test_fault=stack-overflow") g_fault = Fault::kStackOverflow;
        if (word == "hal_test_fault=kill-display") g_fault = Fault::kKillDisplay;
        if (word == "hal_test_fault=stall-guest") g_fault = Fault::kStallGuest;
        if (word == "hal_test_fault=sigterm-on-serial") g_fault = Fault::kSigtermOnSerial;
        if (word == "hal_test_report=memory") g_report_every_ms = 60000;
        if (starts_with(word, "hal_test_report=memory:")) {
            const auto seconds = parse_unsigned(word.substr(std::strlen("hal_test_report=memory:")));
            if (seconds && *seconds > 0 && *seconds < 86400) g_report_every_ms = *seconds * 1000;
        }
    }
    if (g_fault != Fault::kNone) log_warning("test: fault injection armed (a test build of hal-init)");
    if (g_report_every_ms)
        log_warning("test: reporting PID 1's memory and descriptors every %llu s",
                    static_cast<unsigned long long>(g_report_every_ms / 1000));
}

namespace {

int64_t fault_timer_in(uint64_t now_ms) {
    if (g_fault == Fault::kSigtermOnSerial) return g_done ? -1 : static_cast<int64_t>(kSerialPollMs);
    const bool immediate = g_fault == Fault::kSegv || g_fault == Fault::kStackOverflow;
    if (g_done || g_fault != Fault::kKillDisplay || display_pid() == 0) return immediate && !g_done ? 0 : -1;
    const uint64_t due = display_started_ms() + kDisplayKillDelayMs;
    return due > now_ms ? static_cast<int64_t>(due - now_ms) : 0;
}

}  // namespace

int64_t test_hooks_timer_in(uint64_t now_ms) {
    const int64_t fault = fault_timer_in(now_ms);
    if (!g_report_every_ms) return fault;
    const int64_t report = g_next_report_ms > now_ms ? static_cast<int64_t>(g_next_report_ms - now_ms) : 0;
    return fault < 0 || report < fault ? report : fault;
}

bool test_hook_stall_guest() {
    if (g_done || g_fault != Fault::kStallGuest) return false;
    g_done = true;
    log_warning("test: this QEMU starts with its vCPUs stopped (-S); its guest never starts");
    return true;
}

void run_test_hooks(uint64_t now_ms) {
    if (g_report_every_ms && now_ms >= g_next_report_ms) {
        report_memory();
        g_next_report_ms = now_ms + g_report_every_ms;
    }
    if (g_done) return;
    switch (g_fault) {
        case Fault::kNone:
        case Fault::kStallGuest: return;
        case Fault::kSegv: {
            g_done = true;
            log_warning("test: faulting inside PID 1 now (a write through a null pointer)");
            volatile int* nowhere = nullptr;
            *nowhere = 1;
            return;
        }
        case Fault::kStackOverflow:
            g_done = true;
            log_warning("test: faulting inside PID 1 now (unbounded recursion into the stack's guard page)");
            (void)exhaust_stack(0);
            return;
        case Fault::kKillDisplay:
            if (display_pid() == 0 || now_ms < display_started_ms() + kDisplayKillDelayMs) return;
            g_done = true;
            log_warning("test: killing hal-display (pid %d)", static_cast<int>(display_pid()));
            (void)sys::send_signal(display_pid(), SIGKILL);
            return;
        case Fault::kSigtermOnSerial: {
            if (g_trigger_fd < 0) {
                const auto opened = sys::open_file(kTriggerSerial, sys::kReadOnlyNonBlocking);
                if (!opened.ok()) {
                    g_done = true;
                    log_warning("test: cannot open %s: %s", kTriggerSerial, std::strerror(opened.error().code));
                    return;
                }
                g_trigger_fd = opened.value();
            }
            // The test writes a line to the machine's second serial port when the guest is
            // mid-write; the tty hands it over at the newline.
            char line[64];
            const auto got = sys::read_some(g_trigger_fd, line, sizeof line);
            if (!got.ok() || got.value() == 0) return;
            g_done = true;
            sys::close_fd(g_trigger_fd);
            // What `kill -TERM 1` from a shell or a management agent does: the signal arrives
            // on PID 1's signalfd like any other sender's.
            log_warning("test: a line on %s; sending PID 1 SIGTERM", kTriggerSerial);
            (void)sys::send_signal(1, SIGTERM);
            return;
        }
    }
}

}  // namespace hal

#endif
