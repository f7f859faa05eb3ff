// The host's own address on one interface: DHCP (RFC 2131, with renewals, classless routes,
// DNS and an ARP check of the leased address) or a static ip=, configured by rtnetlink; and
// the lease's upkeep from the event loop while QEMU runs.
#pragma once

#include <cstdint>

#include "base/sys/event_loop.hpp"
#include "base/text.hpp"
#include "net/dhcp_client.hpp"
#include "net/settings.hpp"

namespace hal {

class HostLease : public EventSource {
public:
    // Loopback and `interface` up; false (with one log line) when there is nothing to
    // configure: ip=off, no interface, or the link will not come up.
    bool begin(const NetSettings& settings, const char* interface,
               const char* resolv_conf = "/etc/resolv.conf");
    // With carrier: DHCP (waited for only with `wait_for_lease`) or the static address.
    bool configure(bool wait_for_lease = false);
    // Both, with a bounded wait for carrier between them: the whole bring-up, blocking.
    bool start(const NetSettings& settings, const char* interface, bool wait_for_lease,
               const char* resolv_conf = "/etc/resolv.conf");
    const char* interface() const { return interface_.c_str(); }
    uint64_t link_deadline() const { return deadline_; }

    // RELEASE the lease on an orderly shutdown.
    void release();

    // EventSource: the DHCP socket and the ARP probe, and the client's timers.
    size_t descriptors(int* fds, size_t capacity) override;
    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    bool start_static();
    bool start_dhcp(bool wait_for_lease);
    bool wait_carrier();
    void configure_address(uint32_t address, uint32_t netmask, uint32_t broadcast, uint16_t mtu);
    void add_route_logged(uint32_t destination, uint8_t prefix, uint32_t gateway);
    void apply_lease(const dhcp::Reply& lease, uint64_t now_ms);
    void forget_lease(const dhcp::Reply& lease);
    void write_resolv_conf(const uint32_t* dns, size_t dns_count, std::string_view domain,
                           std::string_view search);
    void send_step();
    bool handle_step(uint64_t now_ms);
    void service_probe(uint64_t now_ms, bool readable);
    void service(uint64_t now_ms, bool readable, bool probe_readable);
    bool lease_applied() const;

    const NetSettings* settings_ = nullptr;
    FixedString<32> interface_;
    int index_ = -1;
    int fd_ = -1;
    const char* resolv_conf_ = "/etc/resolv.conf";
    int probe_fd_ = -1;  // an ARP probe is under way for the address just bound
    uint64_t probe_deadline_ = 0;
    uint64_t bound_at_ = 0;
    dhcp::MacAddress mac_ = {};
    dhcp::Client* client_ = nullptr;
    alignas(dhcp::Client) unsigned char client_storage_[sizeof(dhcp::Client)];
    dhcp::ClientStep step_;
    uint64_t link_up_at_ = 0;
    uint64_t deadline_ = 0;  // link up + net.timeout: the first lease's bound
};

}  // namespace hal
