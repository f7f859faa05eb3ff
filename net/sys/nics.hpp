// The host's network interfaces as sysfs shows them: the NIC the host's own network uses
// (host_nic), and every wired NIC the guest may be bridged onto.
#pragma once

#include <cstddef>

#include "base/text.hpp"
#include "net/network_plan.hpp"
#include "net/settings.hpp"

namespace hal {

struct NetworkInterface {
    FixedString<32> name;
    FixedString<32> mac;
};

// The NIC `selector` names: `auto` (first Ethernet device with a driver), a name, or a MAC;
// false when there is none (yet) or the selector is `none`.
bool find_nic(const NicSelector& selector, NetworkInterface& nic);

// Every network interface /sys/class/net lists, up to `capacity`, with what the guest network
// plan asks of it (Ethernet, wireless, enslaved, carrier, PCI order).
size_t find_host_nics(HostNic* nics, size_t capacity);

// The kernel driver behind a NIC (the last part of its device's driver link), for the log;
// "unknown" without one. `buffer` holds the link.
const char* nic_driver(const char* interface, char* buffer, size_t capacity);

}  // namespace hal
