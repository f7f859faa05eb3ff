// hal-init, PID 1 of the HAL image. run_boot_plan() is the boot plan, its steps numbered as in
// README.md; each step's work lives in the capability that owns it, wired together in Boot.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/cxx_support.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/mount.hpp"
#include "base/sys/power.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"
#include "base/timeline.hpp"
#include "config/config.hpp"
#include "devices/sys/early_mounts.hpp"
#include "disks/sys/discovery.hpp"
#include "fallback/sys/native_boot.hpp"
#include "init/boot.hpp"
#include "platform/sys/host_probe.hpp"
#include "platform/sys/identity.hpp"
#include "supervision/sys/crash_guard.hpp"
#include "supervision/sys/power.hpp"

namespace hal {
namespace {

constexpr size_t kConfigCapacity = 16 * 1024;
constexpr size_t kCmdlineCapacity = 4096;
char g_config_text[kConfigCapacity];
char g_cmdline[kCmdlineCapacity];

void on_menu(MenuRequest request, void* context) {
    Boot& boot = *static_cast<Boot*>(context);
    if (!boot.supervisor) return;
    if (request == MenuRequest::kPowerOff)
        boot.supervisor->request_stop("host menu (power off guest)", sys::monotonic_ms());
    if (request == MenuRequest::kReset) boot.supervisor->reset_guest();
}

// A new input device may be a power button.
void on_uevents(const UeventBatch& batch, void* context) {
    if (batch.input_added) (void)static_cast<Boot*>(context)->buttons.open_new();
}

Boot* g_boot = nullptr;

// fallback = bare-metal: before the emergency action, the OS natively when it can be done.
void fall_back(const char* what) {
    boot_os_natively_next(g_boot->storage, g_boot->config.fallback, what);
}

[[noreturn]] void fail(const char* format, const char* a = "", const char* b = "") {
    char what[256];
    std::snprintf(what, sizeof what, format, a, b);
    fail_boot(what);
}

// Step 2: /etc/hal.conf, then hal.* words from the kernel command line.
void load_config(Boot& boot) {
    const auto size = sys::read_file(layout::kConfig, g_config_text, sizeof g_config_text);
    if (!size.ok()) fail("cannot read %s: %s", layout::kConfig, std::strerror(size.error().code));
    const auto parsed = parse_config({g_config_text, size.value()});
    if (!parsed.ok()) {
        const ConfigError& error = parsed.error();
        char what[256];
        std::snprintf(what, sizeof what, "%s line %u: key '%s': %s", layout::kConfig, error.line,
                      error.key.c_str(), error.message);
        fail_boot(what);
    }
    boot.config = parsed.value();
    if (const auto cmdline = sys::read_file("/proc/cmdline", g_cmdline, sizeof g_cmdline);
        cmdline.ok()) {
        boot.test_hooks.read({g_cmdline, cmdline.value()});
        apply_cmdline_overrides(
            boot.config, {g_cmdline, cmdline.value()},
            [](std::string_view key, std::string_view value, const char* problem) {
                log_warning("config: kernel command line %s%.*s=%.*s ignored: %s",
                            key == "ip" ? "" : "hal.", static_cast<int>(key.size()), key.data(),
                            static_cast<int>(value.size()), value.data(), problem);
            });
    }
    const Config& config = boot.config;
    log::set_debug(config.boot.debug);
    set_emergency_action(config.supervision.emergency);
    install_crash_guard(log::kmsg_fd(), config.supervision.emergency != ExitAction::kReboot);
    log_info(
        "config: platform=%s disk=%s bus=%s firmware=%s identity=%s machine=%s accel=%s nic=%s",
        preset_name(config.preset), config.disks.specs.text.c_str(),
        disk_bus_name(config.disks.bus), firmware_setting_name(config.platform.firmware),
        identity_name(config.platform.identity), machine_name(config.platform.machine),
        accel_name(config.platform.accel), nic_model_name(config.net.nic));
}

// Without devtmpfs (or with devtmpfs = no): a tmpfs /dev whose nodes hal-init makes.
void use_static_dev_if_needed(Boot& boot, bool devtmpfs) {
    if (devtmpfs && boot.config.devices.devtmpfs) return;
    boot.config.devices.devtmpfs = false;
    const unsigned nodes = use_static_dev(devtmpfs);
    (void)boot.uevents.add_listener(boot.nodes);
    log_info("devices: %s; /dev is a tmpfs with %u nodes from sysfs",
             devtmpfs ? "devtmpfs = no" : "no devtmpfs", nodes);
}

// The boot plan's phases on the boot timeline (/run/hal/boot.json).
void phase(const char* name) { boot_timeline().begin(name, sys::monotonic_ms()); }

// hal.break=PHASE: a rescue shell before that phase, for debugging a machine's boot.
void maybe_break(const Boot& boot, BreakPoint phase) {
    if (boot.config.boot.break_before != phase) return;
    char why[64];
    std::snprintf(why, sizeof why, "hal.break=%s", break_point_name(phase));
    run_rescue_shell(why);
}

// Step 3: the uevent socket first (no device is missed), then the modules, loading in the
// background while step 4 waits for the devices.
void start_modules(Boot& boot) {
    if (const Status opened = boot.uevents.open(sys::monotonic_ms()); !opened.ok())
        log_warning("devices: %s failed: %s; hotplugged devices will be found by polling only",
                    opened.error().operation, std::strerror(opened.error().code));
    (void)boot.uevents.add_listener(boot.modules);
    boot.uevents.set_batch_handler(on_uevents, &boot);
    const auto release = sys::kernel_release();
    FixedString<kPathCapacity> directory;
    directory.assign(layout::kModulesDir);
    directory.append('/');
    directory.append(release.ok() ? release.value() : "unknown");
    const Config& config = boot.config;
    ModuleNeeds needs;
    // A bridged guest's NIC must exist before QEMU starts; so must the host's with net.required.
    needs.network = config.net.required || config.net.mode == NetworkMode::kAuto ||
                    config.net.mode == NetworkMode::kBridge;
    needs.display = config.display.mode != DisplayMode::kNone;
    needs.reserved_devices = boot.passthrough.count > 0;
    const CpuIdentity cpu = read_cpu_identity();
    boot.modules.start(directory.view(), config.modules, needs,
                       {cpu.vendor.view(), cpu.virtualization}, sys::monotonic_ms());
}

// Step 3, continued: vfio-pci for the functions reserved in step 2, before the disk search.
void bind_passthrough_devices(Boot& boot) {
    if (boot.passthrough.count == 0) return;
    if (!boot.modules.load_for_alias(boot.passthrough.vfio_alias.view()))
        log_warning("passthrough: the image has no vfio-pci module (alias %s)",
                    boot.passthrough.vfio_alias.c_str());
    FixedString<192> fatal;
    if (!bind_passthrough(boot.passthrough, boot.facts.passthrough, fatal))
        fail_boot(fatal.c_str());
}

// Step 4: the guest's disks must exist before QEMU opens them; the UEFI variable file's
// partition is found first, so its disk is never the guest's.
void prepare_disks(Boot& boot) {
    const DiskSettings& settings = boot.config.disks;
    const uint64_t started = sys::monotonic_ms();
    const std::string_view vars_disk = boot.uefi_vars.locate(
        boot.storage, boot.config.platform, started + settings.timeout_seconds * 1000ull);
    const auto found = find_guest_disks(boot.storage, settings, vars_disk);
    if (!found.ok()) fail_boot(found.error().text);
    boot.facts.disks = found.value();
    for (size_t i = 0; i < boot.facts.disks.count; ++i) {
        const HostDisk& disk = boot.facts.disks.disks[i];
        log_info("devices: disk %s is %s (%s%s%s%s%s, %u/%u-byte sectors%s%s), found after %llu ms",
                 settings.specs.text.c_str(), disk.path.c_str(),
                 disk.block_device ? host_bus_name(disk.bus) : image_format_name(disk.format),
                 disk.identity.serial.empty() ? "" : ", serial ", disk.identity.serial.c_str(),
                 disk.identity.model.empty() ? "" : ", model ", disk.identity.model.c_str(),
                 disk.logical_block, disk.physical_block,
                 disk.boot.uefi ? ", EFI System Partition" : "",
                 disk.boot.bios ? ", BIOS boot code" : "",
                 static_cast<unsigned long long>(sys::monotonic_ms() - started));
    }
    // Storage controllers for the guest, now that their disks were read.
    FixedString<192> fatal;
    if (!hand_over_storage(boot.passthrough, vars_disk, boot.facts.disks, boot.facts.passthrough,
                           fatal))
        fail_boot(fatal.c_str());
}

// snapshot = yes: QEMU keeps each disk's overlay in its TMPDIR, a tmpfs capped at
// snapshot_size so a guest writing without end fills it, not the host's memory.
void prepare_snapshot_space(const DiskSettings& settings) {
    if (!settings.snapshot) return;
    char options[48];
    std::snprintf(options, sizeof options, "size=%um,mode=0700", settings.snapshot_size_mib);
    const Status made = sys::make_directories(layout::kSnapshotDir, 0700);
    const Status mounted =
        made.ok() ? sys::mount_filesystem("tmpfs", layout::kSnapshotDir, "tmpfs", 0, options)
                  : made;
    if (!mounted.ok()) fail_boot("snapshot = yes, but the RAM overlay space could not be mounted");
    log_info(
        "disks: snapshot = yes: guest writes go to RAM (at most %u MiB) and are dropped at "
        "power-off",
        settings.snapshot_size_mib);
}

// Step 5: once the critical modules loaded (KVM decides the accelerator; a bridged guest needs
// its NIC's driver), the guest's side of the network (bridge, NAT or none), then the host's
// own, which the guest waits for only with net.required.
void prepare_network(Boot& boot) {
    phase("critical_modules");
    const ModuleSummary modules = boot.modules.settle_critical(boot.uevents);
    phase("network");
    log_info(
        "modules: critical path ready in %llu ms: of %u queued modules %u are storage and %u "
        "critical, %u "
        "loaded so far, %u failed; the rest load while QEMU runs",
        static_cast<unsigned long long>(modules.elapsed_ms), modules.early + modules.coldplug,
        modules.storage, modules.critical, modules.loaded, modules.failed);
    const NetSettings& settings = boot.config.net;
    if (!boot.guest_network.prepare(boot.storage, settings))
        fail_boot("network required (net.required) but the guest has no network");
    if (!boot.guest_network.start_host_side(boot.storage, boot.host_network) && settings.required)
        fail_boot("network required (net.required) but not up");
}

[[noreturn]] void run_boot_plan() {
    boot_timeline().set_origin(sys::monotonic_ms());
    phase("mounts");
    // 0. Nothing may kill PID 1: block signals first, read them from a signalfd later.
    TestHooks::hang_if_asked();
    const auto signal_fd = sys::block_signals();
    sys::disable_ctrl_alt_del();
    static Boot boot(signal_fd.ok() ? signal_fd.value() : -1);

    // 1. Early mounts and the kernel log.
    bool devtmpfs = true;
    const Status mounted = mount_early_filesystems(devtmpfs);
    log::use_kmsg();
    // Userspace writes to /dev/kmsg are rate-limited by default, which would drop our lines.
    (void)sys::write_file("/proc/sys/kernel/printk_devkmsg", "on\n");
    log_info("hal-init starting");
    // Faults are caught from here on; the config may later choose reboot instead.
    install_crash_guard(log::kmsg_fd(), true);
    set_internal_error_handler(fail_boot);
    if (!mounted.ok()) fail_boot("early mounts failed");
    if (!signal_fd.ok()) fail_boot("cannot block signals / open signalfd");
    log_info("mounts: /proc /sys /dev /tmp /run ready");

    // 2. Configuration.
    phase("config");
    load_config(boot);
    use_static_dev_if_needed(boot, devtmpfs);
    // Its boot loader chose the HAL's entry inside the HAL's own guest: no guest in a guest.
    if (inside_hal_guest())
        fail_boot(
            "this HAL image was booted inside its own guest (SMBIOS OEM string "
            "mkinitrd-hal:guest): no second guest is started; the guest's boot loader must boot "
            "the OS itself (README: \"A HAL inside its own guest\")");
    g_boot = &boot;
    set_before_emergency(fall_back);
    // The machine's own devices for the guest: reserved for vfio-pci before any driver loads.
    boot.passthrough =
        reserve_passthrough(boot.config.passthrough, boot.config.net.manage.mode != NetMode::kOff);

    // 3. Kernel modules: the packer's early list and what present devices need.
    maybe_break(boot, BreakPoint::kModules);
    phase("modules");
    start_modules(boot);
    bind_passthrough_devices(boot);

    // 4. Devices: the guest's disks, and the machine's identity for it.
    maybe_break(boot, BreakPoint::kDevices);
    phase("disks");
    prepare_disks(boot);
    phase("identity");
    // firmware = auto follows the host's SecureBoot variable, read through efivarfs (a module
    // on Debian); nothing else needs it.
    const bool secure_boot = boot.config.platform.firmware == FirmwareSetting::kAuto &&
                             sys::is_directory("/sys/firmware/efi");
    if (secure_boot) (void)boot.modules.load_for_filesystem("efivarfs");
    gather_identity(boot.config.platform.identity, secure_boot, boot.facts.platform);
    prepare_snapshot_space(boot.config.disks);

    // 5. Network: the guest's side, then the host's own.
    prepare_network(boot);

    // 6-8. Launch, supervise, and the exit policy; ends in power off (or reboot).
    maybe_break(boot, BreakPoint::kLaunch);
    phase("launch");
    run_guest(boot);
}

// `hal-init dhcp IFACE [SECONDS] [RESOLV_CONF] [TIMEOUT]`: the network step outside PID 1,
// for testing the DHCP client against a real server. Keeps the lease for SECONDS
// (renewing it), then releases it. Exit status 0 when a lease was obtained.
int run_dhcp_command(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: hal-init dhcp IFACE [SECONDS] [RESOLV_CONF] [TIMEOUT]\n");
        return 2;
    }
    static NetSettings settings;
    if (argc > 5) settings.timeout_seconds = static_cast<uint32_t>(std::atoi(argv[5]));
    log::set_debug(true);
    static HostLease lease;
    if (!lease.start(settings, argv[2], true, argc > 4 ? argv[4] : "/etc/resolv.conf")) return 1;
    const uint64_t until = sys::monotonic_ms() + (argc > 3 ? std::atoi(argv[3]) : 0) * 1000ull;
    EventLoop loop;
    loop.add(lease);
    while (sys::monotonic_ms() < until)
        (void)loop.run_once(static_cast<int64_t>(until - sys::monotonic_ms()));
    lease.release();
    return 0;
}

}  // namespace

Boot::Boot(int signal_fd) : display(config.display, on_menu, this), signals(signal_fd) {
    (void)signals.add_watcher(display);
}

}  // namespace hal

int main(int argc, char** argv) {
    if (getpid() != 1) {
        if (argc > 1 && std::strcmp(argv[1], "dhcp") == 0) return hal::run_dhcp_command(argc, argv);
        std::fprintf(stderr,
                     "hal-init: must run as PID 1 (the /init of a mkinitrd-hal image), or: "
                     "hal-init dhcp IFACE ...\n");
        return 2;
    }
    hal::run_boot_plan();
}
