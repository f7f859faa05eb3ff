// The machine's power and console: sync, reboot(2), Ctrl-Alt-Del, the VT's mode.
#pragma once

#include "base/result.hpp"

namespace hal::sys {

void sync_disks();
// reboot(2) with RB_POWER_OFF / RB_AUTOBOOT; returns only when the call failed.
Status power_off();
Status restart_host();
// Ctrl-Alt-Del becomes SIGINT for PID 1 instead of an immediate reboot.
void disable_ctrl_alt_del();
// Puts the foreground VT back in text mode (a no-op when it is): after hal-display ended
// without closing its fbdev screen (killed), the console must show again.
void console_text_mode();

}  // namespace hal::sys
