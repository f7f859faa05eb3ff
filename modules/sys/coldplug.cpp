// Module bring-up: the image's module index, KVM vendor choice, coldplug and uevents.
#include "modules/sys/coldplug.hpp"

#include <cstdio>
#include <cstring>
#include <new>

#include "base/image_layout.hpp"
#include "modules/module_table.hpp"
#include "base/text.hpp"
#include "devices/uevent.hpp"
#include "devices/sys/nodes.hpp"
#include "platform/sys/host_probe.hpp"
#include "base/log.hpp"
#include "modules/sys/loader.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/time.hpp"
#include "platform/host_text.hpp"
#include "modules/load_plan.hpp"

namespace hal {
namespace {

// Index files measured on Debian 12's 6.1 kernel: the generic image has 63 KB of modules.dep
// and 366 KB of modules.alias, the whole module tree 527 KB and 1.3 MB.
constexpr size_t kDepCapacity = 1024 * 1024;
constexpr size_t kAliasCapacity = 8 * 1024 * 1024;
constexpr size_t kSoftdepCapacity = 64 * 1024;
constexpr size_t kLoadCapacity = 64 * 1024;
constexpr size_t kUeventCapacity = 8192;
constexpr unsigned kLoaderThreads = 4;  // probes sleep, so more threads than CPUs pays

char g_dep_text[kDepCapacity];
char g_alias_text[kAliasCapacity];
char g_softdep_text[kSoftdepCapacity];
char g_load_text[kLoadCapacity];
ModuleTable g_table;
FixedString<kPathCapacity> g_module_directory;
ModuleLoader* g_loader = nullptr;
alignas(ModuleLoader) unsigned char g_loader_storage[sizeof(ModuleLoader)];
int g_uevent_fd = -1;
bool g_static_nodes = false;
HardwareSummary g_summary;
uint64_t g_started_ms = 0;
bool g_network_critical = false;  // the guest's network needs the host NIC before QEMU starts
bool g_reported = false;
bool g_display_critical = false;  // the host monitor's mode is read before QEMU starts
uint64_t g_last_storage_activity_ms = 0;

// Reads one index file of /lib/modules/KVER; a missing optional file is empty text.
std::string_view read_index(const char* name, char* buffer, size_t capacity, bool required) {
    FixedString<kPathCapacity> path;
    if (!path.assign(g_module_directory.view()) || !path.append('/') || !path.append(name)) return {};
    const auto size = sys::read_file(path.c_str(), buffer, capacity);
    if (!size.ok()) {
        if (required || size.error().code != ENOENT)
            log_warning("modules: cannot read %s: %s", path.c_str(), std::strerror(size.error().code));
        return {};
    }
    return {buffer, size.value()};
}

bool load_index() {
    unsigned bad_line = 0;
    const std::string_view dep = read_index("modules.dep", g_dep_text, sizeof g_dep_text, true);
    if (!g_table.load_dependencies(dep, bad_line)) {
        log_error("modules: modules.dep line %u is malformed or exceeds %zu modules", bad_line, kMaxModules);
        return false;
    }
    const std::string_view alias = read_index("modules.alias", g_alias_text, sizeof g_alias_text, false);
    if (!g_table.load_aliases(alias, bad_line))
        log_warning("modules: modules.alias line %u is malformed or exceeds %zu aliases; coldplug is partial",
                    bad_line, kMaxAliases);
    const std::string_view softdep = read_index("modules.softdep", g_softdep_text, sizeof g_softdep_text, false);
    if (!g_table.load_softdeps(softdep, bad_line))
        log_warning("modules: modules.softdep line %u is malformed; soft dependencies are partial", bad_line);
    g_table.finalize();
    return true;
}

unsigned request_module(int index, const char* why) {
    const ModuleEntry& module = g_table.entry(static_cast<size_t>(index));
    const LoadPriority priority = module_priority(module.path(), g_network_critical, g_display_critical);
    const unsigned added = g_loader->request(index, priority);
    if (added > 0) {
        if (priority == LoadPriority::kStorage || priority == LoadPriority::kBus) g_summary.storage += added;
        if (priority == LoadPriority::kCritical) g_summary.critical += added;
        log_debug("modules: queue %s (%s%s, %u with dependencies)", module.name.c_str(), why,
                  priority == LoadPriority::kBus        ? ", bus"
                  : priority == LoadPriority::kStorage  ? ", storage"
                  : priority == LoadPriority::kCritical ? ", critical"
                                                        : "",
                  added);
    }
    return added;
}

// The packer's list, minus KVM modules this CPU cannot use.
void queue_early_modules() {
    const std::string_view vendor = cpu_identity().vendor.view();
    const bool virtualization = cpu_identity().virtualization;
    bool reported_no_virtualization = false;
    LineReader reader(read_index(layout::kModulesLoad, g_load_text, sizeof g_load_text, true));
    std::string_view line;
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        const int index = g_table.find_path(line);
        if (index < 0) {
            log_warning("modules: %.*s is in modules.load but not in modules.dep", static_cast<int>(line.size()),
                        line.data());
            continue;
        }
        const char* name = g_table.entry(static_cast<size_t>(index)).name.c_str();
        switch (kvm_module_decision(name, vendor, virtualization)) {
            case KvmModule::kNoVirtualization:
                if (!reported_no_virtualization)
                    log_info("kvm: the CPU has no vmx/svm flag; KVM modules are not loaded and the guest will use TCG");
                reported_no_virtualization = true;
                continue;
            case KvmModule::kOtherVendor:
                log_debug("kvm: %s skipped on a %.*s CPU", name, static_cast<int>(vendor.size()), vendor.data());
                continue;
            case KvmModule::kLoad:
            case KvmModule::kNotKvm:
                break;
        }
        g_summary.early += request_module(index, "modules.load");
    }
}

// hal.load=a,b: modules the user wants loaded regardless of hardware and CPU.
void queue_forced_modules(const Config& config) {
    std::string_view rest = config.load.view();
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        const std::string_view name = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (name.empty()) continue;
        const int index = g_table.find_name(name);
        if (index < 0) {
            log_warning("modules: load=%.*s: no such module in the image", static_cast<int>(name.size()), name.data());
            continue;
        }
        g_summary.early += request_module(index, "load=");
    }
}

unsigned queue_for_modalias(std::string_view modalias) {
    unsigned added = 0;
    g_table.for_each_match(modalias, [&](int index) { added += request_module(index, "coldplug"); });
    return added;
}

// Every device on every bus (but the CPUs: KVM has its own rule above), and input devices
// (a class, not a bus: the power button's events need evdev), whose modalias matches a
// packed module.
unsigned scan_sysfs() {
    static char modalias[4096];
    unsigned added = 0;
    (void)sys::for_each_entry("/sys/class/input", [&](const char* device) {
        FixedString<kPathCapacity> path;
        if (!path.assign("/sys/class/input/") || !path.append(device) || !path.append("/modalias")) return;
        const auto size = sys::read_file(path.c_str(), modalias, sizeof modalias);
        if (size.ok()) added += queue_for_modalias(trim({modalias, size.value()}));
    });
    (void)sys::for_each_entry("/sys/bus", [&](const char* bus) {
        if (std::strcmp(bus, "cpu") == 0) return;
        FixedString<kPathCapacity> devices;
        if (!devices.assign("/sys/bus/") || !devices.append(bus) || !devices.append("/devices")) return;
        (void)sys::for_each_entry(devices.c_str(), [&](const char* device) {
            FixedString<kPathCapacity> path;
            if (!path.assign(devices.view()) || !path.append('/') || !path.append(device) || !path.append("/modalias"))
                return;
            const auto size = sys::read_file(path.c_str(), modalias, sizeof modalias);
            if (size.ok()) added += queue_for_modalias(trim({modalias, size.value()}));
        });
    });
    return added;
}

}  // namespace

void start_hardware(const char* kernel_release, const Config& config) {
    g_started_ms = sys::monotonic_ms();
    g_last_storage_activity_ms = g_started_ms;
    g_static_nodes = !config.devtmpfs;
    // A bridged guest's NIC must exist before QEMU starts; so must the host's with net.required.
    g_network_critical = config.net_required || config.network == NetworkMode::kAuto ||
                         config.network == NetworkMode::kBridge;
    g_display_critical = config.display != DisplayMode::kNone;
    // Open the socket first: devices that appear while modules load are not missed.
    if (auto fd = sys::open_uevent_socket(); fd.ok()) {
        g_uevent_fd = fd.value();
    } else {
        log_warning("devices: %s failed: %s; hotplugged devices will be found by polling only", fd.error().operation,
                    std::strerror(fd.error().code));
    }
    if (!g_module_directory.assign(layout::kModulesDir) || !g_module_directory.append('/') ||
        !g_module_directory.append(kernel_release) || !load_index()) {
        log_error("modules: no usable module index for kernel %s; no modules loaded", kernel_release);
        return;
    }
    g_loader = new (g_loader_storage) ModuleLoader(g_table, g_module_directory.c_str());
    g_loader->start(kLoaderThreads);
    queue_early_modules();
    queue_forced_modules(config);
    // Devices present now; those that appear later (a bus driver probing) arrive as uevents.
    g_summary.coldplug += scan_sysfs();
}

HardwareSummary settle_critical_hardware() {
    if (!g_loader) return g_summary;
    // A loaded driver may announce devices that need further drivers (virtio_pci finds the
    // virtio disk): drain until quiet. A bus driver may still be probing when the boot disk
    // has been found; the devices it probes after it (a virtio NIC or GPU behind virtio_pci)
    // are on the critical path too, so bus loads are waited for as well.
    while (true) {
        g_loader->wait_idle(LoadPriority::kBus);
        g_loader->wait_idle(LoadPriority::kCritical);
        if (!service_uevents().queued_modules && !g_loader->busy(LoadPriority::kBus)) break;
    }
    const LoaderCounts counts = g_loader->counts();
    g_summary.loaded = counts.loaded;
    g_summary.failed = counts.failed + counts.skipped;
    g_summary.elapsed_ms = sys::monotonic_ms() - g_started_ms;
    return g_summary;
}

void report_hardware_when_idle() {
    if (!g_loader || g_reported || !g_loader->idle()) return;
    g_reported = true;
    const LoaderCounts counts = g_loader->counts();
    log_info("modules: all loaded: %u loaded, %u failed, %llu ms after the first", counts.loaded,
             counts.failed + counts.skipped, static_cast<unsigned long long>(sys::monotonic_ms() - g_started_ms));
}

int uevent_fd() { return g_uevent_fd; }

bool storage_modules_busy() {
    return g_loader && (g_loader->busy(LoadPriority::kStorage) || g_loader->busy(LoadPriority::kBus));
}

uint64_t last_storage_activity_ms() { return g_last_storage_activity_ms; }

bool load_modules_for_filesystem(std::string_view type) {
    if (!g_loader) return false;
    // The kernel asks for the NLS tables a mount needs (vfat's default codepage and
    // iocharset) by name, through a modprobe the image does not have: load the packed ones.
    constexpr std::string_view kNlsDirectory = "kernel/fs/nls/";
    for (size_t i = 0; i < g_table.size(); ++i)
        if (g_table.entry(i).path().substr(0, kNlsDirectory.size()) == kNlsDirectory)
            g_loader->request(static_cast<int>(i), LoadPriority::kCritical);
    FixedString<40> alias;
    const bool matched = alias.assign("fs-") && alias.append(type) && load_modules_for_alias(alias.view());
    g_loader->wait_idle(LoadPriority::kCritical);
    return matched;
}

bool load_modules_for_alias(std::string_view alias) {
    if (!g_loader) return false;
    bool matched = false;
    g_table.for_each_match(alias, [&](int index) {
        matched = true;
        g_loader->request(index, LoadPriority::kCritical);
    });
    if (matched) g_loader->wait_idle(LoadPriority::kCritical);
    return matched;
}

namespace {
uint64_t g_uevents_received = 0;
}  // namespace

uint64_t uevents_received() { return g_uevents_received; }

UeventEffects service_uevents() {
    UeventEffects effects;
    if (g_uevent_fd < 0) return effects;
    static char message[kUeventCapacity];
    unsigned added = 0;
    while (true) {
        const auto size = sys::receive_datagram(g_uevent_fd, message, sizeof message - 1);
        if (!size.ok()) {
            // ENOBUFS: the kernel dropped events; a sysfs scan recovers what they said.
            if (size.error().code == ENOBUFS && g_loader) added += scan_sysfs();
            if (size.error().code == ENOBUFS || size.error().code == EMSGSIZE) continue;
            break;
        }
        if (size.value() == 0) break;
        ++g_uevents_received;
        Uevent event;
        if (!parse_uevent({message, size.value()}, event) || event.action != "add") continue;
        if (g_static_nodes) create_node_for_uevent(event);
        if (g_loader && !event.modalias.empty()) added += queue_for_modalias(event.modalias);
        if (event.subsystem == "input" && starts_with(event.devname, "input/event")) effects.input_added = true;
        if (is_storage_activity(event)) g_last_storage_activity_ms = sys::monotonic_ms();
    }
    if (added > 0) {
        g_summary.coldplug += added;
        g_reported = false;  // new background loads: report the totals again when they finish
    }
    effects.queued_modules = added > 0;
    return effects;
}

}  // namespace hal
