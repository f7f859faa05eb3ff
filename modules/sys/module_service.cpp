// Module bring-up: the image's module index, the KVM vendor choice, coldplug from sysfs and
// from uevents.
#include "modules/sys/module_service.hpp"

#include <cstring>
#include <new>

#include "base/image_layout.hpp"
#include "base/sys/attribute.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/time.hpp"
#include "base/sys/timeline_file.hpp"
#include "base/timeline.hpp"
#include "modules/kvm.hpp"

namespace hal {
namespace {

constexpr unsigned kLoaderThreads = 4;  // probes sleep, so more threads than CPUs pays

const char* priority_note(LoadPriority priority) {
    switch (priority) {
        case LoadPriority::kBus: return ", bus";
        case LoadPriority::kStorage: return ", storage";
        case LoadPriority::kCritical: return ", critical";
        case LoadPriority::kNormal: break;
    }
    return "";
}

}  // namespace

ModuleService::~ModuleService() {
    if (loader_) loader_->stop();
}

std::string_view ModuleService::read_index(const char* name, char* buffer, size_t capacity,
                                           bool required) {
    FixedString<kPathCapacity> path;
    if (!path.assign(directory_.view()) || !path.append('/') || !path.append(name)) return {};
    const auto size = sys::read_file(path.c_str(), buffer, capacity);
    if (!size.ok()) {
        if (required || size.error().code != ENOENT)
            log_warning("modules: cannot read %s: %s", path.c_str(),
                        std::strerror(size.error().code));
        return {};
    }
    return {buffer, size.value()};
}

bool ModuleService::load_index(std::string_view module_directory) {
    if (!directory_.assign(module_directory)) return false;
    // Without modules.dep nothing can load in order: no module at all, rather than a guess.
    const std::string_view dep = read_index("modules.dep", dep_text_, sizeof dep_text_, true);
    if (dep.data() == nullptr) return false;
    const auto dependencies = table_.load_dependencies(dep);
    if (!dependencies.ok()) {
        log_error("modules: modules.dep line %u is malformed or exceeds %zu modules",
                  dependencies.error().line, kMaxModules);
        return false;
    }
    const auto aliases =
        table_.load_aliases(read_index("modules.alias", alias_text_, sizeof alias_text_, false));
    if (!aliases.ok())
        log_warning(
            "modules: modules.alias line %u is malformed or exceeds %zu aliases; coldplug is "
            "partial",
            aliases.error().line, kMaxAliases);
    const auto softdeps = table_.load_softdeps(
        read_index("modules.softdep", softdep_text_, sizeof softdep_text_, false));
    if (!softdeps.ok())
        log_warning("modules: modules.softdep line %u is malformed; soft dependencies are partial",
                    softdeps.error().line);
    table_.finalize();
    return true;
}

unsigned ModuleService::request(int index, const char* why) {
    const ModuleEntry& module = table_.entry(static_cast<size_t>(index));
    const LoadPriority priority = module_priority(module.path(), needs_.network, needs_.display);
    const unsigned added = loader_->request(index, priority);
    if (added == 0) return 0;
    if (priority == LoadPriority::kStorage || priority == LoadPriority::kBus)
        summary_.storage += added;
    if (priority == LoadPriority::kCritical) summary_.critical += added;
    log_debug("modules: queue %s (%s%s, %u with dependencies)", module.name.c_str(), why,
              priority_note(priority), added);
    return added;
}

// The packer's list, minus KVM modules this CPU cannot use.
void ModuleService::queue_early_modules(ModuleCpu cpu) {
    bool reported_no_virtualization = false;
    LineReader reader(read_index(layout::kModulesLoad, load_text_, sizeof load_text_, true));
    std::string_view line;
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        const int index = table_.find_path(line);
        if (index < 0) {
            log_warning("modules: %.*s is in modules.load but not in modules.dep",
                        static_cast<int>(line.size()), line.data());
            continue;
        }
        const char* name = table_.entry(static_cast<size_t>(index)).name.c_str();
        switch (kvm_module_decision(name, cpu.vendor, cpu.virtualization)) {
            case KvmModule::kNoVirtualization:
                if (!reported_no_virtualization)
                    log_info(
                        "kvm: the CPU has no vmx/svm flag; KVM modules are not loaded and the "
                        "guest will use TCG");
                reported_no_virtualization = true;
                continue;
            case KvmModule::kOtherVendor:
                log_debug("kvm: %s skipped on a %.*s CPU", name,
                          static_cast<int>(cpu.vendor.size()), cpu.vendor.data());
                continue;
            case KvmModule::kLoad:
            case KvmModule::kNotKvm: break;
        }
        summary_.early += request(index, "modules.load");
    }
}

// hal.load=a,b: modules the user wants loaded regardless of hardware and CPU.
void ModuleService::queue_forced_modules(const ModuleSettings& settings) {
    for (size_t i = 0; i < settings.load_count; ++i) {
        const std::string_view name = settings.load[i].view();
        const int index = table_.find_name(name);
        if (index < 0) {
            log_warning("modules: load=%.*s: no such module in the image",
                        static_cast<int>(name.size()), name.data());
            continue;
        }
        summary_.early += request(index, "load=");
    }
}

unsigned ModuleService::queue_for_modalias(std::string_view modalias) {
    unsigned added = 0;
    table_.for_each_match(modalias, [&](int index) { added += request(index, "coldplug"); });
    return added;
}

// Every device on every bus (but the CPUs: KVM has its own rule above), and input devices
// (a class, not a bus: the power button's events need evdev), whose modalias matches a
// packed module.
namespace {

// A device whose driver_override names a driver (passthrough's vfio-pci) can be bound by that
// driver only: loading its own drivers would be wasted.
bool driver_overridden(std::string_view device) {
    char value[64];
    const auto text = sys::read_attribute(device, "driver_override", value, sizeof value);
    return text.ok() && !text.value().empty() && text.value() != "(null)";
}

}  // namespace

unsigned ModuleService::scan_sysfs() {
    static char modalias[4096];
    unsigned added = 0;
    auto scan = [&](const char* directory) {
        (void)sys::for_each_entry(directory, [&](const char* device) {
            FixedString<kPathCapacity> path;
            if (!path.assign(directory) || !path.append('/') || !path.append(device)) return;
            if (needs_.reserved_devices && driver_overridden(path.view())) return;
            const auto text =
                sys::read_attribute(path.view(), "modalias", modalias, sizeof modalias);
            if (text.ok()) added += queue_for_modalias(text.value());
        });
    };
    scan("/sys/class/input");
    (void)sys::for_each_entry("/sys/bus", [&](const char* bus) {
        FixedString<kPathCapacity> devices;
        if (std::strcmp(bus, "cpu") == 0 || !devices.assign("/sys/bus/") || !devices.append(bus) ||
            !devices.append("/devices"))
            return;
        scan(devices.c_str());
    });
    return added;
}

void ModuleService::start(std::string_view module_directory, const ModuleSettings& settings,
                          ModuleNeeds needs, ModuleCpu cpu, uint64_t now_ms) {
    started_ms_ = now_ms;
    needs_ = needs;
    if (!load_index(module_directory)) {
        log_error("modules: no usable module index in %.*s; no modules loaded",
                  static_cast<int>(module_directory.size()), module_directory.data());
        return;
    }
    loader_ = new (loader_storage_) ModuleLoader(table_, directory_.c_str());
    loader_->start(kLoaderThreads);
    queue_early_modules(cpu);
    queue_forced_modules(settings);
    // Devices present now; those that appear later (a bus driver probing) arrive as uevents.
    summary_.coldplug += scan_sysfs();
}

ModuleSummary ModuleService::settle_critical(UeventMonitor& uevents) {
    if (!loader_) return summary_;
    // A loaded driver may announce devices that need further drivers (virtio_pci finds the
    // virtio disk): drain until quiet. A bus driver may still be probing when the boot disk
    // has been found; the devices it probes after it (a virtio NIC or GPU behind virtio_pci)
    // are on the critical path too, so bus loads are waited for as well.
    while (true) {
        loader_->wait_idle(LoadPriority::kBus);
        loader_->wait_idle(LoadPriority::kCritical);
        const uint32_t queued_before = summary_.coldplug;
        uevents.service(sys::monotonic_ms());
        if (summary_.coldplug == queued_before && !loader_->busy(LoadPriority::kBus)) break;
    }
    const LoaderCounts counts = loader_->counts();
    summary_.loaded = counts.loaded;
    summary_.failed = counts.failed + counts.skipped;
    summary_.elapsed_ms = sys::monotonic_ms() - started_ms_;
    return summary_;
}

void ModuleService::report_when_idle(uint64_t now_ms) {
    if (!loader_ || reported_ || !loader_->idle()) return;
    reported_ = true;
    const LoaderCounts counts = loader_->counts();
    log_info("modules: all loaded: %u loaded, %u failed, %llu ms after the first", counts.loaded,
             counts.failed + counts.skipped, static_cast<unsigned long long>(now_ms - started_ms_));
    boot_timeline().modules_done(now_ms);
    sys::publish_boot_timeline("when all modules loaded");
}

int64_t ModuleService::deadline_in(uint64_t now_ms) {
    constexpr uint64_t kIdleCheckMs = 250;
    if (!loader_ || reported_) return -1;
    if (next_idle_check_ms_ == 0) next_idle_check_ms_ = now_ms + kIdleCheckMs;
    return next_idle_check_ms_ > now_ms ? static_cast<int64_t>(next_idle_check_ms_ - now_ms) : 0;
}

void ModuleService::on_event(uint64_t now_ms, const bool*, size_t) {
    next_idle_check_ms_ = 0;
    report_when_idle(now_ms);
}

bool ModuleService::storage_busy() {
    return loader_ && (loader_->busy(LoadPriority::kStorage) || loader_->busy(LoadPriority::kBus));
}

bool ModuleService::load_for_filesystem(std::string_view type) {
    if (!loader_) return false;
    // The kernel asks for the NLS tables a mount needs (vfat's default codepage and
    // iocharset) by name, through a modprobe the image does not have: load the packed ones.
    constexpr std::string_view kNlsDirectory = "kernel/fs/nls/";
    for (size_t i = 0; i < table_.size(); ++i)
        if (starts_with(table_.entry(i).path(), kNlsDirectory))
            loader_->request(static_cast<int>(i), LoadPriority::kCritical);
    FixedString<40> alias;
    const bool matched = alias.assign("fs-") && alias.append(type) && load_for_alias(alias.view());
    loader_->wait_idle(LoadPriority::kCritical);
    return matched;
}

bool ModuleService::load_for_alias(std::string_view alias) {
    if (!loader_) return false;
    bool matched = false;
    table_.for_each_match(alias, [&](int index) {
        matched = true;
        loader_->request(index, LoadPriority::kCritical);
    });
    if (matched) loader_->wait_idle(LoadPriority::kCritical);
    return matched;
}

void ModuleService::on_device_added(const Uevent& event) {
    if (!loader_ || event.modalias.empty()) return;
    const unsigned added = queue_for_modalias(event.modalias);
    if (added == 0) return;
    summary_.coldplug += added;
    reported_ = false;  // new background loads: report the totals again when they finish
}

void ModuleService::on_events_lost() {
    if (!loader_) return;
    const unsigned added = scan_sysfs();
    summary_.coldplug += added;
    if (added > 0) reported_ = false;
}

}  // namespace hal
