// Step 3 of the boot plan: the image's kernel modules. Reads the module index, then loads in
// the background, dependencies first and by priority (modules/load_plan.hpp), the packer's
// early list, the modules `load` names and whatever the machine's devices need: those present
// at boot (sysfs) and those the kernel announces later (uevents).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/sys/event_loop.hpp"
#include "base/text.hpp"
#include "devices/sys/uevents.hpp"
#include "modules/load_plan.hpp"
#include "modules/module_table.hpp"
#include "modules/settings.hpp"
#include "modules/sys/loader.hpp"

namespace hal {

struct ModuleSummary {
    uint32_t early = 0;     // modules from the packer's list and `load` queued at boot
    uint32_t coldplug = 0;  // modules queued because a device's modalias matched
    uint32_t storage = 0;   // of those, bus and storage drivers (the disk search waits for them)
    uint32_t critical = 0;  // and the rest of what QEMU's launch waits for (KVM, a bridged NIC...)
    uint32_t loaded = 0;
    uint32_t failed = 0;  // including modules skipped because a dependency failed
    uint64_t elapsed_ms = 0;
};

// What the launch needs before QEMU starts, beside the disks: which modules are critical.
struct ModuleNeeds {
    bool network = false;  // a bridged guest's NIC (or net.required): wired NIC drivers, macvtap
    bool display = false;  // the host monitor's mode goes into the guest's EDID: DRM drivers
    // Devices were reserved for vfio-pci (passthrough): coldplug skips those whose
    // driver_override names a driver, which alone can bind them. Off: no extra sysfs reads.
    bool reserved_devices = false;
};

// The CPU as the KVM module choice sees it (/proc/cpuinfo).
struct ModuleCpu {
    std::string_view vendor;
    bool virtualization = false;
};

class ModuleService : public UeventListener, public EventSource {
public:
    ModuleService() = default;
    ~ModuleService();
    ModuleService(const ModuleService&) = delete;
    ModuleService& operator=(const ModuleService&) = delete;

    // Reads the index in `module_directory` (/lib/modules/KVER), starts the loader threads and
    // queues the early list, `settings.load` and what present devices need. Returns at once;
    // never fatal (no index: nothing loads, one error line).
    void start(std::string_view module_directory, const ModuleSettings& settings, ModuleNeeds needs,
               ModuleCpu cpu, uint64_t now_ms);

    // Waits until every bus and critical module queued so far, and every one the devices
    // announced meanwhile asked for, has loaded: a bus driver still probing when the boot disk
    // appeared may yet bring the NIC the guest is bridged to.
    ModuleSummary settle_critical(UeventMonitor& uevents);
    // Once every module has loaded, logs the totals (once per burst of loads).
    void report_when_idle(uint64_t now_ms);
    // True while a bus or storage driver is waiting or loading: a disk may still appear.
    bool storage_busy();
    // Loads, now, what mounting a `type` filesystem needs: the modules with alias fs-TYPE and the
    // packed NLS tables. False when no module has that alias (built in, or not packed).
    bool load_for_filesystem(std::string_view type);
    // Loads, now, every packed module with an alias matching `alias`. False when none is packed.
    bool load_for_alias(std::string_view alias);
    const ModuleTable& table() const { return table_; }

    // EventSource: while modules load, a look now and then for the moment they are all in.
    int64_t deadline_in(uint64_t now_ms) override;
    void on_event(uint64_t now_ms, const bool* ready, size_t count) override;

    // UeventListener: a device that appeared gets its drivers; lost events mean a rescan.
    void on_device_added(const Uevent& event) override;
    void on_events_lost() override;

private:
    bool load_index(std::string_view module_directory);
    std::string_view read_index(const char* name, char* buffer, size_t capacity, bool required);
    unsigned request(int index, const char* why);
    void queue_early_modules(ModuleCpu cpu);
    void queue_forced_modules(const ModuleSettings& settings);
    unsigned queue_for_modalias(std::string_view modalias);
    unsigned scan_sysfs();

    // Index files measured on Debian 12's 6.1 kernel: the generic image has 63 KB of
    // modules.dep and 366 KB of modules.alias, the whole module tree 527 KB and 1.3 MB.
    static constexpr size_t kDepCapacity = 1024 * 1024;
    static constexpr size_t kAliasCapacity = 8 * 1024 * 1024;
    static constexpr size_t kSoftdepCapacity = 64 * 1024;
    static constexpr size_t kLoadCapacity = 64 * 1024;

    char dep_text_[kDepCapacity];
    char alias_text_[kAliasCapacity];
    char softdep_text_[kSoftdepCapacity];
    char load_text_[kLoadCapacity];
    FixedString<kPathCapacity> directory_;
    ModuleTable table_;
    ModuleLoader* loader_ = nullptr;
    alignas(ModuleLoader) unsigned char loader_storage_[sizeof(ModuleLoader)];
    ModuleNeeds needs_;
    ModuleSummary summary_;
    uint64_t started_ms_ = 0;
    bool reported_ = false;
    uint64_t next_idle_check_ms_ = 0;
};

}  // namespace hal
