// Fake power: the machine never goes down under a unit test; each call is recorded and
// reboot(2) "fails" as it would for an unprivileged process.
#include <cerrno>

#include "base/sys/power.hpp"
#include "tests/unit/fakes/fakes.hpp"

namespace hal::sys {

void sync_disks() { fake::record("sync"); }

Status power_off() {
    fake::record("power_off");
    return Error{"reboot(RB_POWER_OFF)", EPERM};
}

Status restart_host() {
    fake::record("restart");
    return Error{"reboot(RB_AUTOBOOT)", EPERM};
}

void disable_ctrl_alt_del() { fake::record("disable_ctrl_alt_del"); }
void console_text_mode() { fake::record("console_text_mode"); }

}  // namespace hal::sys
