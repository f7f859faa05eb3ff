// The rows of the configuration schema; each calls its capability's parser. No I/O.
#include "config/schema.hpp"

#include "base/setting_text.hpp"

namespace hal {
namespace {

using Value = std::string_view;

// Stores a parsed value in its field; the rejection goes back as it is.
template <class T>
Parsed<Unit> store(T& field, const Parsed<T>& parsed) {
    if (!parsed.ok()) return parsed.error();
    field = parsed.value();
    return Unit{};
}

using namespace std::string_view_literals;
constexpr std::string_view kBreakPoints = "\0modules\0devices\0launch"sv;
constexpr std::string_view kPresetNames = "transparent\0virtual"sv;

// Each row's default text is the transparent value (a unit test holds them together).
constexpr PresetValue kPresets[] = {
    {"identity", "host", "generic"},    {"tpm", "auto", "none"},
    {"rng", "none", "virtio"},          {"disk_bus", "auto", "ide"},
    {"nic_model", "virtio", "rtl8139"},
};

// platform: the preset's value for each key it names that the user did not set.
Parsed<Unit> apply_platform(Config& config, Value value) {
    config.preset = TRY(
        parse_enum<PlatformPreset>(value, kPresetNames, "platform must be transparent or virtual"));
    for (const PresetValue& preset : kPresets) {
        const SettingRow& row = *find_setting(preset.key);
        if ((config.explicit_keys & setting_bit(row)) == 0)
            (void)row.apply(config, preset.of(config.preset));
    }
    return Unit{};
}

// An optional DEVICE:/PATH: `used` tells whether it is set, `file` holds it.
Parsed<Unit> apply_optional_file(bool& used, FileOnDevice& file, Value value, const char* problem) {
    used = !value.empty();
    if (value.empty()) return Unit{};
    const auto parsed = parse_file_on_device(value);
    if (!parsed.ok()) return ParseError{problem};
    file = parsed.value();
    return Unit{};
}

Parsed<Unit> apply_uefi_vars(Config& config, Value value) {
    return apply_optional_file(config.platform.keep_uefi_vars, config.platform.uefi_vars, value,
                               "uefi_vars must be DEVICE:/PATH, e.g. LABEL=HALDATA:/hal/vars.fd");
}

Parsed<Unit> apply_grubenv(Config& config, Value value) {
    return apply_optional_file(config.fallback.has_grubenv, config.fallback.grubenv, value,
                               "grubenv must be DEVICE:/PATH, e.g. UUID=0123-4567:/grub/grubenv");
}

Parsed<Unit> apply_shell(Config& config, Value value) {
    const bool shell = TRY(parse_yes_no(value, "shell must be yes or no"));
    if (shell) config.boot.break_before = BreakPoint::kLaunch;
    return Unit{};
}

Parsed<Unit> apply_qemu_args(Config& config, Value value) {
    if (!config.qemu_args.assign(value)) return ParseError{"qemu_args is too long"};
    return Unit{};
}

constexpr SettingRow kRows[] = {
    {"platform", "transparent",
     "the machine the guest meets: `transparent` (this machine as the OS installed on it knew it: "
     "its SMBIOS identity and TPM, each disk on the host disk's own bus, a virtio NIC) or "
     "`virtual` (QEMU's stable PC, the same on any host, for an OS written only for QEMU: QEMU's "
     "own SMBIOS, no TPM, the disks on IDE, an rtl8139 NIC, a virtio-rng, and its VGA and USB "
     "tablet with or without a monitor); it sets the keys whose default names both, unless they "
     "are set themselves",
     apply_platform},
    {"disk", "auto",
     "the guest's disks: `auto` (the first bootable non-removable whole disk), `all` (every one, "
     "the boot disk "
     "first), or a comma-separated list of `/dev` paths, `serial:TEXT`, `wwid:TEXT` and image "
     "files (raw or qcow2) "
     "on host partitions as `DEVICE:/PATH` (`LABEL=images:/guests/win.qcow2`, `UUID=...`, "
     "`/dev/sdb2:...`)",
     [](Config& c, Value v) { return store(c.disks.specs, parse_disk_specs(v)); }},
    {"disk_timeout", "30", "seconds to wait for the disks",
     [](Config& c, Value v) {
         return store(c.disks.timeout_seconds,
                      parse_count(v, 0, 3600, "disk_timeout must be seconds between 0 and 3600"));
     }},
    {"disk_bus", "auto",
     "how the guest sees its disks: `auto` (the host disk's own bus, with its serial, model, WWN "
     "or EUI-64), "
     "`virtio`, `ide`, `ahci`, `nvme`, `scsi`",
     [](Config& c, Value v) { return store(c.disks.bus, parse_disk_bus(v)); }},
    {"disk_cache", "auto",
     "`auto` (none with native AIO for disks, writeback for image files), `writeback`, `none`, "
     "`writethrough`, "
     "`directsync` (never `unsafe`)",
     [](Config& c, Value v) { return store(c.disks.cache, parse_disk_cache(v)); }},
    {"snapshot", "no",
     "`yes`: guest writes go to a RAM overlay, discarded at power-off (kiosks, labs, test benches)",
     [](Config& c, Value v) {
         return store(c.disks.snapshot, parse_yes_no(v, "snapshot must be yes or no"));
     }},
    {"snapshot_size", "1024", "MiB the RAM overlay of `snapshot = yes` may take at most",
     [](Config& c, Value v) {
         return store(c.disks.snapshot_size_mib,
                      parse_count(v, 16, 16u * 1024 * 1024,
                                  "snapshot_size must be MiB between 16 and 16777216"));
     }},
    {"firmware", "auto",
     "`auto` (UEFI for a disk with an EFI System Partition, BIOS for one with BIOS boot code, else "
     "the host's own mode; Secure Boot when the host booted with it on and the disk's loader is "
     "signed), `bios`, `uefi`, `uefi-secure` (Secure Boot, q35)",
     [](Config& c, Value v) { return store(c.platform.firmware, parse_firmware_setting(v)); }},
    {"uefi_vars", "",
     "`DEVICE:/PATH` of a file that keeps the UEFI variables (boot entries) across boots "
     "(`LABEL=HALDATA:/hal/vars.fd`); empty: a fresh store each boot",
     apply_uefi_vars},
    {"identity", "host",
     "`host`: the guest sees this machine's SMBIOS (vendor, product, serial, UUID), OEM licence "
     "ACPI tables "
     "(MSDM/SLIC) and CPU topology; `generic`: QEMU's own",
     [](Config& c, Value v) { return store(c.platform.identity, parse_identity(v)); }},
    {"machine", "pc", "the guest's machine type: `pc`, `q35`",
     [](Config& c, Value v) { return store(c.platform.machine, parse_machine(v)); }},
    {"accel", "auto", "`auto` (KVM when /dev/kvm opens and the CPU has vmx/svm), `kvm`, `tcg`",
     [](Config& c, Value v) { return store(c.platform.accel, parse_accel(v)); }},
    {"guest_os", "auto",
     "the OS on the guest disk: `auto` (Windows when the boot disk has a Microsoft Reserved "
     "partition or an active NTFS partition that loads BOOTMGR), `windows` (the vCPUs carry the "
     "Hyper-V enlightenments, under KVM), `linux`, `other`",
     [](Config& c, Value v) { return store(c.platform.guest_os, parse_guest_os(v)); }},
    {"tpm", "auto",
     "the machine's TPM for the guest (Windows 11, BitLocker): `auto` (passed through when "
     "/dev/tpm0 exists, as tpm-crb for a TPM 2.0 on CRB, else tpm-tis), `passthrough` (the same; "
     "no TPM is the emergency action), `none`",
     [](Config& c, Value v) { return store(c.platform.tpm, parse_tpm_setting(v)); }},
    {"rng", "none",
     "a random number generator for the guest: `virtio` (virtio-rng-pci, fed by the host kernel's "
     "getrandom()), `none`",
     [](Config& c, Value v) { return store(c.platform.rng, parse_guest_rng(v)); }},
    {"passthrough", "none",
     "the machine's own PCI devices for the guest through VFIO (an IOMMU must be active: VT-d "
     "or AMD-Vi on in the firmware, `intel_iommu=on` on Intel): `none` (everything emulated), "
     "`auto` (every device that can go, but the console's GPU and, with `net.manage`, the NICs), "
     "`all` (the same, each as if named), or a comma-separated list of PCI addresses "
     "(`0000:03:00.0`), `vendor:device` IDs (`10de:2204`) and the kinds `gpu`, `audio`, `usb`, "
     "`nic`, `storage`; each IOMMU group goes whole or stays with the host, chipset functions "
     "always stay; a named device that does not bind is the emergency action",
     [](Config& c, Value v) { return store(c.passthrough, parse_passthrough(v)); }},
    {"memory", "auto",
     "the guest's memory in MiB, or `auto`: host memory − `memory_reserve` − 1/16",
     [](Config& c, Value v) {
         return store(c.platform.memory_mib,
                      parse_auto_count(v, 16, 16u * 1024 * 1024,
                                       "memory must be auto or MiB between 16 and 16777216"));
     }},
    {"memory_reserve", "256", "MiB kept for the host",
     [](Config& c, Value v) {
         return store(c.platform.memory_reserve_mib,
                      parse_count(v, 0, 16u * 1024 * 1024, "memory_reserve must be MiB"));
     }},
    {"cpus", "auto", "the guest's CPUs: a count, or `auto`: every host CPU",
     [](Config& c, Value v) {
         return store(c.platform.cpus,
                      parse_auto_count(v, 1, 1024, "cpus must be auto or 1 to 1024"));
     }},
    {"nic_model", "virtio",
     "the guest NIC: `virtio`, `e1000`, `e1000e`, `rtl8139` (the NIC of OSes written for QEMU's "
     "machine), `none`",
     [](Config& c, Value v) { return store(c.net.nic, parse_nic_model(v)); }},
    {"nic_boot", "no",
     "`yes`: the NIC's PXE option ROM, tried after the disks (it costs seconds at every boot)",
     [](Config& c, Value v) {
         return store(c.net.nic_boot, parse_yes_no(v, "nic_boot must be yes or no"));
     }},
    {"network", "auto",
     "`auto` (bridged onto the wired NIC with its MAC when there is one, else NAT), `bridge` "
     "(macvtap), `nat` "
     "(QEMU user networking), `none`",
     [](Config& c, Value v) { return store(c.net.mode, parse_network_mode(v)); }},
    {"nics", "first", "`first`, or `all`: one guest NIC per wired host NIC",
     [](Config& c, Value v) {
         static constexpr NamedValue<bool> kNics[] = {{"first", false}, {"all", true}};
         return store(c.net.all_nics, parse_named(v, kNics, "nics must be first or all"));
     }},
    {"net.manage", "none",
     "in bridge mode, the host's own address on a macvlan with a derived MAC: `none`, `dhcp`, or "
     "`ip=` syntax",
     [](Config& c, Value v) { return store(c.net.manage, parse_manage_setting(v)); }},
    {"hostfwd", "", "NAT port forwards: `tcp:2222-:22,udp::5353-:53`",
     [](Config& c, Value v) { return store(c.net.forwards, parse_host_forwards(v)); }},
    {"host_nic", "auto",
     "the host's NIC: `none`, `auto` (first Ethernet device), a name, `mac:ADDRESS`; waited for, "
     "not fatal",
     [](Config& c, Value v) { return store(c.net.host_nic, parse_nic_selector(v)); }},
    {"host_nic_timeout", "10", "seconds to wait for it",
     [](Config& c, Value v) {
         return store(
             c.net.host_nic_timeout_seconds,
             parse_count(v, 0, 3600, "host_nic_timeout must be seconds between 0 and 3600"));
     }},
    {"net.ip", "dhcp",
     "`dhcp`, `off`, or static in the kernel's syntax "
     "`<client>:<server>:<gw>:<netmask>:<hostname>:<device>:off:<dns0>:<dns1>`; the kernel command "
     "line's `ip=` "
     "overrides it",
     [](Config& c, Value v) { return store(c.net.ip, parse_ip_setting(v)); }},
    {"net.timeout", "20", "seconds for the first DHCP lease (link up and carrier included)",
     [](Config& c, Value v) {
         return store(c.net.timeout_seconds,
                      parse_count(v, 1, 3600, "net.timeout must be seconds between 1 and 3600"));
     }},
    {"net.required", "no", "`yes`: no network means the emergency action",
     [](Config& c, Value v) {
         return store(c.net.required, parse_yes_no(v, "net.required must be yes or no"));
     }},
    {"net.hostname", "no", "`yes`: take the hostname DHCP offers",
     [](Config& c, Value v) {
         return store(c.net.take_hostname, parse_yes_no(v, "net.hostname must be yes or no"));
     }},
    {"net.arp_check", "200",
     "ms of ARP probing for a leased address; in use → DECLINE and start over after 10 s; 0: off",
     [](Config& c, Value v) {
         return store(
             c.net.arp_check_ms,
             parse_count(v, 0, 10000, "net.arp_check must be milliseconds between 0 and 10000"));
     }},
    {"display", "auto",
     "`auto`: the guest on the machine's monitor (a DRM connector; without a DRM driver, the "
     "firmware's 32-bit "
     "framebuffer: efifb, vesafb), its video advertising the monitor's native mode; `none`: "
     "headless",
     [](Config& c, Value v) { return store(c.display.mode, parse_display_mode(v)); }},
    {"guest_video", "std", "`std` (VGA every OS drives) or `virtio` (virtio-vga)",
     [](Config& c, Value v) { return store(c.display.video, parse_guest_video(v)); }},
    {"input", "auto", "`auto`: every keyboard, mouse, touchpad and tablet drives the guest; `none`",
     [](Config& c, Value v) { return store(c.display.input, parse_input_setting(v)); }},
    {"menu_hotkey", "ctrl+alt+esc",
     "opens the host menu (power off or reset the guest, rescue shell, back); the guest never sees "
     "it",
     [](Config& c, Value v) { return store(c.display.menu_hotkey, parse_hotkey(v)); }},
    {"display_stats", "0",
     "seconds between hal-display's lines of figures: screen updates and their rate, pixels as "
     "whole guest screens "
     "a second, bytes from QEMU, time spent drawing, its CPU share; 0: none",
     [](Config& c, Value v) {
         return store(
             c.display.stats_seconds,
             parse_count(v, 0, 3600, "display_stats must be seconds from 0 (none) to 3600"));
     }},
    {"load", "", "extra modules loaded at every boot, comma-separated (`hal.load=kvm_intel`)",
     [](Config& c, Value v) { return store(c.modules, parse_module_load(v)); }},
    {"devtmpfs", "yes",
     "`no`: /dev is a tmpfs whose nodes hal-init makes from sysfs and uevents (automatic when the "
     "kernel has no "
     "devtmpfs)",
     [](Config& c, Value v) {
         return store(c.devices.devtmpfs, parse_yes_no(v, "devtmpfs must be yes or no"));
     }},
    {"qmp_serial", "",
     "a QMP monitor for the operator on this serial port of the host (`ttyS1`; 115200 8N1, raw): a "
     "console server "
     "or BMC on that line can query and stop the guest (`system_powerdown`) while hal-init keeps "
     "its own monitor; "
     "it is QEMU's whole QMP, `quit` included, so use a line only the operator reaches; never the "
     "kernel's "
     "console; a port that does not open is one warning and no monitor",
     [](Config& c, Value v) { return store(c.supervision.qmp_serial, parse_serial_port(v)); }},
    {"qemu_args", "", "extra QEMU arguments, split on whitespace", apply_qemu_args},
    {"debug", "no", "`yes`/`no`",
     [](Config& c, Value v) {
         return store(c.boot.debug, parse_yes_no(v, "debug must be yes or no"));
     }},
    {"powerdown_timeout", "120", "seconds the stop ladder waits for the guest to power off",
     [](Config& c, Value v) {
         return store(
             c.supervision.powerdown_timeout_seconds,
             parse_count(v, 1, 86400, "powerdown_timeout must be seconds between 1 and 86400"));
     }},
    {"on_guest_shutdown", "poweroff",
     "when the guest shut down: `poweroff`, `reboot`, `restart`, `shell`",
     [](Config& c, Value v) {
         return store(
             c.supervision.on_guest_shutdown,
             parse_exit_action(v, "on_guest_shutdown must be poweroff, reboot, restart or shell"));
     }},
    {"on_failure", "poweroff", "when QEMU crashed or failed: same choices",
     [](Config& c, Value v) {
         return store(
             c.supervision.on_failure,
             parse_exit_action(v, "on_failure must be poweroff, reboot, restart or shell"));
     }},
    {"guest_start_timeout", "60",
     "seconds a KVM guest has to start running its firmware (vCPU 0's port I/O exits, QMP "
     "`query-stats`) before "
     "QEMU is killed and started again, within `restart_limit`; 0: not watched",
     [](Config& c, Value v) {
         return store(c.supervision.guest_start_timeout_seconds,
                      parse_count(v, 0, 3600,
                                  "guest_start_timeout must be seconds between 0 (off) and 3600"));
     }},
    {"watchdog", "auto",
     "the machine's hardware watchdog (/dev/watchdog0: iTCO_wdt, sp5100_tco, wdat_wdt, "
     "i6300esb): `auto` (armed for 60 s when there is one), `none`, or its timeout in seconds; "
     "hal-init's loop pets it while the QEMU it supervises answers QMP, so a hung PID 1 or QEMU "
     "resets the machine; "
     "every orderly power-off, reboot and rescue shell disarms it first",
     [](Config& c, Value v) { return store(c.supervision.watchdog, parse_watchdog(v)); }},
    {"guest_watchdog", "none",
     "a watchdog for the guest itself: `i6300esb` (an Intel 6300ESB, which Linux drives; "
     "Windows has no driver for it) whose expiry QEMU reports (QMP `WATCHDOG`) and hal-init "
     "treats as a hung guest: QEMU is ended and `on_failure` applies; `none`",
     [](Config& c, Value v) {
         return store(c.supervision.guest_watchdog, parse_guest_watchdog(v));
     }},
    {"restart_limit", "3",
     "at most this many restarts of QEMU within `restart_window` (backoff 1 s, doubling); then the "
     "emergency action",
     [](Config& c, Value v) {
         return store(c.supervision.restart_limit,
                      parse_count(v, 0, 100, "restart_limit must be 0 to 100"));
     }},
    {"restart_window", "300", "the seconds `restart_limit` counts restarts over",
     [](Config& c, Value v) {
         return store(
             c.supervision.restart_window_seconds,
             parse_count(v, 1, 86400, "restart_window must be seconds between 1 and 86400"));
     }},
    {"emergency", "poweroff",
     "for fatal setup errors and crash loops: `poweroff`, `reboot`, `shell` (then power off)",
     [](Config& c, Value v) { return store(c.supervision.emergency, parse_emergency_action(v)); }},
    {"fallback", "bare-metal",
     "`bare-metal`: a fatal error before the guest runs (no KVM, no disk, QEMU failing, a crash "
     "loop) boots the machine's OS natively once, through the GRUB entries of mkinitrd-hal "
     "--install-boot, which pass `grubenv`; without them, or with `none`, the emergency action",
     [](Config& c, Value v) { return store(c.fallback.mode, parse_fallback_mode(v)); }},
    {"grubenv", "",
     "`DEVICE:/PATH` of GRUB's environment file (`UUID=0123-4567:/grub/grubenv`), which the "
     "entries of mkinitrd-hal --install-boot pass as `hal.grubenv`: where `fallback = "
     "bare-metal` leaves its one-boot flag; empty: no way back to the OS is known",
     apply_grubenv},
    {"break", "",
     "`modules`, `devices` or `launch`: a rescue shell before that phase (`hal.break=devices`)",
     [](Config& c, Value v) {
         return store(
             c.boot.break_before,
             parse_enum<BreakPoint>(v, kBreakPoints, "break must be modules, devices or launch"));
     }},
    {"shell", "no", "`yes`: a rescue shell before launch (`hal.shell`)", apply_shell},
};

struct Alias {
    std::string_view alias;
    std::string_view key;
};
constexpr Alias kAliases[] = {{"nic", "nic_model"}, {"ip", "net.ip"}};

}  // namespace

static_assert(sizeof kRows / sizeof kRows[0] <= 64, "Config::explicit_keys has a bit per row");

std::span<const SettingRow> setting_rows() { return kRows; }

uint64_t setting_bit(const SettingRow& row) { return uint64_t{1} << (&row - kRows); }

bool set_by_user(const Config& config, std::string_view key) {
    const SettingRow* row = find_setting(key);
    return row && (config.explicit_keys & setting_bit(*row)) != 0;
}

std::span<const PresetValue> preset_values() { return kPresets; }

const PresetValue* find_preset_value(std::string_view key) {
    for (const PresetValue& preset : kPresets)
        if (preset.key == key) return &preset;
    return nullptr;
}

const SettingRow* find_setting(std::string_view key) {
    for (const Alias& alias : kAliases)
        if (alias.alias == key) key = alias.key;
    for (const SettingRow& row : kRows)
        if (row.key == key) return &row;
    return nullptr;
}

const char* break_point_name(BreakPoint point) { return enum_name(point, kBreakPoints); }
const char* preset_name(PlatformPreset preset) { return enum_name(preset, kPresetNames); }

}  // namespace hal
