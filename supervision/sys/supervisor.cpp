// The supervision loop: poll on the signalfd, the QMP socket and the power buttons, with a
// timeout from the stop ladder; a WNOHANG reap loop on SIGCHLD.
#include "supervision/sys/supervisor.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "display/sys/display_child.hpp"
#include "modules/sys/coldplug.hpp"
#include "net/sys/host_network.hpp"
#include "base/log.hpp"
#include "net/sys/host_lease.hpp"
#include "supervision/sys/power_button.hpp"
#include "supervision/sys/qmp_client.hpp"
#include "base/sys/io.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"
#include "init/test_hooks.hpp"
#include "supervision/guest_start.hpp"

namespace hal {
namespace {

constexpr int kQmpRetryMs = 100;
PowerButtons g_buttons;
void (*g_on_qemu_ready)(pid_t) = nullptr;
QmpClient g_qmp;

bool is_stop_request(int signal) { return signal == SIGTERM || signal == SIGINT || signal == SIGPWR; }

// Reaps every exited child; true when one of them was QEMU.
bool reap_children(pid_t qemu, int& qemu_status) {
    bool qemu_ended = false;
    while (true) {
        const auto child = sys::reap_child();
        if (!child.ok() || child.value().pid == 0) break;  // ECHILD: nobody left; 0: none exited
        if (child.value().pid == qemu) {
            qemu_status = child.value().status;
            qemu_ended = true;
        } else if (!display_child_exited(child.value().pid, child.value().status, sys::monotonic_ms())) {
            log_debug("supervise: reaped pid %d", static_cast<int>(child.value().pid));
        }
    }
    return qemu_ended;
}

const char* step_name(LadderAction action) {
    switch (action) {
        case LadderAction::kSendPowerdown: return "system_powerdown";
        case LadderAction::kSendQuit: return "quit";
        case LadderAction::kSendTerminate: return "SIGTERM";
        case LadderAction::kSendKill: return "SIGKILL";
        case LadderAction::kNone: break;
    }
    return "";
}

void perform(LadderAction action, pid_t qemu, const LadderTiming& timing) {
    switch (action) {
        case LadderAction::kNone: return;
        case LadderAction::kSendPowerdown:
        case LadderAction::kSendQuit: {
            const bool sent = g_qmp.execute(step_name(action));
            if (action == LadderAction::kSendPowerdown)
                log_info("stop: %s %s; waiting up to %llu s for the guest to power off", step_name(action),
                         sent ? "sent" : "not sent (no QMP connection)",
                         static_cast<unsigned long long>(timing.powerdown_timeout_ms / 1000));
            else
                log_warning("stop: the guest did not power off in time; QMP %s %s", step_name(action),
                            sent ? "sent" : "not sent (no QMP connection)");
            return;
        }
        case LadderAction::kSendTerminate:
        case LadderAction::kSendKill:
            log_warning("stop: QEMU still running; sending %s", step_name(action));
            (void)sys::send_signal(qemu, action == LadderAction::kSendKill ? SIGKILL : SIGTERM);
            return;
    }
}

// `stopping`: hal-init's own stop ladder runs, so a POWERDOWN is its own request.
void handle_qmp_message(const QmpMessage& message, QemuEnding& ending, bool stopping) {
    if (message.kind == QmpKind::kError) {
        log_warning("qmp: error %.*s: %.*s", static_cast<int>(message.error_class.size()), message.error_class.data(),
                    static_cast<int>(message.error_text.size()), message.error_text.data());
        return;
    }
    if (message.kind != QmpKind::kEvent) return;
    log_debug("qmp: event %.*s", static_cast<int>(message.event.size()), message.event.data());
    if (message.event == "POWERDOWN" && !stopping) {
        // Another monitor asked (the operator's, qmp_serial): hal-init sees it end as the
        // guest's own shutdown, and says here where it came from.
        log_info("qmp: POWERDOWN: the guest was asked to power off by another QMP monitor");
        return;
    }
    if (message.event == "SHUTDOWN") {
        ending.shutdown_event = true;
        ending.guest_initiated = message.has_guest && message.guest;
        log_info("qmp: SHUTDOWN (%s, reason %.*s)", ending.guest_initiated ? "guest" : "host",
                 static_cast<int>(message.reason.size()), message.reason.data());
    }
}

// vCPU 0's port I/O exits. Its QOM path is fixed on QEMU's x86 machines (the CPUs are the
// first unattached devices); were it not, the reply would hold no values and the watch would
// end as unavailable, never as stuck.
constexpr const char* kStartQuery =
    "{\"execute\": \"query-stats\", \"id\": \"start-watch\", \"arguments\": {\"target\": \"vcpu\", "
    "\"vcpus\": [\"/machine/unattached/device[0]\"], "
    "\"providers\": [{\"provider\": \"kvm\", \"names\": [\"io_exits\"]}]}}";

void report_start(const GuestStartWatch& watch, StartState state, uint64_t now, pid_t qemu) {
    const auto elapsed = static_cast<unsigned long long>(watch.elapsed_ms(now));
    const auto exits = static_cast<unsigned long long>(watch.io_exits());
    switch (state) {
        case StartState::kWatching: return;
        case StartState::kStarted:
            // On the console: a guest that later goes silent is then known to have run its
            // firmware (the start watch's verdict), which tells a stuck guest from a stuck start.
            log_info("guest: started: vCPU 0 made %llu port I/O exits within %llu ms of QEMU's start", exits, elapsed);
            return;
        case StartState::kUnavailable:
            log_info("guest: start not watched: QEMU has no KVM statistics for vCPU 0");
            return;
        case StartState::kStuck:
            log_error("guest: no progress %llu ms after QEMU started (vCPU 0: %llu port I/O exits, %u answers to "
                      "query-stats): QEMU or the accelerator is stuck; killing QEMU (pid %d) to start it again",
                      elapsed, exits, watch.replies(), static_cast<int>(qemu));
            (void)sys::send_signal(qemu, SIGKILL);
            return;
    }
}

}  // namespace

void prepare_supervision(void (*on_qemu_ready)(pid_t)) {
    g_on_qemu_ready = on_qemu_ready;
    (void)open_new_power_buttons(g_buttons);
}

const char* describe_exit(int status, char* buffer, unsigned size) {
    if (WIFEXITED(status))
        std::snprintf(buffer, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        std::snprintf(buffer, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        std::snprintf(buffer, size, "ended with wait status 0x%x", status);
    return buffer;
}

QemuEnding supervise_qemu(int signal_fd, pid_t qemu, const LadderTiming& timing, uint64_t start_timeout_ms) {
    QemuEnding ending;
    StopLadder ladder(timing);
    GuestStartWatch start(start_timeout_ms, sys::monotonic_ms());
    int status = 0;
    bool ready_reported = false;
    g_qmp.close();
    while (true) {
        if (!g_qmp.connected() && g_qmp.try_connect(layout::kQmpSocket)) log_debug("qmp: connected");
        // Descriptors: 0 signals, 1 QMP, 2 the DHCP client, 3 its ARP probe, 4 uevents (drivers
        // still loading, devices plugged in), 5 hal-display's control socket, then the buttons.
        constexpr size_t kFixed = 6;
        int fds[kFixed + kMaxPowerButtons] = {signal_fd,  g_qmp.fd(), network_fd(), network_probe_fd(),
                                              uevent_fd(), display_fd()};
        for (size_t i = 0; i < g_buttons.count; ++i) fds[kFixed + i] = g_buttons.fds[i];
        bool ready[kFixed + kMaxPowerButtons] = {};
        const uint64_t before = sys::monotonic_ms();
        const int64_t deadline = ladder.next_deadline_in(before);
        const int64_t lease_timer = host_network_timer_in(before);
        int timeout = deadline < 0 ? -1 : static_cast<int>(deadline);
        if (lease_timer >= 0 && (timeout < 0 || lease_timer < timeout)) timeout = static_cast<int>(lease_timer);
        const int64_t start_timer = g_qmp.connected() ? start.next_query_in(before) : -1;
        for (const int64_t timer : {display_timer_in(before), test_hooks_timer_in(before), start_timer,
                                    start.deadline_in(before)})
            if (timer >= 0 && (timeout < 0 || timer < timeout)) timeout = static_cast<int>(timer);
        if (!g_qmp.connected() && (timeout < 0 || timeout > kQmpRetryMs)) timeout = kQmpRetryMs;
        const auto polled = sys::wait_any(fds, ready, kFixed + g_buttons.count, timeout);
        if (!polled.ok()) {
            log_warning("supervise: poll failed: %s", std::strerror(polled.error().code));
            sys::sleep_ms(100);
            continue;
        }
        bool stop_requested = false;
        const char* stop_source = "";
        if (ready[0]) {
            while (true) {
                const auto signal = sys::read_signal(signal_fd);
                if (!signal.ok() || signal.value() == 0) break;
                const int number = signal.value();
                if (number == SIGCHLD) {
                    if (reap_children(qemu, status)) {
                        ending.exited = WIFEXITED(status);
                        ending.exit_status = ending.exited ? WEXITSTATUS(status) : WTERMSIG(status);
                        ending.stop_requested = ladder.active();
                        ending.never_started = start.state() == StartState::kStuck;
                        char description[96];
                        log_info("supervise: QEMU %s", describe_exit(status, description, sizeof description));
                        g_qmp.close();
                        return ending;
                    }
                } else if (is_stop_request(number)) {
                    stop_requested = true;
                    stop_source = number == SIGINT ? "Ctrl-Alt-Del" : strsignal(number);
                } else {
                    log_info("supervise: ignored signal %d (%s)", number, strsignal(number));
                }
            }
        }
        if (ready[1] && g_qmp.connected()) {
            g_qmp.read([&](const QmpMessage& message) {
                // The greeting comes from QEMU's main loop, which runs once every device and
                // backend exists (the socket itself accepts connections earlier).
                if (!ready_reported && g_on_qemu_ready) g_on_qemu_ready(qemu);
                ready_reported = true;
                if (message.id == "start-watch") {
                    // A late answer after a verdict (stuck at the deadline) changes nothing.
                    const StartState before = start.state();
                    const StartState state = message.kind == QmpKind::kReturn
                                                 ? start.on_reply(sys::monotonic_ms(), message.stat_values, message.stat_sum)
                                                 : start.on_error();
                    if (state != before) report_start(start, state, sys::monotonic_ms(), qemu);
                    if (message.kind == QmpKind::kReturn) return;
                }
                handle_qmp_message(message, ending, ladder.active());
            });
        }
        if (start.state() == StartState::kWatching) {
            const uint64_t now = sys::monotonic_ms();
            if (start.tick(now) == StartState::kStuck) {
                report_start(start, StartState::kStuck, now, qemu);
            } else if (g_qmp.connected() && start.next_query_in(now) == 0 && g_qmp.send(kStartQuery)) {
                start.query_sent(now);
            }
        }
        // The host network comes up, and its lease is kept, while QEMU runs.
        service_host_network(sys::monotonic_ms(), ready[2], ready[3]);
        // Devices keep arriving: background driver loads, USB plugs; a new input device may be
        // a power button.
        if (ready[4] && service_uevents().input_added) (void)open_new_power_buttons(g_buttons);
        report_hardware_when_idle();
        run_test_hooks(sys::monotonic_ms());
        // The host menu on the monitor: power off (the stop ladder, as the power button) or reset.
        switch (service_display(ready[5], sys::monotonic_ms())) {
            case MenuRequest::kPowerOff:
                stop_requested = true;
                stop_source = "host menu (power off guest)";
                break;
            case MenuRequest::kReset:
                log_info("stop: host menu: reset the guest; QMP system_reset %s",
                         g_qmp.execute("system_reset") ? "sent" : "not sent (no QMP connection)");
                break;
            case MenuRequest::kNone: break;
        }
        // Backwards: a button that went away is removed and the later ones move down.
        for (size_t i = g_buttons.count; i-- > 0;) {
            if (ready[kFixed + i] && power_button_pressed(g_buttons, i)) {
                stop_requested = true;
                stop_source = "power button";
            }
        }
        const uint64_t now = sys::monotonic_ms();
        if (stop_requested) {
            log_info("stop: %s%s", stop_source, ladder.active() ? " (stop already under way)" : "; stopping the guest");
            perform(ladder.trigger(now), qemu, timing);
        }
        perform(ladder.tick(now), qemu, timing);
    }
}

bool pause_supervised(int signal_fd, uint64_t delay_ms) {
    const uint64_t until = sys::monotonic_ms() + delay_ms;
    while (true) {
        const uint64_t now = sys::monotonic_ms();
        if (now >= until) return true;
        const auto readable = sys::wait_readable(signal_fd, static_cast<int>(until - now));
        if (!readable.ok() || !readable.value()) continue;
        while (true) {
            const auto signal = sys::read_signal(signal_fd);
            if (!signal.ok() || signal.value() == 0) break;
            int ignored = 0;
            if (signal.value() == SIGCHLD) reap_children(-1, ignored);
            if (is_stop_request(signal.value())) {
                log_info("stop: %s during the restart pause", strsignal(signal.value()));
                return false;
            }
        }
    }
}

}  // namespace hal
