// The disk search's environment on a real boot: time passes by polling the uevent socket (so
// drivers for devices that appear get queued), storage drivers are the module loader's, and
// filesystem drivers load on demand.
#pragma once

#include "devices/sys/uevents.hpp"
#include "disks/sys/storage.hpp"
#include "modules/sys/module_service.hpp"

namespace hal {

class BootStorage : public StorageEnvironment {
public:
    BootStorage(UeventMonitor& uevents, ModuleService& modules)
        : clock_(uevents), uevents_(uevents), modules_(modules) {}

    void pass(uint32_t ms) override { clock_.pass(ms); }
    bool drivers_loading() override { return modules_.storage_busy(); }
    uint64_t last_storage_activity_ms() override { return uevents_.last_storage_activity_ms(); }
    void load_filesystem(std::string_view type) override {
        (void)modules_.load_for_filesystem(type);
    }

private:
    UeventClock clock_;
    UeventMonitor& uevents_;
    ModuleService& modules_;
};

}  // namespace hal
