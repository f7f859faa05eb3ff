// Fault signal handling with only async-signal-safe calls: write, sync, nanosleep, reboot.
#include "supervision/sys/crash_guard.hpp"

#include <signal.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace hal {
namespace {

int g_kmsg_fd = 2;
bool g_power_off = true;
alignas(16) char g_alternate_stack[64 * 1024];
constexpr int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP};

void write_text(const char* text) { (void)!::write(g_kmsg_fd, text, std::strlen(text)); }

void on_fault(int signal, siginfo_t* info, void*) {
    // Sent with kill(2) by some process: not a fault of ours, so PID 1 carries on.
    if (info && info->si_code <= 0) {
        write_text("<4>hal-init: supervise: ignored a fault signal sent by another process\n");
        return;
    }
    char message[128] = "<0>hal-init: crash: fatal signal ";
    char number[4] = {static_cast<char>('0' + signal / 10), static_cast<char>('0' + signal % 10),
                      '\0'};
    std::strcat(message, signal >= 10 ? number : number + 1);
    std::strcat(message, g_power_off ? " inside hal-init; syncing and powering off in 3 s\n"
                                     : " inside hal-init; syncing and rebooting in 3 s\n");
    write_text(message);
    ::sync();
    struct timespec delay = {3, 0};
    ::nanosleep(&delay, nullptr);
    ::reboot(g_power_off ? RB_POWER_OFF : RB_AUTOBOOT);
    // reboot(2) failed: never return into the faulting code, never exit.
    while (true) ::pause();
}

}  // namespace

void install_crash_guard(int kmsg_fd, bool power_off) {
    g_kmsg_fd = kmsg_fd >= 0 ? kmsg_fd : 2;
    g_power_off = power_off;
    stack_t stack = {};
    stack.ss_sp = g_alternate_stack;
    stack.ss_size = sizeof g_alternate_stack;
    ::sigaltstack(&stack, nullptr);
    struct sigaction action = {};
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigfillset(&action.sa_mask);
    for (int signal : kFaultSignals) ::sigaction(signal, &action, nullptr);
}

}  // namespace hal
