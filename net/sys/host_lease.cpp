// Host networking: rtnetlink configuration from a DHCP lease or a static ip= setting.
#include "net/sys/host_lease.hpp"

#include <cstdio>
#include <cstring>
#include <new>

#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/log.hpp"
#include "base/sys/time.hpp"
#include "net/sys/rtnetlink.hpp"

namespace hal {
namespace {

constexpr uint32_t kCarrierPollMs = 20;

uint32_t random32() {
    // Good enough for xids and jitter; getrandom would block on an early boot entropy pool.
    static uint64_t state =
        sys::monotonic_ms() * 0x9e3779b97f4a7c15ull ^ reinterpret_cast<uintptr_t>(&state);
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
    if (!size.ok() || std::sscanf(text, "%x:%x:%x:%x:%x:%x", &values[0], &values[1], &values[2],
                                  &values[3], &values[4], &values[5]) != 6)
        return false;
    for (int i = 0; i < 6; ++i) mac[i] = static_cast<uint8_t>(values[i]);
    return true;
}

uint32_t lease_netmask(const dhcp::Reply& lease) {
    return lease.has_subnet_mask ? lease.subnet_mask : 0xffffff00u;
}

}  // namespace

void HostLease::write_resolv_conf(const uint32_t* dns, size_t dns_count, std::string_view domain,
                                  std::string_view search) {
    if (dns_count == 0 && domain.empty() && search.empty()) return;
    char text[1024];
    size_t used = 0;
    auto append = [&](const char* format, auto... values) {
        const int written = std::snprintf(text + used, sizeof text - used, format, values...);
        if (written > 0 && static_cast<size_t>(written) < sizeof text - used)
            used += static_cast<size_t>(written);
    };
    append("# written by hal-init\n");
    if (!domain.empty()) append("domain %.*s\n", static_cast<int>(domain.size()), domain.data());
    if (!search.empty()) append("search %.*s\n", static_cast<int>(search.size()), search.data());
    for (size_t i = 0; i < dns_count; ++i) {
        char address[16];
        append("nameserver %s\n", dhcp::format_address(dns[i], address));
    }
    const auto fd = sys::open_file(resolv_conf_, sys::kCreateTruncate);
    Status written = fd.ok() ? sys::write_all(fd.value(), text, used) : Status(fd.error());
    if (fd.ok()) sys::close_fd(fd.value());
    if (!written.ok())
        log_warning("network: cannot write %s: %s", resolv_conf_,
                    std::strerror(written.error().code));
}

void HostLease::configure_address(uint32_t address, uint32_t netmask, uint32_t broadcast,
                                  uint16_t mtu) {
    const uint8_t prefix = dhcp::prefix_length(netmask);
    if (mtu >= 68) {
        if (const Status set = sys::set_mtu(index_, mtu); !set.ok())
            log_warning("network: MTU %u on %s: %s", mtu, interface_.c_str(),
                        std::strerror(set.error().code));
    }
    const uint32_t broadcast_address = broadcast ? broadcast : (address | ~netmask);
    if (const Status added = sys::add_address(index_, address, prefix, broadcast_address);
        !added.ok())
        log_warning("network: adding the address failed: %s", std::strerror(added.error().code));
}

void HostLease::add_route_logged(uint32_t destination, uint8_t prefix, uint32_t gateway) {
    if (const Status added = sys::add_route(index_, destination, prefix, gateway); !added.ok()) {
        char where[16], via[16];
        log_warning("network: route %s/%u via %s failed: %s",
                    dhcp::format_address(destination, where), prefix,
                    dhcp::format_address(gateway, via), std::strerror(added.error().code));
    }
}

void HostLease::apply_lease(const dhcp::Reply& lease, uint64_t now_ms) {
    const uint32_t netmask = lease_netmask(lease);
    configure_address(lease.your_address, netmask, lease.has_broadcast ? lease.broadcast : 0,
                      lease.mtu);
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
    char address[16], router[16], server[16];
    log_info(
        "network: %s lease %s/%u gateway %s from %s, %u s, %u routes, MTU %u, bound %llu ms after "
        "link up",
        interface_.c_str(), dhcp::format_address(lease.your_address, address),
        dhcp::prefix_length(netmask), gateway ? dhcp::format_address(gateway, router) : "none",
        dhcp::format_address(lease.server_id, server), lease.lease_seconds,
        static_cast<unsigned>(lease.route_count), lease.mtu,
        static_cast<unsigned long long>(now_ms - link_up_at_));
    if (settings_->take_hostname && !lease.hostname.empty()) {
        const Status named = sys::set_hostname(lease.hostname.c_str(), lease.hostname.size());
        if (named.ok())
            log_info("network: hostname %s (offered by DHCP, net.hostname = yes)",
                     lease.hostname.c_str());
        else
            log_warning("network: hostname %s from DHCP not set: %s", lease.hostname.c_str(),
                        std::strerror(named.error().code));
    }
}

void HostLease::forget_lease(const dhcp::Reply& lease) {
    (void)sys::remove_address(index_, lease.your_address,
                              dhcp::prefix_length(lease_netmask(lease)));
}

void HostLease::send_step() {
    if (!step_.send) return;
    const Status sent = sys::send_dhcp(fd_, step_.packet, step_.packet_size, step_.destination);
    if (!sent.ok()) log_debug("network: DHCP send failed: %s", std::strerror(sent.error().code));
}

// Acts on what the client decided; returns true once a lease is bound.
bool HostLease::handle_step(uint64_t now_ms) {
    if (step_.lost) {
        log_warning("network: %s: lease lost%s; starting over", interface_.c_str(),
                    step_.nak ? " (the server sent NAK)" : "");
    } else if (step_.nak) {
        log_warning("network: %s: the server sent NAK; starting over", interface_.c_str());
    }
    send_step();
    if (step_.bound) {
        // Before using the address, probe whether another host has it (RFC 2131 4.4.1, an
        // RFC 5227 probe shorter than its 1-2 s); the answer is awaited by service_probe().
        bound_at_ = now_ms;
        const auto probe = settings_->arp_check_ms == 0
                               ? Result<int>(Error{"ARP check", 0})
                               : sys::open_arp_probe(index_, mac_, client_->lease().your_address);
        if (probe.ok()) {
            probe_fd_ = probe.value();
            probe_deadline_ = now_ms + settings_->arp_check_ms;
            return false;
        }
        apply_lease(client_->lease(), now_ms);
    }
    if (step_.renewed) {
        char address[16];
        log_info("network: %s lease %s renewed for %u s", interface_.c_str(),
                 dhcp::format_address(client_->lease().your_address, address),
                 client_->lease().lease_seconds);
    }
    return step_.bound;
}

// The probe's outcome: DECLINE on a conflict, otherwise apply the lease once time is up.
void HostLease::service_probe(uint64_t now_ms, bool readable) {
    if (probe_fd_ < 0) return;
    const uint32_t address = client_->lease().your_address;
    const bool conflict = readable && sys::arp_conflict(probe_fd_, mac_, address);
    if (!conflict && now_ms < probe_deadline_) return;
    sys::close_fd(probe_fd_);
    probe_fd_ = -1;
    if (conflict) {
        char text[16];
        log_warning("network: %s: %s is already in use (ARP); declining it", interface_.c_str(),
                    dhcp::format_address(address, text));
        client_->decline(now_ms, step_);
        send_step();
        return;
    }
    apply_lease(client_->lease(), bound_at_);
}

bool HostLease::lease_applied() const {
    return client_->state() == dhcp::ClientState::kBound && probe_fd_ < 0;
}

bool HostLease::start_static() {
    const IpSetting& ip = settings_->ip;
    configure_address(ip.client, ip.netmask, 0, 0);
    if (ip.gateway) add_route_logged(0, 0, ip.gateway);
    write_resolv_conf(ip.dns, ip.dns[0] ? (ip.dns[1] ? 2 : 1) : 0, "", "");
    if (!ip.hostname.empty()) (void)sys::set_hostname(ip.hostname.c_str(), ip.hostname.size());
    char address[16], gateway[16];
    log_info("network: %s static %s/%u gateway %s", interface_.c_str(),
             dhcp::format_address(ip.client, address), dhcp::prefix_length(ip.netmask),
             ip.gateway ? dhcp::format_address(ip.gateway, gateway) : "none");
    return true;
}

bool HostLease::wait_carrier() {
    while (true) {
        const auto carrier = sys::has_carrier(interface_.c_str());
        if (carrier.ok() && carrier.value()) return true;
        if (sys::monotonic_ms() >= deadline_) return false;
        sys::sleep_ms(kCarrierPollMs);
    }
}

bool HostLease::start_dhcp(bool wait_for_lease) {
    if (!read_mac(interface_.c_str(), mac_)) {
        log_warning("network: %s has no readable MAC address", interface_.c_str());
        return false;
    }
    const auto fd = sys::open_dhcp_socket(interface_.c_str());
    if (!fd.ok()) {
        log_warning("network: %s: %s failed: %s", interface_.c_str(), fd.error().operation,
                    std::strerror(fd.error().code));
        return false;
    }
    fd_ = fd.value();
    dhcp::ClientTiming timing;
    timing.overall_timeout_ms =
        deadline_ > sys::monotonic_ms() ? deadline_ - sys::monotonic_ms() : 1;
    client_ = new (client_storage_) dhcp::Client(mac_, timing, random32);
    client_->start(sys::monotonic_ms(), step_);
    send_step();
    if (!wait_for_lease) {
        log_info("network: %s: DHCP under way; the guest does not wait for the host's lease",
                 interface_.c_str());
        return true;
    }
    EventLoop loop;
    loop.add(*this);
    while (!lease_applied()) {
        (void)loop.run_once(1000);
        if (client_->state() == dhcp::ClientState::kFailed) return false;
    }
    return true;
}

bool HostLease::begin(const NetSettings& settings, const char* interface, const char* resolv_conf) {
    settings_ = &settings;
    resolv_conf_ = resolv_conf;
    if (const auto lo = sys::interface_index("lo"); lo.ok()) (void)sys::set_link_up(lo.value());
    if (settings.ip.mode == NetMode::kOff) {
        log_info("network: off (ip=off)");
        return false;
    }
    if (!settings.ip.device.empty()) interface = settings.ip.device.c_str();
    if (!interface || !*interface) {
        log_warning("network: no host NIC; continuing without host network");
        return false;
    }
    interface_.assign(interface);
    const auto index = sys::interface_index(interface);
    if (!index.ok()) {
        log_warning("network: no interface %s", interface);
        return false;
    }
    index_ = index.value();
    if (const Status up = sys::set_link_up(index_); !up.ok()) {
        log_warning("network: %s: link up failed: %s", interface, std::strerror(up.error().code));
        return false;
    }
    link_up_at_ = sys::monotonic_ms();
    deadline_ = link_up_at_ + settings.timeout_seconds * 1000ull;
    return true;
}

bool HostLease::configure(bool wait_for_lease) {
    return settings_->ip.mode == NetMode::kStatic ? start_static() : start_dhcp(wait_for_lease);
}

bool HostLease::start(const NetSettings& settings, const char* interface, bool wait_for_lease,
                      const char* resolv_conf) {
    if (!begin(settings, interface, resolv_conf)) return settings.ip.mode == NetMode::kOff;
    if (!wait_carrier()) {
        log_warning("network: %s: no carrier within %u s", interface_.c_str(),
                    settings.timeout_seconds);
        return false;
    }
    return configure(wait_for_lease);
}

size_t HostLease::descriptors(int* fds, size_t capacity) {
    if (!client_ || capacity < 2) return 0;
    fds[0] = fd_;
    fds[1] = probe_fd_;
    return 2;
}

int64_t HostLease::deadline_in(uint64_t now_ms) {
    if (!client_) return -1;
    int64_t timer = client_->next_timer_in(now_ms);
    if (probe_fd_ >= 0) {
        const int64_t probe =
            probe_deadline_ > now_ms ? static_cast<int64_t>(probe_deadline_ - now_ms) : 0;
        if (timer < 0 || probe < timer) timer = probe;
    }
    return timer;
}

void HostLease::on_event(uint64_t now_ms, const bool* ready, size_t count) {
    service(now_ms, count > 0 && ready[0], count > 1 && ready[1]);
}

void HostLease::service(uint64_t now_ms, bool readable, bool probe_readable) {
    if (!client_) return;
    service_probe(now_ms, probe_readable);
    const dhcp::Reply before = client_->lease();
    const bool was_failed = client_->state() == dhcp::ClientState::kFailed;
    if (readable) {
        uint8_t packet[dhcp::kMaxMessage];
        while (true) {
            const auto size =
                sys::receive_datagram(fd_, reinterpret_cast<char*>(packet), sizeof packet);
            if (!size.ok() || size.value() == 0) break;
            client_->on_packet({packet, size.value()}, now_ms, step_);
            if (step_.lost) forget_lease(before);
            handle_step(now_ms);
        }
    }
    client_->on_timer(now_ms, step_);
    if (step_.lost) forget_lease(before);
    handle_step(now_ms);
    if (!was_failed && client_->state() == dhcp::ClientState::kFailed)
        log_warning("network: %s: no DHCP lease within %u s%s%s", interface_.c_str(),
                    settings_->timeout_seconds,
                    *client_->last_rejection() ? "; last packet rejected: " : "",
                    client_->last_rejection());
}

void HostLease::release() {
    if (!client_) return;
    sys::close_fd(probe_fd_);  // an unfinished probe: the lease was never applied
    probe_fd_ = -1;
    const dhcp::Reply lease = client_->lease();
    client_->release(step_);
    if (!step_.send) return;
    send_step();
    forget_lease(lease);
    char address[16];
    log_info("network: %s lease %s released", interface_.c_str(),
             dhcp::format_address(lease.your_address, address));
}

}  // namespace hal
