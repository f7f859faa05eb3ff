// The supervision capability's settings: the stop ladder's patience, what happens when QEMU
// ends, the crash-loop bounds, the guest start watch, the operator's QMP port, the hardware
// watchdog; as typed
// values with their parsers. No I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"
#include "supervision/exit_policy.hpp"
#include "supervision/operator_port.hpp"
#include "supervision/watchdog.hpp"

namespace hal {

// A virtual watchdog for the guest: an Intel 6300ESB, which Linux drives (i6300esb); QEMU
// reports its expiry as a QMP WATCHDOG event, a hung guest under on_failure.
enum class GuestWatchdog { kNone, kI6300esb };

struct SupervisionSettings {
    uint32_t powerdown_timeout_seconds = 120;  // the stop ladder's wait for the guest
    ExitAction on_guest_shutdown = ExitAction::kPowerOff;
    ExitAction on_failure = ExitAction::kPowerOff;
    ExitAction emergency = ExitAction::kPowerOff;  // fatal setup errors and exhausted restarts
    uint32_t restart_limit = 3;
    uint32_t restart_window_seconds = 300;
    // Seconds a KVM guest has to show progress (supervision/guest_start.hpp) before QEMU is
    // killed and started again; 0: not watched.
    uint32_t guest_start_timeout_seconds = 60;
    // qmp_serial: a QMP monitor for the operator on this serial port of the host (ttyS1);
    // empty: none.
    FixedString<kSerialNameCapacity> qmp_serial;
    WatchdogSetting watchdog;                             // the host's hardware watchdog
    GuestWatchdog guest_watchdog = GuestWatchdog::kNone;  // the guest's own
    bool operator==(const SupervisionSettings&) const = default;
};

// poweroff, reboot, restart or shell.
Parsed<ExitAction> parse_exit_action(std::string_view text, const char* message);
// emergency: the same but restart (there is nothing to restart).
Parsed<ExitAction> parse_emergency_action(std::string_view text);
// A serial port's name, /dev/ in front optional; empty: none.
Parsed<FixedString<kSerialNameCapacity>> parse_serial_port(std::string_view text);
const char* exit_action_name(ExitAction action);

// none or i6300esb.
Parsed<GuestWatchdog> parse_guest_watchdog(std::string_view text);

// The exit policy these settings make.
ExitPolicy exit_policy(const SupervisionSettings& settings);

}  // namespace hal
