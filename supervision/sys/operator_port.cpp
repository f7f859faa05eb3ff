// The operator port's checks: the kernel's active consoles, then the terminal itself.
#include "supervision/sys/operator_port.hpp"

#include <cstdio>
#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/log.hpp"
#include "supervision/operator_port.hpp"

namespace hal {

FixedString<48> probe_operator_port(std::string_view port) {
    FixedString<48> path;
    if (port.empty()) return path;
    FixedString<kSerialNameCapacity> name;
    name.assign(port);
    char active[256];
    const auto size = sys::read_file_prefix("/sys/class/tty/console/active", active, sizeof active);
    if (size.ok() && is_kernel_console({active, size.value()}, name.view())) {
        log_warning(
            "launch: qmp_serial %s is the kernel's console; no operator QMP (use another port)",
            name.c_str());
        return path;
    }
    char device[48];
    std::snprintf(device, sizeof device, "/dev/%s", name.c_str());
    if (const Status usable = sys::check_terminal(device); !usable.ok()) {
        log_warning("launch: qmp_serial %s: %s: %s; no operator QMP", name.c_str(),
                    usable.error().operation, std::strerror(usable.error().code));
        return path;
    }
    path.assign(device);
    log_info("launch: operator QMP on %s (115200 8N1)", device);
    return path;
}

}  // namespace hal
