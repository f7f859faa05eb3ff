// The host network's bring-up: find the NIC, wait for carrier, then DHCP or static ip=, as
// one blocking call (net.required) or as a state machine the event loop drives.
#include "net/sys/host_network.hpp"

#include "base/sys/log.hpp"
#include "base/sys/time.hpp"
#include "net/sys/rtnetlink.hpp"

namespace hal {
namespace {

constexpr int64_t kPendingPollMs = 100;  // carrier has no uevent: poll while waiting for it

// host_nic names the NIC, or ip= names the device itself.
bool configured(const NetSettings& settings) {
    return settings.host_nic.kind != NicSelector::Kind::kNone || !settings.ip.device.empty();
}

const char* selector_text(const NetSettings& settings, char (&buffer)[48]) {
    return nic_selector_text(settings.host_nic, buffer, sizeof buffer);
}

}  // namespace

bool HostNetwork::wait_for_nic(DeviceClock& clock) {
    if (settings_->host_nic.kind == NicSelector::Kind::kNone)
        return true;  // ip= names the device itself
    char wanted[48];
    const auto waited = wait_for(clock, settings_->host_nic_timeout_seconds * 1000ull,
                                 [&] { return find_nic(settings_->host_nic, nic_); });
    if (!waited) {
        log_warning("devices: no host NIC matching %s within %u s; continuing without host network",
                    selector_text(*settings_, wanted), settings_->host_nic_timeout_seconds);
        nic_.name.clear();
        return false;
    }
    log_info("devices: host NIC %s (%s) for %s, found after %llu ms", nic_.name.c_str(),
             nic_.mac.c_str(), selector_text(*settings_, wanted),
             static_cast<unsigned long long>(*waited));
    return true;
}

bool HostNetwork::start(DeviceClock& clock, const NetSettings& settings) {
    settings_ = &settings;
    if (!configured(settings)) return true;
    if (settings.required) {
        wait_for_nic(clock);
        return lease_.start(settings, nic_.name.c_str(), true);
    }
    phase_ = Phase::kWaitNic;
    nic_deadline_ = sys::monotonic_ms() + settings.host_nic_timeout_seconds * 1000ull;
    log_info("network: host network comes up while the guest starts (net.required = no)");
    step(sys::monotonic_ms());
    return true;
}

int64_t HostNetwork::deadline_in(uint64_t now_ms) {
    switch (phase_) {
        case Phase::kWaitNic:
        case Phase::kWaitCarrier: return kPendingPollMs;
        case Phase::kOff:
        case Phase::kRunning: break;
    }
    return lease_.deadline_in(now_ms);
}

void HostNetwork::on_event(uint64_t now_ms, const bool* ready, size_t count) {
    const Phase before = phase_;
    step(now_ms);
    // A lease started by this step has just sent its DISCOVER at a later clock reading than
    // `now_ms`, and its socket was not in this round's wait: it is serviced from the next round.
    if (phase_ != before) return;
    if (phase_ == Phase::kRunning || phase_ == Phase::kOff) lease_.on_event(now_ms, ready, count);
}

void HostNetwork::step(uint64_t now_ms) {
    if (phase_ == Phase::kWaitNic) {
        const bool by_device = settings_->host_nic.kind == NicSelector::Kind::kNone;
        char wanted[48];
        if (by_device || find_nic(settings_->host_nic, nic_)) {
            if (!by_device)
                log_info("devices: host NIC %s (%s) for %s", nic_.name.c_str(), nic_.mac.c_str(),
                         selector_text(*settings_, wanted));
            if (!lease_.begin(*settings_, nic_.name.c_str())) {
                phase_ = Phase::kOff;
                return;
            }
            phase_ = Phase::kWaitCarrier;
            carrier_deadline_ = now_ms + settings_->timeout_seconds * 1000ull;
        } else if (now_ms >= nic_deadline_) {
            log_warning(
                "devices: no host NIC matching %s within %u s; continuing without host network",
                selector_text(*settings_, wanted), settings_->host_nic_timeout_seconds);
            phase_ = Phase::kOff;
            return;
        }
    }
    if (phase_ != Phase::kWaitCarrier) return;
    const auto carrier = sys::has_carrier(lease_.interface());
    if (carrier.ok() && carrier.value()) {
        phase_ = lease_.configure() ? Phase::kRunning : Phase::kOff;
    } else if (now_ms >= carrier_deadline_) {
        log_warning("network: %s: no carrier within %u s", lease_.interface(),
                    settings_->timeout_seconds);
        phase_ = Phase::kOff;
    }
}

}  // namespace hal
