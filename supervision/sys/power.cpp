// The only ways hal-init ends: sync the disks, then reboot(2) to power off or restart.
#include "supervision/sys/power.hpp"

#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/power.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"
#include "supervision/sys/hardware_watchdog.hpp"

namespace hal {
namespace {

[[noreturn]] void end_host(const char* reason, bool power_off) {
    log_info("power: %s; syncing disks and %s", reason, power_off ? "powering off" : "rebooting");
    disarm_hardware_watchdog();
    sys::sync_disks();
    const Status result = power_off ? sys::power_off() : sys::restart_host();
    log_error("power: %s failed: %s; idling instead of exiting", result.error().operation,
              std::strerror(result.error().code));
    while (true) sys::sleep_ms(60 * 1000);
}

}  // namespace

void power_off_host(const char* reason) { end_host(reason, true); }
void reboot_host(const char* reason) { end_host(reason, false); }

namespace {
ExitAction g_emergency = ExitAction::kPowerOff;
BeforeEmergency g_before_emergency = nullptr;
const char* g_fatal_what = nullptr;  // fail_boot's text, for the hook
char* g_shell_environment[] = {const_cast<char*>("PATH=/bin:/usr/bin"),
                               const_cast<char*>("HOME=/root"), const_cast<char*>("TERM=linux"),
                               nullptr};
}  // namespace

void set_emergency_action(ExitAction action) { g_emergency = action; }
void set_before_emergency(BeforeEmergency hook) { g_before_emergency = hook; }

bool run_rescue_shell(const char* why) {
    if (!sys::path_exists("/bin/sh")) {
        log_warning(
            "shell: no rescue shell in this image (build it with mkinitrd-hal --rescue-shell)");
        return false;
    }
    log_info("shell: %s; starting /bin/sh on the console, exit it to continue", why);
    disarm_hardware_watchdog();  // the operator's shell may take longer than its timeout
    char* argv[] = {const_cast<char*>("/bin/sh"), nullptr};
    const auto pid = sys::spawn(argv, g_shell_environment);
    if (!pid.ok()) {
        log_error("shell: cannot start /bin/sh: %s", std::strerror(pid.error().code));
        return false;
    }
    // PID 1 blocks SIGCHLD into a signalfd; waiting by polling the reaper is enough here.
    while (true) {
        const auto child = sys::reap_child();
        if (!child.ok()) break;
        if (child.value().pid == pid.value()) break;
        sys::sleep_ms(100);
    }
    log_info("shell: exited");
    return true;
}

void run_emergency_action(const char* reason) {
    // Once: a fatal error inside the hook ends in the emergency action itself.
    if (const BeforeEmergency hook = g_before_emergency) {
        g_before_emergency = nullptr;
        hook(g_fatal_what ? g_fatal_what : reason);
    }
    switch (g_emergency) {
        case ExitAction::kReboot: reboot_host(reason);
        case ExitAction::kShell: run_rescue_shell(reason); break;
        case ExitAction::kPowerOff:
        case ExitAction::kRestart: break;
    }
    power_off_host(reason);
}

void fail_boot(const char* what) {
    log_error("fatal: %s", what);
    g_fatal_what = what;
    run_emergency_action("fatal setup error");
}

}  // namespace hal
