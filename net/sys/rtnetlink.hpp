// Network system calls for hal-init: rtnetlink for links, addresses and routes, and the
// UDP socket the DHCP client speaks through. IPv4 addresses are in host byte order.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.hpp"

namespace hal::sys {

Result<int> interface_index(const char* name);
Status set_link_up(int index);
Status set_mtu(int index, uint32_t mtu);
// Sets a link's hardware address (the link must be down for most drivers).
Status set_mac_address(int index, const uint8_t mac[6]);
Status set_link_down(int index);

// A macvtap (guest end, a /dev/tapN character device) or macvlan (host end) on `lower`, in
// passthru mode (it takes the lower link's MAC and the lower goes promiscuous) or bridge
// mode with `mac`. Returns the new link's index.
enum class MacvlanKind { kMacvtap, kMacvlan };
Result<int> create_macvlan(MacvlanKind kind, const char* name, int lower, bool passthru,
                           const uint8_t* mac);
Result<bool> has_carrier(const char* name);  // /sys/class/net/NAME/carrier
Status add_address(int index, uint32_t address, uint8_t prefix, uint32_t broadcast);
Status remove_address(int index, uint32_t address, uint8_t prefix);
// destination/prefix via gateway (gateway 0: on-link).
Status add_route(int index, uint32_t destination, uint8_t prefix, uint32_t gateway);
Status set_hostname(const char* name, size_t length);

// RFC 5227 probe: sends an ARP request for `address` with sender address 0 and returns a
// non-blocking socket on which answers arrive.
Result<int> open_arp_probe(int index, const uint8_t mac[6], uint32_t address);
// Drains the probe socket; true when another host claims `address` (a reply or its own probe).
bool arp_conflict(int fd, const uint8_t mac[6], uint32_t address);

// UDP port 68 on `interface`, broadcast allowed, non-blocking.
Result<int> open_dhcp_socket(const char* interface);
Status send_dhcp(int fd, const uint8_t* packet, size_t size, uint32_t destination);

}  // namespace hal::sys
