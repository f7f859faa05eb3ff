// Host networking: rtnetlink configuration from a DHCP lease or a static ip= setting.
#include "init/network.hpp"

#include <cstdio>
#include <cstring>
#include <new>

#include "common/dhcp_client.hpp"
#include "init/log.hpp"
#include "init/sys/net.hpp"
#include "init/sys/sys.hpp"

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
    dhcp::MacAddress mac = {};
    dhcp::Client* client = nullptr;
    alignas(dhcp::Client) unsigned char client_storage[sizeof(dhcp::Client)];
    dhcp::ClientStep step;
    uint64_t link_up_at = 0;
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
        // Decline an address another host already uses (RFC 2131 4.4.1; an RFC 5227 probe,
        // shorter than its 1-2 s because a booting machine waits on it).
        const uint32_t address = g_network.client->lease().your_address;
        const auto in_use = g_network.arp_check_ms == 0
                                ? Result<bool>(false)
                                : sys::address_in_use(g_network.index, g_network.mac, address, g_network.arp_check_ms);
        if (in_use.ok() && in_use.value()) {
            char text[16];
            log_warning("network: %s: %s is already in use (ARP); declining it", g_network.interface.c_str(),
                        dhcp::format_address(address, text));
            g_network.client->decline(now_ms, step);
            send_step();
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

bool start_dhcp(const Config& config, uint64_t deadline) {
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
    g_network.client->start(sys::monotonic_ms(), g_network.step);
    send_step();
    // The first lease is waited for here; renewals happen in the supervision loop.
    while (true) {
        const uint64_t now = sys::monotonic_ms();
        const int64_t timer = g_network.client->next_timer_in(now);
        const auto readable = sys::wait_readable(g_network.fd, timer < 0 ? 1000 : static_cast<int>(timer));
        service_network(sys::monotonic_ms(), readable.ok() && readable.value());
        const dhcp::ClientState state = g_network.client->state();
        if (state == dhcp::ClientState::kBound) return true;
        if (state == dhcp::ClientState::kFailed) {
            log_warning("network: %s: no DHCP lease within %u s%s%s", g_network.interface.c_str(),
                        config.net_timeout_seconds, *g_network.client->last_rejection() ? "; last packet rejected: " : "",
                        g_network.client->last_rejection());
            return false;
        }
    }
}

}  // namespace

bool start_network(const Config& config, const NetworkOptions& options) {
    g_network.resolv_conf = options.resolv_conf;
    g_network.take_hostname = config.net_hostname;
    g_network.arp_check_ms = config.net_arp_check_ms;
    if (const auto lo = sys::interface_index("lo"); lo.ok()) (void)sys::set_link_up(lo.value());
    if (config.net.mode == NetMode::kOff) {
        log_info("network: off (ip=off)");
        return true;
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
    const uint64_t deadline = sys::monotonic_ms() + config.net_timeout_seconds * 1000ull;
    if (const Status up = sys::set_link_up(g_network.index); !up.ok()) {
        log_warning("network: %s: link up failed: %s", interface, std::strerror(up.error().code));
        return false;
    }
    g_network.link_up_at = sys::monotonic_ms();
    if (!wait_carrier(deadline)) {
        log_warning("network: %s: no carrier within %u s", interface, config.net_timeout_seconds);
        return false;
    }
    return config.net.mode == NetMode::kStatic ? start_static(config) : start_dhcp(config, deadline);
}

int network_fd() { return g_network.client ? g_network.fd : -1; }

int64_t network_timer_in(uint64_t now_ms) {
    return g_network.client ? g_network.client->next_timer_in(now_ms) : -1;
}

void service_network(uint64_t now_ms, bool readable) {
    if (!g_network.client) return;
    const dhcp::Reply before = g_network.client->lease();
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
}

void release_network() {
    if (!g_network.client) return;
    const dhcp::Reply lease = g_network.client->lease();
    g_network.client->release(g_network.step);
    if (!g_network.step.send) return;
    send_step();
    forget_lease(lease);
    char address[16];
    log_info("network: %s lease %s released", g_network.interface.c_str(), dhcp::format_address(lease.your_address, address));
}

}  // namespace hal
