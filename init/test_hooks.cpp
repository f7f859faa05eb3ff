// The test-only faults (HAL_TEST_HOOKS); in the shipped build every hook is inert.
#include "init/test_hooks.hpp"

#ifdef HAL_TEST_HOOKS

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/log.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"
#include "base/text.hpp"
#include "platform/host_text.hpp"

namespace hal {
namespace {

constexpr uint64_t kDisplayKillDelayMs = 3000;
constexpr uint64_t kQemuStopDelayMs = 10000;
// stop-loop: long enough after QEMU's start for the watchdog's driver to load and the
// watchdog to be armed.
constexpr uint64_t kLoopStopDelayMs = 30000;
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

void TestHooks::hang_if_asked() {
    const char* fault = std::getenv("hal_test_fault");
    if (!fault || std::strcmp(fault, "hang-at-start") != 0) return;
    // Signals are not blocked yet, but nothing sends PID 1 any: it waits for good.
    while (true) ::pause();
}

void TestHooks::read(std::string_view cmdline) {
    struct Word {
        std::string_view text;
        Fault fault;
        int signal_number;
    };
    static constexpr Word kFaults[] = {
        {"hal_test_fault=segv", Fault::kSegv, 0},
        {"hal_test_fault=stack-overflow", Fault::kStackOverflow, 0},
        {"hal_test_fault=kill-display", Fault::kKillDisplay, 0},
        {"hal_test_fault=stop-display", Fault::kStopDisplay, 0},
        {"hal_test_fault=stop-qemu", Fault::kStopQemu, 0},
        {"hal_test_fault=stop-loop", Fault::kStopLoop, 0},
        {"hal_test_fault=stall-guest", Fault::kStallGuest, 0},
        {"hal_test_fault=sigterm-on-serial", Fault::kSignalOnSerial, SIGTERM},
        {"hal_test_fault=sigpwr-on-serial", Fault::kSignalOnSerial, SIGPWR}};
    std::string_view word;
    while (next_word(cmdline, word)) {
        for (const Word& fault : kFaults)
            if (word == fault.text) fault_ = fault.fault, serial_signal_ = fault.signal_number;
        read_report(word, "hal_test_report=memory", 60000, memory_report_);
        read_report(word, "hal_test_report=display-cpu", 1000, display_cpu_report_);
        read_report(word, "hal_test_report=boot-json", 5000, boot_json_report_);
    }
    if (fault_ != Fault::kNone)
        log_warning("test: fault injection armed (a test build of hal-init)");
    if (memory_report_.every_ms)
        log_warning("test: reporting PID 1's memory and descriptors every %llu s",
                    static_cast<unsigned long long>(memory_report_.every_ms / 1000));
    if (display_cpu_report_.every_ms)
        log_warning("test: reporting hal-display's CPU time from /proc every %llu s",
                    static_cast<unsigned long long>(display_cpu_report_.every_ms / 1000));
}

// `NAME` or `NAME:SECONDS` arms `report` (every `default_ms`, or every SECONDS).
void TestHooks::read_report(std::string_view word, std::string_view name, uint64_t default_ms,
                            Report& report) {
    if (word == name) report.every_ms = default_ms;
    if (starts_with(word, name) && word.size() > name.size() + 1 && word[name.size()] == ':') {
        const auto seconds = parse_unsigned(word.substr(name.size() + 1));
        if (seconds && *seconds > 0 && *seconds < 86400) report.every_ms = *seconds * 1000;
    }
}

void TestHooks::qemu_started(pid_t pid, uint64_t now_ms) {
    qemu_ = pid;
    qemu_started_ms_ = now_ms;
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

// hal-display's CPU time as the kernel counts it (utime + stime of /proc/PID/stat), seen from
// outside the process: the display bench sets it beside hal-display's own figure.
void TestHooks::report_display_cpu() {
    if (display_.pid() == 0) return;
    char path[48];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(display_.pid()));
    char stat[1024];
    const auto read = sys::read_file(path, stat, sizeof stat - 1);
    if (!read.ok()) return;
    const std::string_view text(stat, read.value());
    // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
    const size_t close = text.rfind(')');
    if (close == std::string_view::npos) return;
    std::string_view rest = text.substr(close + 1), field;
    unsigned long long ticks = 0;
    for (unsigned number = 3; number <= 15 && next_word(rest, field); ++number)
        if (number >= 14) ticks += parse_unsigned(field).value_or(0);
    const long per_second = ::sysconf(_SC_CLK_TCK);
    log_info("test: hal-display cpu %llu ms (/proc/%d/stat utime+stime)",
             ticks * 1000ull / static_cast<unsigned long long>(per_second > 0 ? per_second : 100),
             static_cast<int>(display_.pid()));
}

void TestHooks::report_boot_json() {
    constexpr size_t kPiece = 700;
    static char json[48 * 1024];
    const auto read = sys::read_file(layout::kBootTimeline, json, sizeof json - 1);
    if (!read.ok()) {
        log_info("test: boot.json: %s", std::strerror(read.error().code));
        return;
    }
    const size_t pieces = (read.value() + kPiece - 1) / kPiece;
    for (size_t i = 0; i < pieces; ++i) {
        const size_t length = std::min(kPiece, read.value() - i * kPiece);
        log_info("test: boot.json %zu/%zu %.*s", i + 1, pieces, static_cast<int>(length),
                 json + i * kPiece);
    }
}

int64_t TestHooks::fault_deadline_in(uint64_t now_ms) const {
    if (done_) return -1;
    const auto until = [now_ms](uint64_t due) {
        return due > now_ms ? static_cast<int64_t>(due - now_ms) : 0;
    };
    switch (fault_) {
        case Fault::kSignalOnSerial: return static_cast<int64_t>(kSerialPollMs);
        case Fault::kSegv:
        case Fault::kStackOverflow: return 0;
        case Fault::kKillDisplay:
        case Fault::kStopDisplay:
            if (display_.pid() == 0) return -1;
            return until(display_.started_ms() + kDisplayKillDelayMs);
        case Fault::kStopQemu: return qemu_ == 0 ? -1 : until(qemu_started_ms_ + kQemuStopDelayMs);
        case Fault::kStopLoop: return qemu_ == 0 ? -1 : until(qemu_started_ms_ + kLoopStopDelayMs);
        case Fault::kNone:
        case Fault::kStallGuest: break;
    }
    return -1;
}

int64_t TestHooks::deadline_in(uint64_t now_ms) {
    int64_t nearest = fault_deadline_in(now_ms);
    for (const Report* report : {&memory_report_, &display_cpu_report_, &boot_json_report_}) {
        if (!report->every_ms) continue;
        const int64_t due =
            report->next_ms > now_ms ? static_cast<int64_t>(report->next_ms - now_ms) : 0;
        if (nearest < 0 || due < nearest) nearest = due;
    }
    return nearest;
}

// The test writes a line to the machine's second serial port when the guest is mid-write;
// the tty hands it over at the newline.
void TestHooks::signal_on_serial() {
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
    // What `kill -TERM 1` from a shell or a management agent (or `kill -PWR 1` from a UPS
    // daemon) does: the signal arrives on PID 1's signalfd like any other sender's.
    log_warning("test: a line on %s; sending PID 1 %s", kTriggerSerial,
                serial_signal_ == SIGPWR ? "SIGPWR" : "SIGTERM");
    (void)sys::send_signal(1, serial_signal_);
}

void TestHooks::signal_display(int signal_number, const char* what, uint64_t now_ms) {
    if (display_.pid() == 0 || now_ms < display_.started_ms() + kDisplayKillDelayMs) return;
    done_ = true;
    log_warning("test: %s hal-display (pid %d)", what, static_cast<int>(display_.pid()));
    (void)sys::send_signal(display_.pid(), signal_number);
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
        case Fault::kKillDisplay: signal_display(SIGKILL, "killing", now_ms); return;
        case Fault::kStopDisplay: signal_display(SIGSTOP, "stopping (SIGSTOP)", now_ms); return;
        case Fault::kStopQemu:
            if (qemu_ == 0 || now_ms < qemu_started_ms_ + kQemuStopDelayMs) return;
            done_ = true;
            // Silently: a frozen guest says nothing either.
            (void)sys::send_signal(qemu_, SIGSTOP);
            return;
        case Fault::kStopLoop:
            if (qemu_ == 0 || now_ms < qemu_started_ms_ + kLoopStopDelayMs) return;
            log_warning("test: PID 1's event loop stops here for good");
            while (true) sys::sleep_ms(60 * 1000);
        case Fault::kSignalOnSerial: signal_on_serial(); return;
    }
}

void TestHooks::on_event(uint64_t now_ms, const bool*, size_t) {
    if (memory_report_.every_ms && now_ms >= memory_report_.next_ms) {
        report_memory();
        memory_report_.next_ms = now_ms + memory_report_.every_ms;
    }
    if (display_cpu_report_.every_ms && now_ms >= display_cpu_report_.next_ms) {
        report_display_cpu();
        display_cpu_report_.next_ms = now_ms + display_cpu_report_.every_ms;
    }
    if (boot_json_report_.every_ms && now_ms >= boot_json_report_.next_ms) {
        report_boot_json();
        boot_json_report_.next_ms = now_ms + boot_json_report_.every_ms;
    }
    run_fault(now_ms);
}

}  // namespace hal

#else

namespace hal {

void TestHooks::hang_if_asked() {}
void TestHooks::read(std::string_view) {}
void TestHooks::qemu_started(pid_t, uint64_t) {}
bool TestHooks::stall_guest() { return false; }
int64_t TestHooks::deadline_in(uint64_t) { return -1; }
void TestHooks::on_event(uint64_t, const bool*, size_t) {}

}  // namespace hal

#endif
