// Parser for /etc/hal.conf (`key = value`) and the hal.* kernel command line overrides.
#include "config/config.hpp"

#include "disks/disk_spec.hpp"
#include "disks/filesystem_probe.hpp"
#include "display/hotkey.hpp"
#include "net/hostfwd.hpp"
#include "supervision/operator_port.hpp"

namespace hal {
namespace {

template <class Enum>
struct NamedValue {
    std::string_view name;
    Enum value;
};

constexpr NamedValue<Accel> kAccels[] = {{"auto", Accel::kAuto}, {"kvm", Accel::kKvm}, {"tcg", Accel::kTcg}};
constexpr NamedValue<DiskBus> kDiskBuses[] = {{"auto", DiskBus::kAuto}, {"virtio", DiskBus::kVirtio},
                                             {"ide", DiskBus::kIde},   {"ahci", DiskBus::kAhci},
                                             {"nvme", DiskBus::kNvme}, {"scsi", DiskBus::kScsi}};
// `unsafe` is deliberately absent: it drops the guest's flushes and loses data on power loss.
constexpr NamedValue<DiskCache> kDiskCaches[] = {{"auto", DiskCache::kAuto},
                                                 {"writeback", DiskCache::kWriteback},
                                                 {"none", DiskCache::kNone},
                                                 {"writethrough", DiskCache::kWritethrough},
                                                 {"directsync", DiskCache::kDirectsync}};
constexpr NamedValue<NicModel> kNicModels[] = {
    {"none", NicModel::kNone}, {"virtio", NicModel::kVirtio}, {"e1000", NicModel::kE1000}, {"e1000e", NicModel::kE1000e}};
constexpr NamedValue<Machine> kMachines[] = {{"pc", Machine::kPc}, {"q35", Machine::kQ35}};
constexpr NamedValue<ExitAction> kExitActions[] = {{"poweroff", ExitAction::kPowerOff},
                                                    {"reboot", ExitAction::kReboot},
                                                    {"restart", ExitAction::kRestart},
                                                    {"shell", ExitAction::kShell}};
constexpr NamedValue<FirmwareSetting> kFirmwares[] = {{"auto", FirmwareSetting::kAuto},
                                                      {"bios", FirmwareSetting::kBios},
                                                      {"uefi", FirmwareSetting::kUefi},
                                                      {"uefi-secure", FirmwareSetting::kUefiSecure}};
constexpr NamedValue<Identity> kIdentities[] = {{"host", Identity::kHost}, {"generic", Identity::kGeneric}};
constexpr NamedValue<NetworkMode> kNetworkModes[] = {{"auto", NetworkMode::kAuto},
                                                     {"bridge", NetworkMode::kBridge},
                                                     {"nat", NetworkMode::kNat},
                                                     {"none", NetworkMode::kNone}};
constexpr NamedValue<bool> kBooleans[] = {{"yes", true}, {"no", false}, {"true", true},
                                          {"false", false}, {"1", true},   {"0", false}};

template <class Enum, size_t N>
bool parse_named(std::string_view text, const NamedValue<Enum> (&table)[N], Enum& out) {
    for (const auto& entry : table) {
        if (entry.name == text) {
            out = entry.value;
            return true;
        }
    }
    return false;
}

template <class Enum, size_t N>
const char* name_of(Enum value, const NamedValue<Enum> (&table)[N]) {
    for (const auto& entry : table)
        if (entry.value == value) return entry.name.data();
    return "?";
}

bool parse_count(std::string_view text, uint32_t minimum, uint32_t maximum, uint32_t& out) {
    const auto number = parse_unsigned(text);
    if (!number || *number < minimum || *number > maximum) return false;
    out = static_cast<uint32_t>(*number);
    return true;
}

// `auto` stores 0; otherwise a count within bounds.
bool parse_auto_count(std::string_view text, uint32_t minimum, uint32_t maximum, uint32_t& out) {
    if (text == "auto") {
        out = 0;
        return true;
    }
    return parse_count(text, minimum, maximum, out);
}

bool fail(ConfigError& error, const char* message) {
    error.message = message;
    return false;
}

}  // namespace

bool apply_config_setting(Config& config, std::string_view key, std::string_view value, ConfigError& error) {
    if (!error.key.assign(key)) error.key.assign(key.substr(0, decltype(error.key)::kCapacity - 1));
    if (key == "disk") {
        DiskSpecList specs;
        const char* problem = "";
        if (!parse_disk_specs(value, specs, problem)) return fail(error, problem);
        return config.disk.assign(value) || fail(error, "disk is too long");
    }
    if (key == "snapshot")
        return parse_named(value, kBooleans, config.snapshot) || fail(error, "snapshot must be yes or no");
    if (key == "snapshot_size")
        return parse_count(value, 16, 16u * 1024 * 1024, config.snapshot_size_mib) ||
               fail(error, "snapshot_size must be MiB between 16 and 16777216");
    if (key == "firmware")
        return parse_named(value, kFirmwares, config.firmware) ||
               fail(error, "firmware must be auto, bios, uefi or uefi-secure");
    if (key == "uefi_vars") {
        FileOnDevice file;
        if (!value.empty() && !parse_file_on_device(value, file))
            return fail(error, "uefi_vars must be DEVICE:/PATH, e.g. LABEL=HALDATA:/hal/vars.fd");
        return config.uefi_vars.assign(value) || fail(error, "uefi_vars is too long");
    }
    if (key == "identity")
        return parse_named(value, kIdentities, config.identity) || fail(error, "identity must be host or generic");
    if (key == "disk_timeout")
        return parse_count(value, 0, 3600, config.disk_timeout_seconds) ||
               fail(error, "disk_timeout must be seconds between 0 and 3600");
    if (key == "disk_bus")
        return parse_named(value, kDiskBuses, config.disk_bus) ||
               fail(error, "disk_bus must be auto, virtio, ide, ahci, nvme or scsi");
    if (key == "disk_cache")
        return parse_named(value, kDiskCaches, config.disk_cache) ||
               fail(error, "disk_cache must be auto, writeback, none, writethrough or directsync");
    if (key == "machine")
        return parse_named(value, kMachines, config.machine) || fail(error, "machine must be pc or q35");
    if (key == "accel")
        return parse_named(value, kAccels, config.accel) || fail(error, "accel must be auto, kvm or tcg");
    if (key == "memory")
        return parse_auto_count(value, 16, 16u * 1024 * 1024, config.memory_mib) ||
               fail(error, "memory must be auto or MiB between 16 and 16777216");
    if (key == "memory_reserve")
        return parse_count(value, 0, 16u * 1024 * 1024, config.memory_reserve_mib) ||
               fail(error, "memory_reserve must be MiB");
    if (key == "cpus")
        return parse_auto_count(value, 1, 1024, config.cpus) || fail(error, "cpus must be auto or 1 to 1024");
    if (key == "nic" || key == "nic_model")
        return parse_named(value, kNicModels, config.nic) ||
               fail(error, "nic_model must be none, virtio, e1000 or e1000e");
    if (key == "network")
        return parse_named(value, kNetworkModes, config.network) ||
               fail(error, "network must be auto, bridge, nat or none");
    if (key == "nics") {
        if (value != "first" && value != "all") return fail(error, "nics must be first or all");
        config.nics_all = value == "all";
        return true;
    }
    if (key == "net.manage") {
        if (value == "none" || value == "off") {
            config.net_manage = IpSetting(NetMode::kOff);
            return true;
        }
        const char* problem = "";
        IpSetting setting;
        if (!parse_ip_setting(value, setting, problem)) return fail(error, problem);
        config.net_manage = setting;
        return true;
    }
    if (key == "display") {
        if (value != "auto" && value != "none") return fail(error, "display must be auto or none");
        config.display = value == "auto" ? DisplayMode::kAuto : DisplayMode::kNone;
        return true;
    }
    if (key == "guest_video") {
        if (value != "std" && value != "virtio") return fail(error, "guest_video must be std or virtio");
        config.guest_video = value == "std" ? GuestVideo::kStd : GuestVideo::kVirtio;
        return true;
    }
    if (key == "input") {
        if (value != "auto" && value != "none") return fail(error, "input must be auto or none");
        config.input = value == "auto";
        return true;
    }
    if (key == "menu_hotkey") {
        Hotkey hotkey;
        if (!parse_hotkey(value, hotkey)) return fail(error, "menu_hotkey must be modifiers and a key, e.g. ctrl+alt+esc");
        return config.menu_hotkey.assign(value) || fail(error, "menu_hotkey is too long");
    }
    if (key == "display_stats") {
        return parse_count(value, 0, 3600, config.display_stats_seconds) ||
               fail(error, "display_stats must be seconds from 0 (none) to 3600");
    }
    if (key == "qmp_serial") {
        const std::string_view name = serial_port_name(value);
        if (!value.empty() && name.empty())
            return fail(error, "qmp_serial must be a serial port's name under /dev, e.g. ttyS1");
        return config.qmp_serial.assign(name) || fail(error, "qmp_serial is too long");
    }
    if (key == "hostfwd") {
        HostForwardList forwards;
        const char* problem = "";
        if (!parse_host_forwards(value, forwards, problem)) return fail(error, problem);
        return config.hostfwd.assign(value) || fail(error, "hostfwd is too long");
    }
    if (key == "nic_boot")
        return parse_named(value, kBooleans, config.nic_boot) || fail(error, "nic_boot must be yes or no");
    if (key == "qemu_args") return config.qemu_args.assign(value) || fail(error, "qemu_args is too long");
    if (key == "debug") return parse_named(value, kBooleans, config.debug) || fail(error, "debug must be yes or no");
    if (key == "load") {
        for (char c : value)
            if (!(c == ',' || c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                return fail(error, "load must be module names separated by commas");
        return config.load.assign(value) || fail(error, "load is too long");
    }
    if (key == "devtmpfs")
        return parse_named(value, kBooleans, config.devtmpfs) || fail(error, "devtmpfs must be yes or no");
    if (key == "host_nic") {
        if (value.empty() || value.find('/') != std::string_view::npos)
            return fail(error, "host_nic must be none, auto, an interface name or mac:ADDRESS");
        return config.host_nic.assign(value) || fail(error, "host_nic is too long");
    }
    if (key == "powerdown_timeout")
        return parse_count(value, 1, 86400, config.powerdown_timeout_seconds) ||
               fail(error, "powerdown_timeout must be seconds between 1 and 86400");
    if (key == "on_guest_shutdown")
        return parse_named(value, kExitActions, config.on_guest_shutdown) ||
               fail(error, "on_guest_shutdown must be poweroff, reboot, restart or shell");
    if (key == "on_failure")
        return parse_named(value, kExitActions, config.on_failure) ||
               fail(error, "on_failure must be poweroff, reboot, restart or shell");
    if (key == "emergency") {
        ExitAction action;
        if (!parse_named(value, kExitActions, action) || action == ExitAction::kRestart)
            return fail(error, "emergency must be poweroff, reboot or shell");
        config.emergency = action;
        return true;
    }
    if (key == "restart_limit")
        return parse_count(value, 0, 100, config.restart_limit) || fail(error, "restart_limit must be 0 to 100");
    if (key == "guest_start_timeout")
        return parse_count(value, 0, 3600, config.guest_start_timeout_seconds) ||
               fail(error, "guest_start_timeout must be seconds between 0 (off) and 3600");
    if (key == "restart_window")
        return parse_count(value, 1, 86400, config.restart_window_seconds) ||
               fail(error, "restart_window must be seconds between 1 and 86400");
    if (key == "break") {
        if (value != "modules" && value != "devices" && value != "launch")
            return fail(error, "break must be modules, devices or launch");
        return config.break_before.assign(value);
    }
    if (key == "shell") {
        bool shell = false;
        if (!parse_named(value, kBooleans, shell)) return fail(error, "shell must be yes or no");
        if (shell) config.break_before.assign("launch");
        return true;
    }
    if (key == "net.ip" || key == "ip") {
        const char* problem = "";
        IpSetting setting;
        if (!parse_ip_setting(value, setting, problem)) return fail(error, problem);
        config.net = setting;
        return true;
    }
    if (key == "net.timeout")
        return parse_count(value, 1, 3600, config.net_timeout_seconds) ||
               fail(error, "net.timeout must be seconds between 1 and 3600");
    if (key == "net.required")
        return parse_named(value, kBooleans, config.net_required) || fail(error, "net.required must be yes or no");
    if (key == "net.arp_check")
        return parse_count(value, 0, 10000, config.net_arp_check_ms) ||
               fail(error, "net.arp_check must be milliseconds between 0 and 10000");
    if (key == "net.hostname")
        return parse_named(value, kBooleans, config.net_hostname) || fail(error, "net.hostname must be yes or no");
    if (key == "host_nic_timeout")
        return parse_count(value, 0, 3600, config.host_nic_timeout_seconds) ||
               fail(error, "host_nic_timeout must be seconds between 0 and 3600");
    return fail(error, "unknown key");
}

bool parse_config(std::string_view text, Config& config, ConfigError& error) {
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        error.line = reader.number();
        error.key.clear();
        const size_t equals = line.find('=');
        if (equals == std::string_view::npos) {
            error.key.assign(line.substr(0, decltype(error.key)::kCapacity - 1));
            return fail(error, "expected `key = value`");
        }
        const std::string_view key = trim(line.substr(0, equals));
        if (key.empty()) return fail(error, "missing key before `=`");
        if (!apply_config_setting(config, key, trim(line.substr(equals + 1)), error)) return false;
    }
    if (config.disk.empty()) {
        error.line = 0;
        error.key.assign("disk");
        return fail(error, "required key is missing");
    }
    return true;
}

const char* accel_name(Accel accel) { return name_of(accel, kAccels); }
const char* disk_bus_name(DiskBus bus) { return name_of(bus, kDiskBuses); }
const char* disk_cache_name(DiskCache cache) { return name_of(cache, kDiskCaches); }
const char* firmware_setting_name(FirmwareSetting firmware) { return name_of(firmware, kFirmwares); }
const char* identity_name(Identity identity) { return name_of(identity, kIdentities); }
const char* network_mode_name(NetworkMode mode) { return name_of(mode, kNetworkModes); }
const char* nic_model_name(NicModel nic) { return name_of(nic, kNicModels); }
const char* machine_name(Machine machine) { return name_of(machine, kMachines); }
const char* exit_action_name(ExitAction action) { return name_of(action, kExitActions); }

}  // namespace hal
