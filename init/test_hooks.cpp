// The test-only faults; an empty file in the shipped build.
#include "init/test_hooks.hpp"

#ifdef HAL_TEST_HOOKS

#include <signal.h>

#include "common/text.hpp"
#include "init/display_process.hpp"
#include "init/log.hpp"
#include "init/sys/sys.hpp"

namespace hal {
namespace {

constexpr uint64_t kDisplayKillDelayMs = 3000;

enum class Fault { kNone, kSegv, kKillDisplay };
Fault g_fault = Fault::kNone;
bool g_done = false;

}  // namespace

void read_test_hooks(std::string_view cmdline) {
    std::string_view word;
    while (next_word(cmdline, word)) {
        if (word == "hal_test_fault=segv") g_fault = Fault::kSegv;
        if (word == "hal_test_fault=kill-display") g_fault = Fault::kKillDisplay;
    }
    if (g_fault != Fault::kNone) log_warning("test: fault injection armed (a test build of hal-init)");
}

int64_t test_hooks_timer_in(uint64_t now_ms) {
    if (g_done || g_fault != Fault::kKillDisplay || display_pid() == 0) return g_fault == Fault::kSegv && !g_done ? 0 : -1;
    const uint64_t due = display_started_ms() + kDisplayKillDelayMs;
    return due > now_ms ? static_cast<int64_t>(due - now_ms) : 0;
}

void run_test_hooks(uint64_t now_ms) {
    if (g_done) return;
    switch (g_fault) {
        case Fault::kNone: return;
        case Fault::kSegv: {
            g_done = true;
            log_warning("test: faulting inside PID 1 now (a write through a null pointer)");
            volatile int* nowhere = nullptr;
            *nowhere = 1;
            return;
        }
        case Fault::kKillDisplay:
            if (display_pid() == 0 || now_ms < display_started_ms() + kDisplayKillDelayMs) return;
            g_done = true;
            log_warning("test: killing hal-display (pid %d)", static_cast<int>(display_pid()));
            (void)sys::send_signal(display_pid(), SIGKILL);
            return;
    }
}

}  // namespace hal

#endif
