// QEMU argv construction: accelerator choice, sizing, devices; no I/O happens here.
#include "launcher/launcher.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "config/schema.hpp"
#include "launcher/disk_arguments.hpp"
#include "launcher/network_arguments.hpp"
#include "platform/firmware_tables.hpp"

namespace hal {

void Argv::add(std::string_view argument) {
    if (count_ >= kArgvCapacity || argument.size() >= kArgvStorage - used_) {
        overflowed_ = true;
        return;
    }
    char* slot = storage_ + used_;
    std::memcpy(slot, argument.data(), argument.size());
    slot[argument.size()] = '\0';
    used_ += argument.size() + 1;
    pointers_[count_++] = slot;
    pointers_[count_] = nullptr;
}

void Argv::clear() {
    used_ = 0;
    count_ = 0;
    overflowed_ = false;
    pointers_[0] = nullptr;
}

void Argv::add_format(const char* format, ...) {
    char buffer[kArgvStorage];
    va_list arguments;
    va_start(arguments, format);
    const int length = std::vsnprintf(buffer, sizeof buffer, format, arguments);
    va_end(arguments);
    if (length < 0 || static_cast<size_t>(length) >= sizeof buffer) {
        overflowed_ = true;
        return;
    }
    add(std::string_view(buffer, static_cast<size_t>(length)));
}

namespace {

constexpr uint32_t kMinimumGuestMemoryMib = 64;

// Automatic memory: all of it but the host's reserve and one sixteenth for QEMU itself
// (page tables, device state, TCG's code buffer).
uint32_t automatic_memory_mib(const Config& config, const HostFacts& facts) {
    const uint64_t total_mib = facts.platform.memory_total_kib / 1024;
    const uint64_t kept = config.platform.memory_reserve_mib + total_mib / 16;
    if (total_mib <= kept + kMinimumGuestMemoryMib) return kMinimumGuestMemoryMib;
    return static_cast<uint32_t>(total_mib - kept);
}

void choose_accel(const Config& config, const HostFacts& facts, LaunchPlan& plan) {
    const bool usable = facts.platform.kvm_device && facts.platform.cpu_virtualization;
    switch (config.platform.accel) {
        case Accel::kTcg:
            plan.accel = Accel::kTcg;
            plan.accel_reason = "accel = tcg in the config";
            return;
        case Accel::kKvm:
            plan.accel = Accel::kKvm;
            plan.accel_reason = usable ? "accel = kvm in the config"
                                       : "accel = kvm in the config, but KVM looks unusable";
            plan.accel_warning = !usable;
            return;
        case Accel::kAuto: break;
    }
    if (usable) {
        plan.accel = Accel::kKvm;
        plan.accel_reason = "/dev/kvm usable and the CPU has vmx/svm";
        return;
    }
    plan.accel = Accel::kTcg;
    // Booted from the entries --install-boot wrote: the machine's own OS, natively, beats the
    // same OS emulated a hundred times slower.
    if (config.fallback.native_boot_possible()) {
        plan.fatal = !facts.platform.kvm_device
                         ? "no usable /dev/kvm, and fallback = bare-metal boots the OS natively "
                           "rather than under TCG"
                         : "no vmx/svm CPU flag, and fallback = bare-metal boots the OS natively "
                           "rather than under TCG";
        return;
    }
    plan.accel_warning = true;
    plan.accel_reason = !facts.platform.kvm_device
                            ? "no usable /dev/kvm; falling back to TCG (slow)"
                            : "no vmx/svm CPU flag; falling back to TCG (slow)";
}

// CPUs: every host CPU in the host's arrangement when the config leaves both to the host.
void choose_cpus(const Config& config, const HostFacts& facts, LaunchPlan& plan) {
    plan.cpus = config.platform.cpus != 0 ? config.platform.cpus
                                          : (facts.platform.cpus != 0 ? facts.platform.cpus : 1);
    if (config.platform.identity == Identity::kHost && config.platform.cpus == 0 &&
        facts.platform.topology && facts.platform.topology->total() == plan.cpus)
        plan.topology = facts.platform.topology;
}

// Firmware: the boot disk decides (disks/boot_mode.hpp); UEFI needs OVMF in the image, and
// Secure Boot its secure build, SMM and so q35.
void choose_firmware(const Config& config, const HostFacts& facts, LaunchPlan& plan) {
    plan.boot =
        decide_boot_firmware(config.platform.firmware, facts.disks.boot_signs(), facts.platform);
    switch (plan.boot.firmware) {
        case BootFirmware::kBios: return;
        case BootFirmware::kUefi:
            plan.vars_template = layout::kOvmfVars;
            if (!facts.platform.ovmf)
                plan.fatal =
                    "UEFI firmware (OVMF) is not in this image; pack it with firmware = auto or "
                    "uefi";
            return;
        case BootFirmware::kUefiSecure:
            plan.vars_template = layout::kOvmfSecureVars;
            plan.machine = Machine::kQ35;
            if (!facts.platform.ovmf_secure)
                plan.fatal =
                    "firmware = uefi-secure, but the Secure Boot OVMF is not in this image; pack "
                    "it with "
                    "firmware = uefi-secure";
            return;
    }
}

void add_firmware(const LaunchPlan& plan, Argv& argv) {
    if (plan.boot.firmware == BootFirmware::kBios) return;
    const bool secure = plan.boot.firmware == BootFirmware::kUefiSecure;
    if (secure) {
        argv.add("-global");
        argv.add("driver=cfi.pflash01,property=secure,value=on");
    }
    argv.add("-drive");
    argv.add_format("if=pflash,format=raw,unit=0,readonly=on,file=%s",
                    secure ? layout::kOvmfSecureCode : layout::kOvmfCode);
    argv.add("-drive");
    argv.add_format("if=pflash,format=raw,unit=1,file=%s", layout::kUefiVars);
}

// The guest's video device advertises the host monitor's native mode in its EDID, so the guest
// picks it; a USB tablet gives it an absolute pointer every current OS drives. The transparent
// platform has them only with a monitor, as the machine did; the virtual one always, so that its
// PCI layout is the same on every host.
void add_screen_and_input(const Config& config, const HostFacts& facts, Argv& argv) {
    if (!facts.monitor.present && config.preset != PlatformPreset::kVirtual) return;
    const uint32_t width = facts.monitor.mode.width ? facts.monitor.mode.width : 1024;
    const uint32_t height = facts.monitor.mode.height ? facts.monitor.mode.height : 768;
    argv.add("-device");
    argv.add_format("%s,edid=on,xres=%u,yres=%u",
                    config.display.video == GuestVideo::kVirtio ? "virtio-vga" : "VGA", width,
                    height);
    if (facts.monitor.present) {
        argv.add("-vnc");
        // No keysym-driven lock-key fixups: hal-display sends key numbers, not keysyms.
        argv.add_format("unix:%s,lock-key-sync=off", layout::kVncSocket);
    }
    if (config.display.input) {
        argv.add("-device");
        argv.add("qemu-xhci,id=xhci");
        argv.add("-device");
        argv.add("usb-tablet,bus=xhci.0");
    }
}

void add_tpm(const TpmDecision& tpm, const TpmFacts& facts, Argv& argv) {
    if (!tpm.pass) return;
    argv.add("-tpmdev");
    argv.add_format("passthrough,id=tpm0,path=/dev/tpm0,cancel-path=%s", tpm_cancel_path(facts));
    argv.add("-device");
    argv.add_format("%s,tpmdev=tpm0", tpm.front_end);
}

void add_identity(const PlatformFacts& facts, Argv& argv) {
    for (size_t i = 0; i < facts.smbios_count; ++i) {
        argv.add("-smbios");
        argv.add_format("file=%s", facts.smbios_files[i].c_str());
    }
    for (size_t i = 0; i < facts.acpi_count; ++i) {
        argv.add("-acpitable");
        argv.add_format("file=%s", facts.acpi_files[i].c_str());
    }
}

// The devices a key adds, after every other one. The guest's watchdog last, so that every
// other device keeps its PCI slot; QEMU only reports its expiry and the supervisor ends the
// hung guest.
bool same_slot(const PciAddress& a, const PciAddress& b) {
    return a.domain == b.domain && a.bus == b.bus && a.device == b.device;
}

// The functions of one PCIe slot behind a root port of their own (`port`), at the function
// numbers they had: a GPU and its HDMI audio stay one multifunction device.
void add_slot_behind_port(const PassedDevices& devices, size_t first, unsigned port, bool* placed,
                          Argv& argv) {
    const PciAddress slot = devices.devices[first].address;
    size_t functions = 0;
    for (size_t j = first; j < devices.count; ++j)
        functions += devices.devices[j].pcie && same_slot(devices.devices[j].address, slot);
    argv.add("-device");
    argv.add_format("pcie-root-port,id=hal-port%u,chassis=%u", port, port + 1);
    for (size_t j = first; j < devices.count; ++j) {
        const PassedDevice& member = devices.devices[j];
        if (!member.pcie || !same_slot(member.address, slot)) continue;
        placed[j] = true;
        char address[16];
        format_pci_address(member.address, address);
        argv.add("-device");
        argv.add_format("vfio-pci,host=%s,bus=hal-port%u,addr=0.%u%s", address, port,
                        member.address.function,
                        functions > 1 && member.address.function == 0 ? ",multifunction=on" : "");
    }
}

// The machine's own functions, bound to vfio-pci: on q35 each PCIe slot behind a root port, as
// on the machine; conventional PCI functions, and all of them on pc, on the root bus. A guest
// reboot ends QEMU when one of them has no reset method (the exit policy reboots the machine),
// rather than resetting the guest on a device left as it was.
void add_passed_devices(const LaunchPlan& plan, const PassedDevices& devices, Argv& argv) {
    bool placed[kMaxPassed] = {};
    unsigned ports = 0;
    for (size_t i = 0; i < devices.count; ++i) {
        if (placed[i]) continue;
        if (plan.machine == Machine::kQ35 && devices.devices[i].pcie) {
            add_slot_behind_port(devices, i, ports++, placed, argv);
            continue;
        }
        char address[16];
        format_pci_address(devices.devices[i].address, address);
        argv.add("-device");
        argv.add_format("vfio-pci,host=%s", address);
    }
    if (devices.needs_machine_reset) {
        argv.add("-action");
        argv.add("reboot=shutdown");
    }
}

void add_optional_devices(const Config& config, Argv& argv) {
    if (config.platform.rng == GuestRng::kVirtio) {
        argv.add("-device");
        argv.add("virtio-rng-pci");
    }
    if (config.supervision.guest_watchdog == GuestWatchdog::kI6300esb) {
        argv.add("-device");
        argv.add("i6300esb");
        argv.add("-action");
        argv.add("watchdog=none");
    }
}

}  // namespace

LaunchPlan plan_launch(const Config& config, const HostFacts& facts) {
    LaunchPlan plan;
    choose_accel(config, facts, plan);
    choose_cpus(config, facts, plan);
    plan.memory_mib = config.platform.memory_mib != 0 ? config.platform.memory_mib
                                                      : automatic_memory_mib(config, facts);
    plan.machine = config.platform.machine;
    plan.disks = plan_disks(facts.disks, config.disks);
    choose_firmware(config, facts, plan);
    // PCIe devices want PCIe slots: q35, unless hal.conf or the command line named the machine.
    if (facts.passthrough.any_pcie() && plan.machine != Machine::kQ35 &&
        !set_by_user(config, "machine")) {
        plan.machine = Machine::kQ35;
        plan.machine_reason = "a PCI Express device goes to the guest (passthrough)";
    }
    plan.guest_os = decide_guest_os(config.platform.guest_os, facts.disks.boot_signs());
    plan.hyperv = plan.guest_os.os == GuestOs::kWindows && plan.accel == Accel::kKvm;
    plan.tpm = decide_tpm(config.platform.tpm, facts.platform.tpm);
    if (plan.tpm.fatal && !plan.fatal)
        plan.fatal = facts.platform.tpm.present
                         ? "tpm = passthrough, but the machine's TPM (/dev/tpm0) does not open"
                         : "tpm = passthrough, but this machine has no TPM (/dev/tpm0)";
    return plan;
}

Status build_qemu_argv(const Config& config, const LaunchPlan& plan, const HostFacts& facts,
                       const char* qemu_path, Argv& argv) {
    argv.clear();  // a restart builds it again
    argv.add(qemu_path);
    // Only what we ask for: no default devices, no host config files.
    argv.add("-nodefaults");
    argv.add("-no-user-config");
    argv.add("-L");
    argv.add(layout::kFirmwareDir);
    argv.add("-machine");
    if (plan.boot.firmware == BootFirmware::kUefiSecure)
        argv.add("q35,smm=on");
    else
        argv.add(machine_name(plan.machine));
    argv.add("-accel");
    if (plan.accel == Accel::kKvm) {
        argv.add("kvm");
        argv.add("-cpu");
        if (plan.hyperv)
            argv.add_format("host,%s", kHypervFeatures);
        else
            argv.add("host");
    } else {
        argv.add("tcg");
    }
    argv.add("-smp");
    if (plan.topology)
        argv.add_format("%u,sockets=%u,cores=%u,threads=%u", plan.cpus, plan.topology->sockets,
                        plan.topology->cores, plan.topology->threads);
    else
        argv.add_format("%u", plan.cpus);
    argv.add("-m");
    argv.add_format("%u", plan.memory_mib);
    add_firmware(plan, argv);
    if (config.platform.identity == Identity::kHost) add_identity(facts.platform, argv);
    // The mark of a HAL's guest: its boot loader skips the HAL's entry, and a HAL image booted
    // there anyway starts no second guest.
    argv.add("-smbios");
    argv.add_format("type=11,value=%.*s", static_cast<int>(kGuestMarker.size()),
                    kGuestMarker.data());
    add_tpm(plan.tpm, facts.platform.tpm, argv);
    // QEMU draws no window of its own; with a monitor, hal-display shows its VNC screen.
    argv.add("-display");
    argv.add("none");
    add_screen_and_input(config, facts, argv);
    // Boot only what has a bootindex (the disks, then the NIC with nic_boot), with no menu
    // and so no wait for a key.
    argv.add("-boot");
    argv.add("strict=on,menu=off");
    // The guest's first serial port is the host console; signal=off lets Ctrl-C reach the guest.
    argv.add("-chardev");
    argv.add("stdio,id=console,signal=off");
    argv.add("-serial");
    argv.add("chardev:console");
    argv.add("-qmp");
    argv.add_format("unix:%s,server=on,wait=off", layout::kQmpSocket);
    // The operator's own monitor on a serial line: QEMU sets the port to 115200 8N1, raw.
    if (!facts.operator_qmp_port.empty()) {
        argv.add("-chardev");
        argv.add_format("serial,id=operator,path=%s", facts.operator_qmp_port.c_str());
        argv.add("-mon");
        argv.add("chardev=operator,mode=control");
    }
    add_disk_arguments(plan.disks, argv);
    add_network_arguments(config, facts, plan.disks.count, argv);
    add_passed_devices(plan, facts.passthrough, argv);
    add_optional_devices(config, argv);
    config.qemu_args.for_each([&](std::string_view word) { argv.add(word); });
    if (argv.overflowed()) return Error{"build QEMU argv", EOVERFLOW};
    return ok_status();
}

}  // namespace hal
