// The supervisor's reactions: stop requests and the ladder, QMP events, the start watch.
#include "supervision/sys/supervisor.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>

#include "base/sys/log.hpp"
#include "base/sys/process.hpp"

namespace hal {
namespace {

// vCPU 0's port I/O exits. Its QOM path is fixed on QEMU's x86 machines (the CPUs are the
// first unattached devices); were it not, the reply would hold no values and the watch would
// end as unavailable, never as stuck.
constexpr const char* kStartQuery =
    "{\"execute\": \"query-stats\", \"id\": \"start-watch\", \"arguments\": {\"target\": \"vcpu\", "
    "\"vcpus\": [\"/machine/unattached/device[0]\"], "
    "\"providers\": [{\"provider\": \"kvm\", \"names\": [\"io_exits\"]}]}}";

constexpr const char* kLivenessQuery = "{\"execute\": \"query-status\", \"id\": \"liveness\"}";

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

const char* sent_text(bool sent) { return sent ? "sent" : "not sent (no QMP connection)"; }

}  // namespace

QemuSupervisor::QemuSupervisor(QemuControl& control, const LadderTiming& timing,
                               uint64_t start_timeout_ms, pid_t qemu, uint64_t now_ms)
    : control_(control),
      timing_(timing),
      ladder_(timing),
      start_(start_timeout_ms, now_ms),
      qemu_(qemu) {}

void QemuSupervisor::perform(LadderAction action) {
    switch (action) {
        case LadderAction::kNone: return;
        case LadderAction::kSendPowerdown:
            log_info("stop: %s %s; waiting up to %llu s for the guest to power off",
                     step_name(action), sent_text(control_.execute(step_name(action))),
                     static_cast<unsigned long long>(timing_.powerdown_timeout_ms / 1000));
            return;
        case LadderAction::kSendQuit:
            log_warning("stop: the guest did not power off in time; QMP %s %s", step_name(action),
                        sent_text(control_.execute(step_name(action))));
            return;
        case LadderAction::kSendTerminate:
        case LadderAction::kSendKill:
            log_warning("stop: QEMU still running; sending %s", step_name(action));
            control_.signal(action == LadderAction::kSendKill ? SIGKILL : SIGTERM);
            return;
    }
}

void QemuSupervisor::request_stop(const char* source, uint64_t now_ms) {
    if (ended_) return;
    log_info("stop: %s%s", source,
             ladder_.active() ? " (stop already under way)" : "; stopping the guest");
    perform(ladder_.trigger(now_ms));
}

void QemuSupervisor::reset_guest() {
    log_info("stop: host menu: reset the guest; QMP system_reset %s",
             sent_text(control_.execute("system_reset")));
}

void QemuSupervisor::report_start(StartState state, uint64_t now_ms) {
    const auto elapsed = static_cast<unsigned long long>(start_.elapsed_ms(now_ms));
    const auto exits = static_cast<unsigned long long>(start_.io_exits());
    switch (state) {
        case StartState::kWatching: return;
        case StartState::kStarted:
            // On the console: a guest that later goes silent is then known to have run its
            // firmware (the start watch's verdict), which tells a stuck guest from a stuck start.
            log_info(
                "guest: started: vCPU 0 made %llu port I/O exits within %llu ms of QEMU's start",
                exits, elapsed);
            return;
        case StartState::kUnavailable:
            log_info("guest: start not watched: QEMU has no KVM statistics for vCPU 0");
            return;
        case StartState::kStuck:
            log_error(
                "guest: no progress %llu ms after QEMU started (vCPU 0: %llu port I/O exits, %u "
                "answers to "
                "query-stats): QEMU or the accelerator is stuck; killing QEMU (pid %d) to start it "
                "again",
                elapsed, exits, start_.replies(), static_cast<int>(qemu_));
            control_.signal(SIGKILL);
            return;
    }
}

// A late answer after a verdict (stuck at the deadline) changes nothing.
void QemuSupervisor::on_start_reply(const QmpMessage& message, uint64_t now_ms) {
    const StartState before = start_.state();
    const StartState state = message.kind == QmpKind::kReturn
                                 ? start_.on_reply(now_ms, message.stat_values, message.stat_sum)
                                 : start_.on_error();
    if (state != before) report_start(state, now_ms);
}

// The guest stopped petting its watchdog: it hangs. QEMU (-action watchdog=none) only says
// so; ending it makes the exit policy's on_failure apply. During a stop it changes nothing.
void QemuSupervisor::on_guest_watchdog(const QmpMessage& message) {
    if (ladder_.active() || ending_.guest_watchdog) {
        log_info("qmp: WATCHDOG (action %.*s): the guest's watchdog expired; already stopping",
                 static_cast<int>(message.action.size()), message.action.data());
        return;
    }
    ending_.guest_watchdog = true;
    log_warning(
        "qmp: WATCHDOG (action %.*s): the guest's watchdog expired, the guest hangs; QMP quit "
        "%s, then on_failure",
        static_cast<int>(message.action.size()), message.action.data(),
        sent_text(control_.execute("quit")));
}

void QemuSupervisor::on_qmp_message(const QmpMessage& message, uint64_t now_ms) {
    if (message.id == "liveness") {  // an answer, whatever it says
        liveness_.answered();
        return;
    }
    if (message.id == "start-watch") {
        on_start_reply(message, now_ms);
        if (message.kind == QmpKind::kReturn) return;
    }
    if (message.kind == QmpKind::kError) {
        log_warning("qmp: error %.*s: %.*s", static_cast<int>(message.error_class.size()),
                    message.error_class.data(), static_cast<int>(message.error_text.size()),
                    message.error_text.data());
        return;
    }
    if (message.kind != QmpKind::kEvent) return;
    log_debug("qmp: event %.*s", static_cast<int>(message.event.size()), message.event.data());
    if (message.event == "POWERDOWN" && !ladder_.active()) {
        // Another monitor asked (the operator's, qmp_serial): hal-init sees it end as the
        // guest's own shutdown, and says here where it came from.
        log_info("qmp: POWERDOWN: the guest was asked to power off by another QMP monitor");
        return;
    }
    if (message.event == "WATCHDOG") {
        on_guest_watchdog(message);
        return;
    }
    if (message.event == "SHUTDOWN") {
        ending_.shutdown_event = true;
        ending_.guest_initiated = message.has_guest && message.guest;
        ending_.guest_reset = message.reason == "guest-reset";
        log_info("qmp: SHUTDOWN (%s, reason %.*s)", ending_.guest_initiated ? "guest" : "host",
                 static_cast<int>(message.reason.size()), message.reason.data());
    }
}

void QemuSupervisor::on_qemu_exited(int status) {
    ending_.exited = WIFEXITED(status);
    ending_.exit_status = ending_.exited ? WEXITSTATUS(status) : WTERMSIG(status);
    ending_.stop_requested = ladder_.active();
    ending_.never_started = start_.state() == StartState::kStuck;
    ended_ = true;
    char description[96];
    log_info("supervise: QEMU %s", sys::describe_exit(status, description, sizeof description));
}

int64_t QemuSupervisor::deadline_in(uint64_t now_ms) {
    if (ended_) return -1;
    int64_t timeout = ladder_.next_deadline_in(now_ms);
    const bool connected = control_.connected();
    const int64_t query = connected ? start_.next_query_in(now_ms) : -1;
    const int64_t alive = connected ? liveness_.next_query_in(now_ms) : -1;
    for (const int64_t timer : {query, alive, start_.deadline_in(now_ms)})
        if (timer >= 0 && (timeout < 0 || timer < timeout)) timeout = timer;
    return timeout;
}

void QemuSupervisor::on_event(uint64_t now_ms, const bool*, size_t) {
    if (ended_) return;
    if (start_.state() == StartState::kWatching) {
        if (start_.tick(now_ms) == StartState::kStuck) {
            report_start(StartState::kStuck, now_ms);
        } else if (control_.connected() && start_.next_query_in(now_ms) == 0 &&
                   control_.send(kStartQuery)) {
            start_.query_sent(now_ms);
        }
    }
    if (control_.connected() && liveness_.next_query_in(now_ms) == 0 &&
        control_.send(kLivenessQuery))
        liveness_.query_sent(now_ms);
    perform(ladder_.tick(now_ms));
}

}  // namespace hal
