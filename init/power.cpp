// The only way hal-init ends: sync the disks, then reboot(2) to power off.
#include "init/power.hpp"

#include <cstring>

#include "init/log.hpp"
#include "init/sys/sys.hpp"

namespace hal {

void power_off_host(const char* reason) {
    log_info("power: %s; syncing disks and powering off", reason);
    sys::sync_disks();
    const Status result = sys::power_off();
    log_error("power: %s failed: %s; idling instead of exiting", result.error().operation,
              std::strerror(result.error().code));
    while (true) sys::sleep_ms(60 * 1000);
}

void fail_boot(const char* what) {
    log_error("fatal: %s", what);
    power_off_host("fatal setup error");
}

}  // namespace hal
