// What hal-init holds from its first step to the last: the configuration, the facts found about
// the machine, and each capability's system half, wired to one another here. One instance,
// made by init/main.cpp; the steps of the boot plan take it.
#pragma once

#include "base/sys/event_loop.hpp"
#include "config/config.hpp"
#include "devices/sys/nodes.hpp"
#include "devices/sys/uevents.hpp"
#include "display/sys/display_child.hpp"
#include "init/boot_storage.hpp"
#include "init/test_hooks.hpp"
#include "launcher/launcher.hpp"
#include "modules/sys/module_service.hpp"
#include "net/sys/guest_network.hpp"
#include "net/sys/host_network.hpp"
#include "passthrough/sys/claim.hpp"
#include "platform/sys/uefi_vars.hpp"
#include "supervision/sys/hardware_watchdog.hpp"
#include "supervision/sys/power_button.hpp"
#include "supervision/sys/qmp_connection.hpp"
#include "supervision/sys/signals.hpp"
#include "supervision/sys/supervisor.hpp"

namespace hal {

struct Boot {
    explicit Boot(int signal_fd);

    Config config;
    HostFacts facts;
    UeventMonitor uevents;
    StaticNodes nodes;
    ModuleService modules;
    BootStorage storage{uevents, modules};
    UefiVariableStore uefi_vars;
    GuestNetwork guest_network;
    HostNetwork host_network;
    DisplayChild display;
    PowerButtons buttons;
    SignalSource signals;
    QmpConnection qmp;
    HardwareWatchdog watchdog;
    PassthroughClaim passthrough;  // the machine's functions reserved for the guest
    LaunchPlan plan;               // the launcher's decisions for the run of QEMU now
    Argv qemu_argv;
    QemuSupervisor* supervisor = nullptr;  // the run of QEMU being supervised, if any
    TestHooks test_hooks{display, uevents};
};

// Steps 6 to 8: launch QEMU, supervise it, and act on the exit policy until the host powers
// off (init/guest_run.cpp).
[[noreturn]] void run_guest(Boot& boot);

}  // namespace hal
