// The guest's screen, keyboard and pointer: hal-init finds the host's monitor before the
// launch (its native mode goes into the guest's EDID), runs hal-display once QEMU is up,
// restarts it with backoff when it dies (the guest keeps running), and acts on the host
// menu's choices it reports over a control socket.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "config/config.hpp"
#include "launcher/launcher.hpp"

namespace hal {

// Looks for a connected DRM connector (display = auto) and fills facts.display*; one log
// line either way.
void probe_host_display(const Config& config, HostFacts& facts);

// Starts hal-display for a QEMU that has just come up (when the host has a monitor).
void start_display(const Config& config, const HostFacts& facts);
// QEMU ended: hal-display ends by itself (its VNC connection closes) and is not restarted.
void stop_display();

// What the host menu asked the supervisor to do.
enum class MenuRequest { kNone, kPowerOff, kReset };

// For the supervision loop: the control socket (-1 when none), the ms until a restart is due
// (-1 when none), and the handler for both; consumes children that were hal-display's or
// the menu's rescue shell (returns true for those).
int display_fd();
pid_t display_pid();            // 0 when it is not running
uint64_t display_started_ms();
int64_t display_timer_in(uint64_t now_ms);
MenuRequest service_display(bool readable, uint64_t now_ms);
bool display_child_exited(pid_t pid, int status, uint64_t now_ms);

}  // namespace hal
