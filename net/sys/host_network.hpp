// Step 5 of the boot plan: the host's own network on its NIC. With net.required the boot waits
// for it; otherwise it comes up while QEMU runs, driven by the event loop, so the guest's start
// never waits for a NIC driver, a carrier or a DHCP server.
#pragma once

#include <cstdint>

#include "base/sys/event_loop.hpp"
#include "devices/sys/wait.hpp"
#include "net/settings.hpp"
#include "net/sys/host_lease.hpp"
#include "net/sys/nics.hpp"

namespace hal {

class HostNetwork : public EventSource {
public:
    // Blocks until the NIC is found and configured (net.required; false when it is not), or
    // starts the deferred bring-up and returns true at once. The settings must outlive it.
    bool start(DeviceClock& clock, const NetSettings& settings);
    // RELEASE the lease on an orderly shutdown.
    void release() { lease_.release(); }

    // EventSource: while waiting for the NIC and its carrier, a poll; then the lease's own.
    size_t descriptors(int* fds, size_t capacity) override {
        return lease_.descriptors(fds, capacity);
    }
    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    enum class Phase { kOff, kWaitNic, kWaitCarrier, kRunning };
    bool wait_for_nic(DeviceClock& clock);
    void step(uint64_t now_ms);

    const NetSettings* settings_ = nullptr;
    HostLease lease_;
    Phase phase_ = Phase::kOff;
    NetworkInterface nic_;
    uint64_t nic_deadline_ = 0;
    uint64_t carrier_deadline_ = 0;
};

}  // namespace hal
