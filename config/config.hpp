// The HAL configuration: its fields, defaults and the parser shared by hal-init and mkinitrd-hal.
#pragma once

#include <cstdint>
#include <string_view>

#include "supervision/exit_policy.hpp"
#include "net/ip_config.hpp"
#include "base/text.hpp"

namespace hal {

enum class Accel { kAuto, kKvm, kTcg };
// kAuto: the host disk's own bus where QEMU has one that carries its identity.
enum class DiskBus { kAuto, kVirtio, kIde, kAhci, kNvme, kScsi };
// kAuto: none with native AIO for block devices (O_DIRECT), writeback for image files.
enum class DiskCache { kAuto, kWriteback, kNone, kWritethrough, kDirectsync };
// The guest's firmware; kAuto decides from the boot disk (disks/boot_mode.hpp).
enum class FirmwareSetting { kAuto, kBios, kUefi, kUefiSecure };
// host: the guest's SMBIOS types 0-3, OEM licence ACPI tables and CPU topology are the host's.
enum class Identity { kHost, kGeneric };
// The guest's network (lan/network_plan.hpp): bridged onto the host's wired NIC with its MAC,
// QEMU's NAT, or none; kAuto bridges when the host has a wired NIC.
enum class NetworkMode { kAuto, kBridge, kNat, kNone };
// The guest's screen on the host's monitor (hal-display): kAuto when the host has one.
enum class DisplayMode { kAuto, kNone };
enum class GuestVideo { kStd, kVirtio };
enum class NicModel { kNone, kVirtio, kE1000, kE1000e };
enum class Machine { kPc, kQ35 };

inline constexpr size_t kQemuArgsCapacity = 1024;

inline constexpr size_t kModuleListCapacity = 256;
inline constexpr size_t kDeviceSpecCapacity = 128;
inline constexpr size_t kDiskSettingCapacity = 512;

struct Config {
    // The guest's disks (disks/disk_spec.hpp): `auto` (the first bootable non-removable whole
    // disk), `all`, or a list of /dev paths, serial:TEXT, wwid:TEXT and DEVICE:/FILE images.
    FixedString<kDiskSettingCapacity> disk;
    uint32_t disk_timeout_seconds = 30;    // how long hal-init waits for the disk to appear
    DiskBus disk_bus = DiskBus::kAuto;     // how the guest sees its disks
    DiskCache disk_cache = DiskCache::kAuto;
    bool snapshot = false;                 // yes: guest writes go to a RAM overlay, dropped at power-off
    uint32_t snapshot_size_mib = 1024;     // the overlay's cap
    FirmwareSetting firmware = FirmwareSetting::kAuto;
    // DEVICE:/PATH of a file holding the UEFI variables across boots (LABEL=HALDATA:/hal/vars.fd);
    // empty: a fresh variable store each boot.
    FixedString<kPathCapacity> uefi_vars;
    Identity identity = Identity::kHost;
    Machine machine = Machine::kPc;
    Accel accel = Accel::kAuto;
    uint32_t memory_mib = 0;               // 0 = auto: a share of host memory minus the reserve
    uint32_t memory_reserve_mib = 256;     // kept for the host when memory is auto
    uint32_t cpus = 0;                     // 0 = auto: every host CPU
    NicModel nic = NicModel::kVirtio;      // the guest NIC's model (nic_model)
    bool nic_boot = false;                 // yes: the NIC's PXE option ROM, booted after the disk
    NetworkMode network = NetworkMode::kAuto;
    bool nics_all = false;                 // nics = all: one guest NIC per host wired NIC
    // net.manage: the host's own address in bridge mode, on a macvlan with a derived MAC
    // (dhcp or static ip= syntax); kOff (the default): the host takes no address on the LAN.
    IpSetting net_manage{NetMode::kOff};
    FixedString<512> hostfwd;              // NAT port forwards (lan/hostfwd.hpp)
    DisplayMode display = DisplayMode::kAuto;
    GuestVideo guest_video = GuestVideo::kStd;  // std VGA every OS drives, or virtio-vga
    bool input = true;                     // input = auto: the host's keyboards and pointers drive the guest
    FixedString<64> menu_hotkey{std::string_view("ctrl+alt+esc")};  // opens the host menu (display/hotkey.hpp)
    // Seconds between hal-display's lines of figures (updates, pixels, its CPU); 0: none.
    uint32_t display_stats_seconds = 0;
    // A QMP monitor for the operator on this serial port of the host (ttyS1; supervision/
    // operator_port.hpp); empty: none.
    FixedString<32> qmp_serial;
    FixedString<kQemuArgsCapacity> qemu_args;  // extra arguments, split on whitespace
    bool debug = false;                    // debug-level logging
    FixedString<kModuleListCapacity> load; // extra modules loaded early, comma-separated
    bool devtmpfs = true;                  // no: create /dev nodes from sysfs instead
    // The host's NIC: `none`, `auto` (first Ethernet device), a name, or `mac:xx:xx:...`.
    FixedString<kDeviceSpecCapacity> host_nic{std::string_view("auto")};
    uint32_t host_nic_timeout_seconds = 10;
    // Supervision: the stop ladder's patience and what happens when QEMU ends.
    uint32_t powerdown_timeout_seconds = 120;
    ExitAction on_guest_shutdown = ExitAction::kPowerOff;
    ExitAction on_failure = ExitAction::kPowerOff;
    ExitAction emergency = ExitAction::kPowerOff;  // fatal setup errors and exhausted restarts
    uint32_t restart_limit = 3;
    uint32_t restart_window_seconds = 300;
    // Seconds a KVM guest has to show progress (supervision/guest_start.hpp) before QEMU is
    // killed and started again; 0: not watched.
    uint32_t guest_start_timeout_seconds = 60;
    // hal.break=PHASE (modules, devices, launch) / hal.shell: the rescue shell before it.
    FixedString<16> break_before;
    // The host network: net.ip (and the kernel's ip=) in nfsroot syntax, DHCP by default.
    IpSetting net;
    uint32_t net_timeout_seconds = 20;   // DHCP's overall bound for a first lease
    bool net_required = false;           // yes: no network means the emergency action
    bool net_hostname = false;           // yes: take the hostname DHCP offers
    uint32_t net_arp_check_ms = 200;     // ARP probe before using a leased address; 0: none
};

// What went wrong where: the caller prefixes the file name (or "kernel command line").
struct ConfigError {
    unsigned line = 0;
    FixedString<64> key;
    const char* message = "";
};

// Parses `key = value` lines with `#` comments into `config` (which keeps its defaults for
// keys not given). Stops at the first error. A config without `disk` is an error.
bool parse_config(std::string_view text, Config& config, ConfigError& error);

// Sets one key; the message in `error` says why a key or value is rejected.
bool apply_config_setting(Config& config, std::string_view key, std::string_view value, ConfigError& error);

// Applies `hal.KEY=VALUE` words of a kernel command line (`hal.debug` alone means debug =
// yes) and the kernel's own `ip=`. Words that fail are reported through `report` and
// skipped; the rest still apply.
template <class Report>
void apply_cmdline_overrides(Config& config, std::string_view cmdline, Report&& report) {
    std::string_view word;
    while (next_word(cmdline, word)) {
        if (starts_with(word, "ip=")) {
            ConfigError error;
            if (!apply_config_setting(config, "ip", word.substr(3), error)) report("ip", word.substr(3), error);
            continue;
        }
        if (!starts_with(word, "hal.")) continue;
        word.remove_prefix(4);
        const size_t equals = word.find('=');
        const std::string_view key = word.substr(0, equals);
        const std::string_view value = equals == std::string_view::npos ? std::string_view("yes") : word.substr(equals + 1);
        ConfigError error;
        if (!apply_config_setting(config, key, value, error)) report(key, value, error);
    }
}

const char* accel_name(Accel accel);
const char* disk_bus_name(DiskBus bus);
const char* disk_cache_name(DiskCache cache);
const char* firmware_setting_name(FirmwareSetting firmware);
const char* identity_name(Identity identity);
const char* network_mode_name(NetworkMode mode);
const char* nic_model_name(NicModel nic);
const char* machine_name(Machine machine);
const char* exit_action_name(ExitAction action);

}  // namespace hal
