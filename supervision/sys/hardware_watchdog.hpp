// The host's hardware watchdog (/dev/watchdog0: iTCO_wdt, sp5100_tco, wdat_wdt, i6300esb),
// armed once its driver has loaded and petted from the event loop while the supervised QEMU
// answers QMP: a PID 1 whose loop stops, or a QEMU wedged or stopped, resets the machine. Every
// orderly end of hal-init disarms it first (the magic close), so a power-off is never cut short.
#pragma once

#include <cstdint>

#include "base/sys/event_loop.hpp"
#include "supervision/sys/supervisor.hpp"
#include "supervision/watchdog.hpp"

namespace hal {

class HardwareWatchdog : public EventSource {
public:
    void configure(const WatchdogSetting& setting) { setting_ = setting; }
    // The run of QEMU being supervised (nullptr between runs): once the watchdog is armed, it
    // is petted only while that QEMU answers QMP (QemuSupervisor::watch_liveness).
    void watch(QemuSupervisor* supervisor);

    // EventSource: looks for the device until it is found or the search ends, then pets it.
    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

private:
    void look(uint64_t now_ms);
    void pet(uint64_t now_ms);

    WatchdogSetting setting_;
    // The timeout the device took (WDIOC_GETTIMEOUT), once armed: the pets follow it.
    uint32_t timeout_seconds_ = 0;
    uint64_t search_started_ms_ = 0;  // 0: not started
    uint64_t next_ms_ = 0;
    bool given_up_ = false;
    QemuSupervisor* supervisor_ = nullptr;
    bool withheld_ = false;  // QEMU stopped answering: not petted
};

// Writes the magic 'V' and closes the device, so the watchdog stops; for the power paths.
void disarm_hardware_watchdog();

}  // namespace hal
