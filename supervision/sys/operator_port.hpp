// qmp_serial: the operator's serial port, checked before QEMU is given it.
#pragma once

#include <string_view>

#include "base/text.hpp"

namespace hal {

// The port's path (/dev/ttyS1) when `name` opens as a terminal and is not the kernel's
// console; empty otherwise (and for no name). One log line either way.
FixedString<48> probe_operator_port(std::string_view name);

}  // namespace hal
