// Host networking: rtnetlink configuration from a DHCP lease or a static ip= setting.
#include "net/sys/host_lease.hpp"

#include <cstdio>
#include <cstring>
#include <new>

#include "net/dhcp_client.hpp"
#include "base/log.hpp"
#include "net/sys/rtnetlink.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/time.hpp"

namespace hal {
namespace {

constexpr uint32_t kCarrierPollMs = 20;

struct Network {
    FixedString<32> interface;
    int index = -1;
    int fd = -1;
    const char* resolv_conf = "/etc/resolv.conf";
    bool take_hostname = false;
    uint32_t arp_check_ms = 0;
    int probe_fd = -1;          // an ARP probe is under way for the address just bound
    uint64_t probe_deadline = 0;
    uint64_t bound_at = 0;
    uint32_t timeout_seconds = 0;
    dhcp::MacAddress mac = {};
    dhcp::Client* client = nullptr;
    alignas(dhcp::Client) unsigned char client_storage[sizeof(dhcp::Client)];
    dhcp::ClientStep step;
    uint64_t link_up_at = 0;
    uint64_t deadline = 0;  // link up + net.timeout: the first lease's bound
};
Network g_network;

uint32_t random32() {
    // Good enough for xids and jitter; getrandom would block on an early boot entropy pool.
    static uint64_t state = sys::monotonic_ms() * 0x9e3779b97f4a7c15ull ^ reinterpret_cast<uintptr_t>(&state);
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<uint32_t>(state >> 16);
}

bool read_mac(const char* interface, dhcp::MacAddress mac) {
    char path[96], text[32];
    std::snprintf(path, sizeof path, "/sys/class/net/%s/address", interface);
    const auto size = sys::read_file(path, text, sizeof text);
    unsigned values[6];
    if (!size.ok() || std::sscanf(text, "%x:%x:%x:%x:%x:%x", &values[0], &values[1], &values[2], &values[3], &values[4],
                                  &values[5]) != 6)
        return false;
    for (int i = 0; i < 6; ++i) mac[i] = static_cast<uint8_t>(values[i]);
    return true;
}

void write_resolv_conf(const uint32_t* dns, size_t dns_count, std::string_view domain, std::string_view search) {
    if (dns_count == 0 && domain.empty() && search.empty()) return;
    char text[1024];
    size_t used = 0;
    auto append = [&](const char* format, auto... values) {
        const int written = std::snprintf(text + used, sizeof text - used, format, values...);
        if (written > 0 && static_cast<size_t>(written) < sizeof text - used) used += static_cast<size_t>(written);
    };
    append("# written by hal-init\n");
    if (!domain.empty()) append("domain %.*s\n", static_cast<int>(domain.size()), domain.data());
    if (!search.empty()) append("search %.*s\n", static_cast<int>(search.size()), search.data());
    for (size_t i = 0; i < dns_count; ++i) {
        char address[16];
        append("nameserver %s\n", dhcp::format_address(dns[i], address));
    }
    const auto fd = sys::open_file(g_network.resolv_conf, sys::kCreateTruncate);
    Status written = fd.ok() ? sys::write_all(fd.value(), text, used) : Status(fd.error());
    if (fd.ok()) sys::close_fd(fd.value());
    if (!written.ok())
        log_warning("network: cannot write %s: %s", g_network.resolv_conf, std::strerror(written.error().code));
}

void configure(uint32_t address, uint32_t netmask, uint32_t broadcast, uint16_t mtu) {
    const uint8_t prefix = dhcp::prefix_length(netmask);
    if (mtu >= 68) {
        if (const Status set = sys::set_mtu(g_network.index, mtu); !set.ok())
            log_warning("network: MTU %u on %s: %s", mtu, g_network.interface.c_str(), std::strerror(set.error().code));
    }
    const uint32_t broadcast_address = broadcast ? broadcast : (address | ~netmask);
    if (const Status added = sys::add_address(g_network.index, address, prefix, broadcast_address); !added.ok())
        log_warning("network: adding the address failed: %s", std::strerror(added.error().code));
}

void add_route_logged(uint32_t destination, uint8_t prefix, uint32_t gateway) {
    if (const Status added = sys::add_route(g_network.index, destination, prefix, gateway); !added.ok()) {
        char where[16], via[16];
        log_warning("network: route %s/%u via %s failed: %s", dhcp::format_address(destination, where), prefix,
                    dhcp::format_address(gateway, via), std::strerror(added.error().code));
    }
}

void apply_lease(const dhcp::Reply& lease, uint64_t now_ms) {
    const uint32_t netmask = lease.has_subnet_mask ? lease.subnet_mask : 0xffffff00u;
    configure(lease.your_address, netmask, lease.has_broadcast ? lease.broadcast : 0, lease.mtu);
    // RFC 3442: with classless static routes the router option is ignored.
    uint32_t gateway = 0;
    if (lease.has_classless_routes) {
        for (size_t i = 0; i < lease.route_count; ++i) {
            const dhcp::Route& route = lease.routes[i];
            add_route_logged(route.destination, route.prefix, route.gateway);
            if (route.prefix == 0) gateway = route.gateway;
        }
    } else if (lease.has_router) {
        gateway = lease.router;
        add_route_logged(0, 0, gateway);
    }
    write_resolv_conf(lease.dns, lease.dns_count, lease.domain.view(), lease.search.view());
    if (g_network.take_hostname && !lease.hostname.empty())
        (void)sys::set_hostname(lease.hostname.c_str(), lease.hostname.size());
    char address[16], router[16], server[16];
    log_info("network: %s lease %s/%u gateway %s from %s, %u s, %u routes, MTU %u, bound %llu ms after link up",
             g_network.interface.c_str(), dhcp::format_address(lease.your_address, address),
             dhcp::prefix_length(netmask), gateway ? dhcp::format_address(gateway, router) : "none",
             dhcp::format_address(lease.server_id, server), lease.lease_seconds,
             static_cast<unsigned>(lease.route_count), lease.mtu,
             static_cast<unsigned long long>(now_ms - g_network.link_up_at));
}

void forget_lease(const dhcp::Reply& lease) {
    const uint32_t netmask = lease.has_subnet_mask ? lease.subnet_mask : 0xffffff00u;
    (void)sys::remove_address(g_network.index, lease.your_address, dhcp::prefix_length(netmask));
}

void send_step() {
    if (!g_network.step.send) return;
    const Status sent =
        sys::send_dhcp(g_network.fd, g_network.step.packet, g_network.step.packet_size, g_network.step.destination);
    if (!sent.ok()) log_debug("network: DHCP send failed: %s", std::strerror(sent.error().code));
}

// Acts on what the client decided; returns true once a lease is bound.
bool handle_step(uint64_t now_ms) {
    dhcp::ClientStep& step = g_network.step;
    if (step.lost) {
        log_warning("network: %s: lease lost%s; starting over", g_network.interface.c_str(),
                    step.nak ? " (the server sent NAK)" : "");
    } else if (step.nak) {
        log_warning("network: %s: the server sent NAK; starting over", g_network.interface.c_str());
    }
    send_step();
    if (step.bound) {
        // Before using the address, probe whether another host has it (RFC 2131 4.4.1, an
        // RFC 5227 probe shorter than its 1-2 s); the answer is awaited by service_network().
        g_network.bound_at = now_ms;
        const auto probe = g_network.arp_check_ms == 0
                               ? Result<int>(Error{"ARP check", 0})
                               : sys::open_arp_probe(g_network.index, g_network.mac, g_network.client->lease().your_address);
        if (probe.ok()) {
            g_network.probe_fd = probe.value();
            g_network.probe_deadline = now_ms + g_network.arp_check_ms;
            return false;
        }
        apply_lease(g_network.client->lease(), now_ms);
    }
    if (step.renewed) {
        char address[16];
        log_info("network: %s lease %s renewed for %u s", g_network.interface.c_str(),
                 dhcp::format_address(g_network.client->lease().your_address, address),
                 g_network.client->lease().lease_seconds);
    }
    return step.bound;
}

// The probe's outcome: DECLINE on a conflict, otherwise apply the lease once time is up.
void service_probe(uint64_t now_ms, bool readable) {
    if (g_network.probe_fd < 0) return;
    const uint32_t address = g_network.client->lease().your_address;
    const bool conflict = readable && sys::arp_conflict(g_network.probe_fd, g_network.mac, address);
    if (!conflict && now_ms < g_network.probe_deadline) return;
    sys::close_fd(g_network.probe_fd);
    g_network.probe_fd = -1;
    if (conflict) {
        char text[16];
        log_warning("network: %s: %s is already in use (ARP); declining it", g_network.interface.c_str(),
                    dhcp::format_address(address, text));
        g_network.client->decline(now_ms, g_network.step);
        send_step();
        return;
    }
    apply_lease(g_network.client->lease(), g_network.bound_at);
}

bool lease_applied() {
    return g_network.client->state() == dhcp::ClientState::kBound && g_network.probe_fd < 0;
}

bool start_static(const Config& config) {
    const IpSetting& ip = config.net;
    configure(ip.client, ip.netmask, 0, 0);
    if (ip.gateway) add_route_logged(0, 0, ip.gateway);
    write_resolv_conf(ip.dns, ip.dns[0] ? (ip.dns[1] ? 2 : 1) : 0, "", "");
    if (!ip.hostname.empty()) (void)sys::set_hostname(ip.hostname.c_str(), ip.hostname.size());
    char address[16], gateway[16];
    log_info("network: %s static %s/%u gateway %s", g_network.interface.c_str(), dhcp::format_address(ip.client, address),
             dhcp::prefix_length(ip.netmask), ip.gateway ? dhcp::format_address(ip.gateway, gateway) : "none");
    return true;
}

bool wait_carrier(uint64_t deadline) {
    while (true) {
        const auto carrier = sys::has_carrier(g_network.interface.c_str());
        if (carrier.ok() && carrier.value()) return true;
        if (sys::monotonic_ms() >= deadline) return false;
        sys::sleep_ms(kCarrierPollMs);
    }
}

bool start_dhcp(const Config& config, uint64_t deadline, bool wait_for_lease) {
    dhcp::MacAddress& mac = g_network.mac;
    if (!read_mac(g_network.interface.c_str(), mac)) {
        log_warning("network: %s has no readable MAC address", g_network.interface.c_str());
        return false;
    }
    const auto fd = sys::open_dhcp_socket(g_network.interface.c_str());
    if (!fd.ok()) {
        log_warning("network: %s: %s failed: %s", g_network.interface.c_str(), fd.error().operation,
                    std::strerror(fd.error().code));
        return false;
    }
    g_network.fd = fd.value();
    dhcp::ClientTiming timing;
    timing.overall_timeout_ms = deadline > sys::monotonic_ms() ? deadline - sys::monotonic_ms() : 1;
    g_network.client = new (g_network.client_storage) dhcp::Client(mac, timing, random32);
    g_network.timeout_seconds = config.net_timeout_seconds;
    g_network.client->start(sys::monotonic_ms(), g_network.step);
    send_step();
    if (!wait_for_lease) {
        log_info("network: %s: DHCP under way; the guest does not wait for the host's lease", g_network.interface.c_str());
        return true;
    }
    while (!lease_applied()) {
        const uint64_t now = sys::monotonic_ms();
        const int64_t timer = network_timer_in(now);
        const int fds[2] = {g_network.fd, g_network.probe_fd};
        bool ready[2] = {};
        (void)sys::wait_any(fds, ready, 2, timer < 0 ? 1000 : static_cast<int>(timer));
        service_network(sys::monotonic_ms(), ready[0], ready[1]);
        if (g_network.client->state() == dhcp::ClientState::kFailed) return false;
    }
    return true;
}

}  // namespace

bool begin_network(const Config& config, const NetworkOptions& options) {
    g_network.resolv_conf = options.resolv_conf;
    g_network.take_hostname = config.net_hostname;
    g_network.arp_check_ms = config.net_arp_check_ms;
    if (const auto lo = sys::interface_index("lo"); lo.ok()) (void)sys::set_link_up(lo.value());
    if (config.net.mode == NetMode::kOff) {
        log_info("network: off (ip=off)");
        return false;
    }
    const char* interface = config.net.device.empty() ? options.interface : config.net.device.c_str();
    if (!interface || !*interface) {
        log_warning("network: no host NIC; continuing without host network");
        return false;
    }
    g_network.interface.assign(interface);
    const auto index = sys::interface_index(interface);
    if (!index.ok()) {
        log_warning("network: no interface %s", interface);
        return false;
    }
    g_network.index = index.value();
    if (const Status up = sys::set_link_up(g_network.index); !up.ok()) {
        log_warning("network: %s: link up failed: %s", interface, std::strerror(up.error().code));
        return false;
    }
    g_network.link_up_at = sys::monotonic_ms();
    g_network.deadline = g_network.link_up_at + config.net_timeout_seconds * 1000ull;
    return true;
}

bool continue_network(const Config& config, bool wait_for_lease) {
    return config.net.mode == NetMode::kStatic ? start_static(config)
                                                : start_dhcp(config, g_network.deadline, wait_for_lease);
}

bool start_network(const Config& config, const NetworkOptions& options, bool wait_for_lease) {
    if (!begin_network(config, options)) return config.net.mode == NetMode::kOff;
    if (!wait_carrier(g_network.deadline)) {
        log_warning("network: %s: no carrier within %u s", g_network.interface.c_str(), config.net_timeout_seconds);
        return false;
    }
    return continue_network(config, wait_for_lease);
}

int network_fd() { return g_network.client ? g_network.fd : -1; }
int network_probe_fd() { return g_network.probe_fd; }

int64_t network_timer_in(uint64_t now_ms) {
    if (!g_network.client) return -1;
    int64_t timer = g_network.client->next_timer_in(now_ms);
    if (g_network.probe_fd >= 0) {
        const int64_t probe = g_network.probe_deadline > now_ms ? static_cast<int64_t>(g_network.probe_deadline - now_ms) : 0;
        if (timer < 0 || probe < timer) timer = probe;
    }
    return timer;
}

void service_network(uint64_t now_ms, bool readable, bool probe_readable) {
    if (!g_network.client) return;
    service_probe(now_ms, probe_readable);
    const dhcp::Reply before = g_network.client->lease();
    const bool was_failed = g_network.client->state() == dhcp::ClientState::kFailed;
    if (readable) {
        uint8_t packet[dhcp::kMaxMessage];
        while (true) {
            const auto size = sys::receive_datagram(g_network.fd, reinterpret_cast<char*>(packet), sizeof packet);
            if (!size.ok() || size.value() == 0) break;
            g_network.client->on_packet({packet, size.value()}, now_ms, g_network.step);
            if (g_network.step.lost) forget_lease(before);
            handle_step(now_ms);
        }
    }
    g_network.client->on_timer(now_ms, g_network.step);
    if (g_network.step.lost) forget_lease(before);
    handle_step(now_ms);
    if (!was_failed && g_network.client->state() == dhcp::ClientState::kFailed)
        log_warning("network: %s: no DHCP lease within %u s%s%s", g_network.interface.c_str(), g_network.timeout_seconds,
                    *g_network.client->last_rejection() ? "; last packet rejected: " : "",
                    g_network.client->last_rejection());
}

void release_network() {
    if (!g_network.client) return;
    sys::close_fd(g_network.probe_fd);  // an unfinished probe: the lease was never applied
    g_network.probe_fd = -1;
    const dhcp::Reply lease = g_network.client->lease();
    g_network.client->release(g_network.step);
    if (!g_network.step.send) return;
    send_step();
    forget_lease(lease);
    char address[16];
    log_info("network: %s lease %s released", g_network.interface.c_str(), dhcp::format_address(lease.your_address, address));
}

}  // namespace hal
