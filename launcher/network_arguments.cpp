// The network part of QEMU's command line; no I/O.
#include "launcher/network_arguments.hpp"

#include <cstdio>

#include "net/hostfwd.hpp"

namespace hal {
namespace {

const char* nic_device(NicModel nic) {
    switch (nic) {
        case NicModel::kVirtio: return "virtio-net-pci";
        case NicModel::kE1000: return "e1000";
        case NicModel::kE1000e: return "e1000e";
        case NicModel::kRtl8139: return "rtl8139";
        case NicModel::kNone: break;
    }
    return nullptr;
}

// The guest NIC: no option ROM unless the guest may boot from the network (nic_boot), then
// after the disks.
void add_nic(const Config& config, const char* device, size_t index, const char* mac,
             size_t boot_devices, Argv& argv) {
    argv.add("-device");
    char mac_option[32] = "";
    if (mac) std::snprintf(mac_option, sizeof mac_option, ",mac=%s", mac);
    if (config.net.nic_boot && index == 0)
        argv.add_format("%s,netdev=net%zu%s,bootindex=%zu", device, index, mac_option,
                        boot_devices);
    else
        argv.add_format("%s,netdev=net%zu%s,romfile=", device, index, mac_option);
}

}  // namespace

void add_network_arguments(const Config& config, const HostFacts& facts, size_t boot_devices,
                           Argv& argv) {
    const char* device = nic_device(config.net.nic);
    if (!device) return;
    switch (facts.network.plan.mode) {
        case NetworkMode::kNone:
        case NetworkMode::kAuto: return;
        case NetworkMode::kNat: {
            FixedString<1024> netdev;
            netdev.assign("user,id=net0");
            const HostForwardList& forwards = config.net.forwards;
            for (size_t i = 0; i < forwards.count; ++i) {
                char option[96];
                format_host_forward(forwards.forwards[i], option, sizeof option);
                netdev.append(',');
                netdev.append(option);
            }
            argv.add("-netdev");
            argv.add(netdev.view());
            add_nic(config, device, 0, nullptr, boot_devices, argv);
            return;
        }
        case NetworkMode::kBridge: break;
    }
    int fd = kFirstPassedFd;
    size_t index = 0;
    for (size_t i = 0; i < facts.network.plan.count; ++i) {
        if (!facts.network.tap_ready[i]) continue;
        argv.add("-netdev");
        argv.add_format("tap,id=net%zu,fd=%d,vhost=%s", index, fd++,
                        facts.network.vhost ? "on" : "off");
        char mac[18];
        add_nic(config, device, index, format_mac(facts.network.plan.nics[i].guest_mac, mac),
                boot_devices, argv);
        ++index;
    }
}

}  // namespace hal
