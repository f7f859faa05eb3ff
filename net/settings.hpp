// The net capability's settings: the guest's network (mode, NIC model, how many NICs, NAT
// port forwards, the host's management address) and the host's own (its NIC, ip=, DHCP's
// bounds), as typed values with their parsers. No I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"
#include "net/hostfwd.hpp"
#include "net/ip_config.hpp"
#include "net/mac.hpp"

namespace hal {

// The guest's network (net/network_plan.hpp): bridged onto the host's wired NIC with its MAC,
// QEMU's NAT, or none; kAuto bridges when the host has a wired NIC.
enum class NetworkMode { kAuto, kBridge, kNat, kNone };
enum class NicModel { kNone, kVirtio, kE1000, kE1000e, kRtl8139 };

// host_nic: which host NIC carries the host's own network.
struct NicSelector {
    enum class Kind { kNone, kAuto, kName, kMac };
    Kind kind = Kind::kAuto;  // kAuto: the first Ethernet device with a driver
    FixedString<32> name;     // kName
    Mac mac{};                // kMac
    bool operator==(const NicSelector&) const = default;
};

struct NetSettings {
    NetworkMode mode = NetworkMode::kAuto;  // network
    NicModel nic = NicModel::kVirtio;       // nic_model
    bool nic_boot = false;                  // yes: the NIC's PXE option ROM, booted after the disks
    bool all_nics = false;                  // nics = all: one guest NIC per host wired NIC
    // net.manage: the host's own address in bridge mode, on a macvlan with a derived MAC
    // (dhcp or static ip= syntax); kOff (the default): the host takes no address on the LAN.
    IpSetting manage{NetMode::kOff};
    HostForwardList forwards;  // hostfwd: NAT port forwards
    NicSelector host_nic;
    uint32_t host_nic_timeout_seconds = 10;
    IpSetting ip;                   // net.ip (and the kernel's ip=), DHCP by default
    uint32_t timeout_seconds = 20;  // DHCP's overall bound for a first lease
    bool required = false;          // yes: no network means the emergency action
    bool take_hostname = false;     // yes: take the hostname DHCP offers
    uint32_t arp_check_ms = 200;    // ARP probe before using a leased address; 0: none
    bool operator==(const NetSettings&) const = default;
};

Parsed<NetworkMode> parse_network_mode(std::string_view text);
Parsed<NicModel> parse_nic_model(std::string_view text);
// `none`, `auto`, an interface name, or `mac:ADDRESS`.
Parsed<NicSelector> parse_nic_selector(std::string_view text);
// net.manage: `none`/`off`, or ip= syntax.
Parsed<IpSetting> parse_manage_setting(std::string_view text);

const char* network_mode_name(NetworkMode mode);
const char* nic_model_name(NicModel nic);
// The selector as it was written ("auto", "eth1", "mac:52:54:00:12:34:56"), for log lines.
const char* nic_selector_text(const NicSelector& selector, char* out, size_t size);

}  // namespace hal
