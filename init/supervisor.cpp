// The supervision loop: a signalfd read after poll, and a WNOHANG reap loop on SIGCHLD.
#include "init/supervisor.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>

#include "init/log.hpp"
#include "init/sys/sys.hpp"

namespace hal {
namespace {

bool is_stop_request(int signal) { return signal == SIGTERM || signal == SIGINT || signal == SIGPWR; }

// Reaps every exited child; true when one of them was QEMU.
bool reap_children(pid_t qemu, QemuExit& outcome) {
    bool qemu_ended = false;
    while (true) {
        const auto child = sys::reap_child();
        if (!child.ok()) break;  // ECHILD: nobody left
        if (child.value().pid == 0) break;
        if (child.value().pid == qemu) {
            outcome.status = child.value().status;
            qemu_ended = true;
        } else {
            log_debug("supervise: reaped pid %d", static_cast<int>(child.value().pid));
        }
    }
    return qemu_ended;
}

}  // namespace

const char* describe_exit(int status, char* buffer, unsigned size) {
    if (WIFEXITED(status))
        std::snprintf(buffer, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        std::snprintf(buffer, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        std::snprintf(buffer, size, "ended with wait status 0x%x", status);
    return buffer;
}

QemuExit supervise_qemu(int signal_fd, pid_t qemu) {
    QemuExit outcome;
    bool stop_sent = false;
    // A child may have ended before the first poll; its SIGCHLD is queued, not lost, but
    // checking once here keeps the loop's invariant simple.
    if (reap_children(qemu, outcome)) return outcome;
    while (true) {
        const auto readable = sys::wait_readable(signal_fd, -1);
        if (!readable.ok()) {
            log_warning("supervise: poll failed: %s", std::strerror(readable.error().code));
            sys::sleep_ms(100);
            continue;
        }
        while (true) {
            const auto signal = sys::read_signal(signal_fd);
            if (!signal.ok() || signal.value() == 0) break;
            const int number = signal.value();
            if (number == SIGCHLD) {
                if (reap_children(qemu, outcome)) return outcome;
            } else if (is_stop_request(number)) {
                log_info("supervise: %s received; asking QEMU to stop%s", strsignal(number),
                         stop_sent ? " (again)" : "");
                (void)sys::send_signal(qemu, SIGTERM);
                stop_sent = true;
            } else {
                log_debug("supervise: ignored signal %d (%s)", number, strsignal(number));
            }
        }
    }
}

}  // namespace hal
