// The test-only faults (HAL_TEST_HOOKS); in the shipped build every hook is inert.
#include "init/test_hooks.hpp"

#ifdef HAL_TEST_HOOKS

#include <signal.h>

#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/log.hpp"
#include "base/sys/process.hpp"
#include "base/text.hpp"
#include "platform/host_text.hpp"

namespace hal {
namespace {

constexpr uint64_t kDisplayKillDelayMs = 3000;
constexpr uint64_t kSerialPollMs = 200;
constexpr const char* kTriggerSerial = "/dev/ttyS1";

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

void TestHooks::read(std::string_view cmdline) {
    struct Word {
        std::string_view text;
        Fault fault;
    };
    static constexpr Word kFaults[] = {
        {"hal_test_fault=segv", Fault::kSegv},
        {"hal_test_fault=stack-overflow", Fault::kStackOverflow},
        {"hal_test_fault=kill-display", Fault::kKillDisplay},
        {"hal_test_fault=stall-guest", Fault::kStallGuest},
        {"hal_test_fault=sigterm-on-serial", Fault::kSigtermOnSerial}};
    constexpr std::string_view kReport = "hal_test_report=memory";
    std::string_view word;
    while (next_word(cmdline, word)) {
        for (const Word& fault : kFaults)
            if (word == fault.text) fault_ = fault.fault;
        if (word == kReport) report_every_ms_ = 60000;
        if (starts_with(word, kReport) && word.size() > kReport.size() + 1 &&
            word[kReport.size()] == ':') {
            const auto seconds = parse_unsigned(word.substr(kReport.size() + 1));
            if (seconds && *seconds > 0 && *seconds < 86400) report_every_ms_ = *seconds * 1000;
        }
    }
    if (fault_ != Fault::kNone)
        log_warning("test: fault injection armed (a test build of hal-init)");
    if (report_every_ms_)
        log_warning("test: reporting PID 1's memory and descriptors every %llu s",
                    static_cast<unsigned long long>(report_every_ms_ / 1000));
}

bool TestHooks::stall_guest() {
    if (done_ || fault_ != Fault::kStallGuest) return false;
    done_ = true;
    log_warning("test: this QEMU starts with its vCPUs stopped (-S); its guest never starts");
    return true;
}

void TestHooks::report_memory() {
    static char status[4096];
    const auto read = sys::read_file("/proc/self/status", status, sizeof status - 1);
    const std::string_view text(status, read.ok() ? read.value() : 0);
    unsigned fds = 0;
    (void)sys::for_each_entry("/proc/self/fd", [&](const char*) { ++fds; });
    // The directory listing itself holds one descriptor while it counts.
    log_info(
        "test: memory: VmRSS %llu kB, VmHWM %llu kB, %u open descriptors, %llu uevents received",
        static_cast<unsigned long long>(proc_kib_field(text, "VmRSS").value_or(0)),
        static_cast<unsigned long long>(proc_kib_field(text, "VmHWM").value_or(0)),
        fds > 0 ? fds - 1 : 0, static_cast<unsigned long long>(uevents_.received()));
}

int64_t TestHooks::fault_deadline_in(uint64_t now_ms) const {
    if (done_) return -1;
    switch (fault_) {
        case Fault::kSigtermOnSerial: return static_cast<int64_t>(kSerialPollMs);
        case Fault::kSegv:
        case Fault::kStackOverflow: return 0;
        case Fault::kKillDisplay: {
            if (display_.pid() == 0) return -1;
            const uint64_t due = display_.started_ms() + kDisplayKillDelayMs;
            return due > now_ms ? static_cast<int64_t>(due - now_ms) : 0;
        }
        case Fault::kNone:
        case Fault::kStallGuest: break;
    }
    return -1;
}

int64_t TestHooks::deadline_in(uint64_t now_ms) {
    const int64_t fault = fault_deadline_in(now_ms);
    if (!report_every_ms_) return fault;
    const int64_t report =
        next_report_ms_ > now_ms ? static_cast<int64_t>(next_report_ms_ - now_ms) : 0;
    return fault < 0 || report < fault ? report : fault;
}

// The test writes a line to the machine's second serial port when the guest is mid-write;
// the tty hands it over at the newline.
void TestHooks::sigterm_on_serial() {
    if (trigger_fd_ < 0) {
        const auto opened = sys::open_file(kTriggerSerial, sys::kReadOnlyNonBlocking);
        if (!opened.ok()) {
            done_ = true;
            log_warning("test: cannot open %s: %s", kTriggerSerial,
                        std::strerror(opened.error().code));
            return;
        }
        trigger_fd_ = opened.value();
    }
    char line[64];
    const auto got = sys::read_some(trigger_fd_, line, sizeof line);
    if (!got.ok() || got.value() == 0) return;
    done_ = true;
    sys::close_fd(trigger_fd_);
    // What `kill -TERM 1` from a shell or a management agent does: the signal arrives on PID
    // 1's signalfd like any other sender's.
    log_warning("test: a line on %s; sending PID 1 SIGTERM", kTriggerSerial);
    (void)sys::send_signal(1, SIGTERM);
}

void TestHooks::run_fault(uint64_t now_ms) {
    if (done_) return;
    switch (fault_) {
        case Fault::kNone:
        case Fault::kStallGuest: return;
        case Fault::kSegv: {
            done_ = true;
            log_warning("test: faulting inside PID 1 now (a write through a null pointer)");
            volatile int* nowhere = nullptr;
            *nowhere = 1;
            return;
        }
        case Fault::kStackOverflow:
            done_ = true;
            log_warning(
                "test: faulting inside PID 1 now (unbounded recursion into the stack's guard "
                "page)");
            (void)exhaust_stack(0);
            return;
        case Fault::kKillDisplay:
            if (display_.pid() == 0 || now_ms < display_.started_ms() + kDisplayKillDelayMs) return;
            done_ = true;
            log_warning("test: killing hal-display (pid %d)", static_cast<int>(display_.pid()));
            (void)sys::send_signal(display_.pid(), SIGKILL);
            return;
        case Fault::kSigtermOnSerial: sigterm_on_serial(); return;
    }
}

void TestHooks::on_event(uint64_t now_ms, const bool*, size_t) {
    if (report_every_ms_ && now_ms >= next_report_ms_) {
        report_memory();
        next_report_ms_ = now_ms + report_every_ms_;
    }
    run_fault(now_ms);
}

}  // namespace hal

#else

namespace hal {

void TestHooks::read(std::string_view) {}
bool TestHooks::stall_guest() { return false; }
int64_t TestHooks::deadline_in(uint64_t) { return -1; }
void TestHooks::on_event(uint64_t, const bool*, size_t) {}

}  // namespace hal

#endif
