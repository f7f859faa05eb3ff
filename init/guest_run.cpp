// Steps 6 to 8 of the boot plan: QEMU's launch from the launcher's argv, one event loop per
// run of QEMU, and the exit policy when it ends.
#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/process.hpp"
#include "base/sys/time.hpp"
#include "base/sys/timeline_file.hpp"
#include "base/timeline.hpp"
#include "display/sys/monitor.hpp"
#include "init/boot.hpp"
#include "platform/sys/host_probe.hpp"
#include "supervision/settings.hpp"
#include "supervision/sys/operator_port.hpp"
#include "supervision/sys/power.hpp"

namespace hal {
namespace {

// TMPDIR: QEMU's snapshot overlays (snapshot = yes) go to a size-capped tmpfs.
char* g_qemu_environment[] = {const_cast<char*>("PATH=/usr/bin:/bin"), const_cast<char*>("HOME=/"),
                              const_cast<char*>("TERM=linux"),
                              const_cast<char*>("TMPDIR=/run/hal/snapshot"), nullptr};

// Facts that change between launches: /dev/kvm exists only once the KVM modules loaded, a
// monitor's driver may have come, the operator's port may have appeared.
void probe_before_launch(Boot& boot) {
    if (!sys::path_exists(layout::kQemu)) {
        char what[128];
        std::snprintf(what, sizeof what, "QEMU binary %s is missing from the image", layout::kQemu);
        fail_boot(what);
    }
    probe_host(boot.facts.platform);
    boot.facts.monitor = probe_monitor(boot.config.display);
    boot.facts.operator_qmp_port = probe_operator_port(boot.config.supervision.qmp_serial.view());
    boot.facts.network = boot.guest_network.facts();
}

void log_disks(const DiskPlan& disks) {
    for (size_t i = 0; i < disks.count; ++i) {
        const GuestDisk& disk = disks.disks[i];
        log_info("launch: guest disk %zu: %s on %s, cache=%s%s%s%s", i, disk.host.path.c_str(),
                 disk_bus_name(disk.bus), disk_cache_name(disk.cache),
                 disk.native_aio ? " aio=native" : "", disk.snapshot ? " snapshot" : "",
                 i == 0 ? " (boots first)" : "");
        if (*disk.cache_note)
            log_warning("launch: %s: %s", disk.host.path.c_str(), disk.cache_note);
    }
}

// What the guest's machine tells it beyond its devices: the OS the launcher found on the
// disk (Hyper-V enlightenments for Windows), the TPM it passes.
void log_guest_platform(const LaunchPlan& plan, const TpmFacts& tpm) {
    const GuestOsDecision& os = plan.guest_os;
    if (os.os == GuestOs::kWindows)
        log_info("guest_os: windows (%s): %s", os.reason,
                 plan.hyperv ? "the vCPUs carry the Hyper-V enlightenments"
                             : "no Hyper-V enlightenments without KVM");
    else
        log_info("guest_os: %s (%s)", guest_os_name(os.os), os.reason);
    const char* version = tpm.version_major == 1   ? "TPM 1.2"
                          : tpm.version_major == 2 ? "TPM 2.0"
                                                   : "TPM of unknown version";
    if (plan.tpm.pass)
        log_info("tpm: /dev/tpm0 (%s, %s) to the guest as %s: %s", version, tpm.driver.c_str(),
                 plan.tpm.front_end, plan.tpm.reason);
    else
        log_info("tpm: none: %s", plan.tpm.reason);
}

// The launcher's decisions, logged, and the firmware's variable store ready.
void plan_run(Boot& boot) {
    boot.plan = plan_launch(boot.config, boot.facts);
    if (boot.plan.accel_warning)
        log_warning("launch: accel %s: %s", accel_name(boot.plan.accel), boot.plan.accel_reason);
    const BootDecision& firmware = boot.plan.boot;
    const DiskBootSigns signs = boot.facts.disks.boot_signs();
    if (*firmware.secure_boot)
        log_info("firmware: %s: %s; %s%s%s%s", boot_firmware_name(firmware.firmware),
                 firmware.reason, firmware.secure_boot, signs.signed_loader() ? " (" : "",
                 signs.signed_loader_path.c_str(), signs.signed_loader() ? ")" : "");
    else
        log_info("firmware: %s: %s", boot_firmware_name(firmware.firmware), firmware.reason);
    if (*boot.plan.machine_reason)
        log_info("machine: %s: %s", machine_name(boot.plan.machine), boot.plan.machine_reason);
    log_guest_platform(boot.plan, boot.facts.platform.tpm);
    if (boot.plan.fatal) fail_boot(boot.plan.fatal);
    if (boot.plan.boot.firmware != BootFirmware::kBios &&
        !boot.uefi_vars.prepare(boot.storage, boot.plan.vars_template))
        fail_boot("no UEFI variable store for the guest");
    log_disks(boot.plan.disks);
    if (!build_qemu_argv(boot.config, boot.plan, boot.facts, layout::kQemu, boot.qemu_argv).ok())
        fail_boot("QEMU command line does not fit (qemu_args too long?)");
    if (boot.test_hooks.stall_guest()) boot.qemu_argv.add("-S");
}

pid_t launch_qemu(Boot& boot) {
    probe_before_launch(boot);
    plan_run(boot);
    log_info("launch: accel=%s (%s), %u CPUs, %u MiB; exec %s", accel_name(boot.plan.accel),
             boot.plan.accel_reason, boot.plan.cpus, boot.plan.memory_mib, layout::kQemu);
    for (size_t i = 1; i < boot.qemu_argv.size(); ++i)
        log_debug("launch: argv[%zu] = %s", i, boot.qemu_argv[i]);
    (void)sys::remove_file(layout::kQmpSocket);  // left over from a previous run
    int passed[kMaxGuestNics];
    const size_t passed_count = boot.guest_network.passed_descriptors(passed, kMaxGuestNics);
    const auto pid = sys::spawn(boot.qemu_argv.data(), g_qemu_environment, passed, passed_count);
    if (!pid.ok()) {
        char what[96];
        std::snprintf(what, sizeof what, "cannot start QEMU: %s: %s", pid.error().operation,
                      std::strerror(pid.error().code));
        fail_boot(what);
    }
    log_info("supervise: QEMU running as pid %d", static_cast<int>(pid.value()));
    boot.test_hooks.qemu_started(pid.value(), sys::monotonic_ms());
    static bool first_launch = true;
    if (first_launch) {
        first_launch = false;
        boot_timeline().qemu_exec(sys::monotonic_ms());
        sys::publish_boot_timeline("at QEMU exec");
    }
    return pid.value();
}

// QMP's greeting: QEMU has made its devices. What depends on them starts now.
void on_qemu_ready(pid_t qemu, void* context) {
    Boot& boot = *static_cast<Boot*>(context);
    boot.guest_network.report_after_launch(qemu);
    boot.display.start(boot.facts.monitor, sys::monotonic_ms());
}

// One run of QEMU: every source in one loop until QEMU has ended.
QemuEnding supervise(Boot& boot, pid_t qemu) {
    LadderTiming timing;
    timing.powerdown_timeout_ms = boot.config.supervision.powerdown_timeout_seconds * 1000ull;
    // Only KVM has the statistics (and the failure mode) the start watch looks at.
    const uint64_t start_timeout_ms =
        boot.plan.accel == Accel::kKvm
            ? boot.config.supervision.guest_start_timeout_seconds * 1000ull
            : 0;
    QemuSupervisor supervisor(boot.qmp, timing, start_timeout_ms, qemu, sys::monotonic_ms());
    boot.supervisor = &supervisor;
    boot.qmp.reset(layout::kQmpSocket, qemu, on_qemu_ready, &boot);
    boot.watchdog.configure(boot.config.supervision.watchdog);
    boot.watchdog.watch(&supervisor);
    boot.qmp.set_supervisor(&supervisor);
    boot.signals.set_supervisor(&supervisor);
    boot.buttons.set_listener(&supervisor);
    EventLoop loop;
    for (EventSource* source : std::initializer_list<EventSource*>{
             &boot.signals, &boot.qmp, &supervisor, &boot.host_network, &boot.uevents,
             &boot.modules, &boot.display, &boot.buttons, &boot.watchdog, &boot.test_hooks})
        loop.add(*source);
    loop.run_until([&] { return supervisor.ended(); });
    boot.qmp.close();
    boot.qmp.set_supervisor(nullptr);
    boot.signals.set_supervisor(nullptr);
    boot.buttons.set_listener(nullptr);
    boot.supervisor = nullptr;
    boot.watchdog.watch(nullptr);
    return supervisor.ending();
}

[[noreturn]] void end_guest(Boot& boot, const ExitDecision& decision) {
    switch (decision.action) {
        case ExitAction::kReboot: boot.host_network.release(); reboot_host("QEMU ended");
        case ExitAction::kShell: run_rescue_shell("QEMU ended"); break;
        case ExitAction::kPowerOff:
        case ExitAction::kRestart: break;
    }
    boot.host_network.release();
    power_off_host("QEMU ended");
}

}  // namespace

void run_guest(Boot& boot) {
    ExitPolicy policy = exit_policy(boot.config.supervision);
    policy.machine_reset_only = boot.facts.passthrough.needs_machine_reset;
    RestartHistory restarts;
    (void)boot.buttons.open_new();
    while (true) {
        const QemuEnding ending = supervise(boot, launch_qemu(boot));
        boot.display.stop();
        // QEMU has exited: the variable store is complete and can go back to its partition.
        boot.uefi_vars.save(boot.storage);
        const uint64_t now = sys::monotonic_ms();
        const ExitDecision decision = decide_exit(policy, ending, restarts, now);
        if (decision.restarts_exhausted) {
            log_error(
                "supervise: %s, and QEMU was restarted %u times within %u s; emergency action %s",
                decision.reason, policy.restart_limit,
                boot.config.supervision.restart_window_seconds, exit_action_name(decision.action));
            run_emergency_action("QEMU keeps failing");
        }
        if (*decision.instead)
            log_info("supervise: %s; action %s: %s", decision.reason,
                     exit_action_name(decision.action), decision.instead);
        else
            log_info("supervise: %s; action %s", decision.reason,
                     exit_action_name(decision.action));
        if (decision.action != ExitAction::kRestart) end_guest(boot, decision);
        log_info("supervise: restarting QEMU in %llu ms",
                 static_cast<unsigned long long>(decision.delay_ms));
        restarts.record(now);
        if (!boot.signals.pause(decision.delay_ms)) power_off_host("the host asked to stop");
    }
}

}  // namespace hal
