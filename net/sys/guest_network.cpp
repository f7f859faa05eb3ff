// Host NICs from sysfs, macvtap/macvlan links by rtnetlink, tap devices from devtmpfs.
#include "net/sys/guest_network.hpp"

#include <cstdio>
#include <cstring>

#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "net/dhcp_packet.hpp"
#include "net/fib_trie.hpp"
#include "net/sys/nics.hpp"
#include "net/sys/rtnetlink.hpp"

namespace hal {
namespace {

constexpr uint32_t kTapDeviceWaitMs = 3000;  // devtmpfs makes /dev/tapN as the link appears
constexpr const char* kManageInterface = "manage0";

// The tap character device of a macvtap link, made by devtmpfs (or by hal-init's static /dev
// from the uevent) as the link appears.
int open_tap(DeviceClock& clock, int index) {
    char path[32];
    std::snprintf(path, sizeof path, "/dev/tap%d", index);
    int fd = -1;
    (void)wait_for(clock, kTapDeviceWaitMs, [&] {
        const auto opened = sys::open_file(path, sys::kReadWrite);
        if (opened.ok()) fd = opened.value();
        return opened.ok();
    });
    if (fd < 0) log_warning("network: %s did not appear; this guest NIC is left out", path);
    return fd;
}

// The guest takes the NIC's own MAC, so with a management address beside it the physical port
// moves to a derived one.
bool readdress_port(const GuestNicPlan& plan, const HostNic& host, int lower, size_t number) {
    if (plan.passthru) return true;
    (void)sys::set_link_down(lower);
    if (const Status set = sys::set_mac_address(lower, plan.port_mac.data()); !set.ok()) {
        char port[18];
        log_warning("network: %s: cannot change its MAC to %s: %s; guest NIC %zu left out",
                    host.name.c_str(), format_mac(plan.port_mac, port),
                    std::strerror(set.error().code), number);
        return false;
    }
    return true;
}

// Which of QEMU's descriptors is /dev/vhost-net, read from /proc/PID/fd.
bool uses_vhost(pid_t qemu) {
    char directory[48];
    std::snprintf(directory, sizeof directory, "/proc/%d/fd", static_cast<int>(qemu));
    bool vhost = false;
    (void)sys::for_each_entry(directory, [&](const char* name) {
        char link[64], target[64];
        std::snprintf(link, sizeof link, "%s/%s", directory, name);
        const Status resolved = sys::read_link(link, target, sizeof target);
        log_debug("network: QEMU fd %s -> %s", name,
                  resolved.ok() ? target : std::strerror(resolved.error().code));
        if (resolved.ok() && std::strcmp(target, "/dev/vhost-net") == 0) vhost = true;
    });
    return vhost;
}

void report_local_addresses() {
    static char text[16 * 1024];
    const auto size = sys::read_file_prefix("/proc/net/fib_trie", text, sizeof text);
    if (!size.ok()) return;
    const LocalAddresses local = local_addresses({text, size.value()});
    char line[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < local.count && used < sizeof line - 20; ++i) {
        char address[16];
        used +=
            static_cast<size_t>(std::snprintf(line + used, sizeof line - used, "%s%s", i ? " " : "",
                                              dhcp::format_address(local.addresses[i], address)));
    }
    log_info("network: the host's own addresses: %s",
             local.count ? line : "none (invisible on the LAN)");
}

}  // namespace

bool GuestNetwork::bridge_nic(DeviceClock& clock, const GuestNicPlan& plan, const HostNic& host,
                              size_t number) {
    const auto lower = sys::interface_index(host.name.c_str());
    if (!lower.ok()) {
        log_warning("network: %s went away; guest NIC %zu left out", host.name.c_str(), number);
        return false;
    }
    if (!readdress_port(plan, host, lower.value(), number)) return false;
    (void)sys::set_link_up(lower.value());
    char name[16];
    std::snprintf(name, sizeof name, "macvtap%zu", number);
    const auto tap =
        sys::create_macvlan(sys::MacvlanKind::kMacvtap, name, lower.value(), plan.passthru,
                            plan.passthru ? nullptr : plan.guest_mac.data());
    if (!tap.ok()) {
        log_warning("network: %s: %s failed: %s; guest NIC %zu left out", host.name.c_str(),
                    tap.error().operation, std::strerror(tap.error().code), number);
        return false;
    }
    (void)sys::set_link_up(tap.value());
    tap_fds_[number] = open_tap(clock, tap.value());
    if (tap_fds_[number] < 0) return false;
    facts_.tap_ready[number] = true;
    // Read now, with the link up (before, a NIC that was down reports no carrier); not waited
    // for: a cable plugged in later gives the guest the LAN.
    const auto carrier = sys::has_carrier(host.name.c_str());
    char driver[256], mac[18];
    log_info(
        "network: bridge: guest NIC %zu on %s (driver %s, %s, carrier %s) as %s, macvtap %s, MAC "
        "%s",
        number, host.name.c_str(), nic_driver(host.name.c_str(), driver, sizeof driver),
        host.order_key.c_str(), carrier.ok() && carrier.value() ? "up" : "not yet", name,
        plan.passthru ? "passthru" : "bridge mode", format_mac(plan.guest_mac, mac));
    return true;
}

bool GuestNetwork::create_manage_link(const GuestNicPlan& plan, const HostNic& host) {
    const auto lower = sys::interface_index(host.name.c_str());
    if (!lower.ok()) return false;
    const auto link = sys::create_macvlan(sys::MacvlanKind::kMacvlan, kManageInterface,
                                          lower.value(), false, plan.manage_mac.data());
    if (!link.ok()) {
        log_warning("network: the management macvlan on %s failed: %s", host.name.c_str(),
                    std::strerror(link.error().code));
        return false;
    }
    manage_interface_.assign(kManageInterface);
    char mac[18];
    log_info("network: management address on %s (macvlan on %s, MAC %s)", kManageInterface,
             host.name.c_str(), format_mac(plan.manage_mac, mac));
    return true;
}

bool GuestNetwork::prepare(DeviceClock& clock, const NetSettings& settings) {
    settings_ = &settings;
    nic_count_ = find_host_nics(nics_, std::size(nics_));
    const NetworkPlan& plan = facts_.plan = plan_network(settings, nics_, nic_count_);
    facts_.vhost = sys::path_exists("/dev/vhost-net");
    for (size_t i = 0; i < plan.skipped_count; ++i)
        log_info("network: a NIC is not bridged: %s", plan.skipped[i]);
    if (plan.mode != NetworkMode::kBridge) {
        log_info("network: %s (%s)",
                 plan.mode == NetworkMode::kNat ? "nat: the guest is behind QEMU's user network"
                                                : "none: the guest has no NIC",
                 plan.reason);
        return !(settings.required && plan.mode == NetworkMode::kNone);
    }
    size_t bridged = 0;
    for (size_t i = 0; i < plan.count; ++i) {
        const GuestNicPlan& nic = plan.nics[i];
        if (bridge_nic(clock, nic, nics_[nic.host], i)) ++bridged;
        if (i == 0 && plan.manage && tap_fds_[0] >= 0)
            (void)create_manage_link(nic, nics_[nic.host]);
    }
    if (!facts_.vhost)
        log_warning(
            "network: no /dev/vhost-net (vhost_net not loaded): QEMU moves the packets itself");
    if (bridged == 0) {
        log_warning("network: no guest NIC could be bridged; the guest starts without a network");
        return !settings.required;
    }
    if (!plan.manage)
        log_info("network: bridge: the host takes no address on the LAN (net.manage = none)");
    return true;
}

bool GuestNetwork::start_host_side(DeviceClock& clock, HostNetwork& host) {
    if (facts_.plan.mode != NetworkMode::kBridge) return host.start(clock, *settings_);
    if (manage_interface_.empty()) return true;
    // The management address: net.manage's setting on the macvlan, like any host network.
    manage_settings_ = *settings_;
    manage_settings_.ip = settings_->manage;
    manage_settings_.ip.device.clear();
    manage_settings_.host_nic.kind = NicSelector::Kind::kName;
    manage_settings_.host_nic.name.assign(manage_interface_.view());
    return host.start(clock, manage_settings_);
}

void GuestNetwork::report_after_launch(pid_t qemu) const {
    if (facts_.plan.mode != NetworkMode::kBridge) return;  // NAT: the host's lease has its own line
    log_info("network: QEMU %s /dev/vhost-net", uses_vhost(qemu) ? "uses" : "does not use");
    if (!facts_.plan.manage)
        report_local_addresses();  // else the management lease has its own line
}

size_t GuestNetwork::passed_descriptors(int* fds, size_t capacity) const {
    size_t count = 0;
    for (size_t i = 0; i < facts_.plan.count && count < capacity; ++i)
        if (facts_.tap_ready[i]) fds[count++] = tap_fds_[i];
    return count;
}

}  // namespace hal
