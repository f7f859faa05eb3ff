// hal-init, PID 1 of the HAL image. main() is the boot plan; each step lives in its own file.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/cxx_support.hpp"
#include "config/config.hpp"
#include "base/image_layout.hpp"
#include "supervision/sys/crash_guard.hpp"
#include "net/sys/nics.hpp"
#include "display/sys/display_child.hpp"
#include "platform/sys/host_probe.hpp"
#include "base/log.hpp"
#include "disks/sys/discovery.hpp"
#include "platform/sys/identity.hpp"
#include "net/sys/guest_network.hpp"
#include "modules/sys/coldplug.hpp"
#include "net/sys/host_network.hpp"
#include "devices/sys/early_mounts.hpp"
#include "net/sys/host_lease.hpp"
#include "supervision/sys/power.hpp"
#include "supervision/sys/supervisor.hpp"
#include "init/test_hooks.hpp"
#include "platform/sys/uefi_vars.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/io.hpp"
#include "base/sys/mount.hpp"
#include "base/sys/power.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"
#include "launcher/launcher.hpp"

namespace hal {
namespace {

constexpr size_t kConfigCapacity = 16 * 1024;
constexpr size_t kCmdlineCapacity = 4096;
char g_config_text[kConfigCapacity];
char g_cmdline[kCmdlineCapacity];
Config g_config;
HostFacts g_facts;
GuestNetwork g_network;
Argv g_qemu_argv;
// TMPDIR: QEMU's snapshot overlays (snapshot = yes) go to a size-capped tmpfs.
char* g_qemu_environment[] = {const_cast<char*>("PATH=/usr/bin:/bin"), const_cast<char*>("HOME=/"),
                              const_cast<char*>("TERM=linux"), const_cast<char*>("TMPDIR=/run/hal/snapshot"), nullptr};

// Step 2: /etc/hal.conf, then hal.* words from the kernel command line.
void load_config() {
    const auto size = sys::read_file(layout::kConfig, g_config_text, sizeof g_config_text);
    if (!size.ok()) {
        char what[160];
        std::snprintf(what, sizeof what, "cannot read %s: %s", layout::kConfig, std::strerror(size.error().code));
        fail_boot(what);
    }
    ConfigError error;
    if (!parse_config({g_config_text, size.value()}, g_config, error)) {
        char what[256];
        std::snprintf(what, sizeof what, "%s line %u: key '%s': %s", layout::kConfig, error.line, error.key.c_str(),
                      error.message);
        fail_boot(what);
    }
    if (const auto cmdline = sys::read_file("/proc/cmdline", g_cmdline, sizeof g_cmdline); cmdline.ok()) {
        read_test_hooks({g_cmdline, cmdline.value()});
        apply_cmdline_overrides(g_config, {g_cmdline, cmdline.value()},
                                [](std::string_view key, std::string_view value, const ConfigError& bad) {
                                    log_warning("config: kernel command line %s%.*s=%.*s ignored: %s",
                                                key == "ip" ? "" : "hal.", static_cast<int>(key.size()), key.data(),
                                                static_cast<int>(value.size()), value.data(), bad.message);
                                });
    }
    log::set_debug(g_config.debug);
    set_emergency_action(g_config.emergency);
    install_crash_guard(log::kmsg_fd(), g_config.emergency != ExitAction::kReboot);
    log_info("config: disk=%s bus=%s firmware=%s identity=%s machine=%s accel=%s nic=%s", g_config.disk.c_str(),
             disk_bus_name(g_config.disk_bus), firmware_setting_name(g_config.firmware),
             identity_name(g_config.identity), machine_name(g_config.machine), accel_name(g_config.accel),
             nic_model_name(g_config.nic));
}

// Step 4: the guest's disks must exist before QEMU opens them; the config names them (auto,
// all, paths, serial:, wwid:, images on host partitions), and the launcher gets what was
// found: paths, identities, sector sizes, boot signs. The UEFI variable file's partition is
// found first, so its disk is never the guest's.
void prepare_disks() {
    const uint64_t deadline = sys::monotonic_ms() + g_config.disk_timeout_seconds * 1000ull;
    const uint64_t started = sys::monotonic_ms();
    const std::string_view vars_disk = locate_uefi_vars_disk(g_config, deadline);
    const DiskSetup setup = prepare_guest_disks(g_config, vars_disk, g_facts);
    if (!setup.ok) fail_boot(setup.problem);
    for (size_t i = 0; i < g_facts.disk_count; ++i) {
        const HostDisk& disk = g_facts.disks[i];
        log_info("devices: disk %s is %s (%s%s%s%s%s, %u/%u-byte sectors%s%s), found after %llu ms", g_config.disk.c_str(),
                 disk.path.c_str(), disk.block_device ? host_bus_name(disk.bus) : image_format_name(disk.format),
                 disk.identity.serial.empty() ? "" : ", serial ", disk.identity.serial.c_str(),
                 disk.identity.model.empty() ? "" : ", model ", disk.identity.model.c_str(), disk.logical_block,
                 disk.physical_block, disk.boot.uefi ? ", EFI System Partition" : "",
                 disk.boot.bios ? ", BIOS boot code" : "",
                 static_cast<unsigned long long>(sys::monotonic_ms() - started));
    }
}

// snapshot = yes: QEMU keeps each disk's overlay in its TMPDIR, a tmpfs capped at
// snapshot_size so a guest writing without end fills it, not the host's memory.
void prepare_snapshot_space() {
    if (!g_config.snapshot) return;
    char options[48];
    std::snprintf(options, sizeof options, "size=%um,mode=0700", g_config.snapshot_size_mib);
    const Status made = sys::make_directories(layout::kSnapshotDir, 0700);
    const Status mounted = made.ok() ? sys::mount_filesystem("tmpfs", layout::kSnapshotDir, "tmpfs", 0, options) : made;
    if (!mounted.ok()) fail_boot("snapshot = yes, but the RAM overlay space could not be mounted");
    log_info("disks: snapshot = yes: guest writes go to RAM (at most %u MiB) and are dropped at power-off",
             g_config.snapshot_size_mib);
}

// Step 6: decide from host facts, build argv, start QEMU. `accel` is what it will use.
pid_t launch_qemu(Accel& accel) {
    // Probed again: /dev/kvm exists only once the KVM modules loaded.
    if (!sys::path_exists(layout::kQemu)) {
        char what[128];
        std::snprintf(what, sizeof what, "QEMU binary %s is missing from the image", layout::kQemu);
        fail_boot(what);
    }
    probe_host(g_facts);
    probe_host_display(g_config, g_facts);
    probe_operator_port(g_config, g_facts);
    g_facts.network = g_network.plan;
    g_facts.vhost = g_network.vhost;
    int passed[kMaxGuestNics];
    size_t passed_count = 0;
    for (size_t i = 0; i < g_network.plan.count; ++i) {
        g_facts.tap_ready[i] = g_network.tap_fds[i] >= 0;
        if (g_facts.tap_ready[i]) passed[passed_count++] = g_network.tap_fds[i];
    }
    static LaunchPlan plan;
    plan = plan_launch(g_config, g_facts);
    if (plan.accel_warning)
        log_warning("launch: accel %s: %s", accel_name(plan.accel), plan.accel_reason);
    log_info("firmware: %s: %s", boot_firmware_name(plan.boot.firmware), plan.boot.reason);
    if (plan.fatal) fail_boot(plan.fatal);
    if (plan.boot.firmware != BootFirmware::kBios && !prepare_uefi_vars(g_config, plan.vars_template))
        fail_boot("no UEFI variable store for the guest");
    for (size_t i = 0; i < plan.disks.count; ++i) {
        const GuestDisk& disk = plan.disks.disks[i];
        log_info("launch: guest disk %zu: %s on %s, cache=%s%s%s%s", i, disk.host.path.c_str(), disk_bus_name(disk.bus),
                 disk_cache_name(disk.cache), disk.native_aio ? " aio=native" : "", disk.snapshot ? " snapshot" : "",
                 i == 0 ? " (boots first)" : "");
        if (*disk.cache_note) log_warning("launch: %s: %s", disk.host.path.c_str(), disk.cache_note);
    }
    if (!build_qemu_argv(g_config, plan, g_facts, layout::kQemu, g_qemu_argv).ok())
        fail_boot("QEMU command line does not fit (qemu_args too long?)");
    if (test_hook_stall_guest()) g_qemu_argv.add("-S");
    log_info("launch: accel=%s (%s), %u CPUs, %u MiB; exec %s", accel_name(plan.accel), plan.accel_reason, plan.cpus,
             plan.memory_mib, layout::kQemu);
    for (size_t i = 1; i < g_qemu_argv.size(); ++i) log_debug("launch: argv[%zu] = %s", i, g_qemu_argv[i]);
    accel = plan.accel;
    (void)sys::remove_file(layout::kQmpSocket);  // left over from a previous run
    const auto pid = sys::spawn(g_qemu_argv.data(), g_qemu_environment, passed, passed_count);
    if (!pid.ok()) {
        char what[96];
        std::snprintf(what, sizeof what, "cannot start QEMU: %s: %s", pid.error().operation,
                      std::strerror(pid.error().code));
        fail_boot(what);
    }
    return pid.value();
}

// hal.break=PHASE: a rescue shell before that phase, for debugging a machine's boot.
void maybe_break(const char* phase) {
    if (g_config.break_before.view() != phase) return;
    char why[64];
    std::snprintf(why, sizeof why, "hal.break=%s", phase);
    run_rescue_shell(why);
}

ExitPolicy exit_policy() {
    ExitPolicy policy;
    policy.on_guest_shutdown = g_config.on_guest_shutdown;
    policy.on_failure = g_config.on_failure;
    policy.emergency = g_config.emergency;
    policy.restart_limit = g_config.restart_limit;
    policy.restart_window_ms = g_config.restart_window_seconds * 1000ull;
    return policy;
}

// Steps 6 to 8: launch, supervise, and act on the exit policy until the host powers off.
[[noreturn]] void run_guest(int signal_fd) {
    LadderTiming timing;
    timing.powerdown_timeout_ms = g_config.powerdown_timeout_seconds * 1000ull;
    const ExitPolicy policy = exit_policy();
    RestartHistory restarts;
    prepare_supervision([](pid_t qemu) {
        report_network_after_launch(qemu, g_network);
        start_display(g_config, g_facts);
    });
    while (true) {
        Accel accel = Accel::kTcg;
        const pid_t qemu = launch_qemu(accel);
        log_info("supervise: QEMU running as pid %d", static_cast<int>(qemu));
        // Only KVM has the statistics (and the failure mode) the start watch looks at.
        const uint64_t start_timeout_ms = accel == Accel::kKvm ? g_config.guest_start_timeout_seconds * 1000ull : 0;
        const QemuEnding ending = supervise_qemu(signal_fd, qemu, timing, start_timeout_ms);
        stop_display();
        // QEMU has exited: the variable store is complete and can go back to its partition.
        save_uefi_vars();
        const uint64_t now = sys::monotonic_ms();
        const ExitDecision decision = decide_exit(policy, ending, restarts, now);
        if (decision.restarts_exhausted) {
            log_error("supervise: %s, and QEMU was restarted %u times within %u s; emergency action %s",
                      decision.reason, policy.restart_limit, g_config.restart_window_seconds,
                      exit_action_name(decision.action));
            run_emergency_action("QEMU keeps failing");
        }
        log_info("supervise: %s; action %s", decision.reason, exit_action_name(decision.action));
        switch (decision.action) {
            case ExitAction::kRestart:
                log_info("supervise: restarting QEMU in %llu ms", static_cast<unsigned long long>(decision.delay_ms));
                restarts.record(now);
                if (!pause_supervised(signal_fd, decision.delay_ms)) power_off_host("the host asked to stop");
                continue;
            case ExitAction::kReboot:
                release_network();
                reboot_host("QEMU ended");
            case ExitAction::kShell: run_rescue_shell("QEMU ended"); break;
            case ExitAction::kPowerOff: break;
        }
        release_network();
        power_off_host("QEMU ended");
    }
}

[[noreturn]] void run_boot_plan() {
    // 0. Nothing may kill PID 1: block signals first, read them from a signalfd later.
    const auto signal_fd = sys::block_signals();
    sys::disable_ctrl_alt_del();

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
    load_config();
    if (!devtmpfs || !g_config.devtmpfs) {
        g_config.devtmpfs = false;
        const unsigned nodes = use_static_dev(devtmpfs);
        log_info("devices: %s; /dev is a tmpfs with %u nodes from sysfs", devtmpfs ? "devtmpfs = no" : "no devtmpfs",
                 nodes);
    }

    // 3. Kernel modules: the packer's early list and what present devices need, loading in
    //    the background while step 4 waits for the devices.
    maybe_break("modules");
    const auto release = sys::kernel_release();
    start_hardware(release.ok() ? release.value() : "unknown", g_config);

    // 4. Devices: the guest's disks, and the machine's identity for it.
    maybe_break("devices");
    prepare_disks();
    gather_identity(g_config, g_facts);
    prepare_snapshot_space();

    // 5. Network, once the critical modules loaded (KVM decides the accelerator; a bridged
    //    guest needs its NIC's driver): the guest's side (bridge, NAT or none), then the
    //    host's own, which the guest waits for only with net.required.
    const HardwareSummary hardware = settle_critical_hardware();
    log_info("modules: critical path ready in %llu ms: of %u queued modules %u are storage and %u critical, %u "
             "loaded so far, %u failed; the rest load while QEMU runs",
             static_cast<unsigned long long>(hardware.elapsed_ms), hardware.early + hardware.coldplug, hardware.storage,
             hardware.critical, hardware.loaded, hardware.failed);
    if (!prepare_guest_network(g_config, g_network))
        fail_boot("network required (net.required) but the guest has no network");
    if (!start_host_side_network(g_config, g_network) && g_config.net_required)
        fail_boot("network required (net.required) but not up");

    // 6-8. Launch, supervise, and the exit policy; ends in power off (or reboot).
    maybe_break("launch");
    run_guest(signal_fd.value());
}

}  // namespace
}  // namespace hal

namespace hal {
namespace {

// `hal-init dhcp IFACE [SECONDS] [RESOLV_CONF] [TIMEOUT]`: the network step outside PID 1,
// for testing the DHCP client against a real server. Keeps the lease for SECONDS
// (renewing it), then releases it. Exit status 0 when a lease was obtained.
int run_dhcp_command(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: hal-init dhcp IFACE [SECONDS] [RESOLV_CONF] [TIMEOUT]\n");
        return 2;
    }
    Config config;
    if (argc > 5) config.net_timeout_seconds = static_cast<uint32_t>(std::atoi(argv[5]));
    NetworkOptions options;
    options.interface = argv[2];
    options.resolv_conf = argc > 4 ? argv[4] : "/etc/resolv.conf";
    log::set_debug(true);
    if (!start_network(config, options, true)) return 1;
    const uint64_t until = sys::monotonic_ms() + (argc > 3 ? std::atoi(argv[3]) : 0) * 1000ull;
    while (sys::monotonic_ms() < until) {
        const uint64_t now = sys::monotonic_ms();
        int64_t timeout = network_timer_in(now);
        if (timeout < 0 || timeout > static_cast<int64_t>(until - now)) timeout = static_cast<int64_t>(until - now);
        const int fds[2] = {network_fd(), network_probe_fd()};
        bool ready[2] = {};
        (void)sys::wait_any(fds, ready, 2, static_cast<int>(timeout));
        service_network(sys::monotonic_ms(), ready[0], ready[1]);
    }
    release_network();
    return 0;
}

}  // namespace
}  // namespace hal

int main(int argc, char** argv) {
    if (getpid() != 1) {
        if (argc > 1 && std::strcmp(argv[1], "dhcp") == 0) return hal::run_dhcp_command(argc, argv);
        std::fprintf(stderr, "hal-init: must run as PID 1 (the /init of a mkinitrd-hal image), or: hal-init dhcp IFACE ...\n");
        return 2;
    }
    hal::run_boot_plan();
}
