// DHCP client transitions: DISCOVER/OFFER/REQUEST/ACK, NAK, renew at T1, rebind at T2, expiry.
#include "net/dhcp_client.hpp"

#include <cstring>

namespace hal::dhcp {

Client::Client(const MacAddress mac, const ClientTiming& timing, uint32_t (*random)())
    : timing_(timing), random_(random) {
    std::memcpy(mac_, mac, 6);
}

void Client::send(ClientStep& step, MessageType type, uint64_t now_ms) {
    Request request;
    request.type = type;
    request.xid = xid_;
    const uint64_t elapsed_s = since_attempt_started(now_ms) / 1000;
    request.seconds = static_cast<uint16_t>(elapsed_s > 0xffff ? 0xffff : elapsed_s);
    step.destination = 0xffffffffu;
    switch (state_) {
        case ClientState::kRequesting:
            request.requested_address = offer_.your_address;
            request.server_id = offer_.server_id;
            break;
        case ClientState::kRenewing:
            request.client_address = lease_.your_address;
            request.broadcast_flag = false;
            step.destination = lease_.server_id;
            break;
        case ClientState::kRebinding:
            request.client_address = lease_.your_address;
            request.broadcast_flag = false;
            break;
        default: break;
    }
    if (type == MessageType::kRelease) {
        request.client_address = lease_.your_address;
        request.server_id = lease_.server_id;
        request.broadcast_flag = false;
        step.destination = lease_.server_id;
    }
    step.packet_size = build_request(request, mac_, step.packet);
    step.send = step.packet_size > 0;
}

// 4 s, 8 s, ... 64 s, each +-1 s; while renewing or rebinding, half the time left to the
// next deadline (RFC 2131 4.4.5).
void Client::schedule_retransmit(uint64_t now_ms) {
    if (state_ == ClientState::kRenewing || state_ == ClientState::kRebinding) {
        const uint64_t deadline = state_ == ClientState::kRenewing ? rebind_at_ : expire_at_;
        uint64_t wait = deadline > now_ms ? (deadline - now_ms) / 2 : 0;
        if (wait < timing_.min_renew_retransmit_ms) wait = timing_.min_renew_retransmit_ms;
        next_send_ = now_ms + wait;
        return;
    }
    retransmit_ms_ = retransmit_ms_ == 0 ? timing_.first_retransmit_ms
                                         : (retransmit_ms_ * 2 > timing_.max_retransmit_ms
                                                ? timing_.max_retransmit_ms
                                                : retransmit_ms_ * 2);
    const int64_t jitter = static_cast<int64_t>(random_() % 2001) - 1000;
    next_send_ = now_ms + static_cast<uint64_t>(static_cast<int64_t>(retransmit_ms_) + jitter);
}

void Client::start(uint64_t now_ms, ClientStep& step) {
    step = ClientStep{};
    restart_pending_ = false;
    // RFC 2131 suggests a random 1-10 s delay before the first DISCOVER; a machine that
    // just booted has no reason to wait.
    xid_ = random_();
    attempt_started_ = now_ms;
    retransmit_ms_ = 0;
    state_ = ClientState::kSelecting;
    send(step, MessageType::kDiscover, now_ms);
    schedule_retransmit(now_ms);
}

void Client::restart(uint64_t now_ms, ClientStep& step) {
    const bool had_lease = state_ == ClientState::kBound || state_ == ClientState::kRenewing ||
                           state_ == ClientState::kRebinding;
    const bool nak = step.nak;
    start(now_ms, step);
    step.lost = had_lease;
    step.nak = nak;
    lease_ = Reply{};
}

void Client::on_packet(std::span<const uint8_t> packet, uint64_t now_ms, ClientStep& step) {
    step = ClientStep{};
    if (state_ == ClientState::kInit || state_ == ClientState::kBound ||
        state_ == ClientState::kFailed)
        return;
    Reply reply;
    if (const char* problem = parse_reply(packet, xid_, mac_, reply)) {
        last_rejection_ = problem;  // malformed or not ours: never acted on
        return;
    }
    if (state_ == ClientState::kSelecting) {
        if (reply.type != MessageType::kOffer) return;
        offer_ = reply;
        state_ = ClientState::kRequesting;
        retransmit_ms_ = 0;
        send(step, MessageType::kRequest, now_ms);
        schedule_retransmit(now_ms);
        return;
    }
    // Requesting, renewing, rebinding: an ACK or a NAK from the server we asked.
    if (reply.type == MessageType::kNak) {
        if (state_ == ClientState::kRequesting && reply.server_id != offer_.server_id) return;
        step.nak = true;
        restart(now_ms, step);
        return;
    }
    if (reply.type != MessageType::kAck) return;
    if (state_ == ClientState::kRequesting && reply.server_id != offer_.server_id) return;
    const bool same_address =
        (state_ == ClientState::kRenewing || state_ == ClientState::kRebinding) &&
        reply.your_address == lease_.your_address;
    lease_ = reply;
    // Lease times: an infinite lease (0xffffffff) never renews; T1 = 1/2, T2 = 7/8 by default.
    const uint64_t lease_ms =
        reply.lease_seconds == 0 ? 3600000ull : uint64_t{reply.lease_seconds} * 1000;
    uint64_t renew_ms =
        reply.renewal_seconds ? uint64_t{reply.renewal_seconds} * 1000 : lease_ms / 2;
    uint64_t rebind_ms =
        reply.rebinding_seconds ? uint64_t{reply.rebinding_seconds} * 1000 : lease_ms * 7 / 8;
    if (rebind_ms > lease_ms) rebind_ms = lease_ms * 7 / 8;
    if (renew_ms > rebind_ms) renew_ms = rebind_ms / 2;
    renew_at_ = now_ms + renew_ms;
    rebind_at_ = now_ms + rebind_ms;
    expire_at_ = reply.lease_seconds == 0xffffffffu ? UINT64_MAX : now_ms + lease_ms;
    if (reply.lease_seconds == 0xffffffffu) renew_at_ = rebind_at_ = UINT64_MAX;
    state_ = ClientState::kBound;
    step.bound = !same_address;
    step.renewed = same_address;
}

void Client::on_timer(uint64_t now_ms, ClientStep& step) {
    step = ClientStep{};
    switch (state_) {
        case ClientState::kInit:
            if (restart_pending_ && now_ms >= next_send_) start(now_ms, step);
            return;
        case ClientState::kFailed: return;
        case ClientState::kSelecting:
        case ClientState::kRequesting:
            if (since_attempt_started(now_ms) >= timing_.overall_timeout_ms) {
                state_ = ClientState::kFailed;
                step.failed = true;
                return;
            }
            if (now_ms >= next_send_) {
                send(step,
                     state_ == ClientState::kSelecting ? MessageType::kDiscover
                                                       : MessageType::kRequest,
                     now_ms);
                schedule_retransmit(now_ms);
            }
            return;
        case ClientState::kBound:
        case ClientState::kRenewing:
        case ClientState::kRebinding:
            if (now_ms >= expire_at_) {
                restart(now_ms, step);
                return;
            }
            if (state_ == ClientState::kBound && now_ms >= renew_at_) {
                state_ = ClientState::kRenewing;
                xid_ = random_();
                attempt_started_ = now_ms;
                next_send_ = now_ms;
            }
            if (state_ == ClientState::kRenewing && now_ms >= rebind_at_) {
                state_ = ClientState::kRebinding;
                next_send_ = now_ms;
            }
            if (state_ != ClientState::kBound && now_ms >= next_send_) {
                send(step, MessageType::kRequest, now_ms);
                schedule_retransmit(now_ms);
            }
            return;
    }
}

void Client::decline(uint64_t now_ms, ClientStep& step) {
    step = ClientStep{};
    if (state_ != ClientState::kBound) return;
    Request request;
    request.type = MessageType::kDecline;
    request.xid = xid_;
    request.requested_address = lease_.your_address;
    request.server_id = lease_.server_id;
    step.packet_size = build_request(request, mac_, step.packet);
    step.send = step.packet_size > 0;
    step.destination = 0xffffffffu;
    lease_ = Reply{};
    state_ = ClientState::kInit;
    restart_pending_ = true;
    next_send_ = now_ms + kDeclineBackoffMs;
}

void Client::release(ClientStep& step) {
    step = ClientStep{};
    if (state_ != ClientState::kBound && state_ != ClientState::kRenewing &&
        state_ != ClientState::kRebinding)
        return;
    xid_ = random_();
    send(step, MessageType::kRelease, attempt_started_);
    state_ = ClientState::kInit;
}

int64_t Client::next_timer_in(uint64_t now_ms) const {
    auto until = [now_ms](uint64_t at) -> int64_t {
        if (at == UINT64_MAX) return -1;
        return at > now_ms ? static_cast<int64_t>(at - now_ms) : 0;
    };
    switch (state_) {
        case ClientState::kInit: return restart_pending_ ? until(next_send_) : -1;
        case ClientState::kFailed: return -1;
        case ClientState::kSelecting:
        case ClientState::kRequesting: {
            const uint64_t overall = attempt_started_ + timing_.overall_timeout_ms;
            return until(next_send_ < overall ? next_send_ : overall);
        }
        case ClientState::kBound: return until(renew_at_ < expire_at_ ? renew_at_ : expire_at_);
        case ClientState::kRenewing:
        case ClientState::kRebinding: {
            uint64_t next = next_send_ < expire_at_ ? next_send_ : expire_at_;
            if (state_ == ClientState::kRenewing && rebind_at_ < next) next = rebind_at_;
            return until(next);
        }
    }
    return -1;
}

}  // namespace hal::dhcp
