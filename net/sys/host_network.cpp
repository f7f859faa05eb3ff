// The host network's bring-up: find the NIC, wait for carrier, then DHCP or static ip=, as
// one blocking call (net.required) or as a state machine the supervision loop drives.
#include "net/sys/host_network.hpp"

#include <cstring>

#include "net/sys/nics.hpp"
#include "base/log.hpp"
#include "net/sys/host_lease.hpp"
#include "net/sys/rtnetlink.hpp"
#include "base/sys/time.hpp"

namespace hal {
namespace {

constexpr int64_t kPendingPollMs = 100;  // carrier has no uevent: poll while waiting for it

enum class Phase { kOff, kWaitNic, kWaitCarrier, kRunning };

struct Deferred {
    Phase phase = Phase::kOff;
    const Config* config = nullptr;
    NetworkInterface nic;
    uint64_t nic_deadline = 0;
    uint64_t carrier_deadline = 0;
};
Deferred g_deferred;

bool configured(const Config& config) {
    const bool named = !config.host_nic.empty() && config.host_nic.view() != "none";
    return named || !config.net.device.empty();
}

NetworkOptions options_for(const NetworkInterface& nic) {
    NetworkOptions options;
    options.interface = nic.name.c_str();
    return options;
}

bool wait_for_nic_blocking(const Config& config, NetworkInterface& nic) {
    const std::string_view spec = config.host_nic.view();
    if (spec.empty() || spec == "none") return true;  // ip= names the device itself
    const auto waited = wait_for(config.host_nic_timeout_seconds * 1000ull, [&] { return find_nic(spec, nic); });
    if (!waited) {
        log_warning("devices: no host NIC matching %s within %u s; continuing without host network",
                    config.host_nic.c_str(), config.host_nic_timeout_seconds);
        nic.name.clear();
        return false;
    }
    log_info("devices: host NIC %s (%s) for %s, found after %llu ms", nic.name.c_str(), nic.mac.c_str(),
             config.host_nic.c_str(), static_cast<unsigned long long>(*waited));
    return true;
}

const char* interface_of(const Config& config, const NetworkInterface& nic) {
    return config.net.device.empty() ? nic.name.c_str() : config.net.device.c_str();
}

}  // namespace

bool start_host_network(const Config& config) {
    if (!configured(config)) return true;
    if (config.net_required) {
        NetworkInterface nic;
        wait_for_nic_blocking(config, nic);
        return start_network(config, options_for(nic), true);
    }
    g_deferred.config = &config;
    g_deferred.phase = Phase::kWaitNic;
    g_deferred.nic_deadline = sys::monotonic_ms() + config.host_nic_timeout_seconds * 1000ull;
    log_info("network: host network comes up while the guest starts (net.required = no)");
    service_host_network(sys::monotonic_ms(), false, false);
    return true;
}

int64_t host_network_timer_in(uint64_t now_ms) {
    switch (g_deferred.phase) {
        case Phase::kWaitNic:
        case Phase::kWaitCarrier: return kPendingPollMs;
        case Phase::kOff:
        case Phase::kRunning: break;
    }
    return network_timer_in(now_ms);
}

void service_host_network(uint64_t now_ms, bool dhcp_readable, bool probe_readable) {
    Deferred& state = g_deferred;
    if (state.phase == Phase::kWaitNic) {
        const Config& config = *state.config;
        const std::string_view spec = config.host_nic.view();
        const bool by_device = spec.empty() || spec == "none";
        if (by_device || find_nic(spec, state.nic)) {
            if (!by_device)
                log_info("devices: host NIC %s (%s) for %s", state.nic.name.c_str(), state.nic.mac.c_str(),
                         config.host_nic.c_str());
            if (!begin_network(config, options_for(state.nic))) {
                state.phase = Phase::kOff;
                return;
            }
            state.phase = Phase::kWaitCarrier;
            state.carrier_deadline = now_ms + config.net_timeout_seconds * 1000ull;
        } else if (now_ms >= state.nic_deadline) {
            log_warning("devices: no host NIC matching %s within %u s; continuing without host network",
                        config.host_nic.c_str(), config.host_nic_timeout_seconds);
            state.phase = Phase::kOff;
            return;
        }
    }
    if (state.phase == Phase::kWaitCarrier) {
        const char* interface = interface_of(*state.config, state.nic);
        const auto carrier = sys::has_carrier(interface);
        if (carrier.ok() && carrier.value()) {
            state.phase = continue_network(*state.config) ? Phase::kRunning : Phase::kOff;
        } else if (now_ms >= state.carrier_deadline) {
            log_warning("network: %s: no carrier within %u s", interface, state.config->net_timeout_seconds);
            state.phase = Phase::kOff;
        }
        return;
    }
    if (state.phase == Phase::kRunning || state.phase == Phase::kOff)
        service_network(now_ms, dhcp_readable, probe_readable);
}

}  // namespace hal
