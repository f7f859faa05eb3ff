// Host NICs from sysfs, macvtap/macvlan links by rtnetlink, tap devices from devtmpfs.
#include "net/sys/guest_network.hpp"

#include <cstdio>
#include <cstring>

#include "net/sys/nics.hpp"
#include "net/sys/host_network.hpp"
#include "base/log.hpp"
#include "net/sys/rtnetlink.hpp"
#include "base/sys/fs.hpp"
#include "net/dhcp_packet.hpp"
#include "net/fib_trie.hpp"

namespace hal {
namespace {

// The kernel driver behind a host NIC (the last part of its device's driver link), for the
// log; `target` holds the link.
const char* driver_of(const HostNic& host, char* target, size_t capacity) {
    char link[96];
    std::snprintf(link, sizeof link, "/sys/class/net/%s/device/driver", host.name.c_str());
    if (!sys::read_link(link, target, capacity).ok()) return "unknown";
    const char* slash = std::strrchr(target, '/');
    return slash ? slash + 1 : target;
}

constexpr uint32_t kTapDeviceWaitMs = 3000;  // devtmpfs makes /dev/tapN as the link appears
constexpr const char* kManageInterface = "manage0";

using Text = FixedString<kPathCapacity>;

bool read_small(const char* directory, const char* name, char* buffer, size_t capacity, std::string_view& value) {
    Text path;
    if (!path.assign(directory) || !path.append('/') || !path.append(name)) return false;
    const auto size = sys::read_file(path.c_str(), buffer, capacity);
    if (!size.ok()) return false;
    value = trim({buffer, size.value()});
    return true;
}

bool exists_under(const char* directory, const char* name) {
    Text path;
    return path.assign(directory) && path.append('/') && path.append(name) && sys::path_exists(path.c_str());
}

void find_host_nics(GuestNetwork& network) {
    network.nic_count = 0;
    (void)sys::for_each_entry("/sys/class/net", [&](const char* name) {
        if (network.nic_count == std::size(network.nics)) return;
        Text directory;
        if (!directory.assign("/sys/class/net/") || !directory.append(name)) return;
        HostNic& nic = network.nics[network.nic_count];
        nic = {};
        char buffer[64];
        std::string_view value;
        if (!nic.name.assign(name)) return;
        nic.ethernet = read_small(directory.c_str(), "type", buffer, sizeof buffer, value) && value == "1" &&
                       exists_under(directory.c_str(), "device");
        if (!nic.ethernet) return;
        if (!read_small(directory.c_str(), "address", buffer, sizeof buffer, value) || !parse_mac(value, nic.mac)) return;
        nic.wireless = exists_under(directory.c_str(), "wireless") || exists_under(directory.c_str(), "phy80211");
        nic.enslaved = exists_under(directory.c_str(), "master");
        nic.carrier = read_small(directory.c_str(), "carrier", buffer, sizeof buffer, value) && value == "1";
        Text device;
        char resolved[kPathCapacity];
        if (device.assign(directory.view()) && device.append("/device") &&
            sys::resolve_path(device.c_str(), resolved, sizeof resolved).ok())
            nic.order_key.assign(resolved);
        ++network.nic_count;
    });
}

// The tap character device of a macvtap link, made by devtmpfs (or by hal-init's static /dev
// from the uevent) as the link appears.
int open_tap(int index) {
    char path[32];
    std::snprintf(path, sizeof path, "/dev/tap%d", index);
    int fd = -1;
    (void)wait_for(kTapDeviceWaitMs, [&] {
        const auto opened = sys::open_file(path, sys::kReadWrite);
        if (opened.ok()) fd = opened.value();
        return opened.ok();
    });
    if (fd < 0) log_warning("network: %s did not appear; this guest NIC is left out", path);
    return fd;
}

bool bridge_nic(const GuestNicPlan& plan, const HostNic& host, size_t number, GuestNetwork& network) {
    char mac[18], port[18];
    const auto lower = sys::interface_index(host.name.c_str());
    if (!lower.ok()) {
        log_warning("network: %s went away; guest NIC %zu left out", host.name.c_str(), number);
        return false;
    }
    if (!plan.passthru) {
        // The guest takes the NIC's own MAC, so the physical port moves to a derived one.
        (void)sys::set_link_down(lower.value());
        if (const Status set = sys::set_mac_address(lower.value(), plan.port_mac.data()); !set.ok()) {
            log_warning("network: %s: cannot change its MAC to %s: %s; guest NIC %zu left out", host.name.c_str(),
                        format_mac(plan.port_mac, port), std::strerror(set.error().code), number);
            return false;
        }
    }
    (void)sys::set_link_up(lower.value());
    char name[16];
    std::snprintf(name, sizeof name, "macvtap%zu", number);
    const auto tap = sys::create_macvlan(sys::MacvlanKind::kMacvtap, name, lower.value(), plan.passthru,
                                         plan.passthru ? nullptr : plan.guest_mac.data());
    if (!tap.ok()) {
        log_warning("network: %s: %s failed: %s; guest NIC %zu left out", host.name.c_str(), tap.error().operation,
                    std::strerror(tap.error().code), number);
        return false;
    }
    (void)sys::set_link_up(tap.value());
    network.tap_fds[number] = open_tap(tap.value());
    if (network.tap_fds[number] < 0) return false;
    // Read now, with the link up (before, a NIC that was down reports no carrier); not waited
    // for: a cable plugged in later gives the guest the LAN.
    const auto carrier = sys::has_carrier(host.name.c_str());
    char driver[256];
    log_info("network: bridge: guest NIC %zu on %s (driver %s, %s, carrier %s) as %s, macvtap %s, MAC %s", number,
             host.name.c_str(), driver_of(host, driver, sizeof driver), host.order_key.c_str(),
             carrier.ok() && carrier.value() ? "up" : "not yet", name,
             plan.passthru ? "passthru" : "bridge mode", format_mac(plan.guest_mac, mac));
    return true;
}

bool create_manage_link(const GuestNicPlan& plan, const HostNic& host, GuestNetwork& network) {
    const auto lower = sys::interface_index(host.name.c_str());
    if (!lower.ok()) return false;
    const auto link = sys::create_macvlan(sys::MacvlanKind::kMacvlan, kManageInterface, lower.value(), false,
                                          plan.manage_mac.data());
    if (!link.ok()) {
        log_warning("network: the management macvlan on %s failed: %s", host.name.c_str(),
                    std::strerror(link.error().code));
        return false;
    }
    network.manage_interface.assign(kManageInterface);
    char mac[18];
    log_info("network: management address on %s (macvlan on %s, MAC %s)", kManageInterface, host.name.c_str(),
             format_mac(plan.manage_mac, mac));
    return true;
}

}  // namespace

bool prepare_guest_network(const Config& config, GuestNetwork& network) {
    find_host_nics(network);
    network.plan = plan_network(config, network.nics, network.nic_count);
    network.vhost = sys::path_exists("/dev/vhost-net");
    for (size_t i = 0; i < network.plan.skipped_count; ++i)
        log_info("network: a NIC is not bridged: %s", network.plan.skipped[i]);
    if (network.plan.mode != NetworkMode::kBridge) {
        log_info("network: %s (%s)", network.plan.mode == NetworkMode::kNat ? "nat: the guest is behind QEMU's user network"
                                                                             : "none: the guest has no NIC",
                 network.plan.reason);
        return !(config.net_required && network.plan.mode == NetworkMode::kNone);
    }
    size_t bridged = 0;
    for (size_t i = 0; i < network.plan.count; ++i) {
        const GuestNicPlan& plan = network.plan.nics[i];
        if (bridge_nic(plan, network.nics[plan.host], i, network)) ++bridged;
        if (i == 0 && network.plan.manage && network.tap_fds[0] >= 0)
            (void)create_manage_link(plan, network.nics[plan.host], network);
    }
    if (!network.vhost) log_warning("network: no /dev/vhost-net (vhost_net not loaded): QEMU moves the packets itself");
    if (bridged == 0) {
        log_warning("network: no guest NIC could be bridged; the guest starts without a network");
        return !config.net_required;
    }
    if (!network.plan.manage) log_info("network: bridge: the host takes no address on the LAN (net.manage = none)");
    return true;
}

bool start_host_side_network(const Config& config, const GuestNetwork& network) {
    if (network.plan.mode != NetworkMode::kBridge) return start_host_network(config);
    if (network.manage_interface.empty()) return true;
    // The management address: net.manage's setting on the macvlan, like any host network.
    static Config manage;
    manage = config;
    manage.net = config.net_manage;
    manage.host_nic.assign(network.manage_interface.view());
    manage.net.device.clear();
    return start_host_network(manage);
}

void report_network_after_launch(pid_t qemu, const GuestNetwork& network) {
    if (network.plan.mode != NetworkMode::kBridge) return;  // NAT: the host's lease has its own line
    {
        char directory[48];
        std::snprintf(directory, sizeof directory, "/proc/%d/fd", static_cast<int>(qemu));
        bool vhost = false;
        (void)sys::for_each_entry(directory, [&](const char* name) {
            char link[64], target[64];
            std::snprintf(link, sizeof link, "%s/%s", directory, name);
            const Status resolved = sys::read_link(link, target, sizeof target);
            log_debug("network: QEMU fd %s -> %s", name, resolved.ok() ? target : std::strerror(resolved.error().code));
            if (resolved.ok() && std::strcmp(target, "/dev/vhost-net") == 0) vhost = true;
        });
        log_info("network: QEMU %s /dev/vhost-net", vhost ? "uses" : "does not use");
    }
    if (network.plan.manage) return;  // the management lease has its own line
    static char text[16 * 1024];
    const auto size = sys::read_file_prefix("/proc/net/fib_trie", text, sizeof text);
    if (!size.ok()) return;
    const LocalAddresses local = local_addresses({text, size.value()});
    char line[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < local.count && used < sizeof line - 20; ++i) {
        char address[16];
        used += static_cast<size_t>(std::snprintf(line + used, sizeof line - used, "%s%s", i ? " " : "",
                                                  dhcp::format_address(local.addresses[i], address)));
    }
    log_info("network: the host's own addresses: %s", local.count ? line : "none (invisible on the LAN)");
}

}  // namespace hal
