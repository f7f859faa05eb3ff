// The operator's QMP monitor on a serial port of the host (qmp_serial = ttyS1): a console
// server or a BMC on that line can ask QEMU what it does and stop the guest the way hal-init
// would (system_powerdown), while hal-init keeps its own QMP connection. QEMU's unix socket
// monitor takes one client at a time, and hal-init holds it, so the operator gets a monitor of
// their own. Pure: the name check and the kernel-console check; init/ opens the port.
#pragma once

#include <cstddef>
#include <string_view>

namespace hal {

inline constexpr size_t kSerialNameCapacity = 32;

// A terminal's name under /dev (ttyS1, ttyUSB0, ttyAMA1, hvc1): a letter, then letters and
// digits; `/dev/` in front is accepted and dropped. Empty when `text` is not one.
std::string_view serial_port_name(std::string_view text);

// Whether `name` is one of the kernel's consoles, as /sys/class/tty/console/active lists them
// ("ttyS0 tty0\n"): QMP there would fight the kernel's log and hal-init's console for the line.
bool is_kernel_console(std::string_view active_consoles, std::string_view name);

}  // namespace hal
