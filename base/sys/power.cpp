// sync(2), reboot(2) and the console's KDSETMODE.
#include "base/sys/power.hpp"

#include <fcntl.h>
#include <linux/kd.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <unistd.h>

namespace hal::sys {

void sync_disks() { ::sync(); }

Status power_off() {
    ::reboot(RB_POWER_OFF);
    return error_from_errno("reboot(RB_POWER_OFF)");
}

Status restart_host() {
    ::reboot(RB_AUTOBOOT);
    return error_from_errno("reboot(RB_AUTOBOOT)");
}

void disable_ctrl_alt_del() { ::reboot(RB_DISABLE_CAD); }

void console_text_mode() {
    const int console = ::open("/dev/tty0", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (console < 0) return;
    (void)::ioctl(console, KDSETMODE, KD_TEXT);
    ::close(console);
}

}  // namespace hal::sys
