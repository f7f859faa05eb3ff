// Parsers of the supervision settings; no I/O.
#include "supervision/settings.hpp"

#include "base/setting_text.hpp"

namespace hal {
namespace {

using namespace std::string_view_literals;
constexpr std::string_view kExitActions = "poweroff\0reboot\0restart\0shell"sv;

}  // namespace

Parsed<ExitAction> parse_exit_action(std::string_view text, const char* message) {
    return parse_enum<ExitAction>(text, kExitActions, message);
}

Parsed<ExitAction> parse_emergency_action(std::string_view text) {
    constexpr const char* kMessage = "emergency must be poweroff, reboot or shell";
    const ExitAction action = TRY(parse_exit_action(text, kMessage));
    if (action == ExitAction::kRestart) return ParseError{kMessage};
    return action;
}

Parsed<FixedString<kSerialNameCapacity>> parse_serial_port(std::string_view text) {
    FixedString<kSerialNameCapacity> port;
    if (text.empty()) return port;
    const std::string_view name = serial_port_name(text);
    if (name.empty() || !port.assign(name))
        return ParseError{"qmp_serial must be a serial port's name under /dev, e.g. ttyS1"};
    return port;
}

Parsed<GuestWatchdog> parse_guest_watchdog(std::string_view text) {
    return parse_enum<GuestWatchdog>(text, "none\0i6300esb"sv,
                                     "guest_watchdog must be none or i6300esb");
}

const char* exit_action_name(ExitAction action) { return enum_name(action, kExitActions); }

ExitPolicy exit_policy(const SupervisionSettings& settings) {
    ExitPolicy policy;
    policy.on_guest_shutdown = settings.on_guest_shutdown;
    policy.on_failure = settings.on_failure;
    policy.emergency = settings.emergency;
    policy.restart_limit = settings.restart_limit;
    policy.restart_window_ms = settings.restart_window_seconds * 1000ull;
    return policy;
}

}  // namespace hal
