// Unit tests for exit policy decisions.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string_view>

#include "supervision/exit_policy.hpp"

using hal::ExitAction;

namespace {

hal::QemuEnding crashed() {
    hal::QemuEnding ending;
    ending.exited = false;
    ending.exit_status = 9;
    return ending;
}

hal::QemuEnding guest_shutdown() {
    hal::QemuEnding ending;
    ending.exited = true;
    ending.shutdown_event = true;
    ending.guest_initiated = true;
    return ending;
}

}  // namespace

TEST_CASE("exit policy: defaults table -> power off for every ending") {
    const hal::ExitPolicy policy;
    const hal::RestartHistory history;
    hal::QemuEnding stop;
    stop.stop_requested = true;
    stop.exited = true;
    hal::QemuEnding failed;
    failed.exited = true;
    failed.exit_status = 1;
    for (const auto& ending : {guest_shutdown(), crashed(), stop, failed})
        CHECK(hal::decide_exit(policy, ending, history, 0).action == ExitAction::kPowerOff);
}

TEST_CASE("exit policy: host stop request -> power off even when the policy says restart") {
    hal::ExitPolicy policy;
    policy.on_guest_shutdown = policy.on_failure = ExitAction::kRestart;
    hal::QemuEnding stop = guest_shutdown();
    stop.stop_requested = true;
    CHECK(hal::decide_exit(policy, stop, {}, 0).action == ExitAction::kPowerOff);
}

TEST_CASE("exit policy: guest shutdown and failure use their own keys") {
    hal::ExitPolicy policy;
    policy.on_guest_shutdown = ExitAction::kReboot;
    policy.on_failure = ExitAction::kShell;
    CHECK(hal::decide_exit(policy, guest_shutdown(), {}, 0).action == ExitAction::kReboot);
    CHECK(hal::decide_exit(policy, crashed(), {}, 0).action == ExitAction::kShell);
}

TEST_CASE("exit policy: restart with backoff, bounded within the window, then emergency") {
    hal::ExitPolicy policy;
    policy.on_failure = ExitAction::kRestart;
    policy.restart_limit = 3;
    policy.restart_window_ms = 60000;
    policy.restart_backoff_ms = 1000;
    policy.emergency = ExitAction::kReboot;
    hal::RestartHistory history;
    uint64_t now = 100000;
    const uint64_t expected_delays[] = {1000, 2000, 4000};
    for (uint64_t delay : expected_delays) {
        const auto decision = hal::decide_exit(policy, crashed(), history, now);
        CHECK(decision.action == ExitAction::kRestart);
        CHECK(decision.delay_ms == delay);
        history.record(now);
        now += 1000;
    }
    const auto exhausted = hal::decide_exit(policy, crashed(), history, now);
    CHECK(exhausted.restarts_exhausted);
    CHECK(exhausted.action == ExitAction::kReboot);
    // Outside the window the count starts over.
    CHECK(hal::decide_exit(policy, crashed(), history, now + 120000).action ==
          ExitAction::kRestart);
}

TEST_CASE(
    "exit policy: a guest that never started -> restart whatever on_failure says, within the "
    "limit") {
    hal::ExitPolicy policy;  // on_failure = poweroff
    policy.restart_limit = 2;
    policy.restart_window_ms = 60000;
    hal::QemuEnding stuck = crashed();  // killed with SIGKILL by the start watch
    stuck.never_started = true;
    hal::RestartHistory history;
    const auto first = hal::decide_exit(policy, stuck, history, 10000);
    CHECK(first.action == ExitAction::kRestart);
    CHECK(std::string_view(first.reason) == "the guest never started");
    history.record(10000);
    history.record(20000);
    const auto exhausted = hal::decide_exit(policy, stuck, history, 30000);
    CHECK(exhausted.restarts_exhausted);
    CHECK(exhausted.action == ExitAction::kPowerOff);
    // The host's stop request still wins.
    stuck.stop_requested = true;
    CHECK(hal::decide_exit(policy, stuck, {}, 0).action == ExitAction::kPowerOff);
}

TEST_CASE(
    "exit policy: a passed device without a reset -> a guest reboot or restart reboots the "
    "machine") {
    hal::ExitPolicy policy;
    policy.on_failure = ExitAction::kRestart;
    policy.on_guest_shutdown = ExitAction::kRestart;
    policy.machine_reset_only = true;
    const hal::RestartHistory history;
    hal::QemuEnding reset = guest_shutdown();
    reset.guest_reset = true;
    const auto rebooted = hal::decide_exit(policy, reset, history, 0);
    CHECK(rebooted.action == ExitAction::kReboot);
    CHECK(std::string_view(rebooted.reason) == "the guest rebooted");
    CHECK(std::string_view(rebooted.instead) ==
          "a device handed to the guest has no reset method: the machine's reboot resets it");
    for (const auto& ending : {guest_shutdown(), crashed()}) {
        const auto decision = hal::decide_exit(policy, ending, history, 0);
        CHECK(decision.action == ExitAction::kReboot);
        CHECK(std::string_view(decision.instead).find("no reset method") != std::string_view::npos);
    }
    // Nothing ran yet: QEMU may start again.
    hal::QemuEnding stuck = crashed();
    stuck.never_started = true;
    CHECK(hal::decide_exit(policy, stuck, history, 0).action == ExitAction::kRestart);
    // Power off stays power off; and without such a device a restart is a restart.
    policy.on_failure = ExitAction::kPowerOff;
    CHECK(hal::decide_exit(policy, crashed(), history, 0).action == ExitAction::kPowerOff);
    policy.machine_reset_only = false;
    const auto restarted = hal::decide_exit(policy, guest_shutdown(), history, 0);
    CHECK(restarted.action == ExitAction::kRestart);
    CHECK(std::string_view(restarted.instead).empty());
}
