// Unit tests for one supervised run of QEMU (step 7) and what follows it (step 8): every stop
// trigger and the ladder's rungs over time, QMP's events, the start watch, and the exit policy
// on each way QEMU can end. QEMU is a fake QemuControl; time is the test's.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <linux/input.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "supervision/settings.hpp"
#include "supervision/sys/power_button.hpp"
#include "supervision/sys/signals.hpp"
#include "supervision/sys/supervisor.hpp"
#include "tests/unit/pid1_support.hpp"

using namespace hal;

namespace {

class FakeQemu : public QemuControl {
public:
    bool is_connected = true;
    std::vector<std::string> commands;  // QMP commands executed, and raw JSON sent
    std::vector<int> signals;

    bool connected() override { return is_connected; }
    bool execute(const char* command) override {
        if (!is_connected) return false;
        commands.emplace_back(command);
        return true;
    }
    bool send(const char* json) override {
        commands.emplace_back(json);
        return is_connected;
    }
    void signal(int number) override { signals.push_back(number); }
};

constexpr pid_t kQemu = 4242;
constexpr uint64_t kStart = 100000;

// Exit status words as waitpid(2) gives them.
int exited(int status) { return status << 8; }
int killed(int signal) { return signal; }

// Runs the supervisor's timers up to `until`, as the event loop would.
void run_until(QemuSupervisor& supervisor, uint64_t from, uint64_t until) {
    for (uint64_t now = from; now <= until; now += 100)
        if (supervisor.deadline_in(now) == 0) supervisor.on_event(now, nullptr, 0);
}

void qmp(QemuSupervisor& supervisor, const char* json, uint64_t now = kStart) {
    supervisor.on_qmp_message(parse_qmp_message(json), now);
}

}  // namespace

TEST_CASE(
    "stop triggers: SIGTERM, SIGPWR, Ctrl-Alt-Del, the power button, the host menu -> "
    "system_powerdown") {
    CHECK(is_stop_signal(SIGTERM));
    CHECK(is_stop_signal(SIGPWR));
    CHECK(is_stop_signal(SIGINT));  // Ctrl-Alt-Del, with RB_DISABLE_CAD
    CHECK_FALSE(is_stop_signal(SIGHUP));
    CHECK_FALSE(is_stop_signal(SIGUSR1));
    const std::string sources[] = {stop_signal_source(SIGTERM), stop_signal_source(SIGPWR),
                                   stop_signal_source(SIGINT), "power button",
                                   "host menu (power off guest)"};
    CHECK(sources[2] == "Ctrl-Alt-Del");
    for (const std::string& source : sources) {
        CAPTURE(source);
        test::LogCapture log;
        FakeQemu qemu;
        QemuSupervisor supervisor(qemu, LadderTiming{}, 0, kQemu, kStart);
        supervisor.request_stop(source.c_str(), kStart);
        CHECK(qemu.commands == std::vector<std::string>{"system_powerdown"});
        CHECK(log.has("stop: " + source + "; stopping the guest"));
        CHECK(
            log.has("stop: system_powerdown sent; waiting up to 120 s for the guest to power off"));
    }
}

TEST_CASE(
    "stop ladder: a guest that ignores ACPI -> powerdown repeated, then quit, SIGTERM, SIGKILL") {
    test::LogCapture log;
    FakeQemu qemu;
    LadderTiming timing;
    timing.powerdown_timeout_ms = 20000;
    QemuSupervisor supervisor(qemu, timing, 0, kQemu, kStart);
    supervisor.request_stop("power button", kStart);
    run_until(supervisor, kStart, kStart + 19900);
    CHECK(qemu.commands.size() == 4);  // at 0, 5, 10 and 15 s
    CHECK(qemu.signals.empty());
    run_until(supervisor, kStart + 20000, kStart + 40000);
    CHECK(qemu.commands.back() == "quit");
    CHECK(qemu.signals == std::vector<int>{SIGTERM, SIGKILL});
    CHECK(log.has("stop: the guest did not power off in time; QMP quit sent"));
    CHECK(log.has("stop: QEMU still running; sending SIGKILL"));
    supervisor.on_qemu_exited(killed(SIGKILL));
    CHECK(supervisor.ended());
    CHECK(supervisor.ending().stop_requested);
}

TEST_CASE(
    "stop ladder: a second trigger does not restart it; three within 5 s go straight to quit") {
    test::LogCapture log;
    FakeQemu qemu;
    QemuSupervisor supervisor(qemu, LadderTiming{}, 0, kQemu, kStart);
    supervisor.request_stop("power button", kStart);
    supervisor.request_stop("Terminated", kStart + 1000);
    CHECK(log.has("stop: Terminated (stop already under way)"));
    CHECK(qemu.commands == std::vector<std::string>{"system_powerdown"});
    supervisor.request_stop("power button", kStart + 2000);
    CHECK(qemu.commands.back() == "quit");
}

TEST_CASE(
    "stop triggers: a power button press on its evdev device -> a stop request; a release -> "
    "none") {
    test::LogCapture log;
    FakeQemu qemu;
    QemuSupervisor supervisor(qemu, LadderTiming{}, 0, kQemu, kStart);
    PowerButtons buttons;
    int pipe_fds[2];
    REQUIRE(::pipe2(pipe_fds, O_NONBLOCK) == 0);  // evdev devices are opened non-blocking
    REQUIRE(buttons.watch(pipe_fds[0], "event3"));
    buttons.set_listener(&supervisor);
    struct input_event event = {};
    event.type = EV_KEY;
    event.code = KEY_POWER;
    event.value = 0;  // a release alone
    REQUIRE(::write(pipe_fds[1], &event, sizeof event) == sizeof event);
    const bool ready[] = {true};
    buttons.on_event(kStart, ready, 1);
    CHECK(qemu.commands.empty());
    event.value = 1;
    REQUIRE(::write(pipe_fds[1], &event, sizeof event) == sizeof event);
    buttons.on_event(kStart, ready, 1);
    CHECK(qemu.commands == std::vector<std::string>{"system_powerdown"});
    CHECK(log.has("stop: power button; stopping the guest"));
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
}

TEST_CASE(
    "qmp events: SHUTDOWN says who ended it; POWERDOWN from another monitor and errors are one "
    "line each") {
    test::LogCapture log;
    FakeQemu qemu;
    QemuSupervisor supervisor(qemu, LadderTiming{}, 0, kQemu, kStart);
    qmp(supervisor, R"({"event": "POWERDOWN", "timestamp": {"seconds": 1, "microseconds": 2}})");
    CHECK(log.has("qmp: POWERDOWN: the guest was asked to power off by another QMP monitor"));
    qmp(supervisor, R"({"error": {"class": "GenericError", "desc": "no such device"}})");
    CHECK(log.has("qmp: error GenericError: no such device"));
    qmp(supervisor,
        R"({"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}})");
    CHECK(log.has("qmp: SHUTDOWN (guest, reason guest-shutdown)"));
    supervisor.on_qemu_exited(exited(0));
    CHECK(supervisor.ending().shutdown_event);
    CHECK(supervisor.ending().guest_initiated);
    CHECK(log.has("supervise: QEMU exited with status 0"));
}

TEST_CASE(
    "start watch: queries vCPU 0's exits once a second; enough -> started; none by the deadline -> "
    "killed") {
    test::LogCapture log;
    FakeQemu qemu;
    QemuSupervisor started(qemu, LadderTiming{}, 60000, kQemu, kStart);
    run_until(started, kStart, kStart + 1000);
    REQUIRE_FALSE(qemu.commands.empty());
    CHECK(qemu.commands[0].find("\"query-stats\"") != std::string::npos);
    qmp(started,
        R"({"return": [{"provider": "kvm", "stats": [{"name": "io_exits", "value": 1466}]}], "id": "start-watch"})",
        kStart + 1100);
    CHECK(
        log.has("guest: started: vCPU 0 made 1466 port I/O exits within 1100 ms of QEMU's start"));

    FakeQemu silent;
    QemuSupervisor stuck(silent, LadderTiming{}, 60000, kQemu, kStart);
    run_until(stuck, kStart, kStart + 61000);
    CHECK(silent.signals == std::vector<int>{SIGKILL});
    CHECK(log.has("guest: no progress 60000 ms after QEMU started"));
    stuck.on_qemu_exited(killed(SIGKILL));
    CHECK(stuck.ending().never_started);
}

TEST_CASE(
    "exit policy: each way QEMU ends -> the configured action, with the reason in the log line") {
    SupervisionSettings settings;
    settings.on_guest_shutdown = ExitAction::kReboot;
    settings.on_failure = ExitAction::kRestart;
    const ExitPolicy policy = exit_policy(settings);
    struct Case {
        const char* what;
        bool guest_shutdown;  // QMP SHUTDOWN from the guest first
        bool host_stop;       // the stop ladder ran
        int status;
        ExitAction expected;
    };
    const Case cases[] = {
        {"the guest shut down", true, false, exited(0), ExitAction::kReboot},
        {"QEMU failed", false, false, exited(1), ExitAction::kRestart},
        {"QEMU was killed", false, false, killed(SIGSEGV), ExitAction::kRestart},
        {"the host asked to stop", true, true, exited(0), ExitAction::kPowerOff},
    };
    for (const Case& test : cases) {
        CAPTURE(test.what);
        test::LogCapture log;
        FakeQemu qemu;
        QemuSupervisor supervisor(qemu, LadderTiming{}, 0, kQemu, kStart);
        if (test.host_stop) supervisor.request_stop("Terminated", kStart);
        if (test.guest_shutdown)
            qmp(supervisor, R"({"event": "SHUTDOWN", "data": {"guest": true, "reason": "x"}})");
        supervisor.on_qemu_exited(test.status);
        const ExitDecision decision =
            decide_exit(policy, supervisor.ending(), RestartHistory{}, kStart);
        CHECK(decision.action == test.expected);
        CHECK_FALSE(decision.restarts_exhausted);
    }
    // A crash loop: past restart_limit within the window, the emergency action.
    RestartHistory history;
    for (unsigned i = 0; i < settings.restart_limit; ++i) history.record(kStart + i * 1000);
    FakeQemu qemu;
    QemuSupervisor supervisor(qemu, LadderTiming{}, 0, kQemu, kStart);
    supervisor.on_qemu_exited(exited(1));
    const ExitDecision exhausted = decide_exit(policy, supervisor.ending(), history, kStart + 5000);
    CHECK(exhausted.restarts_exhausted);
    CHECK(exhausted.action == settings.emergency);
}

TEST_CASE(
    "supervisor: liveness watched -> query-status every interval once connected; its answers "
    "keep QEMU vouched for, silence does not") {
    FakeQemu qemu;
    QemuSupervisor supervisor(qemu, LadderTiming{}, 0, kQemu, kStart);
    run_until(supervisor, kStart, kStart + 10000);
    CHECK(qemu.commands.empty());  // not watched unless asked (the watchdog asks)
    supervisor.watch_liveness(3000, 10000);
    const std::string query = "{\"execute\": \"query-status\", \"id\": \"liveness\"}";
    run_until(supervisor, kStart + 10000, kStart + 10000);
    REQUIRE(qemu.commands == std::vector<std::string>{query});
    qmp(supervisor, "{\"return\": {\"status\": \"running\"}, \"id\": \"liveness\"}",
        kStart + 10100);
    run_until(supervisor, kStart + 10100, kStart + 16000);
    CHECK(qemu.commands.size() == 3);  // at +13000 and +16000
    CHECK(supervisor.liveness().answers(kStart + 16000));
    // No answer to the queries of +13000 and later: 10 s after the first of them, not vouched.
    run_until(supervisor, kStart + 16000, kStart + 23000);
    CHECK_FALSE(supervisor.liveness().answers(kStart + 23000));
    qmp(supervisor, "{\"return\": {}, \"id\": \"liveness\"}", kStart + 23100);
    CHECK(supervisor.liveness().answers(kStart + 23100));
    CHECK_FALSE(supervisor.ended());
}

TEST_CASE("guest watchdog: QMP WATCHDOG -> quit, then on_failure; during a stop, nothing more") {
    test::LogCapture log;
    FakeQemu qemu;
    QemuSupervisor supervisor(qemu, LadderTiming{}, 0, kQemu, kStart);
    qmp(supervisor, R"({"event": "WATCHDOG", "data": {"action": "none"}, "timestamp": {}})");
    CHECK(qemu.commands == std::vector<std::string>{"quit"});
    CHECK(
        log.has("qmp: WATCHDOG (action none): the guest's watchdog expired, the guest hangs; QMP "
                "quit sent, then on_failure"));
    qmp(supervisor, R"({"event": "WATCHDOG", "data": {"action": "none"}})");
    CHECK(qemu.commands.size() == 1);  // one quit is enough
    supervisor.on_qemu_exited(exited(0));
    CHECK(supervisor.ending().guest_watchdog);
    CHECK_FALSE(supervisor.ending().stop_requested);
    ExitPolicy policy;
    policy.on_failure = ExitAction::kRestart;
    const ExitDecision decision = decide_exit(policy, supervisor.ending(), {}, kStart);
    CHECK(decision.action == ExitAction::kRestart);
    CHECK(std::string(decision.reason) == "the guest's watchdog expired");

    FakeQemu stopping;
    QemuSupervisor stopped(stopping, LadderTiming{}, 0, kQemu, kStart);
    stopped.request_stop("power button", kStart);
    qmp(stopped, R"({"event": "WATCHDOG", "data": {"action": "none"}})");
    CHECK(stopping.commands == std::vector<std::string>{"system_powerdown"});
    CHECK_FALSE(stopped.ending().guest_watchdog);
}
