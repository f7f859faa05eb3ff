// The DHCPv4 client state machine (RFC 2131 section 4.4) over a caller-supplied clock and
// random source: hal-init and the tests feed it packets and time, it says what to do.
#pragma once

#include <cstdint>

#include "net/dhcp_packet.hpp"

namespace hal::dhcp {

enum class ClientState { kInit, kSelecting, kRequesting, kBound, kRenewing, kRebinding, kFailed };

inline constexpr uint64_t kDeclineBackoffMs = 10000;

struct ClientTiming {
    // For getting a first lease (or a new one after losing it).
    uint64_t overall_timeout_ms = 30000;
    uint64_t first_retransmit_ms = 4000;  // doubled up to 64 s, +-1 s jitter
    uint64_t max_retransmit_ms = 64000;
    uint64_t min_renew_retransmit_ms = 1000;  // RFC says 60 s; short test leases need less
};

// What the caller must do after an input.
struct ClientStep {
    bool send = false;
    uint8_t packet[kMaxMessage];
    size_t packet_size = 0;
    uint32_t destination = 0xffffffffu;  // broadcast unless renewing (unicast to the server)
    bool bound = false;                  // apply `lease` (new or changed address)
    bool renewed = false;                // same address, times extended
    bool lost = false;                   // remove the address and routes of the old lease
    bool failed = false;                 // no lease within the overall timeout
    bool nak = false;
};

class Client {
public:
    // `random` returns uniformly distributed 32-bit values (xids, jitter).
    Client(const MacAddress mac, const ClientTiming& timing, uint32_t (*random)());

    void start(uint64_t now_ms, ClientStep& step);
    void on_packet(std::span<const uint8_t> packet, uint64_t now_ms, ClientStep& step);
    void on_timer(uint64_t now_ms, ClientStep& step);
    // RELEASE for an orderly shutdown; the lease is gone afterwards.
    void release(ClientStep& step);
    // DECLINE the address just bound (an ARP probe found it in use); starts over after
    // kDeclineBackoffMs, as RFC 2131 asks.
    void decline(uint64_t now_ms, ClientStep& step);

    // Milliseconds until on_timer() has work; -1 when none (failed).
    int64_t next_timer_in(uint64_t now_ms) const;

    ClientState state() const { return state_; }
    const Reply& lease() const { return lease_; }
    const char* last_rejection() const { return last_rejection_; }

private:
    void send(ClientStep& step, MessageType type, uint64_t now_ms);
    void schedule_retransmit(uint64_t now_ms);
    void restart(uint64_t now_ms, ClientStep& step);

    uint8_t mac_[6];
    ClientTiming timing_;
    uint32_t (*random_)();
    ClientState state_ = ClientState::kInit;
    uint32_t xid_ = 0;
    uint64_t attempt_started_ = 0;  // for the overall timeout and the secs field
    // Milliseconds since the attempt started; 0 for a time read before the start (a caller's
    // clock reading taken earlier in the same round), never a wrapped-around lifetime.
    uint64_t since_attempt_started(uint64_t now_ms) const {
        return now_ms > attempt_started_ ? now_ms - attempt_started_ : 0;
    }
    uint64_t next_send_ = 0;
    uint64_t retransmit_ms_ = 0;
    Reply offer_;
    Reply lease_;
    uint64_t renew_at_ = 0, rebind_at_ = 0, expire_at_ = 0;
    const char* last_rejection_ = "";
    bool restart_pending_ = false;  // after a DECLINE
};

}  // namespace hal::dhcp
